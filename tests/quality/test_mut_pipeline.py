"""The call pipeline's decisions (``_pipeline.Exchange``, ``RatePacer``), unit by unit.

``_pipeline`` does no I/O: every decision a driver acts on (send now or wait, retry, renew,
return, fail) is a return value, so these tests call it directly with a fake clock and a
recording logger and assert the decisions and the counts, never a duration. The wire tests
(``test_mut_pipeline_wire.py``) check that callers see the same through ``ApiClient``.
"""
from __future__ import annotations

import types
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _pipeline
from PureCloudPlatformClientV2._auth import TokenState
from PureCloudPlatformClientV2._pipeline import MAX_RENEWALS, PROBE_WAIT, Action, Exchange, PacingStats, RatePacer
from PureCloudPlatformClientV2._request import SDK_VERSION, Request
from PureCloudPlatformClientV2._transport_config import Timeouts
from PureCloudPlatformClientV2.rest import (
    ApiConnectionError,
    ApiDeadlineError,
    ApiException,
    ApiTimeoutError,
    RateLimitError,
    ResponseTooLargeError,
    RESTResponse,
)


# -- fakes ---------------------------------------------------------------------------------------
class Clock:
    """``_pipeline.time`` replaced: ``monotonic()`` is what the test says."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


class Log:
    """A logger that records (level, text) of each message and the keywords of each log_call."""

    def __init__(self, level: int = 10) -> None:
        self.level = level
        self.messages: list[tuple[int, str]] = []
        self.calls: list[dict[str, Any]] = []

    def enabled(self, level: int) -> bool:
        return self.level <= level

    def message(self, level: int, text: str, *args: Any) -> None:
        self.messages.append((level, text % args))

    def log_call(self, method: str, url: str, request_headers: Any, request_body: Any, status: int | None,
                 response_headers: Any = None, response_body: Any = None, **kw: Any) -> None:
        self.calls.append({"method": method, "url": url, "status": status, "body": request_body,
                           "response_body": response_body, **kw})

    def levels(self, fragment: str) -> list[int]:
        return [level for level, text in self.messages if fragment in text]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_pipeline, "time", fake)
    return fake


def config(retry: sdk.RetryConfiguration | None = None, log: Log | None = None, **extra: Any) -> Any:
    values = {"retry": retry or sdk.RetryConfiguration(backoff_initial=0.01, backoff_max=0.02),
              "logger": log or Log(), "max_response_bytes": 0, "should_refresh_access_token": True}
    values.update(extra)
    return types.SimpleNamespace(**values)


def exchange(request: Request | None = None, *, cfg: Any = None, deadline: float = 100.0, connect: float = 5.0,
             read: float = 7.0, tokens: TokenState | None = None, pacer: RatePacer | None = None,
             record: Any = None, cookie: str | None = None, base: str = "http://127.0.0.1:9",
             default_headers: dict[str, str] | None = None) -> Exchange:
    return Exchange(request or Request("GET", "/p"), base, default_headers or {"User-Agent": "t"},
                    cookie, cfg if cfg is not None else config(), Timeouts(connect, read, deadline),
                    tokens=tokens, pacer=pacer, record=record)


def response(status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"{}") -> RESTResponse:
    return RESTResponse(status, "R", headers if headers is not None else {}, body)


def renewable_tokens() -> TokenState:
    tokens = TokenState()
    tokens.client_id, tokens.grant, tokens.access_token = "id", "client_credentials", "t1"
    return tokens


def limits(allowed: int, count: int, reset: float) -> dict[str, str]:
    return {"inin-ratelimit-allowed": str(allowed), "inin-ratelimit-count": str(count),
            "inin-ratelimit-reset": str(reset)}


# -- constants and small types -------------------------------------------------------------------
def test_constants_and_actions() -> None:
    assert PROBE_WAIT == 2.0 and MAX_RENEWALS == 4
    assert [a.value for a in Action] == ["return", "retry", "renew", "fail"]


def test_pacing_stats_start_at_zero_and_print_every_field() -> None:
    stats = PacingStats()
    assert stats.as_dict() == {"responses_seen": 0, "paced_calls": 0, "waited_seconds": 0.0, "throttled": 0,
                               "allowed": None, "count": None, "reset": None}
    assert isinstance(stats.waited_seconds, float)
    assert repr(stats) == ("PacingStats(responses_seen=0, paced_calls=0, waited_seconds=0.0, throttled=0, "
                           "allowed=None, count=None, reset=None)")


# -- RatePacer.reserve ---------------------------------------------------------------------------
def test_first_call_probes_alone_then_others_wait_until_probe_wait() -> None:
    pacer = RatePacer()
    assert pacer.reserve(100.0) == 0.0 and pacer.used == 1 and pacer.probe_started == 100.0
    assert pacer.reserve(100.5) == 0.01  # the others wait for the first answer
    assert pacer.reserve(100.0 + PROBE_WAIT - 0.001) == 0.01
    assert pacer.used == 1 and pacer.probe_started == 100.0
    assert pacer.reserve(100.0 + PROBE_WAIT) == 0.0  # the answer is late: go unpaced
    assert pacer.used == 2 and pacer.probe_started == 100.0


def test_an_answer_without_headers_ends_probing() -> None:
    pacer = RatePacer()
    pacer.reserve(100.0)
    assert pacer.observe(response(), 100.1) is False
    assert pacer.probing is False and pacer.allowed is None
    assert pacer.reserve(100.2) == 0.0 and pacer.reserve(100.2) == 0.0 and pacer.used == 3
    assert pacer.stats.responses_seen == 0


def test_within_a_window_calls_go_until_the_allowance_is_used() -> None:
    pacer = RatePacer()
    pacer.reserve(100.0)
    assert pacer.observe(response(headers=limits(3, 1, 10)), 100.0) is True
    assert (pacer.allowed, pacer.used, pacer.window_end, pacer.provisional) == (3, 1, 110.0, False)
    assert pacer.reserve(101.0) == 0.0 and pacer.used == 2
    assert pacer.reserve(102.0) == 0.0 and pacer.used == 3
    assert pacer.reserve(104.0) == 6.0 and pacer.used == 3  # held until the reset
    assert pacer.reserve(110.0 - 0.5) == 0.5


def test_at_the_window_end_a_new_provisional_window_starts() -> None:
    pacer = RatePacer()
    pacer.reserve(100.0)
    pacer.observe(response(headers=limits(2, 2, 10)), 100.0)
    assert pacer.reserve(105.0) == 5.0
    assert pacer.reserve(110.0) == 0.0  # exactly at the end: a new window
    assert (pacer.used, pacer.window_end, pacer.provisional) == (1, 120.0, True)
    assert pacer.reserve(111.0) == 0.0 and pacer.used == 2
    assert pacer.reserve(112.0) == 8.0


# -- RatePacer.observe ---------------------------------------------------------------------------
def test_observe_records_the_reported_limits() -> None:
    pacer = RatePacer()
    assert pacer.observe(response(headers=limits(30, 4, 2.5)), 50.0) is True
    stats = pacer.stats
    assert (stats.responses_seen, stats.allowed, stats.count, stats.reset, stats.throttled) == (1, 30, 4, 2.5, 0)
    assert pacer.probing is False and pacer.window_length == 2.5
    assert (pacer.window_end, pacer.used) == (52.5, 4)
    pacer.observe(response(headers=limits(30, 5, 0.5)), 51.0)
    assert pacer.window_length == 2.5 and stats.responses_seen == 2  # the longest reset is kept


def test_observe_keeps_the_higher_local_count_of_a_first_window() -> None:
    pacer = RatePacer()
    pacer.used = 7  # calls already in flight
    pacer.observe(response(headers=limits(30, 2, 1)), 0.0)
    assert pacer.used == 7
    pacer2 = RatePacer()
    pacer2.used = 1
    pacer2.observe(response(headers=limits(30, 5, 1)), 0.0)
    assert pacer2.used == 5


def test_a_window_that_ended_takes_the_servers_count() -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(10, 3, 5)), 0.0)
    pacer.used = 9
    pacer.observe(response(headers=limits(10, 2, 5)), 5.0)  # exactly at the end: a new window
    assert (pacer.used, pacer.window_end, pacer.provisional) == (2, 10.0, False)


def test_within_a_window_the_earliest_end_and_the_highest_count_win() -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(10, 3, 5)), 0.0)
    pacer.observe(response(headers=limits(10, 2, 6)), 1.0)  # later end, lower count
    assert (pacer.window_end, pacer.used) == (5.0, 3)
    pacer.observe(response(headers=limits(10, 6, 2)), 2.0)  # earlier end, higher count (another process)
    assert (pacer.window_end, pacer.used) == (4.0, 6)


def test_a_provisional_window_is_fixed_by_an_answer_of_the_new_window_only() -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(10, 10, 5)), 0.0)
    assert pacer.reserve(5.0) == 0.0  # the new window, provisional
    assert (pacer.used, pacer.window_end, pacer.provisional) == (1, 10.0, True)
    pacer.observe(response(headers=limits(10, 9, 5)), 5.5)  # a late answer of the old window
    assert (pacer.window_end, pacer.provisional, pacer.used) == (10.0, True, 1)
    pacer.observe(response(headers=limits(10, 1, 3)), 6.0)  # count == used: the new window's answer
    assert (pacer.window_end, pacer.provisional, pacer.used) == (9.0, False, 1)


def test_a_429_uses_the_allowance_and_holds_until_retry_after() -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(10, 1, 5)), 0.0)
    pacer.observe(response(429, headers=limits(10, 4, 5)), 1.0, retry_after=8.0)
    assert pacer.stats.throttled == 1
    assert (pacer.used, pacer.window_end) == (10, 9.0)  # max(min(6, 9), 9)
    assert pacer.reserve(2.0) == 7.0
    # without Retry-After the window's reset is used
    other = RatePacer()
    other.observe(response(429, headers=limits(10, 4, 5)), 1.0)
    assert (other.used, other.window_end, other.stats.throttled) == (10, 6.0, 1)
    # a 200 with a retry_after given is paced by its reset (retry_after only counts for 429)
    third = RatePacer()
    third.observe(response(200, headers=limits(10, 4, 5)), 1.0, retry_after=8.0)
    assert third.window_end == 6.0


def test_observe_ignores_unreadable_numbers_and_reads_missing_ones_as_zero() -> None:
    for bad in ({"inin-ratelimit-allowed": "x"}, {**limits(3, 1, 1), "inin-ratelimit-count": "many"},
                {**limits(3, 1, 1), "inin-ratelimit-reset": "soon"}):
        pacer = RatePacer()
        assert pacer.observe(response(headers=bad), 0.0) is False
        assert pacer.allowed is None and pacer.stats.responses_seen == 0 and pacer.probing is False
    pacer = RatePacer()
    assert pacer.observe(response(headers={"inin-ratelimit-allowed": "3"}), 7.0) is True
    assert (pacer.used, pacer.window_end, pacer.stats.count, pacer.stats.reset) == (0, 7.0, 0, 0.0)


def test_observe_reads_headers_in_any_spelling_and_header_maps() -> None:
    spelled = {"Inin-RateLimit-Allowed": "3", "ININ-RATELIMIT-COUNT": "2", "inin-ratelimit-reset": "4"}
    pacer = RatePacer()
    assert pacer.observe(response(headers=spelled), 0.0) is True
    assert (pacer.allowed, pacer.used, pacer.window_end) == (3, 2, 4.0)

    class Headers:  # a case-insensitive header map that is not a dict (urllib3, aiohttp)
        def __init__(self, items: dict[str, str]) -> None:
            self.items = {k.lower(): v for k, v in items.items()}

        def get(self, name: str, default: Any = None) -> Any:
            return self.items.get(name.lower(), default)

    pacer = RatePacer()
    assert pacer.observe(RESTResponse(200, "OK", Headers(spelled), b""), 0.0) is True
    assert (pacer.allowed, pacer.used) == (3, 2)


def test_record_wait_counts_calls_and_seconds() -> None:
    pacer = RatePacer()
    pacer.record_wait(0.5)
    pacer.record_wait(1.25)
    assert pacer.stats.paced_calls == 2 and pacer.stats.waited_seconds == 1.75


# -- Exchange: the prepared request ----------------------------------------------------------------
def test_url_headers_and_cookie() -> None:
    request = Request("GET", "/api/v2/x", headers={"X-Call": "1", "Accept-Encoding": "br"})
    ex = exchange(request, cookie="a=b", default_headers={"User-Agent": "ua", "X-Default": "d"})
    assert ex.url == "http://127.0.0.1:9/api/v2/x"
    assert ex.headers == {"User-Agent": "ua", "X-Default": "d", "Accept-Encoding": "br", "X-Call": "1",
                          "purecloud-sdk": SDK_VERSION, "Cookie": "a=b"}
    assert exchange().headers["Accept-Encoding"] == "identity"  # loopback
    assert exchange(base="https://api.example.com").headers["Accept-Encoding"] == "gzip"
    assert "Cookie" not in exchange(cookie="").headers
    with pytest.raises(ValueError):
        exchange(cookie="a=b\r\nX-Injected: 1")


def test_bodies_are_encoded_once() -> None:
    raw = exchange(Request("POST", "/p", body=bytearray(b"\x00\x01")))
    assert raw.encoded == b"\x00\x01" and type(raw.encoded) is bytes and raw.wire_body == bytearray(b"\x00\x01")
    text = exchange(Request("POST", "/p", body="héllo", headers={"Content-Type": "text/plain"}))
    assert text.encoded == "héllo".encode() and text.wire_body == "héllo"
    no_type = exchange(Request("POST", "/p", body="plain"))
    assert no_type.encoded == b"plain"
    json_text = exchange(Request("POST", "/p", body="quoted", headers={"Content-Type": "application/json"}))
    assert json_text.encoded == b'"quoted"' and json_text.wire_body == "quoted"
    data = exchange(Request("POST", "/p", body=sdk.User(name="n")))  # custom clients get the JSON-ready body
    assert data.wire_body == {"name": "n"} and data.encoded == b'{"name":"n"}'
    form = exchange(Request("POST", "/p", body={"a": 1}, post_params=[("a", "1")]))
    assert form.encoded is None and form.wire_body == {"a": 1}
    given = exchange(Request("POST", "/p", body={"a": 1}, encoded=b"pre"))
    assert given.encoded == b"pre" and given.wire_body == {"a": 1}
    empty = exchange(Request("GET", "/p"))
    assert empty.encoded is None and empty.wire_body is None


def test_settings_taken_from_the_request_and_configuration() -> None:
    policy = sdk.RetryConfiguration(max_retries=1)
    request = Request("GET", "/p")
    request.retry = policy
    cfg = config(max_response_bytes=123)
    ex = exchange(request, cfg=cfg, deadline=5.0, pacer=RatePacer())
    assert ex.state.policy is policy and ex.state.method == "GET" and ex.logger is cfg.logger
    assert ex.max_bytes == 123 and ex.min_attempt == 0.5 and ex.secret is False and ex.pacer is not None
    assert ex.renewed_for == []
    assert exchange(deadline=50.0).min_attempt == 1.0
    default = exchange(cfg=cfg)
    assert default.state.policy is cfg.retry
    login = exchange(Request("POST", "/oauth/token", kind="login"), pacer=RatePacer())
    assert login.secret is True and login.pacer is None  # token requests are never paced or logged with bodies
    assert exchange(cfg=config(max_response_bytes=None)).max_bytes == 0
    assert exchange(cfg=types.SimpleNamespace(retry=cfg.retry, logger=Log())).max_bytes == 0


# -- Exchange.begin ----------------------------------------------------------------------------------
def test_begin_fails_once_the_deadline_is_reached(clock: Clock) -> None:
    log = Log(level=40)
    ex = exchange(cfg=config(log=log), deadline=10.0)
    assert ex.deadline_at == 1010.0
    clock.now = 1009.999
    assert ex.begin() == 0.0
    clock.now = 1010.0
    with pytest.raises(ApiDeadlineError) as caught:
        ex.begin()
    assert caught.value.during == "starting an attempt" and caught.value.seconds == 10.0
    assert caught.value.url == ex.url and caught.value.last_error is None
    assert log.levels("deadline of 10s reached while starting an attempt") == [30]


def test_begin_paces_and_logs_the_wait(clock: Clock) -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(1, 1, 4)), 1000.0)  # window ends at 1004
    log = Log(level=10)
    ex = exchange(cfg=config(log=log), deadline=10.0, pacer=pacer)
    assert ex.begin() == 4.0
    assert pacer.stats.paced_calls == 1 and pacer.stats.waited_seconds == 4.0
    assert log.levels("holding 4.00s for the rate-limit window (1 of 1 used)") == [10]
    quiet = Log(level=11)
    ex = exchange(cfg=config(log=quiet), deadline=10.0, pacer=pacer)
    assert ex.begin() == 4.0 and quiet.messages == []
    assert pacer.stats.paced_calls == 2


def test_begin_fails_when_the_wait_leaves_no_time_for_an_attempt(clock: Clock) -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(1, 1, 9)), 1000.0)  # window ends at 1009
    # deadline 10 s, so an attempt needs at least 1 s: waiting 9 s leaves exactly 1 s, allowed
    assert exchange(deadline=10.0, pacer=pacer).begin() == 9.0
    log = Log(level=40)
    short = exchange(deadline=9.9, pacer=pacer, cfg=config(log=log))  # 9 s wait + 0.99 s attempt > 9.9 s
    with pytest.raises(ApiDeadlineError) as caught:
        short.begin()
    assert caught.value.during == "waiting 9.0s for the rate-limit window to reset"
    assert pacer.stats.paced_calls == 1  # the wait given up is not recorded
    assert log.levels("while waiting 9.0s") == [30]


def test_begin_without_a_pacer_or_a_wait_sends_at_once(clock: Clock) -> None:
    assert exchange().begin() == 0.0
    pacer = RatePacer()
    assert exchange(pacer=pacer).begin() == 0.0 and pacer.used == 1 and pacer.stats.paced_calls == 0


# -- Exchange.options --------------------------------------------------------------------------------
def test_options_attach_the_token_and_bound_the_timeouts(clock: Clock) -> None:
    ex = exchange(Request("GET", "/p", query=[("a", "1")]), deadline=100.0, connect=5.0, read=7.0,
                  cfg=config(max_response_bytes=99))
    options = ex.options("tok")
    assert options.headers["Authorization"] == "Bearer tok"
    assert options.url == ex.url and options.method == "GET" and options.query_params == [("a", "1")]
    assert options.timeouts == (5.0, 7.0) and options.timeout == 7000.0
    assert options.deadline_at == 1100.0 and options.deadline == 100.0 and options.max_response_bytes == 99
    clock.now = 1097.0  # 3 s left: each timeout is cut to what is left
    options = ex.options("tok")
    assert options.timeouts == (3.0, 3.0) and options.timeout == 3000.0
    clock.now = 1200.0  # past the deadline: a token timeout, never zero or negative
    assert ex.options("tok").timeouts == (0.001, 0.001)
    assert exchange().options("").max_response_bytes is None
    assert "Authorization" not in exchange().options("").headers


def test_options_body_and_form() -> None:
    options = exchange(Request("POST", "/p", body={"a": 1})).options("")
    assert options.body == {"a": 1} and options.encoded_body == b'{"a":1}'
    form = exchange(Request("POST", "/p", body={"a": 1}, post_params=[("a", "1")])).options("")
    assert form.body is None and form.post_params == [("a", "1")]


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\x00b"])
def test_options_refuse_a_token_with_control_characters(bad: str) -> None:
    ex = exchange()
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        ex.options(bad)
    assert "Authorization" not in ex.headers


# -- Exchange.on_response ----------------------------------------------------------------------------
def test_a_2xx_returns_and_is_recorded_and_logged_at_debug() -> None:
    seen: list[RESTResponse] = []
    log = Log(level=10)
    ex = exchange(cfg=config(log=log), record=seen.append)
    reply = response(204)
    assert ex.on_response(reply, "t") == (Action.RETURN, reply)
    assert seen == [reply]
    assert log.calls[0]["status"] == 204 and log.calls[0]["secret_bodies"] is False
    quiet = Log(level=11)
    assert exchange(cfg=config(log=quiet)).on_response(response(200), "t")[0] is Action.RETURN
    assert quiet.calls == []
    for status in (199, 300):
        assert exchange().on_response(response(status), "t")[0] is Action.FAIL
    for status in (200, 299):
        assert exchange().on_response(response(status), "t")[0] is Action.RETURN


def test_the_response_size_limit_covers_custom_transports() -> None:
    ex = exchange(cfg=config(max_response_bytes=4))
    assert ex.on_response(response(200, body=b"1234"), "t")[0] is Action.RETURN
    action, error = ex.on_response(response(200, body=b"12345"), "t")
    assert action is Action.FAIL and isinstance(error, ResponseTooLargeError)
    assert error.limit == 4 and error.stage == "received" and error.status == 200 and error.url == ex.url
    assert exchange().on_response(response(200, body=b"x" * 10_000), "t")[0] is Action.RETURN


def test_responses_feed_the_pacer_with_retry_after_on_429(clock: Clock) -> None:
    pacer = RatePacer()
    ex = exchange(pacer=pacer, cfg=config(retry=sdk.RetryConfiguration(max_retries=0)))
    ex.on_response(response(429, {**limits(5, 5, 2), "Retry-After": "9"}), "t")
    assert pacer.window_end == 1009.0 and pacer.stats.throttled == 1
    pacer = RatePacer()
    ex = exchange(pacer=pacer)
    ex.on_response(response(200, {**limits(5, 1, 2), "Retry-After": "9"}), "t")
    assert pacer.window_end == 1002.0 and pacer.used == 1
    ex = exchange(Request("POST", "/oauth/token", kind="login"), pacer=pacer)
    ex.on_response(response(200, limits(5, 4, 2)), "t")
    assert pacer.stats.responses_seen == 1  # login responses do not count


def test_a_401_renews_once_per_distinct_token() -> None:
    tokens = renewable_tokens()
    log = Log(level=10)
    ex = exchange(tokens=tokens, cfg=config(log=log))
    assert ex.on_response(response(401), "t1") == (Action.RENEW, "t1")
    assert log.levels("401 on GET") == [10] and ex.renewed_for == ["t1"]
    action, error = ex.on_response(response(401), "t1")  # the same token again: renewing did not help
    assert action is Action.FAIL and type(error) is ApiException and error.status == 401
    assert ex.on_response(response(401), "t2") == (Action.RENEW, "t2")


def test_a_call_renews_at_most_max_renewals_tokens() -> None:
    ex = exchange(tokens=renewable_tokens())
    for n in range(MAX_RENEWALS):
        assert ex.on_response(response(401), f"t{n}")[0] is Action.RENEW
    assert ex.on_response(response(401), "another")[0] is Action.FAIL


def test_no_renewal_when_the_call_cannot_use_one() -> None:
    tokens = renewable_tokens()
    assert exchange(tokens=None).on_response(response(401), "t1")[0] is Action.FAIL
    assert exchange(Request("GET", "/p", auth=False), tokens=tokens).on_response(response(401), "t1")[0] \
        is Action.FAIL
    assert exchange(tokens=tokens, cfg=config(should_refresh_access_token=False)).on_response(
        response(401), "t1")[0] is Action.FAIL
    assert exchange(tokens=tokens).on_response(response(403), "t1")[0] is Action.FAIL
    assert exchange(tokens=TokenState()).on_response(response(401), "t1")[0] is Action.FAIL


def test_retryable_statuses_retry_and_count(clock: Clock) -> None:
    log = Log(level=10)
    ex = exchange(cfg=config(log=log, retry=sdk.RetryConfiguration(backoff_initial=0.01, backoff_max=0.01,
                                                                     max_retries=2)))
    action, wait = ex.on_response(response(503, {"Retry-After": "3"}), "t")
    assert (action, wait, ex.state.retries) == (Action.RETRY, 3.0, 1)
    assert log.levels("retrying GET http://127.0.0.1:9/p in 3.00s (attempt 2): HTTP 503") == [10]
    assert ex.on_response(response(503), "t")[0] is Action.RETRY and ex.state.retries == 2
    action, error = ex.on_response(response(503), "t")
    assert action is Action.FAIL and type(error) is ApiException and error.status == 503
    assert log.calls[-1]["failed"] is True and log.calls[-1]["status"] == 503


def test_a_retry_that_does_not_fit_before_the_deadline_fails_with_a_deadline_error(clock: Clock) -> None:
    policy = sdk.RetryConfiguration(max_retry_time=1000)
    ex = exchange(deadline=10.0, cfg=config(retry=policy))  # min_attempt 1
    assert ex.on_response(response(503, {"Retry-After": "9"}), "t") == (Action.RETRY, 9.0)  # 9 + 1 <= 10
    ex = exchange(deadline=10.0, cfg=config(retry=policy))
    action, error = ex.on_response(response(503, {"Retry-After": "9.5"}), "t")
    assert action is Action.FAIL and isinstance(error, ApiDeadlineError) and error.during == "retrying"
    assert isinstance(error.last_error, ApiException) and error.last_error.status == 503
    assert ex.state.retries == 0


def test_a_429_whose_wait_does_not_fit_gives_up_with_the_reason(clock: Clock) -> None:
    policy = sdk.RetryConfiguration(max_retry_time=1000)
    ex = exchange(deadline=10.0, cfg=config(retry=policy))
    action, error = ex.on_response(response(429, {"Retry-After": "20"}), "t")
    assert action is Action.FAIL and type(error) is RateLimitError
    assert error.retry_after == 20.0 and error.why == "Retry-After 20s exceeds the time left before the deadline"
    assert ex.state.retries == 0


def test_rate_limit_error_says_why_only_when_there_is_a_reason(clock: Clock) -> None:
    # not retried at all (retries off): no reason given
    ex = exchange(cfg=config(retry=sdk.RetryConfiguration(max_retries=0)))
    action, error = ex.on_response(response(429, {"Retry-After": "2"}), "t")
    assert action is Action.FAIL and type(error) is RateLimitError and error.why == "" and error.retry_after == 2.0
    # retried, then exhausted: the reason
    ex = exchange(cfg=config(retry=sdk.RetryConfiguration(max_retries=1)))
    assert ex.on_response(response(429, {"Retry-After": "0"}), "t")[0] is Action.RETRY
    action, error = ex.on_response(response(429), "t")
    assert error.why == "retries exhausted" and error.retry_after is None
    # the retry budget: reason given although no retry happened
    ex = exchange(cfg=config(retry=sdk.RetryConfiguration(max_retry_time=1)))
    action, error = ex.on_response(response(429, {"Retry-After": "5"}), "t")
    assert "budget" in error.why and ex.state.retries == 0


# -- Exchange.on_error ---------------------------------------------------------------------------------
def test_deadline_and_size_errors_fail_at_once() -> None:
    log = Log(level=10)
    ex = exchange(cfg=config(log=log))
    for error in (ApiDeadlineError(5.0, "u"), ResponseTooLargeError(3, "received", "u", 200)):
        assert ex.on_error(error, "t") == (Action.FAIL, error)
    assert log.levels("GET http://127.0.0.1:9/p: deadline") == [30]
    assert log.levels("max_response_bytes=3") == [30]
    assert ex.state.retries == 0


def test_connection_errors_retry_then_fail(clock: Clock) -> None:
    log = Log(level=10)
    ex = exchange(cfg=config(log=log, retry=sdk.RetryConfiguration(max_retries=1, backoff_initial=0.25,
                                                                     backoff_max=0.25)))
    error = ApiConnectionError("reset")
    action, wait = ex.on_error(error, "t")
    assert action is Action.RETRY and 0 <= wait <= 0.25 and ex.state.retries == 1
    assert log.levels("(attempt 2): connection error: reset") == [10]
    assert ex.on_error(error, "t") == (Action.FAIL, error)
    assert log.calls[-1]["failed"] is True and log.calls[-1]["status"] is None
    assert log.calls[-1]["secret_bodies"] is False


def test_a_timeout_at_the_deadline_is_a_deadline_error(clock: Clock) -> None:
    ex = exchange(deadline=10.0)
    timeout = ApiTimeoutError("read", 5.0)
    clock.now = 1010.0 - 0.005  # within 5 ms of the deadline
    action, error = ex.on_error(timeout, "t")
    assert action is Action.FAIL and isinstance(error, ApiDeadlineError)
    assert error.during == "waiting for the server" and error.last_error is timeout
    clock.now = 1000.0
    ex = exchange(deadline=10.0)
    clock.now = 1010.0 - 0.5  # earlier: the retry does not fit (0.5 s left < backoff + min attempt)
    action, error = ex.on_error(timeout, "t")
    assert action is Action.FAIL and isinstance(error, ApiDeadlineError) and error.during == "retrying"
    assert error.last_error is timeout
    clock.now = 1000.0
    ex = exchange(deadline=10.0)
    action, wait = ex.on_error(timeout, "t")
    assert action is Action.RETRY and ex.state.timeout_retries == 1
    # a connection error (not a timeout) close to the deadline is retried if it fits, never a
    # "waiting for the server" deadline error
    clock.now = 1000.0
    ex = exchange(deadline=10.0)
    clock.now = 1009.999
    action, error = ex.on_error(ApiConnectionError("refused"), "t")
    assert action is Action.FAIL and error.during == "retrying"


def test_a_custom_clients_401_renews_and_other_errors_fail() -> None:
    ex = exchange(tokens=renewable_tokens())
    assert ex.on_error(ApiException(status=401, reason="Unauthorized"), "t1") == (Action.RENEW, "t1")
    error = ApiException(status=401, reason="Unauthorized")
    assert ex.on_error(error, "t1") == (Action.FAIL, error)
    error = ApiException(status=500)
    assert ex.on_error(error, "t2") == (Action.FAIL, error)


def test_login_requests_are_logged_with_secret_bodies() -> None:
    log = Log(level=10)
    ex = exchange(Request("POST", "/oauth/token", kind="login", encoded=b"grant_type=x"), cfg=config(
        log=log, retry=sdk.RetryConfiguration(max_retries=0)))
    ex.on_response(response(400), "")
    ex.on_error(ApiConnectionError("reset"), "")
    ex.on_response(response(200), "")
    assert [c["secret_bodies"] for c in log.calls] == [True, True, True]


def test_a_late_429_of_the_old_window_does_not_shorten_a_provisional_window() -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(10, 10, 5)), 0.0)  # window 0..5, allowance used
    assert pacer.reserve(5.0) == 0.0  # the new window, provisional until 10
    assert (pacer.window_end, pacer.provisional, pacer.used) == (10.0, True, 1)
    pacer.observe(response(429, headers=limits(10, 11, 5)), 6.0, retry_after=1.0)  # late: counts higher
    assert pacer.stats.throttled == 1 and pacer.used == 10
    assert pacer.window_end == 10.0  # max(the window's end, 6 + Retry-After)
    assert pacer.reserve(8.0) == 2.0


def test_short_waits_are_paced_and_counted_too(clock: Clock) -> None:
    pacer = RatePacer()
    pacer.observe(response(headers=limits(1, 1, 0.5)), 1000.0)  # window ends at 1000.5
    log = Log(level=10)
    assert exchange(pacer=pacer, cfg=config(log=log)).begin() == 0.5
    assert pacer.stats.paced_calls == 1 and pacer.stats.waited_seconds == 0.5
    assert log.levels("holding 0.50s") == [10]
    probing = RatePacer()
    assert exchange(pacer=probing).begin() == 0.0  # the first call probes
    assert exchange(pacer=probing).begin() == 0.01  # the others wait for its answer
    assert probing.stats.paced_calls == 1 and probing.stats.waited_seconds == 0.01
    short = exchange(pacer=pacer, deadline=1.0)  # 0.5 s to wait + 0.1 s attempt fit in 1 s
    assert short.begin() == 0.5
    shorter = exchange(pacer=pacer, deadline=0.5)  # 0.5 + 0.05 do not fit in 0.5 s
    with pytest.raises(ApiDeadlineError):
        shorter.begin()


def test_exchange_takes_its_collaborators_by_keyword_only() -> None:
    with pytest.raises(TypeError):
        Exchange(Request("GET", "/p"), "http://127.0.0.1:9", {}, None, config(), Timeouts(1, 1, 10),  # type: ignore[misc]
                 renewable_tokens())


def test_a_new_windows_provisional_length_is_at_least_a_second() -> None:
    pacer = RatePacer()
    assert pacer.window_length == 1.0 and pacer.provisional is False
    pacer.observe(response(headers=limits(1, 1, 0.5)), 100.0)  # window ends at 100.5
    assert pacer.window_length == 1.0
    assert pacer.reserve(100.5) == 0.0
    assert (pacer.window_end, pacer.provisional) == (101.5, True)
