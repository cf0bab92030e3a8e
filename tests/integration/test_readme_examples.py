"""Every code block of the official README that makes a request, run as written against the emulator.

Adapted only for host and credentials: the environment variables the README reads are set to the
emulator's clients, and the shared configuration's host points at the emulator (restored afterwards).
"""
from __future__ import annotations

import base64
import json
import os

import pytest

import PureCloudPlatformClientV2

REDIRECT = "https://redirect-uri.com/oauth/callback"


@pytest.fixture
def readme_env(monkeypatch, fresh_emu):
    emu = fresh_emu
    config = PureCloudPlatformClientV2.configuration
    for name in ("host", "live_reload_config", "api_client", "access_token", "should_refresh_access_token",
                 "gateway_configuration"):
        monkeypatch.setattr(config, name, getattr(config, name))
    config.host = emu.base_url
    config.live_reload_config = False
    config.api_client = None
    saml = emu.register_client(grants=["urn:ietf:params:oauth:grant-type:saml2-bearer"])
    code = emu.register_client(grants=["authorization_code", "refresh_token"], redirect_uris=[REDIRECT])
    monkeypatch.setenv("GENESYS_CLOUD_CLIENT_ID", emu.client_id)
    monkeypatch.setenv("GENESYS_CLOUD_CLIENT_SECRET", emu.client_secret)
    monkeypatch.setenv("GENESYS_CLOUD_SAML2BEARER_CLIENT_ID", saml["client_id"])
    monkeypatch.setenv("GENESYS_CLOUD_SAML2BEARER_CLIENT_SECRET", saml["client_secret"])
    monkeypatch.setenv("GENESYS_CLOUD_CODEAUTH_CLIENT_ID", code["client_id"])
    monkeypatch.setenv("GENESYS_CLOUD_CODEAUTH_CLIENT_SECRET", code["client_secret"])
    return emu


def test_client_credentials_grant(readme_env, capsys):
    apiclient = PureCloudPlatformClientV2.api_client.ApiClient().get_client_credentials_token(os.environ['GENESYS_CLOUD_CLIENT_ID'],
                                                                                              os.environ['GENESYS_CLOUD_CLIENT_SECRET'])
    authApi = PureCloudPlatformClientV2.AuthorizationApi(apiclient)
    print(authApi.get_authorization_permissions())
    assert capsys.readouterr().out.strip()
    assert readme_env.request_count("get_authorization_permissions") == 1


def test_saml2_bearer_grant(readme_env, capsys):
    orgName = "my-org"
    encodedsamlassertion = base64.b64encode(b"<saml:Assertion>...</saml:Assertion>").decode()
    apiclient = PureCloudPlatformClientV2.api_client.ApiClient().get_saml2bearer_token(os.environ['GENESYS_CLOUD_SAML2BEARER_CLIENT_ID'],
                                                                                       os.environ['GENESYS_CLOUD_SAML2BEARER_CLIENT_SECRET'],
                                                                                       orgName,
                                                                                       encodedsamlassertion)
    usersApi = PureCloudPlatformClientV2.UsersApi(apiclient)
    print(usersApi.get_users_me())
    assert readme_env.admin_user_id in capsys.readouterr().out


def test_authorization_code_grant_and_manual_refresh(readme_env):
    apiclient = PureCloudPlatformClientV2.api_client.ApiClient()
    auth_code = readme_env.issue_auth_code(os.environ['GENESYS_CLOUD_CODEAUTH_CLIENT_ID'], redirect_uri=REDIRECT)
    apiclient, auth_token_info = apiclient.get_code_authorization_token(os.environ['GENESYS_CLOUD_CODEAUTH_CLIENT_ID'],
                                                                        os.environ['GENESYS_CLOUD_CODEAUTH_CLIENT_SECRET'],
                                                                        auth_code,
                                                                        "https://redirect-uri.com/oauth/callback")
    usersApi = PureCloudPlatformClientV2.UsersApi(apiclient)
    assert usersApi.get_users_me().id == readme_env.admin_user_id

    refresh_token = auth_token_info["refresh_token"]
    expires_in = auth_token_info["expires_in"]
    PureCloudPlatformClientV2.configuration.should_refresh_access_token = False
    assert expires_in > 0

    apiclient, auth_token_info = apiclient.refresh_code_authorization_token(os.environ['GENESYS_CLOUD_CODEAUTH_CLIENT_ID'],
                                                                            os.environ['GENESYS_CLOUD_CODEAUTH_CLIENT_SECRET'],
                                                                            refresh_token)
    assert PureCloudPlatformClientV2.UsersApi(apiclient).get_users_me().id == readme_env.admin_user_id
    assert readme_env.token_requests("refresh_token") == 1


