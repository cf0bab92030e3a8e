"""Kept for existing imports: ``AsyncNotificationHandler`` lives in
:mod:`PureCloudPlatformClientV2.aio.notifications`."""
from __future__ import annotations

from .aio.notifications import AsyncNotificationHandler
from .notifications.events import ChannelInfo, JsonObject, NotificationError, NotificationEvent

__all__ = ["AsyncNotificationHandler", "NotificationEvent", "JsonObject", "ChannelInfo", "NotificationError"]
