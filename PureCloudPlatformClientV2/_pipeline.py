"""The call pipeline, with no I/O in it: the decisions of one call, shared by every driver.

A driver (``ApiClient._send``, ``AsyncApiClient._send``) runs a loop of a few lines::

    exchange = Exchange(...)
    while True:
        wait = exchange.begin()                  # deadline check, rate-limit pacing
        if wait: sleep(wait); continue
        options = exchange.options(token)        # the token is attached as the request leaves
        action, value = exchange.on_response(transport.request(options), token)
                        # or exchange.on_error(exc, token) when the transport raised
        RETURN -> value is the response; RETRY -> sleep(value); RENEW -> renew token ``value``;
        FAIL -> raise value

so the sync and asyncio clients cannot drift apart: retries, renewal, the deadline, the
response size limit, rate-limit pacing and logging are decided here, once.
"""
from __future__ import annotations

import enum
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from . import _json
from ._request import SDK_VERSION, Request, check_header
from ._response import as_rest_response
from ._serde import to_wire
from ._transport_config import Timeouts, accept_encoding_for
from .http_request_options import HttpRequestOptions
from .rest import (
    ApiConnectionError,
    ApiDeadlineError,
    ApiException,
    ApiTimeoutError,
    RateLimitError,
    ResponseTooLargeError,
    RESTResponse,
)
from .retry import RetryState, parse_retry_after

if TYPE_CHECKING:
    from ._auth import TokenState

PROBE_WAIT = 2.0  # seconds other calls wait for the first answer before going unpaced
MAX_RENEWALS = 4  # distinct tokens one call may renew (tokens that expire faster than a round trip)


class Action(enum.Enum):
    """What the driver does after an attempt."""

    RETURN = "return"  # value: the RESTResponse
    RETRY = "retry"  # value: seconds to wait first
    RENEW = "renew"  # value: the stale token to renew (a no-op when already replaced)
    FAIL = "fail"  # value: the exception to raise


# -- rate-limit pacing ---------------------------------------------------------------------------
class PacingStats:
    """What the rate-limit pacer saw and did (``client.rate_limit_stats``)."""

    __slots__ = ("responses_seen", "paced_calls", "waited_seconds", "throttled", "allowed", "count", "reset")

    def __init__(self) -> None:
        self.responses_seen = 0  # responses that carried inin-ratelimit-* headers
        self.paced_calls = 0  # calls held back until the window reset
        self.waited_seconds = 0.0  # total time calls were held back
        self.throttled = 0  # 429 responses seen nonetheless
        self.allowed: int | None = None  # the last reported allowance,
        self.count: int | None = None  # count
        self.reset: float | None = None  # and seconds to the window's reset

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        return f"PacingStats({', '.join(f'{k}={v!r}' for k, v in self.as_dict().items())})"


