"""Notifications for asyncio code: ``AsyncNotificationHandler`` runs on the caller's event loop.

It is the same engine as :class:`~PureCloudPlatformClientV2.notifications.NotificationHandler`
(channels, subscriptions, watchdog, reconnects, rollover, duplicate suppression, parsing);
only the way callers reach it differs. Its REST calls are asyncio I/O: ``NotificationsApiAsync``
on the ``AsyncApiClient`` you pass (see ``notifications.rest`` for a sync ``ApiClient``).
"""
from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from ..notifications.backlog import STOP
from ..notifications.base import Callback, HandlerBase, ModelSpec, log
from ..notifications.events import ChannelInfo, JsonObject, NotificationError, NotificationEvent
from ..notifications.topics import as_topic_list

if TYPE_CHECKING:
    from ..api_client import ApiClient
    from ..notifications.rest import AsyncClientRest
    from .client import AsyncApiClient

__all__ = ["AsyncNotificationHandler", "NotificationEvent", "JsonObject", "ChannelInfo", "NotificationError"]

class AsyncNotificationHandler(HandlerBase):
    """Receive notifications in asyncio code.

    ::

        async with AsyncApiClient(...) as api_client, AsyncNotificationHandler(api_client) as handler:
            await handler.subscribe(f"v2.users.{user_id}.presence", model="PresenceEventUserPresence")
            async for event in handler.events():
                print(event.event_body.presence_definition.system_presence)

    Callbacks may be plain functions or coroutine functions; they run one at a time, in
    arrival order, in a task of their own (a slow callback delays later events, never the
    socket). The options are those of ``NotificationHandler``.

    Channel and subscription calls go through ``NotificationsApiAsync`` on ``api_client`` (an
    ``AsyncApiClient``; None: one on the default configuration, closed at stop). A sync
    ``ApiClient`` works too: its token and settings are used by an ``AsyncApiClient`` the
    handler makes, and it renews the token when the platform refuses it.
    """

    def __init__(self, api_client: AsyncApiClient | ApiClient | None = None, **options: Any) -> None:
        from ..api_client import ApiClient
        from .client import AsyncApiClient
        if api_client is not None and not isinstance(api_client, (AsyncApiClient, ApiClient)):
            raise TypeError(f"AsyncNotificationHandler needs an AsyncApiClient, not {api_client!r}")
        super().__init__(api_client, **options)
        self._changed = asyncio.Event()  # set when the backlog gets an item or closes
        self.backlog.notify = self._changed.set
        self._dispatcher: asyncio.Task[None] | None = None
        self._closed = False

    def _make_rest(self) -> AsyncClientRest:
        from ..notifications.rest import rest_for
        return rest_for(self.api_client)

    async def start(self) -> AsyncNotificationHandler:
        """Create channels for the subscribed topics and connect; returns when every socket is up."""
        if self._closed:
            raise NotificationError("this handler was stopped; create a new one")
        if self._engine is not None:
            return self
        self._dispatcher = asyncio.ensure_future(self._dispatch())
        self._engine = self._new_engine()
        try:
            await self._engine.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def stop(self) -> None:
        """Close sockets, drop subscriptions (``delete_subscriptions_on_stop``); iteration ends."""
        if self._closed:
            return
        self._closed = True
        if self._engine is not None:
            try:
                await self._engine.stop()
            except Exception:
                log.warning("notifications: stopping the engine failed", exc_info=True)
        self.backlog.close()  # the dispatcher ends after the callbacks already queued
        if self._dispatcher is not None and self._dispatcher is not asyncio.current_task():
            await asyncio.gather(self._dispatcher, return_exceptions=True)

    async def __aenter__(self) -> AsyncNotificationHandler:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return self._engine is not None and not self._closed

    async def subscribe(self, topics: str | Iterable[str], callback: Callback | None = None, *,
                        model: ModelSpec = None, wait: bool = True) -> None:
        """As ``NotificationHandler.subscribe``: validated, batched per channel; after start it
        returns when the subscriptions are in place and new channels are connected."""
        names = as_topic_list(topics)
        self._register(names, callback, model)
        await self._apply(wait)

    async def unsubscribe(self, topics: str | Iterable[str], *, wait: bool = True) -> None:
        self._unregister(as_topic_list(topics))
        await self._apply(wait)

    async def _apply(self, wait: bool) -> None:
        if not self.running:
            return
        assert self._engine is not None
        if wait:
            await self._engine.sync()
        else:
            asyncio.ensure_future(self._engine.sync(wait=False))

    # -- events ------------------------------------------------------------------------------
    async def _wait_change(self, timeout: float | None) -> None:
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    async def _dispatch(self) -> None:
        backlog = self.backlog
        while True:
            item = backlog.take_call(0)
            if item is None:
                await self._wait_change(None)
                continue
            if item is STOP:
                return
            if isinstance(item, tuple):
                await _settle(self._run_state_callback(*item))
                continue
            for result in self._run_callbacks(item, self._callbacks_for(item.topic_name)):
                await _settle(result)
            self._delivered(backlog.done())

    async def next_event(self, timeout: float | None = None) -> NotificationEvent:
        """The next queued event; TimeoutError after ``timeout`` s, NotificationError once stopped."""
        if self._engine is None and not self._closed:
            raise NotificationError("the handler is not running")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            item, episode_ended = self.backlog.take_queued(0)
            if item is STOP:
                raise NotificationError("the handler was stopped")
            if item is not None:
                self._delivered(episode_ended)
                return item  # type: ignore[no-any-return]
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"no notification within {timeout}s")
            await self._wait_change(remaining)

    async def events(self, timeout: float | None = None) -> AsyncIterator[NotificationEvent]:
        """``async for`` over queued events; ends when none arrives within ``timeout`` s (None:
        wait forever) or the handler stops."""
        while True:
            try:
                yield await self.next_event(timeout)
            except (TimeoutError, NotificationError):
                return


async def _settle(result: Any) -> None:
    """Await what an async callback returned; its errors are logged, never raised."""
    if inspect.isawaitable(result):
        try:
            await result
        except Exception:
            log.exception("notification callback failed")
