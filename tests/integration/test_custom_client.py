"""The README's custom HTTP client (requests.Session) and the default client's pre/post hooks, over HTTP."""
from __future__ import annotations

import pytest
import requests

import PureCloudPlatformClientV2
import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import AbstractHttpClient
from PureCloudPlatformClientV2.rest import ApiException

from .conftest import new_client


class CustomHttpClient(AbstractHttpClient):  # as in the README
    def __init__(self):
        super().__init__()
        self._session = requests.Session()

    def request(self, options):
        return self._session.request(**options)


@pytest.fixture
def shared_host(monkeypatch, fresh_emu):
    # The README uses the shared configuration: point it at the emulator for this test only.
    monkeypatch.setattr(PureCloudPlatformClientV2.configuration, "host", fresh_emu.base_url)
    monkeypatch.setattr(PureCloudPlatformClientV2.configuration, "live_reload_config", False)
    return fresh_emu


def test_readme_custom_client_as_written(shared_host):
    emu = shared_host
    # Initialize the API client
    api_client = PureCloudPlatformClientV2.api_client.ApiClient()

    # Create and set custom HTTP client
    http_client = CustomHttpClient()
    api_client.set_http_client(http_client)
    assert api_client.get_http_client() is http_client

    api_client.get_client_credentials_token(emu.client_id, emu.client_secret)
    users = PureCloudPlatformClientV2.UsersApi(api_client)
    page = users.get_users(page_size=2)
    assert len(page.entities) == 2
    created = users.post_users(sdk.CreateUser(name="Custom Client", email="cc@example.com", password="Pa55word!x"))
    assert users.get_user(created.id).name == "Custom Client"
    assert emu.request_count("post_users") == 1
    with pytest.raises(ApiException) as info:
        users.get_user("missing-user")
    assert info.value.status == 404
    http_client._session.close()


def test_custom_client_gets_transparent_refresh(fresh_emu):
    client = new_client(fresh_emu.base_url)
    client.set_http_client(CustomHttpClient())
    client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    fresh_emu.expire_tokens()
    assert sdk.UsersApi(client).get_users(page_size=1).entities
    assert fresh_emu.token_requests("client_credentials") == 2
    client.get_http_client()._session.close()


def test_set_http_client_rejects_non_clients(fresh_emu):
    client = new_client(fresh_emu.base_url)
    with pytest.raises(ValueError):
        client.set_http_client(requests.Session())


class Auditor:
    def __init__(self):
        self.before: list[str] = []
        self.after: list[int] = []

    def pre(self, http_request_options):
        self.before.append(f"{http_request_options.method} {http_request_options.url}")

    def post(self, response):
        self.after.append(response.status)


def test_pre_and_post_hooks_functions_and_bound_methods(fresh_emu):
    seen = []

    def pre_hook(http_request_options):
        seen.append(("pre", http_request_options.url))

    def post_hook(response):
        seen.append(("post", response.status))

    apiclient = new_client(fresh_emu.base_url)
    http_client = apiclient.get_http_client()
    http_client.set_pre_request_hook(pre_hook)
    http_client.set_post_request_hook(post_hook)
    apiclient.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    sdk.UsersApi(apiclient).get_users(page_size=1)
    assert seen == [("pre", fresh_emu.login_url + "/oauth/token"), ("post", 200),
                    ("pre", fresh_emu.base_url + "/api/v2/users"), ("post", 200)]

    auditor = Auditor()
    http_client.set_pre_request_hook(auditor.pre)
    http_client.set_post_request_hook(auditor.post)
    with pytest.raises(ApiException):
        sdk.UsersApi(apiclient).get_user("missing")
    assert auditor.before == [f"GET {fresh_emu.base_url}/api/v2/users/missing"]
    assert auditor.after == [404]


def test_failing_pre_hook_stops_the_request(fresh_emu):
    def pre_hook(http_request_options):
        raise Exception("Error in prehook validation")

    apiclient = new_client(fresh_emu.base_url)
    apiclient.get_http_client().set_pre_request_hook(pre_hook)
    with pytest.raises(Exception, match="prehook"):
        apiclient.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    assert fresh_emu.token_requests() == 0
