"""Duplicate suppression: the same event must reach callers once, although during a rollover
it may arrive on two channels."""
from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from typing import Any


class Dedup:
    """Drops events already delivered: by ``metadata.CorrelationId`` always, and by
    (topic, body hash) from another channel while a rollover overlap is open (plus a window
    after it), so identical events on one channel outside rollovers still pass."""

    def __init__(self, window: float, max_entries: int = 100_000) -> None:
        self.window = window
        self.max_entries = max_entries
        self.ids: OrderedDict[str, float] = OrderedDict()
        self.bodies: OrderedDict[tuple[str, bytes], tuple[float, str]] = OrderedDict()
        self.overlaps = 0
        self.overlap_until = 0.0

    def _trim(self, now: float) -> None:
        horizon = now - self.window
        ids, bodies = self.ids, self.bodies
        while ids and (next(iter(ids.values())) < horizon or len(ids) > self.max_entries):
            ids.popitem(last=False)
        while bodies and (next(iter(bodies.values()))[0] < horizon or len(bodies) > self.max_entries):
            bodies.popitem(last=False)

    def duplicate(self, raw: dict[str, Any], channel_id: str) -> bool:
        now = time.monotonic()
        self._trim(now)
        meta = raw.get("metadata")
        cid = meta.get("CorrelationId") if isinstance(meta, dict) else None
        if isinstance(cid, str) and cid:
            if cid in self.ids:
                return True
            self.ids[cid] = now
        if self.overlaps > 0 or now < self.overlap_until:
            body = json.dumps(raw.get("eventBody"), sort_keys=True, separators=(",", ":"), default=str)
            key = (raw.get("topicName", ""), hashlib.blake2b(body.encode(), digest_size=16).digest())
            seen = self.bodies.get(key)
            if seen is not None and seen[1] != channel_id:
                return True
            self.bodies[key] = (now, channel_id)
        return False

    def begin_overlap(self) -> None:
        self.overlaps += 1

    def end_overlap(self) -> None:
        self.overlaps = max(0, self.overlaps - 1)
        self.overlap_until = time.monotonic() + self.window

