"""The retry policy: which failures are retried, how long to wait, when to give up."""
from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field, replace
from typing import Any

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclass
class RetryConfiguration:
    """Retry settings (on by default).

    - 429 is retried after its ``Retry-After`` (seconds or an HTTP date;
      ``retry_after_default`` when absent), for every method: the platform did
      not process the request.
    - 502/503/504 and connection errors are retried with exponential backoff and
      jitter, for idempotent methods only unless ``retry_non_idempotent``.
    - A connect or read timeout is retried at most ``max_timeout_retries`` times (default 1):
      each costs a whole timeout, and a server that did not answer twice rarely answers a third.
    - At most ``max_retries`` retries and ``max_retry_time`` seconds in all; a
      Retry-After longer than what is left fails at once, with the wait in the error.
      The call's deadline (``configuration.deadline``, ``_deadline=``) bounds all of it.

    Java SDK mapping: ``maxRetries`` -> ``max_retries``, ``maxRetryTimeSec`` ->
    ``max_retry_time``, ``retryAfterDefaultMs`` -> ``retry_after_default`` (seconds).
    ``RetryConfiguration(max_retries=0)`` (or ``retry=False`` per call) disables retries.
    """

    max_retries: int = 5
    max_retry_time: float = 120.0
    retry_after_default: float = 3.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    retry_non_idempotent: bool = False
    retry_connection_errors: bool = True
    max_timeout_retries: int = 1
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, 502, 503, 504}))

    def __post_init__(self) -> None:
        for name in ("max_retries", "max_timeout_retries", "max_retry_time", "retry_after_default", "backoff_initial", "backoff_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"RetryConfiguration.{name} must be a number >= 0, got {value!r}")
        self.statuses = frozenset(int(s) for s in self.statuses)

    def copy(self, **changes: Any) -> RetryConfiguration:
        return replace(self, **changes)

    # -- decisions (shared by the sync and asyncio clients) -------------------
    def backoff(self, retry_number: int) -> float:
        """Full-jitter exponential backoff for the ``retry_number``-th retry (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_initial * (2 ** (retry_number - 1)))
        return random.uniform(ceiling / 2, ceiling)


NO_RETRY = RetryConfiguration(max_retries=0)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class RetryState:
    """Book-keeping for one call's attempts."""

    policy: RetryConfiguration
    method: str
    started: float = field(default_factory=time.monotonic)
    retries: int = 0
    timeout_retries: int = 0

    def _left(self) -> float:
        return self.policy.max_retry_time - (time.monotonic() - self.started)

    def for_status(self, status: int, retry_after: str | None) -> tuple[float | None, str]:
        """(seconds to wait, reason) for a failed status; wait None means do not retry."""
        policy = self.policy
        if status not in policy.statuses or self.retries >= policy.max_retries:
            return None, "not retryable" if status not in policy.statuses else "retries exhausted"
        if status == 429:
            wait = parse_retry_after(retry_after)
            if wait is None:
                wait = policy.retry_after_default
            if wait > self._left():
                return None, f"Retry-After {wait:g}s exceeds the retry budget ({max(self._left(), 0):.1f}s left)"
            return wait, f"429 Too Many Requests, Retry-After {wait:g}s"
        if self.method not in IDEMPOTENT_METHODS and not policy.retry_non_idempotent:
            return None, f"{self.method} is not idempotent"
        wait = parse_retry_after(retry_after)
        wait = self.policy.backoff(self.retries + 1) if wait is None else wait
        if wait > self._left():
            return None, "retry budget exhausted"
        return wait, f"HTTP {status}"

    def for_connection_error(self, timeout: bool) -> tuple[float | None, str]:
        policy = self.policy
        if not policy.retry_connection_errors or self.retries >= policy.max_retries:
            return None, "retries exhausted"
        if timeout:
            if self.timeout_retries >= policy.max_timeout_retries:
                return None, "timeout retries exhausted"
        if self.method not in IDEMPOTENT_METHODS and not policy.retry_non_idempotent:
            return None, f"{self.method} is not idempotent"
        wait = policy.backoff(self.retries + 1)
        if wait > self._left():
            return None, "retry budget exhausted"
        if timeout:
            self.timeout_retries += 1
            return wait, "timeout"
        return wait, "connection error"
