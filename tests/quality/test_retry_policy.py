"""The retry policy's branches over real HTTP: Retry-After as seconds, as an HTTP date, absent;
the retry budget; backoff growth. Counts are taken on the server; waits are bounded by the
budget rather than measured against a clock."""
from __future__ import annotations

import email.utils
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.retry import RetryConfiguration, parse_retry_after

from .conftest import fast_retry, sync_client
from .scripted_server import USER, Reply, ScriptedServer, Seen, error_reply

# A default wait far beyond the budget: when the header is not understood, the call fails at once.
NOT_UNDERSTOOD = {"retry_after_default": 1000.0, "max_retry_time": 60.0}


def _first_429_then_ok(retry_after: str | None):
    def handler(seen: Seen) -> Reply:
        if len(server_box[0].requests) == 1:
            return error_reply(429, headers={"Retry-After": retry_after} if retry_after is not None else {})
        return Reply(200, USER)
    server_box: list[ScriptedServer] = []
    server = ScriptedServer(handler)
    server_box.append(server)
    return server


@pytest.mark.parametrize("offset", [-3600, 1])
def test_retry_after_as_an_http_date_is_honoured(offset: int) -> None:
    date = email.utils.formatdate(time.time() + offset, usegmt=True)
    with _first_429_then_ok(date) as server:
        client = sync_client(server.url, retry=fast_retry(**NOT_UNDERSTOOD))
        client.access_token = "t"
        assert sdk.UsersApi(client).get_user("u1").id == "u1"
        assert server.count("/api/v2/users/u1") == 2


def test_retry_after_http_date_beyond_the_budget_fails_at_once_with_the_wait() -> None:
    date = email.utils.formatdate(time.time() + 500, usegmt=True)
    with ScriptedServer(lambda seen: error_reply(429, headers={"Retry-After": date})) as server:
        client = sync_client(server.url, retry=fast_retry(max_retry_time=60.0))
        client.access_token = "t"
        with pytest.raises(sdk.RateLimitError) as info:
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 1
    assert info.value.retry_after is not None and 490 <= info.value.retry_after <= 501
    assert "exceeds the retry budget" in str(info.value)


def test_429_without_retry_after_waits_the_default() -> None:
    with _first_429_then_ok(None) as server:
        client = sync_client(server.url, retry=fast_retry(retry_after_default=0.05))
        client.access_token = "t"
        assert sdk.UsersApi(client).get_user("u1").id == "u1"
        assert server.count("/api/v2/users/u1") == 2


def test_429_without_retry_after_and_a_default_beyond_the_budget_fails_at_once() -> None:
    with ScriptedServer(lambda seen: error_reply(429)) as server:
        client = sync_client(server.url, retry=fast_retry(**NOT_UNDERSTOOD))
        client.access_token = "t"
        with pytest.raises(sdk.RateLimitError) as info:
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 1
    assert info.value.retry_after is None and info.value.status == 429
    assert "1000" in str(info.value)  # the wait it would have needed


def test_429_is_retried_for_post_too() -> None:
    """The platform did not process a request it answered 429: a replay cannot write twice."""
    with _first_429_then_ok("0") as server:
        client = sync_client(server.url, retry=fast_retry())
        client.access_token = "t"
        sdk.UsersApi(client).post_users({"name": "x"})
        assert server.count("/api/v2/users", "POST") == 2


def test_unlisted_status_is_not_retried() -> None:
    with ScriptedServer(lambda seen: error_reply(500)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=3))
        client.access_token = "t"
        with pytest.raises(sdk.rest.ApiException) as info:
            sdk.UsersApi(client).get_user("u1")
        assert info.value.status == 500 and server.count("/api/v2/users/u1") == 1
        client.configuration.retry = fast_retry(max_retries=1, statuses=frozenset({500}))
        with pytest.raises(sdk.rest.ApiException):
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 1 + 2


def test_503_retry_after_seconds_is_used_instead_of_backoff() -> None:
    # backoff_initial far beyond the budget: only the header's 0 s lets the retry happen
    with ScriptedServer(lambda seen: error_reply(503, headers={"Retry-After": "0"})) as server:
        client = sync_client(server.url, retry=RetryConfiguration(max_retries=2, backoff_initial=1000,
                                                                  backoff_max=1000, max_retry_time=60))
        client.access_token = "t"
        with pytest.raises(sdk.rest.ApiException):
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 3


