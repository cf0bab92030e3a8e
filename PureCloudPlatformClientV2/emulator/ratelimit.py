"""Per-token rate limiting, as the platform does it (off unless ``rate_limit`` is set).

Every API response carries ``inin-ratelimit-count`` (calls counted in the current window),
``inin-ratelimit-allowed`` (the allowance) and ``inin-ratelimit-reset`` (whole seconds until the
window resets, rounded up).  A token's window opens with its first call and lasts
``window`` seconds; a call beyond the allowance gets 429 with ``Retry-After`` and the
platform's ``too.many.requests.retry.after`` body, and is not counted.
"""
from __future__ import annotations

import math
import time
from typing import Any, Awaitable, Callable

from aiohttp import web

from .errors import dumps

MAX_TRACKED = 10_000  # tokens remembered at once; windows that ended are dropped beyond it


class RateLimiter:
    def __init__(self, limit: int = 300, window: float = 60.0) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("rate_limit must be >= 1 and rate_limit_window > 0 seconds")
        self.limit = limit
        self.window = window
        self.windows: dict[str, list[float]] = {}  # token -> [window end (monotonic), count]
        self.throttled = 0

    def take(self, token: str, now: float) -> tuple[bool, int, float]:
        """(allowed, count, seconds to the reset) for one call of ``token``."""
        state = self.windows.get(token)
        if state is None or now >= state[0]:
            if state is None and len(self.windows) >= MAX_TRACKED:
                self.windows = {k: v for k, v in self.windows.items() if v[0] > now}
            state = self.windows[token] = [now + self.window, 0]
        if state[1] >= self.limit:
            self.throttled += 1
            return False, int(state[1]), state[0] - now
        state[1] += 1
        return True, int(state[1]), state[0] - now

    def clear(self) -> None:
        self.windows.clear()


def middleware(limiter: RateLimiter, api_prefix: str) -> Any:
    """An aiohttp middleware limiting authenticated calls under ``<api_prefix>/api/v2/``."""
    api_root = api_prefix + "/api/v2/"

    @web.middleware
    async def rate_limit(request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        if not request.path.startswith(api_root) or not auth.lower().startswith("bearer "):
            return await handler(request)
        ok, count, left = limiter.take(auth[7:].strip(), time.monotonic())
        reset = str(max(1, math.ceil(left)))
        headers = {"inin-ratelimit-count": str(count), "inin-ratelimit-allowed": str(limiter.limit),
                   "inin-ratelimit-reset": reset}
        if not ok:
            body = {"message": f"Rate limit exceeded the maximum. Retry the request in [{reset}] seconds",
                    "code": "too.many.requests.retry.after", "status": 429}
            return web.Response(status=429, body=dumps(body), content_type="application/json",
                                headers={**headers, "Retry-After": reset})
        response = await handler(request)
        if not response.prepared:
            response.headers.update(headers)
        return response

    return rate_limit
