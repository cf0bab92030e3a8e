"""The engine: channels, subscriptions, one WebSocket per channel, watchdog, reconnects and
rollover, on one asyncio loop. The fronts (threaded ``NotificationHandler``, asyncio
``AsyncNotificationHandler``) own it and receive its events and state changes."""
from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .base import log
from .dedup import Dedup
from .events import ChannelInfo, NotificationError
from .tls import websocket_ssl
from .topics import HEARTBEAT_TOPIC, SOCKET_CLOSING_TOPIC, TOKEN_REVOKED_PREFIX, expand_topic

if TYPE_CHECKING:
    from .base import HandlerBase


class ChannelGone(Exception):
    """The channel no longer exists (404): a new one is needed."""


class Conn:
    """One notification channel and its socket."""

    def __init__(self, channel: Any, lifetime: float, margin: float) -> None:
        self.id: str = channel.id
        self.connect_uri: str = channel.connect_uri
        self.created = time.monotonic()
        horizon = lifetime
        expires = getattr(channel, "expires", None)
        if expires is not None and hasattr(expires, "timestamp"):
            horizon = min(horizon, max(0.0, expires.timestamp() - time.time()))
        self.rollover_at = self.created + horizon - min(margin, horizon * 0.5)
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.watchdog: asyncio.Task[None] | None = None
        self.last_seen = self.created
        self.first_message = asyncio.Event()
        self.pong = asyncio.Event()
        self.notice = asyncio.Event()  # socket_closing or token revoked: roll over
        self.ended = asyncio.Event()  # the socket is gone
        self.end_reason = ""
        self.retired = False
        self.paused = False  # the reader waits for room in the backlog (overflow "pause")


