"""Notifications: a WebSocket client for the Notifications API that stays connected for days.

``NotificationHandler`` (this module) runs its own asyncio loop on a daemon thread and is used
from ordinary threaded code; ``AsyncNotificationHandler`` (``aio_notifications``) runs on the
caller's loop. Both are thin fronts over one engine defined here: topic validation, placing
topics on channels (at most 1,000 per channel, 20 channels), batched subscription calls,
one WebSocket per channel with a heartbeat watchdog and pings, reconnects with backoff,
planned channel rollover (``v2.system.socket_closing`` and channel age) with the new socket up
before the old one goes, duplicate suppression across the overlap, and event parsing.

REST calls (create a channel, subscriptions, channel checks) go through the generated
``NotificationsApi`` on the given ``ApiClient``, in a worker thread, so authentication,
retries and token renewal are the SDK's. aiohttp is imported when a handler starts.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import itertools
import json
import logging
import queue
import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from .api_client import ApiClient

__all__ = [
    "NotificationHandler", "NotificationEvent", "JsonObject", "ChannelInfo", "NotificationError",
    "validate_topic", "expand_topic",
]

log = logging.getLogger("PureCloudPlatformClientV2.notifications")

HEARTBEAT_TOPIC = "channel.metadata"
SOCKET_CLOSING_TOPIC = "v2.system.socket_closing"
TOKEN_REVOKED_PREFIX = "v2.system.token_revoked"
MAX_TOPICS_PER_CHANNEL = 1000
MAX_CHANNELS = 20
DAY = 86400.0

Callback = Callable[[Any], Any]
ModelSpec = Union[type, str, None]
StateCallback = Callable[[str, dict], Any]

_SEGMENT = r"[A-Za-z0-9_\-]+"
_TOPIC_RE = re.compile(rf"v2(?:\.{_SEGMENT})+(?:\?{_SEGMENT}(?:&{_SEGMENT})*)?")


class NotificationError(Exception):
    """The handler cannot do what was asked (limits, stopped handler, failed start)."""


# -- topics ---------------------------------------------------------------------------------
def validate_topic(topic: Any) -> str:
    """Return ``topic`` if it is a well-formed topic name, else raise ValueError.

    Accepted: ``v2.`` followed by dot-separated segments of letters, digits, ``-`` and ``_``,
    optionally with the combined form ``v2.users.{id}?presence&routingStatus``. A placeholder
    left in (``{id}``), spaces, or the server-side topics (``channel.metadata``, ``v2.system.*``)
    are rejected.
    """
    if not isinstance(topic, str):
        raise ValueError(f"a topic is a string, not {type(topic).__name__}")
    if not _TOPIC_RE.fullmatch(topic):
        hint = " (replace the {id} placeholder)" if "{" in topic else ""
        raise ValueError(f"invalid topic name {topic!r}{hint}")
    if topic.startswith("v2.system."):
        raise ValueError(f"{topic!r} is sent by the server; it cannot be subscribed")
    return topic


def expand_topic(topic: str) -> list[str]:
    """The topic names events arrive with: ``v2.users.X?presence&routingStatus`` gives
    ``v2.users.X.presence`` and ``v2.users.X.routingStatus``; a plain topic gives itself."""
    base, sep, rest = topic.partition("?")
    if not sep:
        return [topic]
    return [f"{base}.{part}" for part in rest.split("&") if part]


def _as_topic_list(topics: str | Iterable[str]) -> list[str]:
    items = [topics] if isinstance(topics, str) else list(topics)
    seen: dict[str, None] = {}
    for topic in items:
        seen[validate_topic(topic)] = None
    return list(seen)


def _pattern_regex(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    """``*`` matches any run of characters (dots included); everything else is literal."""
    if isinstance(pattern, re.Pattern):
        return pattern
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


# -- events ---------------------------------------------------------------------------------
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _wrap(value: Any) -> Any:
    if type(value) is dict:
        return JsonObject(value)
    if type(value) is list:
        return [_wrap(item) for item in value]
    return value


class JsonObject:
    """Attribute access over a JSON object, keeping every field.

    ``obj.presenceDefinition`` and ``obj.presence_definition`` both read the wire key
    ``presenceDefinition``; ``obj["key"]`` reads a key as is; ``to_dict()`` returns the JSON.
    Missing keys read as None through attributes (as unset model fields do).
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_data":
            raise AttributeError(name)
        data = self._data
        if name in data:
            return _wrap(data[name])
        return _wrap(data.get(_camel(name)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("event data is read-only")

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._data[key])

    def get(self, key: str, default: Any = None) -> Any:
        return _wrap(self._data.get(key, default))

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> Any:
        return self._data.keys()

    def to_dict(self) -> dict[str, Any]:
        return self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JsonObject):
            return self._data == other._data
        return self._data == other if isinstance(other, dict) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __dir__(self) -> list[str]:
        return sorted(set(self._data))

    def __repr__(self) -> str:
        return f"JsonObject({self._data!r})"


