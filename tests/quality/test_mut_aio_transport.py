"""The aiohttp transport (DefaultAsyncHttpClient) over real HTTP(S) to 127.0.0.1: what reaches the
server (forms, redirects, cookies, hooks, proxy credentials, connections), the typed errors, the
deadline, and the per-event-loop sessions.

The transport is driven directly with HttpRequestOptions, as AsyncApiClient drives it."""
from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import HttpRequestOptions
from PureCloudPlatformClientV2.aio import DefaultAsyncHttpClient
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


def _http(**settings: Any) -> DefaultAsyncHttpClient:
    return DefaultAsyncHttpClient(configuration=_config(**settings))


def _get(url: str, **kwargs: Any) -> HttpRequestOptions:
    kwargs.setdefault("timeouts", (5.0, 10.0))
    return HttpRequestOptions(url, "GET", **kwargs)


def _send(http: DefaultAsyncHttpClient, *options: HttpRequestOptions) -> list[Any]:
    """Each request in turn on one event loop; the session is closed at the end."""
    async def main() -> list[Any]:
        try:
            return [await http.request(o) for o in options]
        finally:
            await http.close()
    return asyncio.run(main())


@pytest.fixture
def users() -> Iterator[ScriptedServer]:
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        yield server


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


# -- what reaches the server --------------------------------------------------------------------------------------

def test_query_and_json_body_reach_the_server(users: ScriptedServer) -> None:
    options = HttpRequestOptions(users.url + "/api/v2/users", "POST", {"X-A": "1"}, query_params=[("q", "a b")],
                                 body={"k": "v"}, timeouts=(5, 5))
    (response,) = _send(_http(), options)
    assert response.status == 200 and json.loads(response.data) == USER
    seen = users.requests[0]
    assert seen.query == [("q", "a b")] and seen.json() == {"k": "v"} and seen.headers["x-a"] == "1"


def test_form_fields_are_url_encoded(users: ScriptedServer) -> None:
    options = HttpRequestOptions(users.url + "/oauth/token", "POST",
                                 {"Content-Type": "application/x-www-form-urlencoded"},
                                 post_params=[("grant_type", "client_credentials"), ("x", "a&b")], timeouts=(5, 5))
    _send(_http(), options)
    seen = users.requests[0]
    assert seen.body == b"grant_type=client_credentials&x=a%26b"
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("name", ["Content-Type", "content-type"])
def test_multipart_fields_get_aiohttps_boundary(users: ScriptedServer, name: str) -> None:
    fields = {"file": ("a.txt", b"hello", "text/plain"), "raw": ("b.bin", b"\x00\x01"), "n": 5, "s": "text",
              "b": b"raw-bytes"}
    options = HttpRequestOptions(users.url + "/upload", "POST", {"content-type": "multipart/form-data"},
                                 post_params=fields, timeouts=(5, 5))
    options.headers = {name: "multipart/form-data"}
    _send(_http(), options)
    seen = users.requests[0]
    content_type = seen.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    body = seen.body
    (file_part,) = [part for part in body.split(content_type.split("boundary=", 1)[1].encode())
                    if b'filename="a.txt"' in part]
    assert b"Content-Type: text/plain\r\n" in file_part and b"hello" in file_part
    assert b'filename="b.bin"' in body and b"\x00\x01" in body
    assert b"\r\n\r\n5\r\n" in body and b"\r\n\r\ntext\r\n" in body and b"\r\n\r\nraw-bytes\r\n" in body


def test_an_encoded_body_wins_over_form_fields_and_form_fields_over_a_body(users: ScriptedServer) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    _send(_http(), *(HttpRequestOptions(users.url + "/x", "POST", headers, post_params={"f": "v"}, timeouts=(5, 5),
                                        **kwargs)
                     for kwargs in ({"encoded_body": b'{"k": 1}'}, {"body": {"k": 1}})))
    assert [seen.body for seen in users.requests] == [b'{"k": 1}', b"f=v"]


def test_redirects_are_not_followed_and_cookies_not_kept() -> None:
    def handler(seen: Any) -> Reply:
        return Reply(302, b"", {"Location": "/elsewhere", "Set-Cookie": "session=abc; Path=/"})

    with ScriptedServer(handler) as server:
        responses = _send(_http(), _get(server.url + "/start"), _get(server.url + "/again"))
        assert [r.status for r in responses] == [302, 302]
        assert [seen.path for seen in server.requests] == ["/start", "/again"]
        assert "cookie" not in server.requests[1].headers


