"""Notifications: a WebSocket client for the Notifications API that stays connected for days.

``NotificationHandler`` runs its own asyncio loop on a daemon thread and is used from ordinary
threaded code; ``AsyncNotificationHandler`` (``PureCloudPlatformClientV2.aio.notifications``)
runs on the caller's loop. Both are thin fronts over one engine. The parts, by module:

- ``topics``: the topic grammar, combined topics, callback patterns;
- ``events``: ``NotificationEvent``, ``JsonObject``, ``ChannelInfo``, ``NotificationError``;
- ``dedup``: recognising an event that arrives twice (during a rollover);
- ``base``: options, the registries of topics, callbacks and models, event parsing;
- ``engine``: channels, subscriptions, sockets, watchdog, reconnects, rollover;
- ``tls``: the WebSocket's TLS setting;
- ``threaded``: ``NotificationHandler``.

aiohttp is imported when a handler starts.
"""
from __future__ import annotations

from .base import log
from .events import ChannelInfo, JsonObject, NotificationError, NotificationEvent
from .threaded import NotificationHandler
from .topics import expand_topic, validate_topic

__all__ = [
    "NotificationHandler", "NotificationEvent", "JsonObject", "ChannelInfo", "NotificationError",
    "validate_topic", "expand_topic",
]
_ = log  # the package logger, ``PureCloudPlatformClientV2.notifications``
