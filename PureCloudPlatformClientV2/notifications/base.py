"""What the threaded and asyncio handlers share: options, the wanted topics, callbacks and
models (the registries), and turning a raw message into a :class:`NotificationEvent`."""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from .backlog import Backlog
from .events import ChannelInfo, JsonObject, NotificationError, NotificationEvent, wrap
from .topics import MAX_CHANNELS, MAX_TOPICS_PER_CHANNEL, expand_topic, pattern_regex

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger("PureCloudPlatformClientV2.notifications")

DAY = 86400.0
Callback = Callable[[Any], Any]
ModelSpec = Union[type, str, None]
StateCallback = Callable[[str, dict], Any]


@dataclass
class Options:
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
    overflow: str = "pause"


class HandlerBase:
    """What the sync and asyncio handlers share: options, the wanted topics, callbacks, models,
    routing of events to callbacks or the event queue, and the engine."""

    def __init__(self, api_client: Any, *, heartbeat_timeout: float = 75.0,
                 ping_interval: float | None = 30.0, channel_lifetime: float = DAY, rollover_margin: float = 900.0,
                 max_topics_per_channel: int = MAX_TOPICS_PER_CHANNEL, max_channels: int = MAX_CHANNELS,
                 reconnect_delay: float = 0.5, reconnect_delay_max: float = 30.0, connect_timeout: float = 15.0,
                 dedup_window: float = 60.0, queue_size: int = 10_000, delete_subscriptions_on_stop: bool = True,
                 overflow: str = "pause", on_state_change: StateCallback | None = None) -> None:
        if not 1 <= max_topics_per_channel <= MAX_TOPICS_PER_CHANNEL:
            raise ValueError(f"max_topics_per_channel must be 1..{MAX_TOPICS_PER_CHANNEL}")
        if not 1 <= max_channels <= MAX_CHANNELS:
            raise ValueError(f"max_channels must be 1..{MAX_CHANNELS}")
        if heartbeat_timeout <= 0 or channel_lifetime <= 0:
            raise ValueError("heartbeat_timeout and channel_lifetime must be positive")
        self.api_client = api_client
        self.options = Options(heartbeat_timeout, ping_interval, channel_lifetime, rollover_margin,
                               max_topics_per_channel, max_channels, reconnect_delay, reconnect_delay_max,
                               connect_timeout, dedup_window, queue_size, delete_subscriptions_on_stop, overflow)
        self.backlog = Backlog(queue_size, overflow)  # checks both
        self.on_state_change = on_state_change
        self._lock = threading.Lock()  # guards the registries below (written by callers, read by the loop)
        self._wanted: dict[str, None] = {}
        self._exact: dict[str, tuple[Callback, ...]] = {}
        self._patterns: tuple[tuple[re.Pattern[str], Callback | None, Any], ...] = ()
        self._models: dict[str, Any] = {}
        self._owned: dict[str, list[Callback]] = {}  # topic -> callbacks registered by subscribe()
        self.stats: dict[str, int] = dict.fromkeys(
            ("events", "delivered", "duplicates", "heartbeats", "pongs", "connects", "reconnects", "rollovers",
             "channels_created", "unsubscribed_channels", "dropped", "pauses"), 0)
        self._warned_full = False
        self._engine: Engine | None = None

    # -- registries ------------------------------------------------------------------------
    def _register(self, topics: list[str], callback: Callback | None, model: ModelSpec) -> None:
        resolved = resolve_model(model)
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
        resolved = resolve_model(model)
        with self._lock:
            self._patterns = (*self._patterns, (pattern_regex(pattern), callback, resolved))

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
                from .._serde import decoder_for_model
                parsed = decoder_for_model(model)(body)
            except Exception:  # a body the model cannot read: keep the JSON rather than lose the event
                log.warning("could not parse %s as %s; delivering it as JSON", raw.get("topicName"),
                            getattr(model, "__name__", model), exc_info=True)
                parsed = JsonObject(body)
        else:
            parsed = wrap(body)
        return NotificationEvent(raw, parsed, channel_id)

    # -- hooks the engine calls (on the loop) -----------------------------------------------
    def _emit_event(self, event: NotificationEvent) -> None:
        """Into the backlog, to callbacks or to ``events()``; the overflow policy decides
        what happens when it is full (``pause`` is the engine's: it reads no further)."""
        backlog = self.backlog
        dropped, began = backlog.put_event(event, bool(self._callbacks_for(event.topic_name)))
        if dropped is None:
            return
        self.stats["dropped"] += 1
        if began:
            self._queue_full()
        log.log(logging.DEBUG if self._warned_full else logging.WARNING,
                "notifications: queue full (queue_size=%d, overflow=%r): dropped the %s event (%s); %d dropped "
                "so far, counted in stats['dropped']", backlog.size, backlog.overflow,
                "arriving" if dropped is event else "oldest", dropped.topic_name, self.stats["dropped"])
        self._warned_full = True

    def _queue_full(self) -> None:
        """An overflow episode begins: reported once, until the backlog is down to half."""
        backlog = self.backlog
        if backlog.overflow == "pause":
            log.log(logging.DEBUG if self._warned_full else logging.WARNING,
                    "notifications: queue full (queue_size=%d): reading paused until the consumers catch up",
                    backlog.size)
            self._warned_full = True
        self._emit_state("queue_full", {"policy": backlog.overflow, "queue_size": backlog.size,
                                        "dropped": self.stats["dropped"]})

    def _delivered(self, episode_ended: bool) -> None:
        """A consumer took an event (any thread)."""
        self.stats["delivered"] += 1
        if episode_ended:
            self._emit_state("queue_ok", {"policy": self.backlog.overflow, "dropped": self.stats["dropped"]})

    def _emit_state(self, state: str, detail: dict[str, Any]) -> None:
        if self.on_state_change is not None:
            self.backlog.put_state((state, detail))

    def _make_rest(self) -> Any:
        """The object the engine makes its REST calls through (see ``rest``)."""
        raise NotImplementedError

    def _new_engine(self) -> Engine:
        from .engine import Engine
        return Engine(self)

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
        return results


def resolve_model(model: ModelSpec) -> Any:
    if model is None:
        return None
    if isinstance(model, str):
        from .._serde import model_class
        return model_class(model)
    if not isinstance(model, type) or not hasattr(model, "_rows"):
        raise TypeError(f"model must be a generated model class or its name, not {model!r}")
    return model

