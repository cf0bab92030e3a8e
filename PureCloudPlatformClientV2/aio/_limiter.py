"""A first-come-first-served limit on concurrent requests, for one event loop.

aiohttp's connector hands a freed connection to whichever waiter its internals pick, so under
load some tasks starve while others loop.  Here a freed slot passes straight to the oldest
waiter (the releasing task cannot take it back ahead of the queue), so no call waits more
than its turn.
"""
from __future__ import annotations

import asyncio
import collections
from typing import Any


class FifoLimiter:
    """``async with limiter:`` runs at most ``limit`` bodies at once, in arrival order."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self, timeout: float | None = None) -> None:
        """Wait for a slot; ``asyncio.TimeoutError`` after ``timeout`` seconds in the queue."""
        if self.active < self.limit and not self._waiters:
            self.active += 1
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(timeout, _expire, waiter) if timeout is not None else None
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # the slot was handed over just as we were cancelled: pass it on
            else:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot moves to the oldest waiter; ``active`` is unchanged
                return
        self.active -= 1

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: Any) -> None:
        self.release()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(asyncio.TimeoutError())