# The first retry's backoff is 1.5-3 s, beyond a 1 s budget: no retry. (A policy that used a
# smaller backoff for the first retry, 0.375-0.75 s, would retry once and be seen here.)
TIGHT = {"max_retries": 5, "backoff_initial": 3.0, "backoff_max": 3.0, "max_retry_time": 1.0}


def test_backoff_beyond_the_budget_stops_retrying() -> None:
    with ScriptedServer(lambda seen: error_reply(503)) as server:
        client = sync_client(server.url, retry=RetryConfiguration(**TIGHT))
        client.access_token = "t"
        with pytest.raises(sdk.rest.ApiException) as info:
            sdk.UsersApi(client).get_user("u1")
        assert info.value.status == 503 and server.count("/api/v2/users/u1") == 1


def test_connection_error_backoff_beyond_the_budget_stops_retrying() -> None:
    with ScriptedServer(lambda seen: Reply(drop=True)) as server:
        client = sync_client(server.url, retry=RetryConfiguration(**TIGHT))
        client.access_token = "t"
        with pytest.raises(sdk.rest.ApiConnectionError):
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 1


# -- the policy's pure parts (public names of the retry module) ---------------------------------------
def test_backoff_doubles_up_to_the_ceiling_with_jitter() -> None:
    policy = RetryConfiguration(backoff_initial=1.0, backoff_max=5.0)
    for _ in range(50):
        assert 0.5 <= policy.backoff(1) <= 1.0
        assert 1.0 <= policy.backoff(2) <= 2.0
        assert 2.0 <= policy.backoff(3) <= 4.0
        assert 2.5 <= policy.backoff(4) <= 5.0  # capped at backoff_max
        assert 2.5 <= policy.backoff(10) <= 5.0


def test_parse_retry_after_forms() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(None) is None
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == 30.0
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0


@pytest.mark.parametrize("name", ["max_retries", "max_retry_time", "retry_after_default", "backoff_initial",
                                  "backoff_max"])
@pytest.mark.parametrize("value", [-1, True, "3", None])
def test_invalid_settings_are_rejected_with_the_name(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"RetryConfiguration.{name} must be a number >= 0"):
        RetryConfiguration(**{name: value})  # type: ignore[arg-type]


def test_zero_is_a_valid_setting_and_copy_changes_only_what_is_named() -> None:
    policy = RetryConfiguration(max_retries=0, max_retry_time=0, backoff_initial=0)
    assert policy.max_retries == 0
    other = policy.copy(retry_non_idempotent=True)
    assert other.retry_non_idempotent and not policy.retry_non_idempotent and other.max_retries == 0
    assert RetryConfiguration(statuses=["503", 429]).statuses == frozenset({503, 429})  # type: ignore[arg-type]
    assert RetryConfiguration().max_retries == 5 and RetryConfiguration().statuses == frozenset({429, 502, 503, 504})


# -- survivors of the first mutation run (docs/test-quality.md) -------------------------------------
def test_defaults_are_the_documented_ones() -> None:
    policy = RetryConfiguration()
    assert (policy.max_retries, policy.max_retry_time, policy.retry_after_default, policy.backoff_initial,
            policy.backoff_max, policy.retry_non_idempotent, policy.retry_connection_errors) == (
        5, 120.0, 3.0, 0.5, 30.0, False, True)


def test_backoff_jitter_spreads_over_the_lower_half() -> None:
    policy = RetryConfiguration(backoff_initial=1.0, backoff_max=100.0)
    samples = [policy.backoff(1) for _ in range(200)]
    assert min(samples) < 0.7 and max(samples) > 0.8  # full jitter, not a fixed wait


def _logged_waits(tmp_path: Path, handler: Any, method: str = "GET") -> tuple[list[float], list[int], int]:
    """Run one call with debug logging; the waits and attempt numbers the client logged."""
    log = tmp_path / "retry.log"
    with ScriptedServer(handler) as server:
        client = sync_client(server.url, retry=RetryConfiguration(max_retries=3, backoff_initial=0.1,
                                                                  backoff_max=100, max_retry_time=60))
        client.access_token = "t"
        logger = client.configuration.logger
        logger.log_to_console = False
        logger.log_file_path = str(log)
        logger.log_level = "debug"
        try:
            with pytest.raises(sdk.rest.ApiException):
                sdk.UsersApi(client).get_user("u1")
        finally:
            logger.log_level = "none"
        attempts = server.count("/api/v2/users/u1")
    found = re.findall(r"retrying GET \S+ in ([0-9.]+)s \(attempt (\d+)\)", log.read_text())
    return [float(w) for w, _ in found], [int(a) for _, a in found], attempts


