"""The urllib3 transport (DefaultHttpClient) over real HTTP(S) to 127.0.0.1: what reaches the
server (forms, redirects, hooks, connections opened and reused), the typed errors, and the
bounded body reading (deadline, cut-short bodies, half-read connections never reused).

The transport is driven directly with HttpRequestOptions (as a custom pipeline or the official
``rest_client`` does) and through ApiClient; the scripted server counts connections server-side."""
from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import DefaultHttpClient, HttpRequestOptions
from PureCloudPlatformClientV2.rest import (
    ApiConnectionError,
    ApiDeadlineError,
    ApiTimeoutError,
    ApiTLSError,
    ResponseTooLargeError,
)

from .raw_server import ConnectProxy, RawServer
from .scripted_server import USER, Reply, ScriptedServer
from .tls_server import Pki, TlsServer


def _config(**settings: Any) -> sdk.Configuration:
    return sdk.Configuration.new(live_reload_config=False, **settings)


def _http(**settings: Any) -> DefaultHttpClient:
    return DefaultHttpClient(configuration=_config(**settings))


def _get(url: str, **kwargs: Any) -> HttpRequestOptions:
    kwargs.setdefault("timeouts", (5.0, 10.0))
    return HttpRequestOptions(url, "GET", **kwargs)


@pytest.fixture
def users() -> Iterator[ScriptedServer]:
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        yield server


# -- requests and what reaches the server ------------------------------------------------------------------

def test_only_http_request_options_are_accepted() -> None:
    with pytest.raises(ValueError, match="HttpRequestOptions"):
        _http().request({"url": "http://127.0.0.1:9/", "method": "GET"})


def test_query_and_json_body_reach_the_server(users: ScriptedServer) -> None:
    response = _http().request(HttpRequestOptions(users.url + "/api/v2/users", "POST", {"X-A": "1"},
                                                  query_params={"q": "a b"}, body={"k": "v"}, timeouts=(5, 5)))
    assert response.status == 200 and json.loads(response.data) == USER
    seen = users.requests[0]
    assert seen.query == [("q", "a b")] and seen.json() == {"k": "v"} and seen.headers["x-a"] == "1"


