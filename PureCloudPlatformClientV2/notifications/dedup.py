"""Duplicate suppression: during a rollover the same event may arrive on two channels; callers
must see it once, and distinct events must never be merged.

The rule, in order:
1. Identity. An event that carries ``metadata.CorrelationId`` is that id; one without it but
   whose body has an entity ``id`` and ``version`` is (topic, id, version). An identity seen in
   the last ``window`` seconds is a duplicate, whatever the channel.
2. Last resort, for events without identity: the body. Only while a rollover overlap is open
   and ``body_window`` seconds after it, and only across channels: for each (topic, body) the
   handler counts copies per channel and delivers a copy only when its channel has seen more of
   them than any other channel. Distinct events with equal bodies on one channel all pass.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from typing import Any

BODY_WINDOW = 5.0


def identity(raw: dict[str, Any]) -> str | None:
    """The event's identity (see the module docs), or None."""
    meta = raw.get("metadata")
    cid = meta.get("CorrelationId") if isinstance(meta, dict) else None
    if isinstance(cid, str) and cid:
        return "c\0" + cid
    body = raw.get("eventBody")
    if isinstance(body, dict):
        entity, version = body.get("id"), body.get("version")
        if isinstance(entity, str) and entity and isinstance(version, (int, str)) and not isinstance(version, bool):
            return f"e\0{raw.get('topicName', '')}\0{entity}\0{version}"
    return None


class Dedup:
    def __init__(self, window: float, body_window: float = BODY_WINDOW, max_entries: int = 100_000) -> None:
        self.window = window
        self.body_window = min(body_window, window)
        self.max_entries = max_entries  # bounds memory whatever the event rate
        self.ids: OrderedDict[str, float] = OrderedDict()
        self.bodies: OrderedDict[tuple[str, bytes], tuple[float, dict[str, int]]] = OrderedDict()
        self.overlaps = 0
        self.overlap_until = 0.0

    def _trim(self, now: float) -> None:
        ids, bodies = self.ids, self.bodies
        horizon = now - self.window
        while ids and (next(iter(ids.values())) < horizon or len(ids) > self.max_entries):
            ids.popitem(last=False)
        horizon = now - self.body_window
        while bodies and (next(iter(bodies.values()))[0] < horizon or len(bodies) > self.max_entries):
            bodies.popitem(last=False)

    def duplicate(self, raw: dict[str, Any], channel_id: str) -> bool:
        now = time.monotonic()
        self._trim(now)
        key = identity(raw)
        if key is not None:
            if key in self.ids:
                return True
            self.ids[key] = now
            return False
        if self.overlaps == 0 and now >= self.overlap_until:
            return False
        body = json.dumps(raw.get("eventBody"), sort_keys=True, separators=(",", ":"), default=str)
        body_key = (raw.get("topicName", ""), hashlib.blake2b(body.encode(), digest_size=16).digest())
        entry = self.bodies.pop(body_key, None)
        counts = entry[1] if entry is not None else {}
        mine = counts.get(channel_id, 0) + 1
        counts[channel_id] = mine
        self.bodies[body_key] = (now, counts)  # moved to the end: trimmed by its latest copy
        return mine <= max((n for ch, n in counts.items() if ch != channel_id), default=0)

    def begin_overlap(self) -> None:
        self.overlaps += 1

    def end_overlap(self) -> None:
        self.overlaps = max(0, self.overlaps - 1)
        self.overlap_until = time.monotonic() + self.body_window