class Slot:
    """A share of the topics that lives on one channel (and on two during a rollover)."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.topics: dict[str, None] = {}
        self.weight = 0
        self.conn: Conn | None = None  # the channel whose socket delivers events
        self.conns: list[Conn] = []  # every channel holding these subscriptions (2 during a rollover)
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None


class Engine:
    def __init__(self, handler: HandlerBase) -> None:
        self.handler = handler
        self.options = handler.options
        self.stats = handler.stats
        self.slots: list[Slot] = []
        self.ops = asyncio.Lock()  # subscription changes and channel creation, one at a time
        self.dedup = Dedup(self.options.dedup_window)
        self.session: Any = None
        self.ssl: Any = True
        self.proxy: str | None = None
        self.proxy_headers: dict[str, str] | None = None  # never logged: it holds the proxy password
        self.stopping = False
        self.room = asyncio.Event()  # set when a paused reader may read again
        self.loop = asyncio.get_running_loop()
        handler.backlog.on_room = self._wake_reader
        self._slot_ids = itertools.count()
        self.rest: Any = None  # see .rest: made at start, closed at stop

    def _wake_reader(self) -> None:
        """A consumer made room (any thread): a paused reader goes on."""
        try:
            self.loop.call_soon_threadsafe(self.room.set)
        except RuntimeError:  # the loop has ended: nobody is paused
            pass

    # -- plumbing ---------------------------------------------------------------------------
    async def _rest(self, name: str, *args: Any) -> Any:
        return await self.rest.call(name, *args)

    def _state(self, state: str, **detail: Any) -> None:
        log.debug("notifications: %s %s", state, detail)
        self.handler._emit_state(state, detail)

    def snapshot(self) -> list[ChannelInfo]:
        now = time.monotonic()
        out = []
        for slot in list(self.slots):
            for conn in list(slot.conns):
                out.append(ChannelInfo(conn.id, conn.connect_uri, len(slot.topics),
                                       conn.ws is not None and not conn.ended.is_set(), now - conn.created))
        return out

    def _topics_payload(self, topics: Iterable[str]) -> list[Any]:
        from ..models import ChannelTopic
        items = []
        for topic in topics:
            item = ChannelTopic()
            item.id = topic
            items.append(item)
        return items

    # -- start / stop -----------------------------------------------------------------------
    async def start(self) -> None:
        import aiohttp

        self.rest = self.handler._make_rest()
        config = self.rest.configuration
        self.ssl = websocket_ssl(config)
        from .._transport_config import proxy_for
        proxy = proxy_for(config)  # the same proxy setup as the REST transports
        if proxy is not None:
            self.proxy, self.proxy_headers = proxy.url, proxy.headers
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.options.connect_timeout))
        await self.sync()

    async def stop(self) -> None:
        self.stopping = True
        tasks = [slot.task for slot in self.slots if slot.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        conns = [conn for slot in self.slots for conn in slot.conns]
        await asyncio.gather(*(self._retire(conn, delete=self.options.delete_subscriptions_on_stop)
                               for conn in conns), return_exceptions=True)
        self.slots.clear()
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self.rest is not None:
            await self.rest.close()

    # -- subscriptions ----------------------------------------------------------------------
    async def sync(self, wait: bool = True) -> None:
        """Make the channels' subscriptions match the wanted topics; with ``wait``, return when
        every new channel has its socket up."""
        async with self.ops:
            new_slots = await self._reconcile()
        if wait:
            for slot in new_slots:
                await self._wait_ready(slot)

    async def _wait_ready(self, slot: Slot) -> None:
        if slot.ready.is_set():
            return
        waiter = asyncio.ensure_future(slot.ready.wait())
        await asyncio.wait({waiter, slot.task} if slot.task else {waiter}, timeout=self.options.connect_timeout * 2,
                           return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not slot.ready.is_set():
            if slot.error is not None:
                raise NotificationError(f"channel could not connect: {slot.error}") from slot.error
            raise NotificationError("channel socket did not come up in time (still retrying)")

    async def _reconcile(self) -> list[Slot]:
        handler = self.handler
        with handler._lock:
            wanted = dict(handler._wanted)
        limit = self.options.max_topics_per_channel
        # Removals: PUT the remaining topics (DELETE when none are left) on each affected channel.
        for slot in list(self.slots):
            gone = [t for t in slot.topics if t not in wanted]
            if not gone:
                continue
            for topic in gone:
                del slot.topics[topic]
                slot.weight -= len(expand_topic(topic))
            if not slot.topics:
                await self._drop_slot(slot)
                continue
            for conn in list(slot.conns):
                await self._put(conn, slot)
        # Additions: first fit into channels with room, then new channels.
        placed = {t for slot in self.slots for t in slot.topics}
        adds: dict[Slot, list[str]] = {}
        new_slots: list[Slot] = []
        for topic in wanted:
            if topic in placed:
                continue
            weight = len(expand_topic(topic))
            room = next((s for s in self.slots if s.weight + weight <= limit), None)
            if room is not None:
                slot = room
            else:
                if len(self.slots) >= self.options.max_channels:
                    with handler._lock:
                        handler._wanted.pop(topic, None)
                    raise NotificationError(f"no room for {topic!r}: {self.options.max_channels} channels are full")
                slot = Slot(next(self._slot_ids))
                self.slots.append(slot)
                new_slots.append(slot)
            slot.topics[topic] = None
            slot.weight += weight
            if slot not in new_slots:
                adds.setdefault(slot, []).append(topic)
        for slot, topics in adds.items():
            try:
                for conn in list(slot.conns):
                    await self._post(conn, topics)
            except BaseException:
                self._forget(slot, topics)
                raise
        for slot in new_slots:
            try:
                conn = await self._create_channel(slot)
            except BaseException:
                self._forget(slot, list(slot.topics))
                self.slots.remove(slot)
                raise
            slot.conn = conn
            slot.task = asyncio.ensure_future(self._supervise(slot))
        return new_slots

    def _forget(self, slot: Slot, topics: list[str]) -> None:
        """Subscribing failed: the topics are not wanted any more (the caller gets the error)."""
        with self.handler._lock:
            for topic in topics:
                self.handler._wanted.pop(topic, None)
        for topic in topics:
            if slot.topics.pop(topic, 0) is None:
                slot.weight -= len(expand_topic(topic))

    async def _put(self, conn: Conn, slot: Slot) -> None:
        try:
            await self._rest("put_notifications_channel_subscriptions", conn.id, self._topics_payload(slot.topics))
        except Exception as exc:
            if getattr(exc, "status", None) != 404:
                raise
            conn.notice.set()  # the channel is gone: the supervisor moves the topics to a new one

    async def _post(self, conn: Conn, topics: list[str]) -> None:
        try:
            await self._rest("post_notifications_channel_subscriptions", conn.id, self._topics_payload(topics))
        except Exception as exc:
            if getattr(exc, "status", None) != 404:
                raise
            conn.notice.set()

    async def _create_channel(self, slot: Slot) -> Conn:
        channel = await self._rest("post_notifications_channels")
        conn = Conn(channel, self.options.channel_lifetime, self.options.rollover_margin)
        self.stats["channels_created"] += 1
        slot.conns.append(conn)
        try:
            await self._rest("put_notifications_channel_subscriptions", conn.id, self._topics_payload(slot.topics))
        except BaseException:
            slot.conns.remove(conn)
            raise
        self._state("channel_created", channel_id=conn.id, topics=len(slot.topics))
        return conn

    async def _drop_slot(self, slot: Slot) -> None:
        self.slots.remove(slot)
        if slot.task is not None:
            slot.task.cancel()
            await asyncio.gather(slot.task, return_exceptions=True)
        for conn in list(slot.conns):
            await self._retire(conn, delete=True)
        slot.conns.clear()

    # -- sockets ----------------------------------------------------------------------------
    async def _connect(self, conn: Conn) -> None:
        """Open the socket and wait until the server answers (our ping's pong, or any message),
        so the channel is known to deliver before anything relies on it."""
        import aiohttp

        conn.first_message.clear()
        conn.ended.clear()
        conn.end_reason = ""
        try:
            ws = await asyncio.wait_for(
                self.session.ws_connect(conn.connect_uri, autoping=True, heartbeat=None, ssl=self.ssl,
                                        proxy=self.proxy, proxy_headers=self.proxy_headers, max_msg_size=16 << 20,
                                        timeout=aiohttp.ClientWSTimeout(ws_close=5.0)),
                self.options.connect_timeout)
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status in (403, 404, 410):
                raise ChannelGone(conn.id) from exc
            raise
        conn.ws = ws
        conn.last_seen = time.monotonic()
        conn.reader = asyncio.ensure_future(self._read(conn))
        conn.watchdog = asyncio.ensure_future(self._watch(conn))
        await self._send_ping(conn)
        waiter = asyncio.ensure_future(conn.first_message.wait())
        ended = asyncio.ensure_future(conn.ended.wait())
        await asyncio.wait({waiter, ended}, timeout=self.options.connect_timeout,
                           return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        ended.cancel()
        if not conn.first_message.is_set():
            await self._close_socket(conn, "no answer after connecting")
            raise ConnectionError(f"channel {conn.id}: no message after connecting")
        self.stats["connects"] += 1

    async def _send_ping(self, conn: Conn) -> None:
        ws = conn.ws
        if ws is not None and not ws.closed:
            try:
                await ws.send_str('{"message":"ping"}')
            except (ConnectionError, RuntimeError):
                pass

    async def _read(self, conn: Conn) -> None:
        import aiohttp

        ws = conn.ws
        reason = "closed by server"
        try:
            while True:
                # A new socket reads its first message (our ping's pong) even when the backlog
                # is full: the connect waits for it, and a failed connect would cost a channel.
                if conn.first_message.is_set() and self.handler.backlog.must_pause():
                    await self._pause(conn)
                msg = await ws.receive()
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self._on_text(conn, msg.data)
                elif msg.type == aiohttp.WSMsgType.BINARY:
                    self._on_text(conn, msg.data.decode("utf-8", "replace"))
                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                    break
                elif msg.type == aiohttp.WSMsgType.ERROR:
                    reason = f"socket error: {ws.exception()!r}"
                    break
        except asyncio.CancelledError:
            reason = conn.end_reason or "cancelled"
            raise
        except Exception as exc:
            reason = f"read failed: {exc!r}"
        finally:
            conn.end_reason = conn.end_reason or reason
            conn.ended.set()
            if conn.watchdog is not None:
                conn.watchdog.cancel()

    def _on_text(self, conn: Conn, text: str) -> None:
        conn.last_seen = time.monotonic()
        try:
            raw = json.loads(text)
        except ValueError:
            log.warning("notifications: ignoring a message that is not JSON on channel %s", conn.id)
            return
        conn.first_message.set()
        if not isinstance(raw, dict):
            return
        topic = raw.get("topicName")
        if topic == HEARTBEAT_TOPIC:
            body = raw.get("eventBody")
            if isinstance(body, dict) and body.get("message") == "pong":
                self.stats["pongs"] += 1
                conn.pong.set()
            else:
                self.stats["heartbeats"] += 1
            return
        if isinstance(topic, str) and topic.startswith("v2.system."):
            if topic == SOCKET_CLOSING_TOPIC or topic.startswith(TOKEN_REVOKED_PREFIX):
                conn.notice.set()
            self._state("system_message", channel_id=conn.id, topic=topic, body=raw.get("eventBody"))
            return
        if conn.retired:
            return
        self.stats["events"] += 1
        if self.dedup.duplicate(raw, conn.id):
            self.stats["duplicates"] += 1
            return
        self.handler._emit_event(self.handler._parse(raw, conn.id))

    async def _pause(self, conn: Conn) -> None:
        """Overflow policy "pause": read nothing more until the consumers have taken half the
        backlog. Messages wait in the socket buffers and on the server; the watchdog does not
        count this silence."""
        backlog = self.handler.backlog
        conn.paused = True
        self.stats["pauses"] += 1
        if backlog.began_episode:
            self.handler._queue_full()
        try:
            while backlog.must_pause() and not self.stopping:
                self.room.clear()
                if not backlog.must_pause():
                    break
                await self.room.wait()
        finally:
            conn.paused = False
            conn.last_seen = time.monotonic()

    async def _watch(self, conn: Conn) -> None:
        """Heartbeat watchdog and pings: no message for ``heartbeat_timeout`` s means the socket
        is dead even if TCP has not noticed."""
        timeout = self.options.heartbeat_timeout
        interval = self.options.ping_interval
        next_ping = time.monotonic() + interval if interval else float("inf")
        while True:
            now = time.monotonic()
            if conn.paused:
                conn.last_seen = now
            deadline = conn.last_seen + timeout
            if now >= deadline:
                await self._close_socket(conn, f"no heartbeat for {timeout:g}s")
                return
            if now >= next_ping:
                await self._send_ping(conn)
                next_ping = now + interval if interval else float("inf")
            await asyncio.sleep(max(0.01, min(deadline, next_ping) - time.monotonic()))

    async def _close_socket(self, conn: Conn, reason: str) -> None:
        conn.end_reason = conn.end_reason or reason
        ws = conn.ws
        if conn.reader is not None and conn.reader is not asyncio.current_task():
            conn.reader.cancel()
        if ws is not None and not ws.closed:
            try:
                await asyncio.wait_for(ws.close(), 2.0)
            except (asyncio.TimeoutError, ConnectionError, RuntimeError):
                pass
        conn.ended.set()

    async def _retire(self, conn: Conn, delete: bool) -> None:
        conn.retired = True
        watchdog = conn.watchdog
        if watchdog is not None and watchdog is not asyncio.current_task():
            watchdog.cancel()
        await self._close_socket(conn, "retired")
        if conn.reader is not None:
            await asyncio.gather(conn.reader, return_exceptions=True)
        if delete:
            try:
                await self._rest("delete_notifications_channel_subscriptions", conn.id)
                self.stats["unsubscribed_channels"] += 1
            except Exception as exc:
                if getattr(exc, "status", None) != 404:  # 404: the channel is gone, and its subscriptions
                    log.warning("notifications: could not remove the subscriptions of channel %s: %r; they "
                                "end with the channel", conn.id, exc)

    async def _drain(self, conn: Conn) -> None:
        """Before dropping an old socket: ping it and wait for the pong, so events the server
        queued ahead of it have been read."""
        ws = conn.ws
        if ws is None or ws.closed or conn.ended.is_set():
            return
        conn.pong.clear()
        await self._send_ping(conn)
        pong = asyncio.ensure_future(conn.pong.wait())
        ended = asyncio.ensure_future(conn.ended.wait())
        try:
            while True:
                seen = conn.last_seen
                done, _ = await asyncio.wait({pong, ended}, timeout=min(5.0, self.options.connect_timeout),
                                             return_when=asyncio.FIRST_COMPLETED)
                # Keep waiting while the socket is still delivering, or paused by a full backlog:
                # closing it now would lose what the server queued ahead of the pong.
                if done or not (conn.paused or conn.last_seen != seen):
                    break
        finally:
            pong.cancel()
            ended.cancel()

    # -- supervision ------------------------------------------------------------------------
    def _delay(self, attempt: int) -> float:
        ceiling = min(self.options.reconnect_delay_max, self.options.reconnect_delay * (2 ** min(attempt, 20)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # exponential, with jitter

    async def _supervise(self, slot: Slot) -> None:
        attempt = 0
        reason = "initial"
        while not self.stopping:
            conn = slot.conn
            assert conn is not None
            try:
                if conn.ws is None or conn.ended.is_set():
                    await self._reconnect(slot, conn, reason)
                    conn = slot.conn
                    assert conn is not None
                slot.ready.set()
                slot.error = None
                attempt = 0
                trigger = await self._wait_trigger(conn)
                if trigger == "ended":
                    reason = conn.end_reason or "socket ended"
                    self.stats["reconnects"] += 1
                    self._state("disconnected", channel_id=conn.id, reason=reason)
                    continue
                await self._rollover(slot, conn, trigger)
                reason = "rollover"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                slot.error = exc
                delay = self._delay(attempt)
                attempt += 1
                reason = f"retry after {exc!r}"
                channel_id = conn.id if conn is not None else None
                log.warning("notifications: channel %s: %r; retrying in %.2fs", channel_id, exc, delay)
                self._state("reconnecting", channel_id=channel_id, error=repr(exc), delay=delay, attempt=attempt)
                await asyncio.sleep(delay)

    async def _wait_trigger(self, conn: Conn) -> str:
        ended = asyncio.ensure_future(conn.ended.wait())
        notice = asyncio.ensure_future(conn.notice.wait())
        try:
            done, _ = await asyncio.wait({ended, notice}, timeout=max(0.0, conn.rollover_at - time.monotonic()),
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
            notice.cancel()
        if conn.notice.is_set():
            return "socket_closing"
        if conn.ended.is_set():
            return "ended"
        return "channel_age"

    async def _reconnect(self, slot: Slot, conn: Conn, reason: str) -> None:
        """Same channel if it still exists (HEAD answers; that call also renews an expired
        token), else a new channel with the slot's topics."""
        if conn.ws is not None:
            await self._close_socket(conn, reason)
            conn.ws = None
        alive = reason == "initial"  # just created: no need to ask
        if not alive:
            try:
                await self._rest("head_notifications_channel", conn.id)
                alive = True
            except Exception as exc:
                if getattr(exc, "status", None) != 404:
                    raise
        if alive and not conn.notice.is_set() and time.monotonic() < conn.rollover_at:
            try:
                await self._connect(conn)
                self._state("connected", channel_id=conn.id, reason=reason)
                return
            except ChannelGone:
                alive = False
        # The channel is gone (or due to roll over): move the topics to a new one, and take them
        # off the old one if it still exists.
        new = await self._open_replacement(slot)
        if conn in slot.conns:
            slot.conns.remove(conn)
        slot.conn = new
        await self._retire(conn, delete=alive)
        self._state("connected", channel_id=new.id, reason=f"new channel ({reason})", replaced=conn.id)

    async def _open_replacement(self, slot: Slot) -> Conn:
        """A new channel for the slot's topics with its socket up; undone if the socket fails."""
        async with self.ops:
            new = await self._create_channel(slot)
        try:
            await self._connect(new)
        except BaseException:
            slot.conns.remove(new)
            await self._retire(new, delete=True)
            raise
        return new

    async def _rollover(self, slot: Slot, old: Conn, trigger: str) -> None:
        """Planned replacement: new channel, same topics, socket up, then the old one goes."""
        self._state("rollover_started", channel_id=old.id, trigger=trigger)
        self.dedup.begin_overlap()
        try:
            new = await self._open_replacement(slot)
            slot.conn = new
            await self._drain(old)
            if old in slot.conns:
                slot.conns.remove(old)
            await self._retire(old, delete=True)  # a replaced channel keeps no subscriptions
        finally:
            self.dedup.end_overlap()
        self.stats["rollovers"] += 1
        self._state("rolled_over", channel_id=new.id, replaced=old.id, trigger=trigger)

