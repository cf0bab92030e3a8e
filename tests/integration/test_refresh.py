"""Transparent token refresh on 401: one refresh for many threads, or the 401 when refresh is off."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.rest import ApiException

from .conftest import new_client

REDIRECT = "https://app.example/callback"
THREADS = 32


def _code_client(emu, **settings):
    creds = emu.register_client(grants=["authorization_code", "refresh_token"], redirect_uris=[REDIRECT])
    client = new_client(emu.base_url, **settings)
    code = emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT)
    _, info = client.get_code_authorization_token(creds["client_id"], creds["client_secret"], code, REDIRECT)
    return client, info


def test_32_threads_hit_401_and_exactly_one_refreshes(fresh_emu):
    client, info = _code_client(fresh_emu, pool_maxsize=THREADS)
    users = sdk.UsersApi(client)
    assert users.get_users_me().id == fresh_emu.admin_user_id
    old_token = client.access_token
    assert fresh_emu.expire_tokens() >= 1
    fresh_emu.reset_counters()

    start = threading.Barrier(THREADS)

    def call(_: int) -> str:
        start.wait(timeout=10)
        return users.get_users_me().id

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(call, range(THREADS)))
    assert results == [fresh_emu.admin_user_id] * THREADS
    assert fresh_emu.token_requests("refresh_token") == 1
    assert fresh_emu.token_requests() == 1
    assert client.access_token != old_token
    assert client.refresh_token == info["refresh_token"]
    # Every thread got through: 32 successful calls (plus the 401s that triggered the replay).
    assert fresh_emu.request_count("get_users_me") >= THREADS


def test_refresh_disabled_surfaces_the_401(fresh_emu):
    client, _ = _code_client(fresh_emu, should_refresh_access_token=False)
    users = sdk.UsersApi(client)
    users.get_users_me()
    fresh_emu.expire_tokens()
    fresh_emu.reset_counters()
    with pytest.raises(ApiException) as info:
        users.get_users_me()
    assert info.value.status == 401
    assert fresh_emu.token_requests() == 0
    # The global default is untouched by the per-client setting.
    assert sdk.configuration.should_refresh_access_token is True


def test_client_credentials_token_is_renewed_on_401(fresh_emu):
    client = new_client(fresh_emu.base_url).get_client_credentials_token(fresh_emu.client_id,
                                                                         fresh_emu.client_secret)
    users = sdk.UsersApi(client)
    users.get_users(page_size=1)
    fresh_emu.expire_tokens()
    fresh_emu.reset_counters()
    assert users.get_users(page_size=1).entities is not None
    assert fresh_emu.token_requests("client_credentials") == 1
