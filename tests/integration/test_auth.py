"""Each OAuth grant over real HTTP against the emulator's login endpoint, returning what the official SDK returns."""
from __future__ import annotations

import base64

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.rest import ApiException

from .conftest import new_client

REDIRECT = "https://redirect-uri.com/oauth/callback"


def test_client_credentials_returns_the_api_client(fresh_emu):
    client = new_client(fresh_emu.base_url)
    returned = client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    assert returned is client
    assert fresh_emu.token_requests("client_credentials") == 1
    me = sdk.UsersApi(client).get_users(page_size=2)
    assert me.entities is not None
    assert fresh_emu.request_count("get_users") == 1


def test_client_credentials_bad_secret_is_api_exception(fresh_emu):
    client = new_client(fresh_emu.base_url)
    with pytest.raises(ApiException) as info:
        client.get_client_credentials_token(fresh_emu.client_id, "wrong")
    assert info.value.status == 401
    assert "wrong" not in str(info.value)


def test_saml2_bearer_returns_the_api_client_with_a_user_token(fresh_emu):
    creds = fresh_emu.register_client(grants=["urn:ietf:params:oauth:grant-type:saml2-bearer"])
    user = fresh_emu.add_user("Sam Bearer")
    assertion = base64.b64encode(
        f"<saml:Assertion><saml:NameID>{user['email']}</saml:NameID></saml:Assertion>".encode()).decode()
    client = new_client(fresh_emu.base_url)
    returned = client.get_saml2bearer_token(creds["client_id"], creds["client_secret"], "my-org", assertion)
    assert returned is client
    me = sdk.UsersApi(client).get_users_me()
    assert me.id == user["id"]
    assert fresh_emu.token_requests("urn:ietf:params:oauth:grant-type:saml2-bearer") == 1


def test_authorization_code_returns_client_and_token_info_then_refresh(fresh_emu):
    creds = fresh_emu.register_client(grants=["authorization_code", "refresh_token"], redirect_uris=[REDIRECT])
    code = fresh_emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT)
    client = new_client(fresh_emu.base_url)
    returned, info = client.get_code_authorization_token(creds["client_id"], creds["client_secret"], code, REDIRECT)
    assert returned is client
    assert isinstance(info, dict)
    assert info["access_token"] == client.access_token
    assert info["refresh_token"] and isinstance(info["expires_in"], int)
    me = sdk.UsersApi(client).get_users_me()
    assert me.id == fresh_emu.admin_user_id

    # The README's manual refresh.
    refresh_token = info["refresh_token"]
    returned, info2 = client.refresh_code_authorization_token(creds["client_id"], creds["client_secret"],
                                                              refresh_token)
    assert returned is client
    assert info2["access_token"] == client.access_token != info["access_token"]
    assert fresh_emu.token_requests("refresh_token") == 1
    assert sdk.UsersApi(client).get_users_me().id == fresh_emu.admin_user_id


def test_pkce_with_generated_verifier_and_challenge(fresh_emu):
    creds = fresh_emu.register_client(public=True, grants=["authorization_code"], redirect_uris=[REDIRECT])
    helper = sdk.api_client.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False))
    code_verifier = helper.generate_pkce_code_verifier(128)
    assert len(code_verifier) == 128
    code_challenge = helper.compute_pkce_code_challenge(code_verifier)
    code = fresh_emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT, code_challenge=code_challenge,
                                     code_challenge_method="S256")
    client = new_client(fresh_emu.base_url)
    returned, info = client.get_pkce_token(creds["client_id"], code_verifier, code, REDIRECT)
    assert returned is client
    assert info["access_token"] == client.access_token
    assert sdk.UsersApi(client).get_users_me().id == fresh_emu.admin_user_id


def test_pkce_wrong_verifier_is_rejected(fresh_emu):
    creds = fresh_emu.register_client(public=True, grants=["authorization_code"], redirect_uris=[REDIRECT])
    client = new_client(fresh_emu.base_url)
    verifier = client.generate_pkce_code_verifier(43)
    code = fresh_emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT,
                                     code_challenge=client.compute_pkce_code_challenge(verifier),
                                     code_challenge_method="S256")
    with pytest.raises(ApiException) as info:
        client.get_pkce_token(creds["client_id"], client.generate_pkce_code_verifier(43), code, REDIRECT)
    assert info.value.status == 400


def test_login_host_belongs_to_the_api_host():
    # api.X -> login.X (no network needed); the gateway tests cover separate login paths over HTTP.
    client = new_client("https://api.mypurecloud.ie")
    assert client.get_conf_url("login", client.host) == "https://login.mypurecloud.ie"
    assert client.get_conf_url("api", client.host) == "https://api.mypurecloud.ie"
    region = sdk.PureCloudRegionHosts.eu_west_1
    assert new_client(region.get_api_host()).host == "https://api.mypurecloud.ie"
