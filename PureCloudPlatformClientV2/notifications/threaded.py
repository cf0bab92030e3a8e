"""``NotificationHandler``: the notifications engine for threaded code (its own asyncio loop on
a daemon thread, callbacks on a dispatcher thread)."""
from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .backlog import STOP
from .base import Callback, HandlerBase, ModelSpec, log
from .events import NotificationError, NotificationEvent
from .rest import SyncClientRest
from .topics import as_topic_list

if TYPE_CHECKING:
    from ..api_client import ApiClient
    from .engine import Engine

class NotificationHandler(HandlerBase):
    """Receive notifications from threaded code.

    ::

        handler = NotificationHandler(api_client)
        handler.subscribe(f"v2.users.{user_id}.presence", on_presence, model="PresenceEventUserPresence")
        handler.start()
        ...
        handler.stop()

    The WebSocket work runs on an asyncio loop in a daemon thread; callbacks run one at a time,
    in arrival order, on a dispatcher thread (a slow callback delays later events, never the
    socket). Events of topics without a callback are queued for :meth:`events` and
    :meth:`next_event`. At most ``queue_size`` events wait (for callbacks and the queue
    together); what happens beyond is the ``overflow`` policy: ``"pause"`` (default: stop
    reading the sockets until the consumers catch up, nothing lost), ``"drop_oldest"`` or
    ``"drop_newest"`` (counted in ``stats["dropped"]``, the first logged as a warning).

    Options (keywords): ``heartbeat_timeout`` (s without any message before reconnecting, 75),
    ``ping_interval`` (s between pings, 30; None for none), ``channel_lifetime`` (s, 24 h) and
    ``rollover_margin`` (how long before expiry a channel is replaced, 15 min, at most half
    the lifetime), ``max_topics_per_channel`` (1,000), ``max_channels`` (20), ``reconnect_delay``
    and ``reconnect_delay_max`` (backoff, 0.5 s doubling up to 30 s, with jitter),
    ``connect_timeout`` (15 s), ``dedup_window`` (60 s), ``queue_size`` (10,000), ``overflow``,
    ``delete_subscriptions_on_stop`` (True) and ``on_state_change(state, detail)``.
    """

    def __init__(self, api_client: ApiClient | None = None, **options: Any) -> None:
        from ..api_client import ApiClient
        if api_client is None:
            api_client = ApiClient()
        elif not isinstance(api_client, ApiClient):
            raise TypeError(f"NotificationHandler needs an ApiClient, not {api_client!r} "
                            "(an AsyncApiClient goes with AsyncNotificationHandler)")
        super().__init__(api_client, **options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._dispatcher: threading.Thread | None = None
        self._closed = False

    def _make_rest(self) -> SyncClientRest:
        return SyncClientRest(self.api_client)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, timeout: float | None = None) -> NotificationHandler:
        """Create channels for the subscribed topics and connect; returns when every socket is up."""
        if self._closed:
            raise NotificationError("this handler was stopped; create a new one")
        if self._thread is not None:
            return self
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

        self._thread = threading.Thread(target=run, name="genesys-notifications", daemon=True)
        self._thread.start()
        ready.wait()
        self._dispatcher = threading.Thread(target=self._dispatch, name="genesys-notifications-callbacks",
                                            daemon=True)
        self._dispatcher.start()
        self._engine = self._new_engine_on_loop()
        try:
            self._call(self._engine.start(), timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _new_engine_on_loop(self) -> Engine:
        async def make() -> Engine:
            return self._new_engine()
        return self._call(make(), None)  # type: ignore[no-any-return]

    def _call(self, coro: Awaitable[Any], timeout: float | None) -> Any:
        if self._loop is None:
            raise NotificationError("the handler is not running")
        future: concurrent.futures.Future[Any] = asyncio.run_coroutine_threadsafe(
            coro, self._loop)  # type: ignore[arg-type]
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def stop(self, timeout: float = 30.0) -> None:
        """Close sockets, drop subscriptions (``delete_subscriptions_on_stop``) and end the threads;
        a running :meth:`events` iteration ends."""
        if self._closed:
            return
        self._closed = True
        loop, engine = self._loop, self._engine
        if loop is not None and engine is not None:
            try:
                self._call(engine.stop(), timeout)
            except Exception:
                log.warning("notifications: stopping the engine failed", exc_info=True)
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout)
        self.backlog.close()  # the dispatcher ends after the callbacks already queued
        if self._dispatcher is not None and self._dispatcher is not threading.current_thread():
            self._dispatcher.join(timeout)

    def __enter__(self) -> NotificationHandler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._closed

    # -- subscriptions -----------------------------------------------------------------------
    def subscribe(self, topics: str | Iterable[str], callback: Callback | None = None, *,
                  model: ModelSpec = None, wait: bool = True, timeout: float | None = None) -> None:
        """Subscribe to one topic or many (validated; sent in one request per channel).

        ``callback(event)`` is called for events of these topics; without one they go to
        :meth:`events`. ``model`` (a generated model class or its name) parses event bodies.
        Before :meth:`start` this only records the topics. After it, the call returns when the
        subscriptions are in place and any new channel is connected (``wait=False``: at once;
        changes from many calls are then sent together).
        """
        names = as_topic_list(topics)
        self._register(names, callback, model)
        if self.running:
            self._apply(wait, timeout)

    def unsubscribe(self, topics: str | Iterable[str], *, wait: bool = True, timeout: float | None = None) -> None:
        """Remove topics (and the callbacks and models given with them)."""
        self._unregister(as_topic_list(topics))
        if self.running:
            self._apply(wait, timeout)

    def _apply(self, wait: bool, timeout: float | None) -> None:
        engine = self._engine
        assert engine is not None and self._loop is not None
        if wait:
            self._call(engine.sync(), timeout)
        else:
            asyncio.run_coroutine_threadsafe(engine.sync(wait=False), self._loop)

    # -- events ------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        backlog = self.backlog
        while True:
            item = backlog.take_call()
            if item is STOP:
                return
            if isinstance(item, tuple):
                self._run_state_callback(*item)
                continue
            self._run_callbacks(item, self._callbacks_for(item.topic_name))
            self._delivered(backlog.done())

    def next_event(self, timeout: float | None = None) -> NotificationEvent:
        """The next queued event; TimeoutError after ``timeout`` s, NotificationError once stopped."""
        item, episode_ended = self.backlog.take_queued(timeout)
        if item is None:
            raise TimeoutError(f"no notification within {timeout}s")
        if item is STOP:
            raise NotificationError("the handler was stopped")
        self._delivered(episode_ended)
        return item  # type: ignore[no-any-return]

    def events(self, timeout: float | None = None) -> Iterator[NotificationEvent]:
        """Iterate over queued events; ends when none arrives within ``timeout`` s (None: wait
        forever) or the handler stops."""
        while True:
            try:
                yield self.next_event(timeout)
            except (TimeoutError, NotificationError):
                return