class NotificationEvent:
    """One notification: ``topic_name``, ``version``, ``event_body`` (a model instance when a
    model was named for the topic, else a :class:`JsonObject`), ``metadata`` (JsonObject),
    ``raw`` (the whole message as parsed JSON, unknown fields included) and ``channel_id``."""

    __slots__ = ("topic_name", "version", "event_body", "metadata", "raw", "channel_id", "received_at")

    def __init__(self, raw: dict[str, Any], event_body: Any, channel_id: str) -> None:
        self.raw = raw
        self.topic_name: str = raw.get("topicName", "")
        self.version = raw.get("version")
        self.event_body = event_body
        meta = raw.get("metadata")
        self.metadata = JsonObject(meta if isinstance(meta, dict) else {})
        self.channel_id = channel_id
        self.received_at = time.time()

    @property
    def correlation_id(self) -> str | None:
        meta = self.raw.get("metadata")
        return meta.get("CorrelationId") if isinstance(meta, dict) else None

    def to_dict(self) -> dict[str, Any]:
        return self.raw

    def __repr__(self) -> str:
        return f"<NotificationEvent {self.topic_name} on {self.channel_id}>"


@dataclass(frozen=True)
class ChannelInfo:
    """A snapshot of one channel the handler keeps."""

    id: str
    connect_uri: str
    topics: int
    connected: bool
    age: float


class _Dedup:
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


# -- shared handler state (callbacks, models, options) ---------------------------------------
@dataclass
class _Options:
    heartbeat_timeout: float = 75.0
    ping_interval: float | None = 30.0
    channel_lifetime: float = DAY
    rollover_margin: float = 900.0
    max_topics_per_channel: int = MAX_TOPICS_PER_CHANNEL
    max_channels: int = MAX_CHANNELS
    reconnect_delay: float = 0.5
    reconnect_delay_max: float = 30.0
    connect_timeout: float = 15.0
    dedup_window: float = 60.0
    queue_size: int = 10_000
    delete_subscriptions_on_stop: bool = True


