"""Fault matrix over real HTTP: every failure ends in a typed exception, in time, without leaks.

Servers run in subprocesses (the emulator in subprocess mode, ``fault_server.py``), so the
thread and socket counts taken here are the client's alone.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import (
    ApiConnectionError,
    ApiException,
    ApiResponseError,
    ApiTimeoutError,
    ApiTLSError,
    RateLimitError,
)

from .reliability_helpers import FaultServer, TlsMaterial, assert_no_leak, fast_retry, free_port, new_client, resources

READ_TIMEOUT = 1.0
SLACK = 20.0  # scheduling noise on a slow, loaded machine; the faults stall for an hour, so still a real bound


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    return TlsMaterial(tmp_path_factory.mktemp("reliability-tls"))


@pytest.fixture(scope="module")
def server(tls: TlsMaterial) -> Iterator[FaultServer]:
    fault_server = FaultServer(tls)
    yield fault_server
    fault_server.stop()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed_users=2, mode="subprocess") as emulator:
        yield emulator


def _call(client: sdk.ApiClient, user_id: str, **options: Any) -> Any:
    return sdk.UsersApi(client).get_user(user_id, **options)


def _timed_failure(client: sdk.ApiClient, user_id: str, expected: type[BaseException], bound: float,
                   **options: Any) -> Any:
    started = time.monotonic()
    with pytest.raises(expected) as info:
        _call(client, user_id, **options)
    elapsed = time.monotonic() - started
    assert elapsed < bound, f"{expected.__name__} after {elapsed:.2f}s (bound {bound}s)"
    assert isinstance(info.value, ApiException)  # one except clause catches every failure
    assert str(info.value) and repr(info.value).startswith(type(info.value).__name__)
    error = info.value
    # A kept exception keeps its traceback's frames, and with them sockets, alive: drop them
    # (as leaving the except block does) before the leak check.
    del info
    _drop_frames(error)
    return error, elapsed


def _drop_frames(error: BaseException | None) -> None:
    while error is not None:
        error.__traceback__ = None
        error = error.__context__


# -- purpose-built servers ------------------------------------------------------------------
# (behaviour, exception, retried?) - retried faults run through the whole fast retry budget.
PLAIN_CASES = [
    ("reset-before-headers", ApiConnectionError, True),
    ("reset-after-headers", ApiConnectionError, True),
    ("reset-mid-body", ApiConnectionError, True),
    ("close-mid-body", ApiConnectionError, True),
    ("truncated-json", ApiResponseError, False),
    ("invalid-json", ApiResponseError, False),
]


@pytest.mark.parametrize(("behaviour", "expected", "retried"), PLAIN_CASES, ids=[c[0] for c in PLAIN_CASES])
def test_broken_responses_end_typed(server: FaultServer, behaviour: str, expected: type[ApiException],
                                    retried: bool) -> None:
    before = resources()
    client = new_client(server.url(), read_timeout=READ_TIMEOUT)
    error, _ = _timed_failure(client, behaviour, expected, bound=SLACK + (2.0 if retried else 0.0))
    if expected is ApiResponseError:
        assert error.status == 200 and "not valid JSON" in str(error)
    assert_no_leak(before, client)


def test_retried_connection_failures_are_all_attempted(server: FaultServer) -> None:
    client = new_client(server.url(), read_timeout=READ_TIMEOUT)
    client.configuration.retry = fast_retry(max_retries=2)
    before = resources()
    attempts = server.seen("reset-before-headers")
    _timed_failure(client, "reset-before-headers", ApiConnectionError, bound=SLACK)
    assert server.seen("reset-before-headers") - attempts == 1 + 2  # the call and both retries reached the server
    assert_no_leak(before, client)


def test_wrong_content_type_for_a_model_is_a_response_error(server: FaultServer) -> None:
    client = new_client(server.url())
    with pytest.raises(ApiResponseError):
        result = _call(client, "text-plain")
        assert not isinstance(result, str), f"get_user returned a str: {result!r}"


def test_html_502_from_a_gateway_is_an_api_exception_with_a_readable_message(server: FaultServer) -> None:
    before = resources()
    client = new_client(server.url())
    error, _ = _timed_failure(client, "html-502", ApiException, bound=SLACK + 2.0)
    assert type(error) is ApiException and error.status == 502
    assert "502 Bad Gateway" in str(error) and "\n" not in str(error)  # one log line, body snippet included
    assert error.error is None and error.message is None  # not mistaken for a platform error
    assert_no_leak(before, client)


@pytest.mark.parametrize("behaviour", ["stall-headers", "stall-body"])
def test_stalled_server_read_timeout(server: FaultServer, behaviour: str) -> None:
    before = resources()
    client = new_client(server.url(), read_timeout=READ_TIMEOUT)
    error, elapsed = _timed_failure(client, behaviour, ApiTimeoutError, bound=READ_TIMEOUT + SLACK, _retry=False)
    assert error.limit == "read" and error.seconds == READ_TIMEOUT
    assert elapsed >= READ_TIMEOUT * 0.9
    assert_no_leak(before, client)


def test_stall_with_retries_is_bounded_by_the_retry_budget(server: FaultServer) -> None:
    before = resources()
    client = new_client(server.url(), read_timeout=0.3)
    client.configuration.retry = fast_retry(max_retries=2)
    # Three attempts of 0.3 s each plus short backoff.
    _timed_failure(client, "stall-headers", ApiTimeoutError, bound=3 * 0.3 + SLACK)
    assert_no_leak(before, client)


def test_slowloris_drip_then_stall(server: FaultServer) -> None:
    """The read timeout is per read (as in urllib3 and requests): a server dripping one byte every
    0.1 s keeps the call alive while it drips; the first silence longer than the timeout ends it."""
    before = resources()
    client = new_client(server.url(), read_timeout=READ_TIMEOUT)
    drip_seconds = len(b"HTTP/1.1 200 O") * 0.1
    error, elapsed = _timed_failure(client, "drip", ApiTimeoutError, bound=drip_seconds + READ_TIMEOUT + SLACK,
                                    _retry=False)
    assert error.limit == "read" and elapsed >= READ_TIMEOUT
    assert_no_leak(before, client)


def test_redirect_to_another_host_is_not_followed(server: FaultServer) -> None:
    before = resources()
    client = new_client(server.url(), token="secret-bearer-for-redirect")
    error, _ = _timed_failure(client, "redirect-other-host", ApiException, bound=SLACK)
    assert error.status == 302
    assert error.headers is not None and "Location" in dict(error.headers)
    assert server.other_hits() == []  # the other host received nothing, so no Authorization either
    assert "secret-bearer-for-redirect" not in str(error) + repr(error)
    assert_no_leak(before, client)


def test_connection_refused(server: FaultServer) -> None:
    before = resources()
    client = new_client(f"http://127.0.0.1:{free_port()}")
    error, _ = _timed_failure(client, "anyone", ApiConnectionError, bound=SLACK + 2.0)
    assert type(error) is ApiConnectionError and "refused" in str(error).lower()
    assert_no_leak(before, client)


def test_dns_failure() -> None:
    before = resources()
    client = new_client("https://api.genesys-reliability-test.invalid")
    error, _ = _timed_failure(client, "anyone", ApiConnectionError, bound=10.0)
    assert type(error) is ApiConnectionError and error.status == 0
    assert "genesys-reliability-test.invalid" in str(error)
    assert_no_leak(before, client)


# -- TLS ---------------------------------------------------------------------------------------------
TLS_CASES = [
    ("expired", "expired"),
    ("wrong_host", "match"),  # "Hostname mismatch, certificate is not valid for '127.0.0.1'"
    ("untrusted", "certificate verify failed"),
    ("good", None),  # positive control: the same CA setting accepts the right certificate
]


@pytest.mark.parametrize(("port", "needle"), TLS_CASES, ids=[c[0] for c in TLS_CASES])
def test_tls_handshake_failures(server: FaultServer, tls: TlsMaterial, port: str, needle: str | None) -> None:
    before = resources()
    client = new_client(server.url(port), ssl_ca_cert=tls.ca)
    if needle is None:
        assert _call(client, "tls-ok").id == "tls-ok"
    else:
        error, _ = _timed_failure(client, "tls-user", ApiTLSError, bound=SLACK, _retry=False)
        assert needle in str(error).lower()
    assert_no_leak(before, client)


def test_mtls_missing_client_certificate(server: FaultServer, tls: TlsMaterial) -> None:
    before = resources()
    client = new_client(server.url("mtls"), ssl_ca_cert=tls.ca)
    # TLS 1.3 reports a refused client certificate after the handshake: a TLS error or a reset.
    _timed_failure(client, "mtls-user", ApiConnectionError, bound=SLACK, _retry=False)
    assert_no_leak(before, client)
    with_cert = new_client(server.url("mtls"), ssl_ca_cert=tls.ca)
    with_cert.configuration.set_mtls_certificates(tls.client_cert, tls.client_key, tls.ca)
    assert _call(with_cert, "mtls-user").id == "mtls-user"
    with_cert.http_client.reset()  # type: ignore[union-attr]


# -- emulator fault injection -------------------------------------------------------------------------
@pytest.fixture
def emu_client(emu: Emulator) -> Iterator[tuple[sdk.ApiClient, str]]:
    emu.clear_faults()
    client = new_client(emu.base_url, token=None, read_timeout=READ_TIMEOUT)
    client.get_client_credentials_token(emu.client_id, emu.client_secret)
    user_id = str(emu.entities("/api/v2/users")[0]["id"])
    yield client, user_id
    emu.clear_faults()
    client.http_client.reset()  # type: ignore[union-attr]


EMULATOR_CASES: list[tuple[Any, dict[str, Any], type[ApiException], int | None]] = [
    (429, {"retry_after": 3600}, RateLimitError, 429),
    (400, {}, ApiException, 400),
    (404, {}, ApiException, 404),
    (500, {}, ApiException, 500),
    (502, {"retry_after": None}, ApiException, 502),  # retried with backoff until the budget is spent
    (503, {"retry_after": None}, ApiException, 503),
    (504, {"retry_after": None}, ApiException, 504),
    ("reset", {}, ApiConnectionError, 0),
    ("truncate", {}, ApiConnectionError, 0),
    ("stall", {"delay": 30}, ApiTimeoutError, 0),
    ("latency", {"delay": 30}, ApiTimeoutError, 0),
]


@pytest.mark.parametrize(("kind", "options", "expected", "status"), EMULATOR_CASES,
                         ids=[str(c[0]) for c in EMULATOR_CASES])
def test_emulator_faults_end_typed(emu: Emulator, emu_client: tuple[sdk.ApiClient, str], kind: Any,
                                   options: dict[str, Any], expected: type[ApiException], status: int) -> None:
    client, user_id = emu_client
    client.http_client.reset()  # type: ignore[union-attr]
    before = resources()
    emu.add_fault(kind, "/api/v2/users/*", **options)
    timeouts = kind in ("stall", "latency")
    error, _ = _timed_failure(client, user_id, expected, bound=(READ_TIMEOUT if timeouts else 2.0) + SLACK,
                              **({"_retry": False} if timeouts else {}))
    assert error.status == status
    if status:
        assert error.correlation_id  # the platform's correlation id travels with the error
    assert_no_leak(before, client)


def test_expired_token_is_renewed_transparently(emu: Emulator, emu_client: tuple[sdk.ApiClient, str]) -> None:
    client, user_id = emu_client
    before_tokens = emu.token_requests("client_credentials")
    emu.add_fault("expire_tokens", "/api/v2/users/*")
    assert _call(client, user_id).id == user_id
    assert emu.token_requests("client_credentials") == before_tokens + 1


def test_401_without_a_way_to_renew_is_an_api_exception(emu: Emulator) -> None:
    before = resources()
    client = new_client(emu.base_url, token="not-a-token")
    error, _ = _timed_failure(client, "anyone", ApiException, bound=SLACK)
    assert error.status == 401 and "not-a-token" not in str(error) + repr(error)
    assert_no_leak(before, client)