def test_a_gzip_body_is_inflated_once() -> None:
    payload = gzip.compress(json.dumps(USER).encode())
    with ScriptedServer(lambda seen: Reply(200, payload, {"Content-Encoding": "gzip"})) as server:
        (response,) = _send(_http(), _get(server.url + "/u"))
    assert json.loads(response.data) == USER


def test_environment_proxies_are_ignored(users: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with ScriptedServer(lambda seen: Reply(500)) as env_proxy:
        monkeypatch.setenv("HTTP_PROXY", env_proxy.url)
        monkeypatch.setenv("http_proxy", env_proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        (response,) = _send(_http(), _get(users.url + "/u"))
        assert response.status == 200 and env_proxy.requests == []


def test_hooks_may_replace_the_request_and_the_response(users: ScriptedServer) -> None:
    async def post_hook(response: Any) -> str:
        return "replaced response"

    http = _http()
    http.set_pre_request_hook(lambda options: _get(users.url + "/replaced"))
    http.set_post_request_hook(post_hook)
    assert _send(http, _get(users.url + "/original")) == ["replaced response"]
    http.set_pre_request_hook(lambda options: None)
    http.set_post_request_hook(lambda response: None)
    assert _send(http, _get(users.url + "/original"))[0].status == 200
    assert [seen.path for seen in users.requests] == ["/replaced", "/original"]


def test_only_http_request_options_are_accepted() -> None:
    with pytest.raises(ValueError, match="HttpRequestOptions"):
        _send(_http(), {"url": "http://127.0.0.1:9/"})  # type: ignore[arg-type]


# -- sessions and connections ------------------------------------------------------------------------------------

def test_one_session_per_loop_reused_closed_with_the_loop(users: ScriptedServer) -> None:
    http = _http()
    sessions: list[Any] = []

    async def main() -> None:
        for _ in range(3):
            await http.request(_get(users.url + "/u"))
        sessions.append(http.session())
        assert http.session() is sessions[-1]

    asyncio.run(main())
    assert sessions[0].closed  # asyncio.run's end closed it: nothing left open
    asyncio.run(main())  # a second loop gets its own session
    assert sessions[1] is not sessions[0] and sessions[1].closed
    assert sorted({seen.connection for seen in users.requests}) == [1, 2]  # one connection per loop


def test_close_drops_the_session_and_the_next_request_reconnects(users: ScriptedServer) -> None:
    http = _http()

    async def main() -> None:
        await http.request(_get(users.url + "/u"))
        first = http.session()
        await http.close()
        assert first.closed
        await http.close()  # twice: nothing to do
        await http.request(_get(users.url + "/u"))
        assert http.session() is not first
        await http.close()

    asyncio.run(main())
    asyncio.run(http.close())  # a loop that never used it
    assert [seen.connection for seen in users.requests] == [1, 2]


def test_close_outside_an_event_loop_does_nothing() -> None:
    coro = _http().close()
    try:
        coro.send(None)
    except StopIteration:
        pass


@pytest.mark.parametrize("settings, pool_limit, limit", [({"pool_maxsize": 2}, None, 2), ({"pool_maxsize": 0}, None, 1),
                                                      ({"pool_maxsize": 3}, 1, 1)])
def test_connections_are_capped_by_pool_limit_else_pool_maxsize(settings: dict[str, Any], pool_limit: int | None,
                                                                limit: int) -> None:
    release = threading.Event()

    def handler(seen: Any) -> Reply:
        if seen.path == "/held":
            release.wait(30)
        return Reply(200, USER)

    with ScriptedServer(handler) as server:
        http = DefaultAsyncHttpClient(configuration=_config(**settings), pool_limit=pool_limit)

        async def main() -> None:
            tasks = [asyncio.ensure_future(http.request(_get(server.url + "/held"))) for _ in range(4)]
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: server.wait_for(lambda: server.in_flight == limit, 20))
            release.set()
            await asyncio.gather(*tasks)
            await http.close()

        asyncio.run(main())
        assert server.connections_opened == limit and server.peak_in_flight == limit


# -- timeouts and the deadline -------------------------------------------------------------------------------------

def test_read_timeout_comes_from_options_then_client_then_configuration() -> None:
    with RawServer(b"") as silent:
        cases = [(DefaultAsyncHttpClient(configuration=_config(read_timeout=0.2)),
                  _get(silent.url, timeouts=(5, 0.3)), 0.3),
                 (DefaultAsyncHttpClient(timeout=250, configuration=_config(read_timeout=30)),
                  HttpRequestOptions(silent.url, "GET"), 0.25),
                 (DefaultAsyncHttpClient(configuration=_config(read_timeout=0.2)),
                  HttpRequestOptions(silent.url, "GET"), 0.2)]
        for http, options, seconds in cases:
            with pytest.raises(ApiTimeoutError) as info:
                _send(http, options)
            assert info.value.limit == "read" and info.value.seconds == pytest.approx(seconds)


def test_connect_timeout_is_typed(unanswered_port: int) -> None:
    with pytest.raises(ApiTimeoutError) as info:
        _send(_http(), _get(f"http://127.0.0.1:{unanswered_port}/u", timeouts=(0.2, 30)))
    assert info.value.limit == "connect" and info.value.seconds == pytest.approx(0.2)


def _with_deadline(options: HttpRequestOptions, seconds: float) -> HttpRequestOptions:
    options.deadline, options.deadline_at = seconds, time.monotonic() + seconds
    return options


def test_a_silent_server_ends_at_the_deadline_while_waiting() -> None:
    with RawServer(b"") as silent:
        with pytest.raises(ApiDeadlineError) as info:
            _send(_http(), _with_deadline(_get(silent.url, timeouts=(5, 20)), 0.3))
    assert info.value.during == "waiting for the server"


def test_a_dripping_body_ends_at_the_deadline_while_reading() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    with RawServer(head) as stalled:
        with pytest.raises(ApiDeadlineError) as info:
            # 2 s: the head arrives in milliseconds, even on a busy machine; the body never completes
            _send(_http(), _with_deadline(_get(stalled.url, timeouts=(5, 20)), 2.0))
    assert info.value.during == "reading the response body"


def test_a_stalled_server_with_a_distant_deadline_is_a_read_timeout() -> None:
    with RawServer(b"") as silent:
        with pytest.raises(ApiTimeoutError) as info:
            _send(_http(), _with_deadline(_get(silent.url, timeouts=(5, 0.2)), 60))
    assert info.value.limit == "read"


def test_a_deadline_already_over_fails_at_once(users: ScriptedServer) -> None:
    options = _get(users.url + "/u")
    options.deadline, options.deadline_at = 1.0, time.monotonic() - 1
    with pytest.raises(ApiDeadlineError):
        _send(_http(), options)


def test_many_distinct_timeouts_all_apply() -> None:
    with RawServer(b"") as silent:
        http = _http()
        options = [_get(silent.url + f"/{i}", timeouts=(5, 0.01 + i / 1000)) for i in range(66)]

        async def main() -> list[float]:
            seen = []
            for o in options:
                try:
                    await http.request(o)
                except ApiTimeoutError as exc:
                    seen.append(exc.seconds)
            await http.close()
            return seen

        assert asyncio.run(main()) == [o.timeouts[1] for o in options]  # type: ignore[index]


# -- bodies ----------------------------------------------------------------------------------------------------------

def test_a_body_without_a_length_is_read_to_its_end_and_bounded() -> None:
    body = json.dumps(USER).encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    with RawServer(head + body, close_after=True) as server:
        assert json.loads(_send(_http(), _get(server.url))[0].data) == USER
        options = _get(server.url)
        options.max_response_bytes = 10
        with pytest.raises(ResponseTooLargeError):
            _send(_http(), options)


def test_an_announced_length_past_the_limit_fails_before_reading() -> None:
    with ScriptedServer(lambda seen: Reply(200, {"id": "u1", "name": "x" * 500})) as server:
        options = _get(server.url + "/big")
        options.max_response_bytes = 100
        with pytest.raises(ResponseTooLargeError):
            _send(_http(), options)
        exact = _get(server.url + "/big")
        exact.max_response_bytes = len(json.dumps({"id": "u1", "name": "x" * 500}))
        assert _send(_http(), exact)[0].status == 200  # exactly the limit is allowed


def test_a_body_cut_short_is_a_connection_error() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\": "
    with RawServer(head, close_after=True) as cut:
        with pytest.raises(ApiConnectionError, match="connection failed") as info:
            _send(_http(), _get(cut.url))
    assert "payload is not completed" in str(info.value)  # aiohttp's own words, not "None"


# -- errors ------------------------------------------------------------------------------------------------------------

def test_a_refused_connection_is_typed_with_the_os_reason() -> None:
    with RawServer(b"") as closed:
        url = closed.url
    with pytest.raises(ApiConnectionError, match=r"connection failed: \[Errno 111\] Connect call failed") as info:
        _send(_http(), _get(url + "/u"))
    assert not isinstance(info.value, ApiTimeoutError) and info.value.url == url + "/u"


def test_an_unreachable_proxy_is_a_proxy_error() -> None:
    with RawServer(b"") as closed:
        proxy = closed.url
    with pytest.raises(ApiConnectionError, match="proxy failed"):
        _send(_http(proxy=proxy), _get("http://api.proxied.test/u"))


def test_an_untrusted_certificate_is_a_tls_error(pki: Pki) -> None:
    with TlsServer(pki) as server:
        with pytest.raises(ApiTLSError, match=r"TLS handshake failed: \[SSL: CERTIFICATE_VERIFY_FAILED\] certificate"):
            _send(_http(), _get(server.url + "/u"))
        assert _send(_http(ssl_ca_cert=pki.paths["server_ca"]), _get(server.url + "/u"))[0].status == 200


def test_tls_settings_never_leak_between_clients(pki: Pki) -> None:
    with TlsServer(pki) as server:
        with_cert = _http(ssl_ca_cert=pki.paths["server_ca"], cert_file=pki.paths["alice"],
                          key_file=pki.paths["alice_key"])
        plain = _http(ssl_ca_cert=pki.paths["server_ca"])
        insecure = _http(verify_ssl=False)
        for http in (insecure, with_cert, plain, with_cert):
            _send(http, _get(server.url + "/u"))
        with pytest.raises(ApiTLSError):
            _send(_http(), _get(server.url + "/u"))
    assert server.identities() == [None, "alice.clients.test", None, "alice.clients.test"]


def test_plain_http_through_a_proxy_carries_its_credentials(users: ScriptedServer) -> None:
    http = _http(proxy=users.url, proxy_username="pu", proxy_password="pw")
    _send(http, _get("http://api.proxied.test/u"))
    seen = users.requests[0]
    assert seen.headers["host"] == "api.proxied.test" and seen.headers["proxy-authorization"].startswith("Basic ")


def test_https_through_a_proxy_sends_proxy_credentials_only_to_the_proxy(pki: Pki) -> None:
    with TlsServer(pki) as server, ConnectProxy() as proxy:
        http = _http(proxy=proxy.url, proxy_username="pu", proxy_password="pr0xy-secret",
                     ssl_ca_cert=pki.paths["server_ca"])
        assert _send(http, _get(server.url + "/api/v2/users/u1"))[0].status == 200
    assert len(proxy.connects) == 1 and b"Proxy-Authorization: Basic " in proxy.connects[0]
    assert "proxy-authorization" not in server.seen[0].headers  # never inside the tunnel, to the target


def test_configuration_defaults_to_the_shared_one() -> None:
    assert DefaultAsyncHttpClient().configuration is sdk.Configuration()


def test_a_custom_async_transport_must_implement_request_and_may_skip_close() -> None:
    from PureCloudPlatformClientV2.aio import AbstractAsyncHttpClient

    class Incomplete(AbstractAsyncHttpClient):
        pass

    with pytest.raises(TypeError):
        Incomplete()  # type: ignore[abstract]

    class Canned(AbstractAsyncHttpClient):
        async def request(self, http_request_options: Any) -> Any:
            return "canned"

    async def main() -> tuple[Any, Any]:
        transport = Canned()
        return await transport.request(None), await transport.close()

    assert asyncio.run(main()) == ("canned", None)


BLOCK_AIOHTTP = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "aiohttp" or name.startswith("aiohttp.") or name == "yarl":
            raise ImportError("aiohttp is not installed")
sys.meta_path.insert(0, Block())
from PureCloudPlatformClientV2.aio.http_client import AbstractAsyncHttpClient, DefaultAsyncHttpClient
print(sorted(m for m in ("aiohttp", "yarl") if m in sys.modules))
"""


def test_the_transport_module_imports_without_aiohttp() -> None:
    # aiohttp is an optional extra: a custom asyncio transport needs only the abstract class.
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", BLOCK_AIOHTTP], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_url_goes_on_the_wire_exactly_as_given(users: ScriptedServer) -> None:
    # as the urllib3 transport sends it: aiohttp (yarl) must not re-quote escaped characters
    path = "/api/v2/users/a%2Cb%40c%21%2A%7E"
    _send(_http(), _get(users.url + path, query_params=[("q", "x,y:z")]))
    assert users.requests[0].path == path and users.requests[0].query == [("q", "x,y:z")]
