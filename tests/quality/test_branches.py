"""Branches the suite did not reach: a custom HTTP client that raises ApiException itself, the
urllib3 transport's connect timeout and its error mapping."""
from __future__ import annotations

import socket
from typing import Any

import pytest
import requests
import urllib3

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import AbstractHttpClient
from PureCloudPlatformClientV2.default_http_client import DefaultHttpClient
from PureCloudPlatformClientV2.rest import ApiConnectionError, ApiException, ApiTimeoutError, ApiTLSError

from .conftest import fast_retry, sync_client
from .scripted_server import USER, Reply, ScriptedServer, Seen, error_reply, token_reply


class RaisingClient(AbstractHttpClient):
    """A custom client (requests) that raises ApiException for any status >= 400 itself,
    as some users' clients do, instead of returning the response."""

    def __init__(self) -> None:
        super().__init__()
        self.session = requests.Session()
        self.raised: list[ApiException] = []

    def request(self, options: Any) -> Any:
        response = self.session.request(**options)
        if response.status_code >= 400:
            error = ApiException(status=response.status_code, reason=response.reason, body=response.text,
                                 headers=dict(response.headers))
            self.raised.append(error)
            raise error
        return response


def test_custom_client_raising_401_gets_one_renewal_and_a_replay() -> None:
    def handler(seen: Seen) -> Reply:
        if seen.path == "/oauth/token":
            return token_reply(f"token-{server.token_requests()}")
        return Reply(200, USER) if seen.token == "token-2" else error_reply(401)

    with ScriptedServer(handler) as server:
        client = sync_client(server.url)
        custom = RaisingClient()
        client.set_http_client(custom)
        client.get_client_credentials_token("cid", "secret")
        assert sdk.UsersApi(client).get_user("u1").id == "u1"
        assert server.token_requests() == 2 and server.count("/api/v2/users/u1") == 2
        assert [e.status for e in custom.raised] == [401]
        custom.session.close()


def test_custom_client_raising_a_non_connection_error_reaches_the_caller_unchanged() -> None:
    with ScriptedServer(lambda seen: error_reply(503, "down for maintenance")) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=3))
        client.access_token = "t"
        custom = RaisingClient()
        client.set_http_client(custom)
        with pytest.raises(ApiException) as info:
            sdk.UsersApi(client).get_user("u1")
        # The client's own exception, not a copy, and not treated as a connection failure
        assert info.value is custom.raised[-1] and info.value.status == 503
        assert "down for maintenance" in str(info.value)
        assert not isinstance(info.value, ApiConnectionError)
        custom.session.close()


def test_custom_client_raising_401_without_renewal_possible_is_raised() -> None:
    with ScriptedServer(lambda seen: error_reply(401)) as server:
        client = sync_client(server.url)
        client.access_token = "a-token-from-elsewhere"  # no credentials: nothing to renew with
        custom = RaisingClient()
        client.set_http_client(custom)
        with pytest.raises(ApiException) as info:
            sdk.UsersApi(client).get_user("u1")
        assert info.value.status == 401 and server.token_requests() == 0
        custom.session.close()


# -- urllib3 transport -------------------------------------------------------------------------------
def test_connect_timeout_is_a_typed_error_with_the_limit(unanswered_port: int) -> None:
    client = sync_client(f"http://127.0.0.1:{unanswered_port}", connect_timeout=0.3, read_timeout=30,
                         retry=fast_retry(max_retries=1))
    client.access_token = "t"
    with pytest.raises(ApiTimeoutError) as info:
        sdk.UsersApi(client).get_user("u1")
    assert info.value.limit == "connect" and info.value.seconds == pytest.approx(0.3)
    assert "connect timeout of 0.3s exceeded" in str(info.value)


def test_per_call_connect_timeout_overrides_the_configuration(unanswered_port: int) -> None:
    client = sync_client(f"http://127.0.0.1:{unanswered_port}", connect_timeout=30, read_timeout=30)
    client.access_token = "t"
    with pytest.raises(ApiTimeoutError) as info:
        sdk.UsersApi(client).get_user("u1", _request_timeout=(0.2, 30), _retry=False)
    assert info.value.limit == "connect" and info.value.seconds == pytest.approx(0.2)


def test_refused_connection_is_a_connection_error() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    client = sync_client(f"http://127.0.0.1:{port}", retry=fast_retry(max_retries=0))
    client.access_token = "t"
    with pytest.raises(ApiConnectionError) as info:
        sdk.UsersApi(client).get_user("u1")
    assert type(info.value) is ApiConnectionError and "connection failed" in str(info.value)


class _FailingPool:
    """urllib3 raises MaxRetryError only when its own retries are on; the transport turns them
    off, so this stand-in pool is the only way to drive that mapping (a unit test)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def urlopen(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error

    request_encode_body = urlopen

    def clear(self) -> None:
        pass


@pytest.mark.parametrize(("reason", "expected", "limit"), [
    (urllib3.exceptions.NewConnectionError(None, "refused"), ApiConnectionError, None),  # type: ignore[arg-type]
    (urllib3.exceptions.ConnectTimeoutError("connect timed out"), ApiTimeoutError, "connect"),
    (urllib3.exceptions.ReadTimeoutError(None, "/", "read timed out"), ApiTimeoutError, "read"),  # type: ignore[arg-type]
    (urllib3.exceptions.SSLError("certificate verify failed"), ApiTLSError, None),
    (urllib3.exceptions.ProtocolError("connection aborted"), ApiConnectionError, None),
])
def test_max_retry_error_is_mapped_by_its_reason(reason: Exception, expected: type, limit: str | None) -> None:
    http = DefaultHttpClient(configuration=sdk.Configuration.new(live_reload_config=False, connect_timeout=2,
                                                                 read_timeout=7))
    http._pool = _FailingPool(urllib3.exceptions.MaxRetryError(None, "/api/v2/users/u1", reason))  # type: ignore[arg-type]
    options = sdk.HttpRequestOptions(url="http://127.0.0.1:9/api/v2/users/u1", method="GET", headers={})
    with pytest.raises(expected) as info:
        http.request(options)
    assert type(info.value) is expected
    if limit is not None:
        assert info.value.limit == limit and info.value.seconds == {"connect": 2, "read": 7}[limit]
    assert info.value.url == "http://127.0.0.1:9/api/v2/users/u1"


@pytest.mark.parametrize(("error", "expected"), [
    (urllib3.exceptions.ProxyError("proxy refused", OSError("refused")), ApiConnectionError),
    (OSError("the read operation timed out"), ApiTimeoutError),
    (OSError("broken pipe"), ApiConnectionError),
])
def test_other_transport_errors_are_typed(error: Exception, expected: type) -> None:
    http = DefaultHttpClient(configuration=sdk.Configuration.new(live_reload_config=False))
    http._pool = _FailingPool(error)  # type: ignore[assignment]
    with pytest.raises(expected) as info:
        http.request(sdk.HttpRequestOptions(url="http://127.0.0.1:9/x", method="GET", headers={}))
    assert type(info.value) is expected


def test_request_needs_http_request_options() -> None:
    with pytest.raises(ValueError, match="HttpRequestOptions"):
        DefaultHttpClient().request({"url": "http://127.0.0.1:9/"})