class RatePacer:
    """Paces one client's calls from the ``inin-ratelimit-count/allowed/reset`` response headers.

    Shared by every thread and task of the client (a lock guards a few numbers; nothing waits
    while holding it).  Within a window it lets calls go until the allowance is used (counting
    calls still in flight), then holds the rest until the window resets.  The reset time is the
    earliest ``receipt + reset`` seen, which is never before the server's.  Without the headers
    (or when switched off) nothing is paced; a 429 is then the retry policy's business.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.allowed: int | None = None
        self.used = 0  # calls sent in this window (the server's count when it is higher)
        self.window_end: float | None = None  # time.monotonic()
        self.provisional = False  # window_end guessed at a reset, until the window's first answer
        self.window_length = 1.0  # the longest reset seen: a new window's provisional length
        self.probe_started: float | None = None
        self.probing = True  # until the first answer says whether the server reports its limits
        self.stats = PacingStats()

    def reserve(self, now: float) -> float:
        """Take a slot and return 0, or return the seconds to wait before asking again."""
        with self._lock:
            allowed, end = self.allowed, self.window_end
            if allowed is None or end is None:
                # Nothing known yet: the first call goes alone and the others wait for its answer
                # (at most PROBE_WAIT), so a first burst does not run into the limit blind.
                if self.probe_started is None:
                    self.probe_started = now
                elif self.probing and now - self.probe_started < PROBE_WAIT:
                    return 0.01
                self.used += 1
                return 0.0
            if now >= end:  # the window reset: a new one, whose end the next answers tell
                self.used = 0
                self.window_end = end = now + self.window_length
                self.provisional = True
            if self.used < allowed:
                self.used += 1
                return 0.0
            return end - now

    def observe(self, response: RESTResponse, now: float, retry_after: float | None = None) -> bool:
        """Learn from a response; True when it carried rate-limit headers."""
        headers = response.headers
        # urllib3's, aiohttp's and requests' header maps look up case-insensitively; a plain dict
        # from a custom transport may spell the names otherwise (getheader scans it).
        get = response.getheader if type(headers) is dict else headers.get
        allowed = get("inin-ratelimit-allowed")
        self.probing = False
        if allowed is None:
            return False
        try:
            allowed_n = int(allowed)
            count = int(get("inin-ratelimit-count") or 0)
            reset = float(get("inin-ratelimit-reset") or 0)
        except ValueError:
            return False
        end = now + (retry_after if response.status == 429 and retry_after else reset)
        with self._lock:
            stats = self.stats
            stats.responses_seen += 1
            stats.allowed, stats.count, stats.reset = allowed_n, count, reset
            self.allowed = allowed_n
            self.window_length = max(self.window_length, reset)
            current = self.window_end
            if current is None or now >= current:
                self.window_end, self.provisional = end, False
                self.used = max(self.used, count) if current is None else count
            elif self.provisional:
                if count <= self.used:  # an answer of the new window (late answers of the old one count higher)
                    self.window_end, self.provisional = end, False
            else:
                self.window_end = min(current, end)
                self.used = max(self.used, count)  # also counts calls of other processes on this token
            if response.status == 429:
                stats.throttled += 1
                self.used = allowed_n
                self.window_end = max(self.window_end or now, end)
        return True

    def record_wait(self, seconds: float) -> None:
        with self._lock:
            self.stats.paced_calls += 1
            self.stats.waited_seconds += seconds


# -- one call ------------------------------------------------------------------------------------
class Exchange:
    """One call on the wire: the prepared request and the decision after each attempt."""

    __slots__ = ("request", "url", "headers", "encoded", "wire_body", "state", "logger", "secret", "timeouts",
                 "deadline_at", "min_attempt", "max_bytes", "tokens", "configuration", "pacer", "record",
                 "renewed_for")

    def __init__(self, request: Request, base_url: str, default_headers: dict[str, str], cookie: str | None,
                 configuration: Any, timeouts: Timeouts, *, tokens: TokenState | None = None,
                 pacer: RatePacer | None = None, record: Callable[[RESTResponse], None] | None = None) -> None:
        self.request = request
        self.configuration = configuration
        self.url = base_url + request.path
        headers = dict(default_headers)
        headers["Accept-Encoding"] = accept_encoding_for(base_url)
        headers.update(request.headers)
        headers["purecloud-sdk"] = SDK_VERSION
        if cookie:
            check_header("Cookie", cookie)
            headers["Cookie"] = cookie
        self.headers = headers
        encoded = request.encoded
        wire_body = None
        if encoded is None and request.body is not None and not request.post_params:
            body = request.body
            if isinstance(body, (bytes, bytearray)):
                encoded = bytes(body)
            elif isinstance(body, str) and not headers.get("Content-Type", "").endswith("json"):
                encoded = body.encode("utf-8")
            else:
                # Custom HTTP clients see the JSON-ready body (as the official SDK hands them).
                wire_body = to_wire(body)
                encoded = _json.dumps(wire_body)
        self.encoded = encoded
        self.wire_body = wire_body if wire_body is not None else request.body
        self.state = RetryState(request.retry or configuration.retry, request.method)
        self.logger = configuration.logger
        self.secret = request.kind == "login"  # token requests: never log their bodies
        self.timeouts = timeouts
        self.deadline_at = time.monotonic() + timeouts.deadline
        self.min_attempt = min(1.0, timeouts.deadline / 10)  # an attempt that cannot have this long is not made
        self.max_bytes = int(getattr(configuration, "max_response_bytes", 0) or 0)
        self.tokens = tokens
        self.pacer = pacer if request.kind == "api" else None
        self.record = record
        self.renewed_for: list[str] = []

    # -- before each attempt ------------------------------------------------------------
    def begin(self) -> float:
        """0 to send now, else the seconds to wait (rate-limit pacing) before calling again."""
        now = time.monotonic()
        left = self.deadline_at - now
        if left <= 0:
            raise self._deadline_error("starting an attempt")
        pacer = self.pacer
        if pacer is None:
            return 0.0
        wait = pacer.reserve(now)
        if wait > 0:
            if wait + self.min_attempt > left:
                raise self._deadline_error(f"waiting {wait:.1f}s for the rate-limit window to reset")
            pacer.record_wait(wait)
            logger = self.logger
            if logger.enabled(10):
                stats = pacer.stats
                logger.message(10, "pacing %s %s: holding %.2fs for the rate-limit window (%s of %s used)",
                               self.request.method, self.url, wait, stats.count, stats.allowed)
        return wait

    def options(self, token: str) -> HttpRequestOptions:
        """The request as a transport gets it: final headers (the token attached now) and final seconds."""
        if token:
            if "\r" in token or "\n" in token or "\x00" in token:
                raise ValueError("the access token contains CR, LF or NUL characters; refusing to send it")
            self.headers["Authorization"] = "Bearer " + token
        request = self.request
        left = max(self.deadline_at - time.monotonic(), 0.001)
        connect, read = self.timeouts.connect, self.timeouts.read
        options = HttpRequestOptions(url=self.url, method=request.method, headers=self.headers,
                                     query_params=request.query, post_params=request.post_params,
                                     body=self.wire_body if request.post_params is None else None,
                                     encoded_body=self.encoded, timeout=min(read, left) * 1000.0,
                                     timeouts=(min(connect, left), min(read, left)))
        options.deadline_at = self.deadline_at
        options.deadline = self.timeouts.deadline
        options.max_response_bytes = self.max_bytes or None
        return options

    # -- after each attempt ---------------------------------------------------------------
    def _deadline_error(self, during: str, last: BaseException | None = None) -> ApiDeadlineError:
        self.logger.message(30, "%s %s: deadline of %gs reached while %s", self.request.method, self.url,
                            self.timeouts.deadline, during)
        return ApiDeadlineError(self.timeouts.deadline, self.url, during=during, last_error=last)

    def _fits(self, wait: float) -> bool:
        return time.monotonic() + wait + self.min_attempt <= self.deadline_at

    def _renewable(self, status: int, token: str) -> bool:
        """A 401 that a renewal can fix: the call authenticates, the client can renew, and this
        call has not renewed this token already (once per distinct expiry)."""
        tokens = self.tokens
        if (status != 401 or not self.request.auth or tokens is None or token in self.renewed_for
                or len(self.renewed_for) >= MAX_RENEWALS or not tokens.can_renew(self.configuration)):
            return False
        self.renewed_for.append(token)
        self.logger.message(10, "401 on %s %s: renewing the access token and replaying",
                            self.request.method, self.url)
        return True

    def on_error(self, exc: ApiException, token: str) -> tuple[Action, Any]:
        """A transport error (connection, timeout, TLS, limits) or a custom client's raised ApiException."""
        if isinstance(exc, (ApiDeadlineError, ResponseTooLargeError)):
            self.logger.message(30, "%s %s: %s", self.request.method, self.url, exc.reason)
            return Action.FAIL, exc
        if isinstance(exc, ApiConnectionError):
            if isinstance(exc, ApiTimeoutError) and time.monotonic() >= self.deadline_at - 0.005:
                return Action.FAIL, self._deadline_error("waiting for the server", exc)
            wait, why = self.state.for_connection_error(timeout=isinstance(exc, ApiTimeoutError))
            if wait is None:
                self.logger.log_call(self.request.method, self.url, self.headers, self.encoded, None, failed=True,
                                     secret_bodies=self.secret, query=self.request.query)
                return Action.FAIL, exc
            if not self._fits(wait):
                return Action.FAIL, self._deadline_error("retrying", exc)
            self.logger.message(10, "retrying %s %s in %.2fs (attempt %d): %s: %s", self.request.method, self.url,
                                wait, self.state.retries + 2, why, exc.reason)
            self.state.retries += 1
            return Action.RETRY, wait
        if self._renewable(exc.status, token):
            return Action.RENEW, token
        return Action.FAIL, exc

    def on_response(self, raw: Any, token: str) -> tuple[Action, Any]:
        response = as_rest_response(raw)
        status = response.status
        logger = self.logger
        if self.record is not None:
            self.record(response)
        if self.max_bytes and len(response.content) > self.max_bytes:  # a custom transport's whole body
            return Action.FAIL, ResponseTooLargeError(self.max_bytes, "received", self.url, status)
        pacer = self.pacer
        if pacer is not None:
            retry_after = None
            if status == 429:
                retry_after = parse_retry_after(response.getheader("Retry-After"))
            pacer.observe(response, time.monotonic(), retry_after)
        if 200 <= status < 300:
            if logger.enabled(10):
                logger.log_call(self.request.method, self.url, self.headers, self.encoded, status, response.headers,
                                response.content, secret_bodies=self.secret, query=self.request.query)
            return Action.RETURN, response
        if self._renewable(status, token):
            return Action.RENEW, token
        wait, why = self.state.for_status(status, response.getheader("Retry-After"))
        if wait is not None and not self._fits(wait):
            if status != 429:
                return Action.FAIL, self._deadline_error("retrying", ApiException(http_resp=response))
            wait, why = None, f"Retry-After {wait:g}s exceeds the time left before the deadline"
        if wait is not None:
            logger.message(10, "retrying %s %s in %.2fs (attempt %d): %s", self.request.method, self.url, wait,
                           self.state.retries + 2, why)
            self.state.retries += 1
            return Action.RETRY, wait
        logger.log_call(self.request.method, self.url, self.headers, self.encoded, status, response.headers,
                        response.content, failed=True, secret_bodies=self.secret, query=self.request.query)
        if status == 429:
            return Action.FAIL, RateLimitError(response, parse_retry_after(response.getheader("Retry-After")),
                                               why if self.state.retries or "budget" in why or "deadline" in why
                                               else "")
        return Action.FAIL, ApiException(http_resp=response)
