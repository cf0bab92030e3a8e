"""More small runtime pieces: the official low-level REST client's verbs over real HTTP, the JSON
backend's fallbacks, the asyncio FIFO limiter's timeouts and cancellations, the official
ApiClient helpers, transport timeouts, operation tables and docstrings, the config-file watcher
and the emulator's rate limiter."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _api, _json
from PureCloudPlatformClientV2._config_watch import ConfigWatcher
from PureCloudPlatformClientV2.aio._limiter import FifoLimiter
from PureCloudPlatformClientV2.default_http_client import DefaultHttpClient
from PureCloudPlatformClientV2.emulator import ratelimit
from PureCloudPlatformClientV2.rest import ApiException, RESTClientObject

from .scripted_server import Reply, ScriptedServer

ROOT = Path(__file__).resolve().parents[2]


# -- rest.RESTClientObject: every verb over real HTTP -------------------------------------------------
def _rest(server: ScriptedServer) -> RESTClientObject:
    config = sdk.Configuration.new(host=server.url, live_reload_config=False)
    return RESTClientObject(pools_size=2, max_size=3, http_client=DefaultHttpClient(configuration=config))


def test_rest_client_verbs_send_what_the_official_contract_says() -> None:
    def handler(seen):
        status = 404 if seen.path == "/missing" else 200
        return Reply(status, {"method": seen.method})
    with ScriptedServer(handler) as server:
        rest = _rest(server)
        assert (rest.pools_size, rest.max_size) == (2, 3)
        assert rest.pool_manager is rest.http_client.pool()
        url = server.url + "/thing"
        assert rest.HEAD(url, query_params={"a": "1"}).status == 200
        with pytest.raises(ApiException) as unsupported:  # sent, but this server has no OPTIONS
            rest.OPTIONS(url, body={"o": 1})
        assert unsupported.value.status == 501
        assert rest.DELETE(url, body={"d": 1}).status == 200
        assert rest.PUT(url, body={"p": 1}).status == 200
        assert rest.PATCH(url, body={"q": [1, None]}).status == 200
        seen = {r.method: r for r in server.requests}
        assert seen["HEAD"].query == [("a", "1")] and seen["HEAD"].body == b""
        assert seen["DELETE"].body == b""  # DELETE sends no body, as the official client does
        assert json.loads(seen["PUT"].body) == {"p": 1} and json.loads(seen["PATCH"].body) == {"q": [1, None]}
        assert seen["PUT"].headers["content-type"] == "application/json"
        # A content type that is neither JSON nor a form: the body is not sent (the official
        # client fails with UnboundLocalError here).
        rest.POST(url, headers={"Content-Type": "text/plain"}, body="plain words")
        assert server.requests[-1].body == b"" and server.requests[-1].headers["content-type"] == "text/plain"
        with pytest.raises(ApiException) as err:
            rest.GET(server.url + "/missing")
        assert err.value.status == 404
        with pytest.raises(ValueError, match="http method must be one of"):
            rest.request("FETCH", url)


def test_rest_client_default_transport_and_print_kwargs(capsys) -> None:
    rest = RESTClientObject()
    assert isinstance(rest.http_client, DefaultHttpClient) and rest.pools_size == 4
    rest.print_kwargs(a=1, b="two")
    assert capsys.readouterr().out == "a = 1\nb = two\n"
    rest.print_kwargs()
    assert capsys.readouterr().out == ""


# -- _json: orjson first, the standard library where orjson cannot ------------------------------------
class _FakeOrjson:
    """Stands in for orjson (an optional extra): refuses what orjson refuses."""

    class JSONDecodeError(ValueError):
        pass

    calls = 0

    @classmethod
    def loads(cls, data):
        cls.calls += 1
        text = data.decode() if isinstance(data, bytes) else data
        if "NaN" in text or len(text) > 40:
            raise cls.JSONDecodeError("not for orjson")
        return json.loads(text)

    @classmethod
    def dumps(cls, value):
        cls.calls += 1
        if isinstance(value, dict) and "big" in value:
            raise TypeError("Integer exceeds 64-bit range")
        return json.dumps(value, separators=(",", ":")).encode()


def test_json_backend_uses_orjson_and_falls_back(monkeypatch) -> None:
    monkeypatch.setattr(_json, "_orjson", _FakeOrjson)
    monkeypatch.setattr(_FakeOrjson, "calls", 0)
    assert _json.loads(b'{"a": 1}') == {"a": 1}
    assert _FakeOrjson.calls == 1
    value = _json.loads('{"n": NaN}')  # orjson refuses NaN, the standard parser takes it
    assert value["n"] != value["n"]
    big = 2 ** 80
    assert _json.loads(json.dumps({"big": big, "pad": "x" * 40})) == {"big": big, "pad": "x" * 40}
    assert _json.dumps({"a": [1, None]}) == b'{"a":[1,null]}'
    assert json.loads(_json.dumps({"big": big})) == {"big": big}  # orjson's TypeError: standard encoder


def test_json_backend_without_orjson(monkeypatch) -> None:
    monkeypatch.setattr(_json, "_orjson", None)
    assert _json.loads('{"a": [1, 2]}') == {"a": [1, 2]}
    assert _json.dumps({"é": 1}) == '{"é":1}'.encode()


# -- aio FifoLimiter ------------------------------------------------------------------------------------
def test_fifo_limiter_times_out_queued_waiters_and_hands_slots_in_order() -> None:
    async def main() -> None:
        limiter = FifoLimiter(1)
        await limiter.acquire()
        with pytest.raises(asyncio.TimeoutError):
            await limiter.acquire(timeout=0.01)
        assert limiter.waiting == 0 and limiter.active == 1  # the timed-out waiter left the queue
        order: list[int] = []

        async def worker(n: int) -> None:
            await limiter.acquire(timeout=30)
            order.append(n)
            limiter.release()
        tasks = [asyncio.create_task(worker(n)) for n in range(3)]
        while limiter.waiting < 3:
            await asyncio.sleep(0)
        limiter.release()
        await asyncio.gather(*tasks)
        assert order == [0, 1, 2] and limiter.active == 0 and limiter.waiting == 0
    asyncio.run(main())


def test_fifo_limiter_cancelled_waiter_leaves_the_queue() -> None:
    async def main() -> None:
        limiter = FifoLimiter(1)
        async with limiter:
            waiter = asyncio.create_task(limiter.acquire())
            while limiter.waiting < 1:
                await asyncio.sleep(0)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
            assert limiter.waiting == 0
        assert limiter.active == 0
    asyncio.run(main())


def test_fifo_limiter_slot_handed_to_a_cancelled_waiter_passes_on() -> None:
    async def main() -> None:
        limiter = FifoLimiter(1)
        await limiter.acquire()
        first = asyncio.create_task(limiter.acquire())
        second = asyncio.create_task(limiter.acquire())
        while limiter.waiting < 2:
            await asyncio.sleep(0)
        limiter.release()  # the slot goes to `first`...
        first.cancel()  # ...which is cancelled before it runs: the slot must reach `second`
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(second, 30)
        assert limiter.active == 1 and limiter.waiting == 0
        limiter.release()
        assert limiter.active == 0
    asyncio.run(main())


def test_fifo_limiter_release_skips_waiters_already_done() -> None:
    async def main() -> None:
        limiter = FifoLimiter(1)
        await limiter.acquire()
        stale = asyncio.get_running_loop().create_future()
        stale.cancel()
        limiter._waiters.append(stale)  # e.g. a waiter cancelled between its wake-up and its cleanup
        limiter.release()
        assert limiter.active == 0 and limiter.waiting == 0
    asyncio.run(main())


# -- the official ApiClient helpers -------------------------------------------------------------------
def _client() -> sdk.ApiClient:
    return sdk.ApiClient(configuration=sdk.Configuration.new(host="http://127.0.0.1:9", live_reload_config=False))


def test_update_params_for_auth_places_the_token() -> None:
    client = _client()
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    client.access_token = "tok"
    client.update_params_for_auth(headers, query, [])
    client.update_params_for_auth(headers, query, None)
    assert headers == {} and query == {}  # no auth settings named: nothing added
    client.update_params_for_auth(headers, query, ["PureCloud OAuth", "unknown"])
    assert headers == {"Authorization": "Bearer tok"} and query == {}
    in_query = {"Q": {"in": "query", "key": "access_token", "value": "q-tok"},
                "E": {"in": "header", "key": "Authorization", "value": ""},
                "X": {"in": "cookie", "key": "c", "value": "v"}}
    client.configuration.auth_settings = lambda token: in_query  # type: ignore[method-assign]
    client.update_params_for_auth(headers, query, ["Q", "E"])
    assert query == {"access_token": "q-tok"} and headers == {"Authorization": "Bearer tok"}
    with pytest.raises(ValueError, match="`query` or `header`"):
        client.update_params_for_auth(headers, query, ["X"])


def test_prepare_post_parameters_takes_pairs_and_file_lists(tmp_path) -> None:
    client = _client()
    a, b = tmp_path / "a.json", tmp_path / "b.unknownext"
    a.write_bytes(b"{}")
    b.write_bytes(b"\x00")
    params = client.prepare_post_parameters([("k", "v")], {"files": [str(a), str(b)], "none": []})
    assert params == [("k", "v"), ("files", ("a.json", b"{}", "application/json")),
                      ("files", ("b.unknownext", b"\x00", "application/octet-stream"))]
    assert client.prepare_post_parameters() == []
    assert client.refresh_token_lock is client.refresh_token_lock


# -- transports: timeouts and hooks ---------------------------------------------------------------------
def test_timeouts_for_prefers_the_call_then_the_client_then_the_configuration() -> None:
    config = SimpleNamespace(connect_timeout=3.0, read_timeout=7.0)
    http = DefaultHttpClient()
    plain = SimpleNamespace(timeouts=None)
    assert http.timeouts_for(plain, config) == (3.0, 7.0) and http.timeout_seconds is None
    http.set_timeout(2500)
    assert http.timeouts_for(plain, config) == (2.5, 2.5) and http.timeout_seconds == 2.5
    assert http.timeouts_for(SimpleNamespace(timeouts=(1.0, 9.0)), config) == (1.0, 9.0)


def test_builtin_hook_without_signature_is_accepted() -> None:
    http = DefaultHttpClient()
    http.set_post_request_hook(iter)  # inspect.signature(iter) fails: trusted as one-argument
    assert http.post_hook is iter


# -- _api: operation tables and docstrings ------------------------------------------------------------
def test_operation_table_repr_and_length_checks() -> None:
    op = _api.Operation("get_thing", "GET", "/api/v2/things/{id}", "Thing", (), accepts=["application/json"],
                        content_types=["application/json"])
    assert _api.Operation.table(op) == {"get_thing": op}
    assert repr(op) == "<Operation get_thing: GET /api/v2/things/{id}>"
    param = _api.Param("name", "name", "query", "str", checks={"maxLength": 3, "minLength": 2})
    _api._check("get_thing", param, "abc")
    with pytest.raises(ValueError, match="length must be at most 3"):
        _api._check("get_thing", param, "abcd")
    with pytest.raises(ValueError, match="length must be at least 2"):
        _api._check("get_thing", param, "a")


def test_attach_docs_from_the_stub_and_without_one(tmp_path) -> None:
    class Thing:
        def get_thing(self):
            pass

        def other(self):
            pass
    stub = tmp_path / "thing_api.pyi"
    stub.write_text('"""Module docstring."""\nclass ThingApi:\n    """Class docstring."""\n'
                    '    def get_thing(self) -> None:\n        """Gets a thing: C:\\\\path."""\n'
                    '    def not_on_the_class(self) -> None:\n        """Ignored."""\n', encoding="utf-8")
    _api.attach_docs(Thing, str(tmp_path / "thing_api.py"))
    assert Thing.get_thing.__doc__ == "Gets a thing: C:\\path."
    assert Thing.other.__doc__ is None and not hasattr(Thing, "not_on_the_class")
    _api.attach_docs(Thing, str(tmp_path / "missing_api.py"))  # no stub: nothing changes, no error
    assert Thing.get_thing.__doc__ == "Gets a thing: C:\\path."


def test_methods_have_no_docstrings_under_python_oo() -> None:
    code = ("import PureCloudPlatformClientV2 as s; m = s.UsersApi.get_user; "
            "print(m.__doc__ is None, m.__name__)")
    out = subprocess.run([sys.executable, "-OO", "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "get_user"]


# -- the config-file watcher ----------------------------------------------------------------------------
def test_config_watcher_follows_missing_folders_into_place(tmp_path) -> None:
    watched_root = tmp_path / "w"
    watched_root.mkdir()
    target = watched_root / "a" / "b" / "config"
    changed = threading.Event()
    watcher = ConfigWatcher(str(target), changed.set)
    watcher.stop()  # stopping before starting is harmless
    watcher.start()
    try:
        (watched_root / "unrelated.txt").write_text("x")  # an event that moves nothing
        staging = tmp_path / "staging"
        (staging / "a" / "b").mkdir(parents=True)
        (staging / "a" / "b" / "config").write_text("[logging]\nlog_level = debug\n")
        os.rename(staging / "a", watched_root / "a")  # the whole tree appears at once
        assert changed.wait(30), "the file that arrived with its folders was not seen"
    finally:
        watcher.stop()
    assert watcher._observer is None


# -- the emulator's rate limiter ------------------------------------------------------------------------
def test_rate_limiter_windows_and_bounds(monkeypatch) -> None:
    with pytest.raises(ValueError):
        ratelimit.RateLimiter(0)
    with pytest.raises(ValueError):
        ratelimit.RateLimiter(5, window=0)
    limiter = ratelimit.RateLimiter(limit=2, window=10.0)
    assert limiter.take("t", 100.0) == (True, 1, 10.0)
    assert limiter.take("t", 101.0) == (True, 2, 9.0)
    assert limiter.take("t", 102.0) == (False, 2, 8.0) and limiter.throttled == 1
    assert limiter.take("t", 110.0) == (True, 1, 10.0)  # a new window
    monkeypatch.setattr(ratelimit, "MAX_TRACKED", 2)
    limiter.take("u", 111.0)  # two tracked now; "t"'s window ends at 120, "u"'s at 121
    limiter.take("v", 125.0)  # beyond the bound: ended windows are dropped first
    assert set(limiter.windows) == {"v"}
    limiter.clear()
    assert limiter.windows == {}
