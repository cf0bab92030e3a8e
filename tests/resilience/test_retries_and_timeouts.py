"""Retries, timeouts and token renewal over real HTTP against the emulator's fault injection."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as gc
from PureCloudPlatformClientV2 import RetryConfiguration
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiException, ApiTimeoutError, RateLimitError


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed_users=3) as emu:
        yield emu


@pytest.fixture
def client(emulator: Emulator) -> Iterator[gc.ApiClient]:
    emulator.clear_faults()
    config = gc.Configuration.new()
    config.retry = RetryConfiguration(backoff_initial=0.05, backoff_max=0.2)
    yield gc.ApiClient(host=emulator.base_url, configuration=config).get_client_credentials_token(
        emulator.client_id, emulator.client_secret)
    emulator.clear_faults()


def _user_id(emulator: Emulator) -> str:
    return str(emulator.entities("/api/v2/users")[0]["id"])


def test_429_waits_for_retry_after_then_succeeds(client: gc.ApiClient, emulator: Emulator) -> None:
    emulator.add_fault(429, "/api/v2/users/*", times=2, retry_after=1)
    started = time.monotonic()
    user = gc.UsersApi(client).get_user(_user_id(emulator))
    assert user.id == _user_id(emulator)
    assert time.monotonic() - started >= 2.0  # two Retry-After waits of 1 s


def test_429_storm_across_16_threads_all_succeed_none_early(client: gc.ApiClient, emulator: Emulator) -> None:
    emulator.add_fault(429, "/api/v2/users/*", times=16, retry_after=1)
    users = gc.UsersApi(client)
    user_id = _user_id(emulator)
    durations: list[float] = []
    errors: list[BaseException] = []

    def call() -> None:
        started = time.monotonic()
        try:
            assert users.get_user(user_id).id == user_id
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        durations.append(time.monotonic() - started)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(durations) == 16
    assert min(durations) >= 1.0  # every call met a 429 and none retried before Retry-After


def test_503_retried_for_get_not_for_post_unless_opted_in(client: gc.ApiClient, emulator: Emulator) -> None:
    users = gc.UsersApi(client)
    emulator.add_fault(503, "/api/v2/users", method="GET", times=2)
    assert users.get_users(page_size=1).entities
    emulator.add_fault(503, "/api/v2/users", method="POST", times=1)
    body = gc.CreateUser(name="R", email="r@example.com", password="x-Pass-123")
    before = emulator.request_count("post_users")
    with pytest.raises(ApiException) as failed:
        users.post_users(body)
    assert failed.value.status == 503 and emulator.request_count("post_users") == before + 1
    emulator.add_fault(503, "/api/v2/users", method="POST", times=1)
    created = users.post_users(body, _retry=RetryConfiguration(retry_non_idempotent=True, backoff_initial=0.05))
    assert created.id


def test_retry_after_beyond_budget_fails_fast_with_the_wait(client: gc.ApiClient, emulator: Emulator) -> None:
    emulator.add_fault(429, "/api/v2/users/*", times=1, retry_after=3600)
    started = time.monotonic()
    with pytest.raises(RateLimitError) as limited:
        gc.UsersApi(client).get_user(_user_id(emulator))
    assert time.monotonic() - started < 60  # rather than the 3600 s asked for
    assert limited.value.retry_after == 3600 and "3600" in str(limited.value)


def test_read_timeout_against_a_stalled_server(client: gc.ApiClient, emulator: Emulator) -> None:
    emulator.add_fault("stall", "/api/v2/users/*")  # until the faults are cleared
    started = time.monotonic()
    with pytest.raises(ApiTimeoutError) as timed_out:
        gc.UsersApi(client).get_user(_user_id(emulator), _request_timeout=0.5, _retry=False)
    assert timed_out.value.limit == "read"
    assert time.monotonic() - started < 30  # the 0.5 s read timeout ended it, not the stall


def test_connection_reset_is_retried_for_get(client: gc.ApiClient, emulator: Emulator) -> None:
    emulator.add_fault("reset", "/api/v2/users/*", times=1)
    assert gc.UsersApi(client).get_user(_user_id(emulator)).id


def test_truncated_body_is_retried_for_get(client: gc.ApiClient, emulator: Emulator) -> None:
    emulator.add_fault("truncate", "/api/v2/users/*", times=1)
    assert gc.UsersApi(client).get_user(_user_id(emulator)).id


def test_expired_client_credentials_token_renewed_once_for_16_threads(
        client: gc.ApiClient, emulator: Emulator) -> None:
    users = gc.UsersApi(client)
    user_id = _user_id(emulator)
    users.get_user(user_id)
    before = emulator.token_requests("client_credentials")
    emulator.expire_tokens()
    errors: list[BaseException] = []
    barrier = threading.Barrier(16)

    def call() -> None:
        barrier.wait()
        try:
            users.get_user(user_id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert emulator.token_requests("client_credentials") == before + 1


def test_token_renewed_ahead_of_expiry(emulator: Emulator) -> None:
    config = gc.Configuration.new()
    with Emulator(token_lifetime=20) as short:
        client = gc.ApiClient(host=short.base_url, configuration=config).get_client_credentials_token(
            short.client_id, short.client_secret)
        assert client.token_expires_at is not None
        old = client.access_token
        client.token_expires_at = time.monotonic() + 5  # within the renewal margin
        gc.UsersApi(client).get_users(page_size=1)
        assert client.access_token != old
        assert short.token_requests("client_credentials") == 2


def test_each_retry_is_logged_at_debug_with_its_reason(emulator: Emulator, tmp_path: Any) -> None:
    from PureCloudPlatformClientV2.logger import LogLevel
    config = gc.Configuration.new()
    config.retry = RetryConfiguration(backoff_initial=0.05, backoff_max=0.1)
    log_file = tmp_path / "sdk.log"
    config.logger.log_to_console = False
    config.logger.log_file_path = str(log_file)
    config.logger.log_level = LogLevel.LDebug
    client = gc.ApiClient(host=emulator.base_url, configuration=config).get_client_credentials_token(
        emulator.client_id, emulator.client_secret)
    emulator.clear_faults()
    emulator.add_fault(503, "/api/v2/users", method="GET", times=1)
    gc.UsersApi(client).get_users(page_size=1)
    config.logger.log_file_path = None  # closes the file handler
    text = log_file.read_text()
    assert "retrying GET" in text and "HTTP 503" in text and "(attempt 2)" in text


def test_retry_section_of_the_configuration_file(tmp_path: Any) -> None:
    path = tmp_path / "config"
    path.write_text("[retry]\nmax_retries = 2\nmax_retry_time = 9.5\nretry_after_default = 1\n"
                    "retry_non_idempotent = true\n")
    config = gc.Configuration.new(live_reload_config=False)
    config.config_file_path = str(path)
    assert (config.retry.max_retries, config.retry.max_retry_time, config.retry.retry_after_default,
            config.retry.retry_non_idempotent) == (2, 9.5, 1.0, True)
    path.write_text("[retry]\nmax_retries = many\n")
    config.config_file_path = str(path)  # invalid: the last good policy stays
    assert config.retry.max_retries == 2