def test_pkce_grant(readme_env):
    code_verifier = PureCloudPlatformClientV2.api_client.ApiClient().generate_pkce_code_verifier(128)
    code_challenge = PureCloudPlatformClientV2.api_client.ApiClient().compute_pkce_code_challenge(code_verifier)
    public = readme_env.register_client(public=True, grants=["authorization_code"], redirect_uris=[REDIRECT])
    os.environ['GENESYS_CLOUD_CODEAUTH_CLIENT_ID'] = public["client_id"]  # monkeypatch restores it
    auth_code = readme_env.issue_auth_code(public["client_id"], redirect_uri=REDIRECT, code_challenge=code_challenge,
                                           code_challenge_method="S256")
    apiclient = PureCloudPlatformClientV2.api_client.ApiClient()
    apiclient, auth_token_info = apiclient.get_pkce_token(os.environ['GENESYS_CLOUD_CODEAUTH_CLIENT_ID'],
                                                          code_verifier,
                                                          auth_code,
                                                          "https://redirect-uri.com/oauth/callback")
    usersApi = PureCloudPlatformClientV2.UsersApi(apiclient)
    assert usersApi.get_users_me().id == readme_env.admin_user_id


def test_setting_the_environment(readme_env):
    region = PureCloudPlatformClientV2.PureCloudRegionHosts.us_east_1
    PureCloudPlatformClientV2.configuration.host = region.get_api_host()
    assert PureCloudPlatformClientV2.configuration.host == "https://api.mypurecloud.com"


def test_setting_the_gateway_on_the_client(readme_env):
    apiClient = PureCloudPlatformClientV2.api_client.ApiClient()
    apiClient.set_gateway("127.0.0.1", "http", readme_env.port, "", "")
    apiClient.get_client_credentials_token(os.environ['GENESYS_CLOUD_CLIENT_ID'],
                                           os.environ['GENESYS_CLOUD_CLIENT_SECRET'])
    assert readme_env.token_requests("client_credentials") == 1


def test_setting_the_gateway_for_all_clients(readme_env):
    PureCloudPlatformClientV2.configuration.host = "http://api.invalid"  # only the gateway can work
    gateway_configuration = PureCloudPlatformClientV2.GatewayConfiguration()
    gateway_configuration.host = "127.0.0.1"
    gateway_configuration.protocol = "http"
    gateway_configuration.port = readme_env.port
    gateway_configuration.path_params_login = ""
    gateway_configuration.path_params_api = ""
    PureCloudPlatformClientV2.configuration.gateway_configuration = gateway_configuration
    apiclient = PureCloudPlatformClientV2.api_client.ApiClient().get_client_credentials_token(
        os.environ['GENESYS_CLOUD_CLIENT_ID'], os.environ['GENESYS_CLOUD_CLIENT_SECRET'])
    assert PureCloudPlatformClientV2.UsersApi(apiclient).get_users(page_size=1).entities


def test_making_requests_and_to_json(readme_env, capsys):
    PureCloudPlatformClientV2.configuration.access_token = readme_env.issue_token(user_id=readme_env.admin_user_id)
    usersApi = PureCloudPlatformClientV2.UsersApi()
    print(usersApi.get_users_me())
    print(usersApi.get_users_me().to_json())
    out = capsys.readouterr().out
    assert readme_env.admin_user_id in out
    assert json.loads(out.strip().splitlines()[-1])["id"] == readme_env.admin_user_id


def test_api_null_value_is_sent_as_json_null(readme_env):
    PureCloudPlatformClientV2.configuration.access_token = readme_env.issue_token(user_id=readme_env.admin_user_id)
    queue = readme_env.add_queue("Default queue")
    worktype = readme_env.seed("/api/v2/taskmanagement/worktypes",
                               [{"name": "before", "defaultQueueId": queue["id"], "description": "kept"}])[0]
    worktype_id = worktype["id"]
    task_api = PureCloudPlatformClientV2.TaskManagementApi()
    worktype_update = PureCloudPlatformClientV2.WorktypeUpdate()
    worktype_update.name = 'abcd'
    worktype_update.default_queue_id = PureCloudPlatformClientV2.ApiNullValue()
    task_api.patch_taskmanagement_worktype(worktype_id, worktype_update)
    stored = readme_env.get_entity("/api/v2/taskmanagement/worktypes", worktype_id)
    assert stored["name"] == "abcd"
    assert stored.get("defaultQueueId") is None  # reset by the explicit null
    assert stored["description"] == "kept"  # None attributes were stripped, not sent as null