class _HandlerBase:
    """What the sync and asyncio handlers share: options, the wanted topics, callbacks, models,
    routing of events to callbacks or the event queue, and the engine."""

    def __init__(self, api_client: ApiClient | None = None, *, heartbeat_timeout: float = 75.0,
                 ping_interval: float | None = 30.0, channel_lifetime: float = DAY, rollover_margin: float = 900.0,
                 max_topics_per_channel: int = MAX_TOPICS_PER_CHANNEL, max_channels: int = MAX_CHANNELS,
                 reconnect_delay: float = 0.5, reconnect_delay_max: float = 30.0, connect_timeout: float = 15.0,
                 dedup_window: float = 60.0, queue_size: int = 10_000, delete_subscriptions_on_stop: bool = True,
                 on_state_change: StateCallback | None = None) -> None:
        if not 1 <= max_topics_per_channel <= MAX_TOPICS_PER_CHANNEL:
            raise ValueError(f"max_topics_per_channel must be 1..{MAX_TOPICS_PER_CHANNEL}")
        if not 1 <= max_channels <= MAX_CHANNELS:
            raise ValueError(f"max_channels must be 1..{MAX_CHANNELS}")
        if heartbeat_timeout <= 0 or channel_lifetime <= 0:
            raise ValueError("heartbeat_timeout and channel_lifetime must be positive")
        if api_client is None:
            from .api_client import ApiClient
            api_client = ApiClient()
        self.api_client = api_client
        self.options = _Options(heartbeat_timeout, ping_interval, channel_lifetime, rollover_margin,
                                max_topics_per_channel, max_channels, reconnect_delay, reconnect_delay_max,
                                connect_timeout, dedup_window, queue_size, delete_subscriptions_on_stop)
        self.on_state_change = on_state_change
        self._lock = threading.Lock()  # guards the registries below (written by callers, read by the loop)
        self._wanted: dict[str, None] = {}
        self._exact: dict[str, tuple[Callback, ...]] = {}
        self._patterns: tuple[tuple[re.Pattern[str], Callback | None, Any], ...] = ()
        self._models: dict[str, Any] = {}
        self._owned: dict[str, list[Callback]] = {}  # topic -> callbacks registered by subscribe()
        self.stats: dict[str, int] = dict.fromkeys(
            ("events", "delivered", "duplicates", "heartbeats", "pongs", "connects", "reconnects", "rollovers",
             "channels_created", "dropped"), 0)
        self._engine: _Engine | None = None

    # -- registries ------------------------------------------------------------------------
    def _register(self, topics: list[str], callback: Callback | None, model: ModelSpec) -> None:
        resolved = _resolve_model(model)
        with self._lock:
            weight = sum(len(expand_topic(t)) for t in self._wanted)
            weight += sum(len(expand_topic(t)) for t in topics if t not in self._wanted)
            capacity = self.options.max_channels * self.options.max_topics_per_channel
            if weight > capacity:
                raise NotificationError(f"{weight} topics exceed the capacity of {self.options.max_channels} "
                                        f"channels of {self.options.max_topics_per_channel} topics")
            for topic in topics:
                self._wanted[topic] = None
                for name in expand_topic(topic):
                    if callback is not None:
                        self._exact[name] = (*self._exact.get(name, ()), callback)
                        self._owned.setdefault(topic, []).append(callback)
                    if resolved is not None:
                        self._models[name] = resolved

    def _unregister(self, topics: list[str]) -> None:
        with self._lock:
            for topic in topics:
                self._wanted.pop(topic, None)
                owned = self._owned.pop(topic, [])
                for name in expand_topic(topic):
                    self._models.pop(name, None)
                    left = tuple(cb for cb in self._exact.get(name, ()) if cb not in owned)
                    if left:
                        self._exact[name] = left
                    else:
                        self._exact.pop(name, None)

    def on(self, pattern: str | re.Pattern[str], callback: Callback | None = None, *,
           model: ModelSpec = None) -> None:
        """Call ``callback`` for events whose topic matches ``pattern`` (``*`` matches any run
        of characters, or give a compiled regex), and/or parse their body as ``model``. This
        does not subscribe anything."""
        resolved = _resolve_model(model)
        with self._lock:
            self._patterns = (*self._patterns, (_pattern_regex(pattern), callback, resolved))

    def remove_callback(self, callback: Callback) -> None:
        """Forget ``callback`` wherever it was registered."""
        with self._lock:
            self._exact = {k: tuple(c for c in v if c is not callback) for k, v in self._exact.items()}
            self._exact = {k: v for k, v in self._exact.items() if v}
            self._patterns = tuple(p for p in self._patterns if p[1] is not callback)
            for cbs in self._owned.values():
                cbs[:] = [c for c in cbs if c is not callback]

    @property
    def topics(self) -> list[str]:
        """The topics subscribed (or to subscribe at start), in subscription order."""
        return list(self._wanted)

    @property
    def channels(self) -> list[ChannelInfo]:
        """The channels in use now (during a rollover, the replacement appears too)."""
        engine = self._engine
        return engine.snapshot() if engine is not None else []

    def _model_for(self, topic: str) -> Any:
        model = self._models.get(topic)
        if model is None:
            for regex, _cb, pattern_model in self._patterns:
                if pattern_model is not None and regex.fullmatch(topic):
                    return pattern_model
        return model

    def _callbacks_for(self, topic: str) -> list[Callback]:
        found = list(self._exact.get(topic, ()))
        for regex, callback, _model in self._patterns:
            if callback is not None and callback not in found and regex.fullmatch(topic):
                found.append(callback)
        return found

    def _parse(self, raw: dict[str, Any], channel_id: str) -> NotificationEvent:
        body = raw.get("eventBody")
        model = self._model_for(raw.get("topicName", ""))
        parsed: Any
        if model is not None and isinstance(body, dict):
            try:
                from ._serde import decoder_for_model
                parsed = decoder_for_model(model)(body)
            except Exception:  # a body the model cannot read: keep the JSON rather than lose the event
                log.warning("could not parse %s as %s; delivering it as JSON", raw.get("topicName"),
                            getattr(model, "__name__", model), exc_info=True)
                parsed = JsonObject(body)
        else:
            parsed = _wrap(body)
        return NotificationEvent(raw, parsed, channel_id)

    # -- hooks the engine calls (on the loop) -----------------------------------------------
    def _emit_event(self, event: NotificationEvent) -> None:
        raise NotImplementedError

    def _emit_state(self, state: str, detail: dict[str, Any]) -> None:
        raise NotImplementedError

    def _new_engine(self) -> _Engine:
        return _Engine(self)

    def _run_state_callback(self, state: str, detail: dict[str, Any]) -> Any:
        callback = self.on_state_change
        if callback is None:
            return None
        try:
            return callback(state, detail)
        except Exception:
            log.exception("on_state_change callback failed")
            return None

    def _run_callbacks(self, event: NotificationEvent, callbacks: list[Callback]) -> list[Any]:
        results = []
        for callback in callbacks:
            try:
                results.append(callback(event))
            except Exception:
                log.exception("notification callback for %s failed", event.topic_name)
        self.stats["delivered"] += 1
        return results


