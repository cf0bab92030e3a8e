"""The backlog: events received and not yet delivered, bounded, with an explicit overflow policy.

Events wait in two queues, each in arrival order: ``calls`` for the dispatcher (events that
have callbacks, plus state changes, which are neither counted nor dropped) and ``queued`` for
``events()`` / ``next_event()``. ``pending`` counts the events put and not yet delivered,
including the one a callback is running on; it is the number ``queue_size`` bounds.

When it reaches ``queue_size``:
- ``pause`` (default): the engine stops reading the sockets until the consumers have caught up
  to half the size; the events wait in the network buffers and on the server. Nothing is lost
  unless the server gives up on the socket.
- ``drop_oldest``: the oldest undelivered event is dropped to make room.
- ``drop_newest``: the arriving event is dropped.
Every drop is counted (``stats["dropped"]``); the first one logs a warning.

Thread-safe: the engine puts on its loop; consumers take from threads (the threaded front
blocks on ``cond``) or from tasks on the same loop (the asyncio front polls after ``notify``).
"""
from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

OVERFLOW_POLICIES = ("pause", "drop_oldest", "drop_newest")
STOP = object()  # what a take returns once the backlog is closed and empty


class Backlog:
    def __init__(self, size: int, overflow: str) -> None:
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"queue_size must be a positive int, not {size!r}")
        if overflow not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow must be one of {', '.join(OVERFLOW_POLICIES)}, not {overflow!r}")
        self.size = size
        self.overflow = overflow
        self.low = size // 2  # a paused reader resumes, and an overflow episode ends, at this level
        self.cond = threading.Condition()
        self.calls: deque[tuple[int, Any]] = deque()  # (sequence, event) or (-1, state item)
        self.queued: deque[tuple[int, Any]] = deque()
        self.pending = 0
        self.dropped = 0
        self.closed = False
        self.in_episode = False  # full since it was last at the low level
        self.want_room = False  # a paused reader waits for ``on_room``
        self.began_episode = False  # the last must_pause() began an overflow episode
        self.on_room: Callable[[], None] | None = None  # set by the engine: wakes a paused reader
        self.notify: Callable[[], None] | None = None  # set by the asyncio front: something to take
        self._seq = itertools.count()

    # -- engine side ---------------------------------------------------------------------------
    def put_event(self, event: Any, for_callbacks: bool) -> tuple[Any, bool]:
        """Add an event; returns (the event dropped or None, whether an overflow episode began)."""
        with self.cond:
            dropped = None
            began = False
            if self.pending >= self.size:
                began = not self.in_episode
                self.in_episode = True
                if self.overflow == "drop_newest":
                    dropped = event
                elif self.overflow == "drop_oldest":
                    dropped = self._pop_oldest()
                if dropped is not None:
                    self.dropped += 1
            if dropped is not event:
                item = (next(self._seq), event)
                (self.calls if for_callbacks else self.queued).append(item)
                self.pending += 1
            self.cond.notify_all()
        if self.notify is not None:
            self.notify()
        return dropped, began

    def _pop_oldest(self) -> Any:
        """The oldest event still waiting (not the one a callback is running on); if none is
        waiting, nothing is dropped here and the caller's event is (``None`` means keep it)."""
        first_call = next((i for i, (seq, _) in enumerate(self.calls) if seq >= 0), None)
        head_queued = self.queued[0][0] if self.queued else None
        if first_call is None and head_queued is None:
            return None
        if first_call is not None and (head_queued is None or self.calls[first_call][0] < head_queued):
            event = self.calls[first_call][1]
            del self.calls[first_call]
        else:
            event = self.queued.popleft()[1]
        self.pending -= 1
        return event

    def put_state(self, item: Any) -> None:
        with self.cond:
            self.calls.append((-1, item))
            self.cond.notify_all()
        if self.notify is not None:
            self.notify()

    def must_pause(self) -> bool:
        """For the engine before it reads a message: True when the policy is ``pause`` and the
        backlog is full; the reader then waits for ``on_room``."""
        if self.overflow != "pause":
            return False
        with self.cond:
            if self.pending < self.size or self.closed:
                return False
            self.want_room = True
            self.began_episode = not self.in_episode
            self.in_episode = True
            return True

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        if self.notify is not None:
            self.notify()
        if self.on_room is not None:
            self.on_room()

    # -- consumer side -------------------------------------------------------------------------
    def take_call(self, timeout: float | None = None) -> Any:
        """The next item for the dispatcher (waits up to ``timeout``; None: nothing yet, STOP:
        closed). An event taken here stays pending until :meth:`done`."""
        with self.cond:
            if not self.cond.wait_for(lambda: self.calls or self.closed, timeout):
                return None
            if self.calls:
                return self.calls.popleft()[1]
            return STOP

    def done(self) -> bool:
        """A callback event was delivered; True when an overflow episode ended with it."""
        with self.cond:
            self.pending -= 1
            return self._released()

    def take_queued(self, timeout: float | None = None) -> tuple[Any, bool]:
        """(the next event for ``events()``, whether an overflow episode ended); (None, False)
        after ``timeout``; (STOP, False) once closed."""
        with self.cond:
            if not self.cond.wait_for(lambda: self.queued or self.closed, timeout):
                return None, False
            if not self.queued:
                return STOP, False
            event = self.queued.popleft()[1]
            self.pending -= 1
            return event, self._released()

    def _released(self) -> bool:
        if self.pending > self.low:
            return False
        if self.want_room:
            self.want_room = False
            if self.on_room is not None:
                self.on_room()
        ended = self.in_episode
        self.in_episode = False
        return ended
