"""Two ApiClients with their own Configuration and host (two emulators), used from many threads."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator

from .conftest import new_client


@pytest.fixture(scope="module")
def two_orgs():
    with Emulator(seed_users=1) as one, Emulator(seed_users=1, client_id="org-two", client_secret="two-secret") as two:
        yield one, two


def test_two_orgs_from_many_threads_never_mix_tokens(two_orgs):
    one, two = two_orgs
    one.reset()
    two.reset()
    client_one = new_client(one.base_url, pool_maxsize=16).get_client_credentials_token(one.client_id,
                                                                                          one.client_secret)
    client_two = new_client(two.base_url, pool_maxsize=16).get_client_credentials_token(two.client_id,
                                                                                          two.client_secret)
    assert client_one.access_token != client_two.access_token
    users = {one.admin_user_id: sdk.UsersApi(client_one), two.admin_user_id: sdk.UsersApi(client_two)}
    calls = 200
    start = threading.Barrier(16)

    def call(i: int) -> tuple[str, str]:
        if i < 16:
            start.wait(timeout=10)
        if i == calls // 2:  # half way, one org's tokens expire: only that client renews
            two.expire_tokens()
        expected = one.admin_user_id if i % 2 else two.admin_user_id
        return expected, users[expected].get_user(expected).id

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(call, range(calls)))
    assert all(expected == got for expected, got in results)
    assert one.request_count("get_user") == calls // 2
    assert one.token_requests() == 1  # never asked to renew for the other org
    assert two.token_requests() == 2  # its own login plus exactly one renewal
    assert client_one.host != client_two.host


def test_settings_stay_per_client(two_orgs):
    one, two = two_orgs
    first = new_client(one.base_url, should_refresh_access_token=False)
    second = new_client(two.base_url)
    second.set_gateway("gw.example", "https", 443, "login", "api")
    assert first.configuration is not second.configuration
    assert first.gateway_configuration is None
    assert sdk.configuration.gateway_configuration is None
    assert sdk.configuration.should_refresh_access_token is True
    assert first.configuration.logger is not second.configuration.logger