def _resolve_model(model: ModelSpec) -> Any:
    if model is None:
        return None
    if isinstance(model, str):
        from ._serde import model_class
        return model_class(model)
    if not isinstance(model, type) or not hasattr(model, "_rows"):
        raise TypeError(f"model must be a generated model class or its name, not {model!r}")
    return model


# -- the engine (runs on one asyncio loop) -------------------------------------------------
class _ChannelGone(Exception):
    """The channel no longer exists (404): a new one is needed."""


class _Conn:
    """One notification channel and its socket."""

    _ids = itertools.count(1)

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


class _Slot:
    """A share of the topics that lives on one channel (and on two during a rollover)."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.topics: dict[str, None] = {}
        self.weight = 0
        self.conn: _Conn | None = None  # the channel whose socket delivers events
        self.conns: list[_Conn] = []  # every channel holding these subscriptions (2 during a rollover)
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None


class _Engine:
    def __init__(self, handler: _HandlerBase) -> None:
        self.handler = handler
        self.options = handler.options
        self.stats = handler.stats
        self.slots: list[_Slot] = []
        self.ops = asyncio.Lock()  # subscription changes and channel creation, one at a time
        self.dedup = _Dedup(self.options.dedup_window)
        self.session: Any = None
        self.ssl: Any = True
        self.proxy: str | None = None
        self.proxy_headers: dict[str, str] | None = None  # never logged: it holds the proxy password
        self.stopping = False
        self._slot_ids = itertools.count()
        self._api: Any = None

    # -- plumbing ---------------------------------------------------------------------------
    async def _rest(self, name: str, *args: Any) -> Any:
        if self._api is None:
            from .apis.notifications_api import NotificationsApi
            self._api = NotificationsApi(self.handler.api_client)
        method = getattr(self._api, name)
        return await asyncio.get_running_loop().run_in_executor(None, lambda: method(*args))

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
        from .models import ChannelTopic
        items = []
        for topic in topics:
            item = ChannelTopic()
            item.id = topic
            items.append(item)
        return items

    # -- start / stop -----------------------------------------------------------------------
    async def start(self) -> None:
        import aiohttp

        config = self.handler.api_client.configuration
        self.ssl = _ssl_for(config)
        self.proxy = getattr(config, "proxy", None) or None
        if self.proxy and (config.proxy_username or config.proxy_password):
            import base64
            pair = f"{config.proxy_username or ''}:{config.proxy_password or ''}".encode()
            self.proxy_headers = {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
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

    # -- subscriptions ----------------------------------------------------------------------
    async def sync(self, wait: bool = True) -> None:
        """Make the channels' subscriptions match the wanted topics; with ``wait``, return when
        every new channel has its socket up."""
        async with self.ops:
            new_slots = await self._reconcile()
        if wait:
            for slot in new_slots:
                await self._wait_ready(slot)

    async def _wait_ready(self, slot: _Slot) -> None:
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

    async def _reconcile(self) -> list[_Slot]:
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
        adds: dict[_Slot, list[str]] = {}
        new_slots: list[_Slot] = []
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
                slot = _Slot(next(self._slot_ids))
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

    def _forget(self, slot: _Slot, topics: list[str]) -> None:
        """Subscribing failed: the topics are not wanted any more (the caller gets the error)."""
        with self.handler._lock:
            for topic in topics:
                self.handler._wanted.pop(topic, None)
        for topic in topics:
            if slot.topics.pop(topic, 0) is None:
                slot.weight -= len(expand_topic(topic))

    async def _put(self, conn: _Conn, slot: _Slot) -> None:
        try:
            await self._rest("put_notifications_channel_subscriptions", conn.id, self._topics_payload(slot.topics))
        except Exception as exc:
            if getattr(exc, "status", None) != 404:
                raise
            conn.notice.set()  # the channel is gone: the supervisor moves the topics to a new one

    async def _post(self, conn: _Conn, topics: list[str]) -> None:
        try:
            await self._rest("post_notifications_channel_subscriptions", conn.id, self._topics_payload(topics))
        except Exception as exc:
            if getattr(exc, "status", None) != 404:
                raise
            conn.notice.set()

    async def _create_channel(self, slot: _Slot) -> _Conn:
        channel = await self._rest("post_notifications_channels")
        conn = _Conn(channel, self.options.channel_lifetime, self.options.rollover_margin)
        self.stats["channels_created"] += 1
        slot.conns.append(conn)
        try:
            await self._rest("put_notifications_channel_subscriptions", conn.id, self._topics_payload(slot.topics))
        except BaseException:
            slot.conns.remove(conn)
            raise
        self._state("channel_created", channel_id=conn.id, topics=len(slot.topics))
        return conn

    async def _drop_slot(self, slot: _Slot) -> None:
        self.slots.remove(slot)
        if slot.task is not None:
            slot.task.cancel()
            await asyncio.gather(slot.task, return_exceptions=True)
        for conn in list(slot.conns):
            await self._retire(conn, delete=True)
        slot.conns.clear()

    # -- sockets ----------------------------------------------------------------------------
    async def _connect(self, conn: _Conn) -> None:
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
                raise _ChannelGone(conn.id) from exc
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

    async def _send_ping(self, conn: _Conn) -> None:
        ws = conn.ws
        if ws is not None and not ws.closed:
            try:
                await ws.send_str('{"message":"ping"}')
            except (ConnectionError, RuntimeError):
                pass

    async def _read(self, conn: _Conn) -> None:
        import aiohttp

        ws = conn.ws
        reason = "closed by server"
        try:
            while True:
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

    def _on_text(self, conn: _Conn, text: str) -> None:
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

    async def _watch(self, conn: _Conn) -> None:
        """Heartbeat watchdog and pings: no message for ``heartbeat_timeout`` s means the socket
        is dead even if TCP has not noticed."""
        timeout = self.options.heartbeat_timeout
        interval = self.options.ping_interval
        next_ping = time.monotonic() + interval if interval else float("inf")
        while True:
            now = time.monotonic()
            deadline = conn.last_seen + timeout
            if now >= deadline:
                await self._close_socket(conn, f"no heartbeat for {timeout:g}s")
                return
            if now >= next_ping:
                await self._send_ping(conn)
                next_ping = now + interval if interval else float("inf")
            await asyncio.sleep(max(0.01, min(deadline, next_ping) - time.monotonic()))

    async def _close_socket(self, conn: _Conn, reason: str) -> None:
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

    async def _retire(self, conn: _Conn, delete: bool) -> None:
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
            except Exception:  # best effort: the channel may be gone already
                pass

    async def _drain(self, conn: _Conn) -> None:
        """Before dropping an old socket: ping it and wait for the pong, so events the server
        queued ahead of it have been read."""
        ws = conn.ws
        if ws is None or ws.closed or conn.ended.is_set():
            return
        conn.pong.clear()
        await self._send_ping(conn)
        pong = asyncio.ensure_future(conn.pong.wait())
        ended = asyncio.ensure_future(conn.ended.wait())
        await asyncio.wait({pong, ended}, timeout=min(5.0, self.options.connect_timeout),
                           return_when=asyncio.FIRST_COMPLETED)
        pong.cancel()
        ended.cancel()

    # -- supervision ------------------------------------------------------------------------
    def _delay(self, attempt: int) -> float:
        ceiling = min(self.options.reconnect_delay_max, self.options.reconnect_delay * (2 ** min(attempt, 20)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # exponential, with jitter

    async def _supervise(self, slot: _Slot) -> None:
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

    async def _wait_trigger(self, conn: _Conn) -> str:
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

    async def _reconnect(self, slot: _Slot, conn: _Conn, reason: str) -> None:
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
            except _ChannelGone:
                pass
        # The channel is gone (or due to roll over): move the topics to a new one.
        new = await self._open_replacement(slot)
        if conn in slot.conns:
            slot.conns.remove(conn)
        slot.conn = new
        await self._retire(conn, delete=False)
        self._state("connected", channel_id=new.id, reason=f"new channel ({reason})", replaced=conn.id)

    async def _open_replacement(self, slot: _Slot) -> _Conn:
        """A new channel for the slot's topics with its socket up; undone if the socket fails."""
        async with self.ops:
            new = await self._create_channel(slot)
        try:
            await self._connect(new)
        except BaseException:
            slot.conns.remove(new)
            await self._retire(new, delete=False)
            raise
        return new

    async def _rollover(self, slot: _Slot, old: _Conn, trigger: str) -> None:
        """Planned replacement: new channel, same topics, socket up, then the old one goes."""
        self._state("rollover_started", channel_id=old.id, trigger=trigger)
        self.dedup.begin_overlap()
        try:
            new = await self._open_replacement(slot)
            slot.conn = new
            await self._drain(old)
            if old in slot.conns:
                slot.conns.remove(old)
            await self._retire(old, delete=trigger == "channel_age")
        finally:
            self.dedup.end_overlap()
        self.stats["rollovers"] += 1
        self._state("rolled_over", channel_id=new.id, replaced=old.id, trigger=trigger)