def test_form_fields_are_url_encoded(users: ScriptedServer) -> None:
    options = HttpRequestOptions(users.url + "/oauth/token", "POST",
                                 {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
                                 post_params={"grant_type": "client_credentials", "x": "a&b"}, timeouts=(5, 5))
    assert _http().request(options).status == 200
    seen = users.requests[0]
    assert seen.body == b"grant_type=client_credentials&x=a%26b"
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded; charset=UTF-8"  # kept as given


@pytest.mark.parametrize("name", ["Content-Type", "content-type"])
def test_multipart_fields_get_urllib3s_boundary(users: ScriptedServer, name: str) -> None:
    options = HttpRequestOptions(users.url + "/upload", "POST", {name: "multipart/form-data", "X-Keep": "1"},
                                 post_params={"file": ("a.txt", b"hello", "text/plain"), "n": "1"}, timeouts=(5, 5))
    assert _http().request(options).status == 200
    seen = users.requests[0]
    content_type = seen.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    assert seen.body.count(boundary) == 3 and b'filename="a.txt"' in seen.body and b"hello" in seen.body
    assert seen.headers["x-keep"] == "1"


def test_an_encoded_body_wins_over_form_fields_and_form_fields_over_a_body(users: ScriptedServer) -> None:
    # The order of options["data"] (and of the pipeline): encoded body, then form fields, then body.
    for kwargs in ({"encoded_body": b'{"k": 1}'}, {"body": {"k": 1}}):
        options = HttpRequestOptions(users.url + "/x", "POST", {"Content-Type": "application/x-www-form-urlencoded"},
                                     post_params={"f": "v"}, timeouts=(5, 5), **kwargs)
        assert _http().request(options).status == 200
    assert [seen.body for seen in users.requests] == [b'{"k": 1}', b"f=v"]


@pytest.mark.parametrize("form", [False, True])
def test_redirects_are_never_followed(form: bool) -> None:
    with ScriptedServer(lambda seen: Reply(302, b"", {"Location": "/elsewhere"})) as server:
        options = HttpRequestOptions(server.url + "/start", "POST" if form else "GET",
                                     post_params={"a": "1"} if form else None, timeouts=(5, 5))
        response = _http().request(options)
        assert response.status == 302 and response.getheader("Location") == "/elsewhere"
        assert [seen.path for seen in server.requests] == ["/start"]


def test_a_gzip_body_is_inflated_once() -> None:
    payload = gzip.compress(json.dumps(USER).encode())
    with ScriptedServer(lambda seen: Reply(200, payload, {"Content-Encoding": "gzip"})) as server:
        response = _http().request(_get(server.url + "/u"))
    assert json.loads(response.data) == USER


def test_hooks_may_replace_the_request_and_the_response(users: ScriptedServer) -> None:
    http = _http()
    http.set_pre_request_hook(lambda options: _get(users.url + "/replaced"))
    http.set_post_request_hook(lambda response: "replaced response")
    assert http.request(_get(users.url + "/original")) == "replaced response"
    http.set_pre_request_hook(lambda options: None)  # None: keep what was given
    http.set_post_request_hook(lambda response: None)
    response = http.request(_get(users.url + "/original"))
    assert response.status == 200
    assert [seen.path for seen in users.requests] == ["/replaced", "/original"]


# -- connections -------------------------------------------------------------------------------------------------

def test_a_read_body_hands_the_connection_back_for_reuse(users: ScriptedServer) -> None:
    http = _http()
    for _ in range(3):
        assert http.request(_get(users.url + "/u")).status == 200
    assert users.connections_opened == 1


def test_reset_drops_pooled_connections(users: ScriptedServer) -> None:
    http = _http()
    http.reset()  # nothing pooled yet
    http.request(_get(users.url + "/u"))
    http.reset()
    http.request(_get(users.url + "/u"))
    http.request(_get(users.url + "/u"))
    assert users.connections_opened == 2


def test_reset_applies_changed_proxy_settings(users: ScriptedServer) -> None:
    http = _http()
    http.request(_get(users.url + "/direct"))
    http.configuration.proxy = users.url  # the scripted server plays the proxy
    http.reset()
    http.request(_get("http://api.proxied.test/via-proxy"))
    assert [seen.path for seen in users.requests] == ["/direct", "/via-proxy"]
    assert users.requests[1].headers["host"] == "api.proxied.test"


@pytest.mark.parametrize("pool_maxsize", [0, 1, 2])
def test_pool_size_opens_more_when_busy_but_keeps_only_maxsize(pool_maxsize: int) -> None:
    release = threading.Event()

    def handler(seen: Any) -> Reply:
        if seen.path == "/held":
            release.wait(30)
        return Reply(200, USER)

    with ScriptedServer(handler) as server:
        http = _http(pool_maxsize=pool_maxsize)
        threads = [threading.Thread(target=http.request, args=(_get(server.url + "/held"),)) for _ in range(3)]
        for thread in threads:
            thread.start()
        assert server.wait_for(lambda: server.in_flight == 3, 20)  # never blocked waiting for the pool
        release.set()
        for thread in threads:
            thread.join(20)
        for _ in range(3):  # sequential: the kept connections serve them
            http.request(_get(server.url + "/next"))
        kept = max(1, pool_maxsize)
        assert server.connections_opened == 3
        assert len({seen.connection for seen in server.requests if seen.path == "/next"}) == 1
        threads = [threading.Thread(target=http.request, args=(_get(server.url + "/held"),)) for _ in range(3)]
        release.clear()
        for thread in threads:
            thread.start()
        assert server.wait_for(lambda: server.in_flight == 3, 20)
        release.set()
        for thread in threads:
            thread.join(20)
        assert server.connections_opened == 3 + (3 - kept)  # only `kept` connections stayed pooled


def test_one_pool_per_host_for_sixteen_hosts() -> None:
    servers = [ScriptedServer(lambda seen: Reply(200, USER)) for _ in range(17)]
    for server in servers:
        server.__enter__()
    try:
        http = _http()
        for server in servers[:16]:
            http.request(_get(server.url + "/u"))
        http.request(_get(servers[0].url + "/u"))  # 16 hosts: the first is still pooled
        assert servers[0].connections_opened == 1
        http.request(_get(servers[16].url + "/u"))  # a 17th host evicts the least recently used (the 2nd)
        http.request(_get(servers[1].url + "/u"))
        assert servers[1].connections_opened == 2
    finally:
        for server in servers:
            server.__exit__(None, None, None)


# -- timeouts -----------------------------------------------------------------------------------------------------

def test_read_timeout_comes_from_options_then_client_then_configuration() -> None:
    with RawServer(b"") as silent:  # reads the request, never answers
        cases = [(DefaultHttpClient(configuration=_config(read_timeout=0.2)), _get(silent.url, timeouts=(5, 0.3)),
                  0.3),
                 (DefaultHttpClient(timeout=250, configuration=_config(read_timeout=30)),
                  HttpRequestOptions(silent.url, "GET"), 0.25),
                 (DefaultHttpClient(configuration=_config(read_timeout=0.2)), HttpRequestOptions(silent.url, "GET"),
                  0.2)]
        for http, options, seconds in cases:
            with pytest.raises(ApiTimeoutError) as info:
                http.request(options)
            assert info.value.limit == "read" and info.value.seconds == pytest.approx(seconds)


def test_connect_timeout_is_typed(unanswered_port: int) -> None:
    with pytest.raises(ApiTimeoutError) as info:
        _http().request(_get(f"http://127.0.0.1:{unanswered_port}/u", timeouts=(0.2, 30)))
    assert info.value.limit == "connect" and info.value.seconds == pytest.approx(0.2)


def test_a_dripping_body_ends_at_the_deadline_not_the_read_timeout() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    with RawServer(head) as stalled:  # one byte of the body, then nothing
        options = _get(stalled.url, timeouts=(5, 30))
        started = time.monotonic()
        options.deadline, options.deadline_at = 0.3, started + 0.3
        with pytest.raises(ApiDeadlineError) as info:
            _http().request(options)
    assert info.value.during == "reading the response body"
    assert time.monotonic() - started < 15  # ended by the deadline (0.3 s), long before the 30 s read timeout


def test_a_body_past_the_deadline_is_a_deadline_error() -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        options = _get(server.url + "/u")
        options.deadline, options.deadline_at = 1.0, time.monotonic() - 0.001  # already over
        with pytest.raises(ApiDeadlineError):
            _http().request(options)


def test_a_stalled_body_without_a_deadline_is_a_read_timeout() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    with RawServer(head) as stalled:
        with pytest.raises(ApiTimeoutError) as info:
            _http().request(_get(stalled.url, timeouts=(5, 0.2)))
    assert info.value.limit == "read"


def test_a_stalled_body_with_a_distant_deadline_is_a_read_timeout() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    with RawServer(head) as stalled:
        options = _get(stalled.url, timeouts=(5, 0.2))
        options.deadline, options.deadline_at = 60.0, time.monotonic() + 60
        with pytest.raises(ApiTimeoutError) as info:
            _http().request(options)
    assert info.value.limit == "read"


# -- bodies ---------------------------------------------------------------------------------------------------------

def test_a_body_cut_short_is_a_connection_error() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\": "
    with RawServer(head, close_after=True) as cut:
        with pytest.raises(ApiConnectionError, match="while reading the body"):
            _http().request(_get(cut.url))


def test_a_body_without_a_length_is_read_to_its_end_and_bounded() -> None:
    body = json.dumps(USER).encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    with RawServer(head + body, close_after=True) as server:
        assert json.loads(_http().request(_get(server.url)).data) == USER
        options = _get(server.url)
        options.max_response_bytes = 10
        with pytest.raises(ResponseTooLargeError):  # typed as it is, not wrapped as a connection error
            _http().request(options)


def test_a_half_read_connection_is_never_reused() -> None:
    big = {"id": "u1", "name": "x" * 500}
    with ScriptedServer(lambda seen: Reply(200, big if seen.path == "/big" else USER)) as server:
        http = _http()
        options = _get(server.url + "/big")
        options.max_response_bytes = 100
        with pytest.raises(ResponseTooLargeError):
            http.request(options)
        assert http.request(_get(server.url + "/small")).status == 200
        assert [seen.connection for seen in server.requests] == [1, 2]


# -- errors ---------------------------------------------------------------------------------------------------------

def test_a_refused_connection_is_typed_with_the_os_reason() -> None:
    with RawServer(b"") as closed:
        url = closed.url
    with pytest.raises(ApiConnectionError, match=r"connection failed: \[Errno 111\] Connection refused \(") as info:
        _http().request(_get(url + "/u"))  # the innermost cause, not urllib3's wrapping text
    assert not isinstance(info.value, ApiTimeoutError) and info.value.url == url + "/u"


def test_an_unreachable_proxy_is_a_proxy_error() -> None:
    with RawServer(b"") as closed:
        proxy = closed.url
    with pytest.raises(ApiConnectionError, match="proxy failed"):
        _http(proxy=proxy).request(_get("http://api.proxied.test/u"))


def test_an_untrusted_certificate_is_a_tls_error(tmp_path_factory: pytest.TempPathFactory) -> None:
    pki = Pki(tmp_path_factory.mktemp("pki"))
    with TlsServer(pki) as server:
        with pytest.raises(ApiTLSError, match=r"TLS handshake failed: \[SSL: CERTIFICATE_VERIFY_FAILED\] certificate"):
            _http().request(_get(server.url + "/u"))
        ok = _http(ssl_ca_cert=pki.paths["server_ca"]).request(_get(server.url + "/u"))
    assert ok.status == 200


def test_tls_settings_never_leak_between_clients(tmp_path_factory: pytest.TempPathFactory) -> None:
    pki = Pki(tmp_path_factory.mktemp("pki"))
    with TlsServer(pki) as server:
        with_cert = _http(ssl_ca_cert=pki.paths["server_ca"], cert_file=pki.paths["alice"],
                          key_file=pki.paths["alice_key"])
        plain = _http(ssl_ca_cert=pki.paths["server_ca"])
        with pytest.warns(Warning):
            insecure = _http(verify_ssl=False).request(_get(server.url + "/u"))
        for http in (with_cert, plain, with_cert):
            http.request(_get(server.url + "/u"))
        with pytest.raises(ApiTLSError):  # the unverified client's settings went nowhere else
            _http().request(_get(server.url + "/u"))
    assert insecure.status == 200
    assert server.identities() == [None, "alice.clients.test", None, "alice.clients.test"]


# -- official compatibility members --------------------------------------------------------------------------------

def test_configuration_defaults_to_the_shared_one() -> None:
    assert DefaultHttpClient().configuration is sdk.Configuration()


def test_to_rest_client_config() -> None:
    http = _http()
    options = HttpRequestOptions("http://h/x", "POST", body={"a": 1})
    assert http.to_rest_client_config(options) == {
        "url": "http://h/x", "method": "POST", "headers": {}, "query_params": {}, "post_params": {},
        "body": {"a": 1}, "timeout": 16000}
    full = HttpRequestOptions("http://h/x", "POST", {"X-A": "1"}, query_params={"q": "1"}, post_params={"f": "v"})
    assert {k: v for k, v in http.to_rest_client_config(full).items() if k.endswith(("headers", "params"))} == {
        "headers": {"X-A": "1"}, "query_params": {"q": "1"}, "post_params": {"f": "v"}}
    http.timeout = 0
    assert http.to_rest_client_config(options)["timeout"] is None
    options._url = ""
    with pytest.raises(ValueError, match="Mandatory fields"):
        http.to_rest_client_config(options)


def test_rest_client_sends_through_this_client(users: ScriptedServer) -> None:
    http = _http()
    assert http.rest_client is http.rest_client
    calls: list[str] = []
    http.set_pre_request_hook(lambda options: calls.append(options.url))
    response = http.rest_client.GET(users.url + "/api/v2/users/u1")
    assert response.status == 200 and calls == [users.url + "/api/v2/users/u1"]


def test_https_through_a_proxy_sends_proxy_credentials_only_to_the_proxy(tmp_path_factory: pytest.TempPathFactory
                                                                         ) -> None:
    pki = Pki(tmp_path_factory.mktemp("pki"))
    with TlsServer(pki) as server, ConnectProxy() as proxy:
        http = _http(proxy=proxy.url, proxy_username="pu", proxy_password="pr0xy-secret",
                     ssl_ca_cert=pki.paths["server_ca"])
        assert http.request(_get(server.url + "/api/v2/users/u1")).status == 200
    assert len(proxy.connects) == 1 and b"Proxy-Authorization: Basic " in proxy.connects[0]
    assert "proxy-authorization" not in server.seen[0].headers  # never inside the tunnel, to the target


def test_a_body_of_many_chunks_is_read_whole() -> None:
    big = {"id": "u1", "name": "x" * 300_000}
    with ScriptedServer(lambda seen: Reply(200, big)) as server:
        options = _get(server.url + "/big")
        options.deadline, options.deadline_at = 30.0, time.monotonic() + 30
        assert json.loads(_http().request(options).data) == big


def test_a_call_with_under_a_second_left_still_completes(users: ScriptedServer) -> None:
    options = _get(users.url + "/u")
    options.deadline, options.deadline_at = 1.0, time.monotonic() + 1.0  # a loopback answer takes milliseconds
    assert _http().request(options).status == 200


def test_a_read_timeout_well_before_the_deadline_is_a_read_timeout() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    with RawServer(head) as stalled:
        options = _get(stalled.url, timeouts=(5, 0.1))
        options.deadline, options.deadline_at = 0.9, time.monotonic() + 0.9
        with pytest.raises(ApiTimeoutError) as info:
            _http().request(options)
    assert type(info.value) is ApiTimeoutError and info.value.limit == "read"


def test_a_form_requests_answer_is_read_and_inflated_like_any_other() -> None:
    payload = gzip.compress(json.dumps(USER).encode())
    with ScriptedServer(lambda seen: Reply(200, payload if seen.path == "/gz" else USER,
                                           {"Content-Encoding": "gzip"} if seen.path == "/gz" else {})) as server:
        for path in ("/plain", "/gz"):
            options = HttpRequestOptions(server.url + path, "POST", post_params={"f": "v"}, timeouts=(5, 5))
            assert json.loads(_http().request(options).data) == USER


def test_a_form_request_is_never_retried_by_urllib3() -> None:
    with ScriptedServer(lambda seen: Reply(drop=True)) as server:
        options = HttpRequestOptions(server.url + "/f", "PUT", post_params={"f": "v"}, timeouts=(5, 5))
        with pytest.raises(ApiConnectionError):
            _http().request(options)
        assert server.count("/f") == 1  # the pipeline's retry policy is the only one
        with pytest.raises(ApiConnectionError):
            _http().request(_get(server.url + "/g"))
        assert server.count("/g") == 1



def test_a_body_one_byte_short_is_never_taken_as_complete() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
    with RawServer(head + b'{"id": "u1"', close_after=True) as cut:  # 11 of the 12 bytes announced
        with pytest.raises(ApiConnectionError, match="while reading the body"):
            _http().request(_get(cut.url))


class _RaisingPool:
    """A stand-in pool raising a given error (as tests/quality/test_branches.py does): the only way
    to hand the transport a cause chain of chosen depth, or a cyclic one."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def urlopen(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error

    def clear(self) -> None:
        pass


def test_the_error_names_the_cause_ten_levels_deep_at_most_and_survives_a_cycle() -> None:
    chain = [OSError(f"level {i}") for i in range(12)]
    for outer, inner in zip(chain, chain[1:], strict=False):
        outer.__cause__ = inner
    http = _http()
    http._pool = _RaisingPool(chain[0])  # type: ignore[assignment]
    with pytest.raises(ApiConnectionError, match=r"connection failed: level 10 \("):
        http.request(_get("http://127.0.0.1:9/x"))
    first, second = OSError("first"), OSError("second")
    first.__cause__, second.__cause__ = second, first  # a cycle: followed ten levels, then given up
    http._pool = _RaisingPool(first)  # type: ignore[assignment]
    with pytest.raises(ApiConnectionError, match=r"connection failed: first \("):
        http.request(_get("http://127.0.0.1:9/x"))