@pytest.mark.parametrize("failure", ["503", "connection"])
def test_backoff_doubles_per_retry_as_logged(tmp_path: Path, failure: str) -> None:
    """The waits the client chose (from its debug log, no clock involved): 0.05-0.1 s, 0.1-0.2 s, 0.2-0.4 s."""
    handler = (lambda seen: error_reply(503)) if failure == "503" else (lambda seen: Reply(drop=True))
    waits, attempts, sent = _logged_waits(tmp_path, handler)
    assert sent == 4 and attempts == [2, 3, 4]
    for wait, (low, high) in zip(waits, [(0.05, 0.1), (0.1, 0.2), (0.2, 0.4)], strict=True):
        assert low - 0.005 <= wait <= high + 0.005, waits


def test_no_retry_means_one_attempt() -> None:
    with ScriptedServer(lambda seen: error_reply(503)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=3))
        client.access_token = "t"
        with pytest.raises(sdk.rest.ApiException):
            sdk.UsersApi(client).get_user("u1", _retry=False)
        assert server.count("/api/v2/users/u1") == 1


def test_429_after_the_last_retry_says_retries_exhausted() -> None:
    with ScriptedServer(lambda seen: error_reply(429, headers={"Retry-After": "0"})) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=1))
        client.access_token = "t"
        with pytest.raises(sdk.RateLimitError) as info:
            sdk.UsersApi(client).get_user("u1")
    assert "gave up: retries exhausted" in str(info.value) and info.value.retry_after == 0.0


def test_retry_after_beyond_a_spent_budget_reports_none_left() -> None:
    with ScriptedServer(lambda seen: error_reply(429, headers={"Retry-After": "5"})) as server:
        client = sync_client(server.url, retry=fast_retry(max_retry_time=0))
        client.access_token = "t"
        with pytest.raises(sdk.RateLimitError) as info:
            sdk.UsersApi(client).get_user("u1")
    assert "Retry-After 5s exceeds the retry budget (0.0s left)" in str(info.value)


def test_time_spent_waiting_for_a_response_counts_against_the_budget() -> None:
    """The budget is for the whole call: a 429 that took 0.7 s to arrive leaves 0.3 s of a 1 s
    budget, too little for its Retry-After of 0.5 s, so the call fails at once."""
    def slow_429(seen: Seen) -> Reply:
        threading.Event().wait(0.7)  # the server is slow to answer (a server-side delay)
        return error_reply(429, headers={"Retry-After": "0.5"})

    with ScriptedServer(slow_429) as server:
        client = sync_client(server.url, retry=fast_retry(max_retry_time=1.0))
        client.access_token = "t"
        with pytest.raises(sdk.RateLimitError) as info:
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 1
    assert "exceeds the retry budget" in str(info.value)


def _stalled_get_server(release: threading.Event) -> ScriptedServer:
    """Never answers a GET until ``release`` is set; then drops the connection."""
    def handler(seen: Seen) -> Reply:
        release.wait(30)
        return Reply(drop=True)
    return ScriptedServer(handler)


@pytest.mark.parametrize(("timeout_retries", "max_retries", "attempts"), [(0, 5, 1), (1, 5, 2), (2, 5, 3), (3, 1, 2)])
def test_read_timeouts_are_retried_max_timeout_retries_times_within_max_retries(
        timeout_retries: int, max_retries: int, attempts: int) -> None:
    release = threading.Event()
    with _stalled_get_server(release) as server:
        try:
            client = sync_client(server.url, retry=fast_retry(max_timeout_retries=timeout_retries,
                                                              max_retries=max_retries))
            client.access_token = "t"
            client.get_http_client().set_timeout(300)
            with pytest.raises(sdk.rest.ApiTimeoutError) as info:
                sdk.UsersApi(client).get_user("u1")
            assert info.value.limit == "read"
            assert server.count("/api/v2/users/u1") == attempts
        finally:
            release.set()


def test_connection_errors_are_not_capped_by_the_timeout_retry_limit() -> None:
    """max_timeout_retries=0 stops timeouts only: a dropped connection is still retried up to max_retries."""
    with ScriptedServer(lambda seen: Reply(drop=True)) as server:
        client = sync_client(server.url, retry=fast_retry(max_timeout_retries=0, max_retries=3))
        client.access_token = "t"
        with pytest.raises(sdk.rest.ApiConnectionError) as info:
            sdk.UsersApi(client).get_user("u1")
        assert not isinstance(info.value, sdk.rest.ApiTimeoutError)
        assert server.count("/api/v2/users/u1") == 4