def _ssl_for(config: Any) -> Any:
    """The TLS setting for aiohttp from a Configuration: the mTLS/CA context when there is one,
    no verification when ``verify_ssl`` is off, else certifi's CA bundle (as the REST client)."""
    import ssl

    context = config.create_mtls_or_ssl_context() if hasattr(config, "create_mtls_or_ssl_context") else None
    if context is not None:
        if not config.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context
    if not config.verify_ssl:
        return False
    if config.ssl_ca_cert:
        return ssl.create_default_context(cafile=config.ssl_ca_cert)
    import certifi
    return ssl.create_default_context(cafile=certifi.where())


# -- the threaded handler -------------------------------------------------------------------
_STOP = object()


class NotificationHandler(_HandlerBase):
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
    :meth:`next_event` (at most ``queue_size``; the oldest are dropped beyond that).

    Options (keywords): ``heartbeat_timeout`` (s without any message before reconnecting, 75),
    ``ping_interval`` (s between pings, 30; None for none), ``channel_lifetime`` (s, 24 h) and
    ``rollover_margin`` (how long before expiry a channel is replaced, 15 min, at most half
    the lifetime), ``max_topics_per_channel`` (1,000), ``max_channels`` (20), ``reconnect_delay``
    and ``reconnect_delay_max`` (backoff, 0.5 s doubling up to 30 s, with jitter),
    ``connect_timeout`` (15 s), ``dedup_window`` (60 s), ``queue_size``,
    ``delete_subscriptions_on_stop`` (True) and ``on_state_change(state, detail)``.
    """

    def __init__(self, api_client: ApiClient | None = None, **options: Any) -> None:
        super().__init__(api_client, **options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._dispatcher: threading.Thread | None = None
        self._inbox: queue.Queue[Any] = queue.Queue()
        self._events: queue.Queue[Any] = queue.Queue()
        self._closed = False

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

    def _new_engine_on_loop(self) -> _Engine:
        async def make() -> _Engine:
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
        self._inbox.put(_STOP)
        if self._dispatcher is not None and self._dispatcher is not threading.current_thread():
            self._dispatcher.join(timeout)
        self._events.put(_STOP)

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
        names = _as_topic_list(topics)
        self._register(names, callback, model)
        if self.running:
            self._apply(wait, timeout)

    def unsubscribe(self, topics: str | Iterable[str], *, wait: bool = True, timeout: float | None = None) -> None:
        """Remove topics (and the callbacks and models given with them)."""
        self._unregister(_as_topic_list(topics))
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
    def _emit_event(self, event: NotificationEvent) -> None:
        self._inbox.put(event)

    def _emit_state(self, state: str, detail: dict[str, Any]) -> None:
        if self.on_state_change is not None:
            self._inbox.put((state, detail))

    def _dispatch(self) -> None:
        while True:
            item = self._inbox.get()
            if item is _STOP:
                return
            if isinstance(item, tuple):
                self._run_state_callback(*item)
                continue
            callbacks = self._callbacks_for(item.topic_name)
            if callbacks:
                self._run_callbacks(item, callbacks)
                continue
            if self._events.qsize() >= self.options.queue_size:
                try:
                    self._events.get_nowait()
                    self.stats["dropped"] += 1
                except queue.Empty:
                    pass
            self._events.put(item)

    def next_event(self, timeout: float | None = None) -> NotificationEvent:
        """The next queued event; TimeoutError after ``timeout`` s, NotificationError once stopped."""
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no notification within {timeout}s") from None
        if item is _STOP:
            self._events.put(_STOP)  # keep later readers from blocking
            raise NotificationError("the handler was stopped")
        self.stats["delivered"] += 1
        return item  # type: ignore[no-any-return]

    def events(self, timeout: float | None = None) -> Iterator[NotificationEvent]:
        """Iterate over queued events; ends when none arrives within ``timeout`` s (None: wait
        forever) or the handler stops."""
        while True:
            try:
                yield self.next_event(timeout)
            except (TimeoutError, NotificationError):
                return
