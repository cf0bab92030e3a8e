"""Fault injection: rules matched per request, before the normal handler runs.

A rule says what goes wrong (``kind``), where (an fnmatch pattern over the path without
gateway prefix, an optional method, an optional operation name) and how often (``times``;
None = until removed). Kinds:

- a status code (429, 500, 502, 503, 504, ...): answered in the platform's error shape;
  429 carries ``Retry-After``;
- ``latency``: wait ``delay`` seconds, then answer normally;
- ``reset``: drop the TCP connection (RST) without an answer;
- ``truncate``: announce a Content-Length, send part of the body, close;
- ``stall``: send nothing for ``delay`` seconds (default: until the emulator stops);
- ``expire_tokens``: expire every issued access token, then answer normally (a 401 for
  the request itself).
"""
from __future__ import annotations

import fnmatch
import itertools
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("status", "latency", "reset", "truncate", "stall", "expire_tokens")
_ids = itertools.count(1)


@dataclass
class Fault:
    kind: str
    route: str | None = None
    method: str | None = None
    operation: str | None = None
    status: int | None = None
    times: int | None = None
    retry_after: int | None = 1
    delay: float = 0.0
    id: int = 0
    hits: int = 0

    def matches(self, method: str, path: str, operation: str | None) -> bool:
        if self.method and self.method != method:
            return False
        if self.operation and self.operation != operation:
            return False
        return self.route is None or fnmatch.fnmatchcase(path, self.route)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_fault(kind: str | int, route: str | None = None, *, method: str | None = None,
               operation: str | None = None, status: int | None = None, times: int | None = None,
               retry_after: int | None = 1, delay: float = 0.0) -> Fault:
    """Normalise the arguments of a fault; ``kind`` may be a status code such as 429 or "503"."""
    kind_text = str(kind).strip().lower()
    if kind_text.isdigit():
        status, kind_text = int(kind_text), "status"
    if kind_text not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected a status code or one of {', '.join(KINDS[1:])}")
    if kind_text == "status" and status is None:
        raise ValueError("a status fault needs a status code")
    if kind_text == "expire_tokens" and times is None:
        times = 1  # expiring every token on every request would make the emulator useless
    return Fault(kind=kind_text, route=route or None, method=method.upper() if method else None,
                 operation=operation, status=status, times=times, retry_after=retry_after, delay=float(delay),
                 id=next(_ids))


def parse_fault(text: str) -> Fault:
    """Parse the CLI form ``KIND[@[METHOD ]PATH_GLOB][,key=value...]``.

    Examples: ``429``, ``503@/api/v2/users*,times=2``, ``latency@/api/v2/*,delay=0.2``,
    ``reset@POST /oauth/token,times=1``, ``429@/api/v2/users,retry_after=3``.
    """
    head, *options = [part.strip() for part in text.split(",")]
    kind, _, where = head.partition("@")
    method = None
    route = where.strip() or None
    if route and " " in route:
        method, route = route.split(None, 1)
    kwargs: dict[str, Any] = {}
    for opt in options:
        key, sep, value = opt.partition("=")
        if not sep:
            raise ValueError(f"fault option {opt!r} is not key=value")
        key = key.strip()
        if key in ("times", "retry_after", "status"):
            kwargs[key] = int(value)
        elif key == "delay":
            kwargs[key] = float(value)
        elif key in ("operation", "method"):
            kwargs[key] = value.strip()
        else:
            raise ValueError(f"unknown fault option {key!r}")
    kwargs.setdefault("method", method)
    return make_fault(kind, route, **kwargs)


class FaultSet:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        before = len(self.faults)
        self.faults = [f for f in self.faults if f.id != fault_id]
        return len(self.faults) != before

    def clear(self) -> None:
        self.faults.clear()

    def take(self, method: str, path: str, operation: str | None) -> Fault | None:
        """The first matching rule, with its use counted (and dropped when used up)."""
        for fault in self.faults:
            if fault.matches(method, path, operation):
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None
