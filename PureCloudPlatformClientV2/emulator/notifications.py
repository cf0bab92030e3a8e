"""Notification channels, subscriptions and the streaming WebSocket."""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .errors import ApiError, bad_request, dumps, not_found

if TYPE_CHECKING:
    from .server import Call, EmulatorApp

MAX_TOPICS = 1000
MAX_CHANNELS = 20
_CLOSE = object()  # queue sentinel: close the socket after what was queued before it


@dataclass
class Channel:
    id: str
    connect_uri: str
    expires_at: float
    owner: tuple[str, str | None]
    topics: list[str] = field(default_factory=list)
    match: set[str] = field(default_factory=set)
    ws: web.WebSocketResponse | None = None
    queue: asyncio.Queue[Any] | None = None
    expiry: asyncio.TimerHandle | None = None
    created: float = field(default_factory=time.time)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "connectUri": self.connect_uri, "expires": _iso(self.expires_at)}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def expand_topic(topic: str) -> list[str]:
    """`v2.users.{id}?presence&routingStatus` is shorthand for two topics."""
    base, sep, rest = topic.partition("?")
    if not sep:
        return [topic]
    return [f"{base}.{part}" for part in rest.split("&") if part]


def message(topic: str, body: Any) -> dict[str, Any]:
    return {"topicName": topic, "version": "2", "eventBody": body, "metadata": {"CorrelationId": str(uuid.uuid4())}}


class Channels:
    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.channels: dict[str, Channel] = {}

    # -- lifecycle ----------------------------------------------------------------------
    def create(self, owner: tuple[str, str | None], base: str) -> Channel:
        mine = [c for c in self.channels.values() if c.owner == owner]
        if len(mine) >= MAX_CHANNELS:
            # The platform replaces the oldest channel that has no socket connected.
            idle = sorted((c for c in mine if c.ws is None), key=lambda c: c.created)
            victim = idle[0] if idle else min(mine, key=lambda c: c.created)
            self.remove(victim.id)
        cid = str(uuid.uuid4())
        channel = Channel(cid, f"{base}/channels/{cid}", time.time() + self.app.settings.channel_lifetime, owner)
        self.channels[cid] = channel
        self._schedule_expiry(channel)
        return channel

    def _schedule_expiry(self, channel: Channel) -> None:
        if channel.expiry is not None:
            channel.expiry.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        delay = max(0.0, channel.expires_at - time.time())
        channel.expiry = loop.call_later(delay, self.expire, channel.id)

    def get(self, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None or channel.expires_at <= time.time():
            raise not_found("channel", channel_id)
        return channel

    def expire(self, channel_id: str) -> bool:
        """Channel lifetime over: closing notice, socket closed, channel gone."""
        channel = self.channels.get(channel_id)
        if channel is None:
            return False
        self.close_socket(channel_id, notice=True, delay=0.0)
        self.remove(channel_id, close=False)
        return True

    def remove(self, channel_id: str, close: bool = True) -> None:
        channel = self.channels.pop(channel_id, None)
        if channel is None:
            return
        if channel.expiry is not None:
            channel.expiry.cancel()
        if close and channel.queue is not None:
            channel.queue.put_nowait(_CLOSE)

    def close_socket(self, channel_id: str, notice: bool = True, delay: float | None = None) -> bool:
        """Send `v2.system.socket_closing` (optionally) and close the socket after ``delay`` s."""
        channel = self.channels.get(channel_id)
        if channel is None or channel.queue is None:
            return False
        queue = channel.queue
        if notice:
            queue.put_nowait(message("v2.system.socket_closing",
                                     {"message": "The server is closing this socket; reconnect with the same "
                                                 "connectUri or a new channel."}))
        wait = self.app.settings.socket_closing_delay if delay is None else delay
        if wait > 0:
            asyncio.get_running_loop().call_later(wait, queue.put_nowait, _CLOSE)
        else:
            queue.put_nowait(_CLOSE)
        return True

    def drop_all(self) -> None:
        for cid in list(self.channels):
            self.remove(cid)

    async def close_all(self) -> None:
        sockets = [c.ws for c in self.channels.values() if c.ws is not None]
        self.drop_all()
        for ws in sockets:
            await ws.close()

    # -- events -------------------------------------------------------------------------
    def publish(self, topic: str, body: Any) -> int:
        """Queue an event for every connected channel subscribed to ``topic``; returns how many."""
        sent = 0
        event = message(topic, body)  # one event: the same CorrelationId on every channel
        for channel in self.channels.values():
            if topic in channel.match and channel.queue is not None:
                channel.queue.put_nowait(event)
                sent += 1
        return sent

    # -- socket -------------------------------------------------------------------------
    async def websocket(self, request: web.Request, channel_id: str, cid: str) -> web.StreamResponse:
        channel = self.get(channel_id.strip("/"))
        ws = web.WebSocketResponse(heartbeat=None)
        ws.headers["ININ-Correlation-Id"] = cid
        await ws.prepare(request)
        if channel.queue is not None:
            channel.queue.put_nowait(_CLOSE)  # one socket per channel: the new one wins
        queue: asyncio.Queue[Any] = asyncio.Queue()
        channel.ws, channel.queue = ws, queue
        writer = asyncio.create_task(self._writer(ws, queue))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("message") == "ping":
                    queue.put_nowait({"topicName": "channel.metadata", "eventBody": {"message": "pong"}})
        finally:
            writer.cancel()
            if channel.ws is ws:
                channel.ws, channel.queue = None, None
        return ws

    async def _writer(self, ws: web.WebSocketResponse, queue: asyncio.Queue[Any]) -> None:
        interval = self.app.settings.heartbeat_interval
        heartbeat = dumps({"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}}).decode()
        try:
            while not ws.closed:
                try:
                    item = await asyncio.wait_for(queue.get(), timeout=interval)
                except asyncio.TimeoutError:
                    await ws.send_str(heartbeat)
                    continue
                if item is _CLOSE:
                    await ws.close()
                    return
                await ws.send_str(dumps(item).decode())
        except (ConnectionError, RuntimeError):
            return


def register(app: EmulatorApp) -> None:
    channels = app.channels

    def owner(call: Call) -> tuple[str, str | None]:
        token = call.token
        return (token.client_id, token.user_id) if token is not None else ("", None)

    def listing(channel: Channel) -> dict[str, Any]:
        return {"entities": [{"id": t, "selfUri": f"/api/v2/notifications/availabletopics#{t}"}
                             for t in channel.topics]}

    def set_topics(channel: Channel, body: Any, replace: bool, ignore_errors: bool) -> None:
        wanted = [] if replace else list(channel.topics)
        for item in body or []:
            topic = item.get("id") if isinstance(item, dict) else None
            if not isinstance(topic, str) or not topic.startswith("v2."):
                if ignore_errors:
                    continue
                raise bad_request(f"Invalid topic '{topic}'", "id")
            if topic not in wanted:
                wanted.append(topic)
        if len(wanted) > MAX_TOPICS:
            raise ApiError(400, "notification.subscription.limit",
                           f"A channel may subscribe to at most {MAX_TOPICS} topics.")
        channel.topics = wanted
        channel.match = {t for topic in wanted for t in expand_topic(topic)}
        # Subscribing keeps the channel alive for another lifetime.
        channel.expires_at = time.time() + app.settings.channel_lifetime
        channels._schedule_expiry(channel)

    async def post_channels(call: Call) -> tuple[int, Any]:
        request = call.request
        scheme = "wss" if request.secure else "ws"
        base = f"{scheme}://{request.host}{app.settings.prefix_api}"
        return 200, channels.create(owner(call), base).public()

    async def get_channels(call: Call) -> tuple[int, Any]:
        mine = owner(call)
        include_all = call.query.get("includechannels") == "oauthclient"
        items = [c.public() for c in channels.channels.values()
                 if c.owner == mine or (include_all and c.owner[0] == mine[0])]
        return 200, {"entities": items}

    async def head_channel(call: Call) -> tuple[int, Any]:
        channels.get(call.values["channelId"])
        return 200, ""

    async def get_subs(call: Call) -> tuple[int, Any]:
        return 200, listing(channels.get(call.values["channelId"]))

    async def put_subs(call: Call) -> tuple[int, Any]:
        channel = channels.get(call.values["channelId"])
        set_topics(channel, call.body, True, call.query.get("ignoreErrors") == "true")
        return 200, listing(channel)

    async def post_subs(call: Call) -> tuple[int, Any]:
        channel = channels.get(call.values["channelId"])
        set_topics(channel, call.body, False, call.query.get("ignoreErrors") == "true")
        return 200, listing(channel)

    async def delete_subs(call: Call) -> tuple[int, Any]:
        channel = channels.get(call.values["channelId"])
        channel.topics, channel.match = [], set()
        return 204, None

    app.specials.update({
        "post_notifications_channels": post_channels, "get_notifications_channels": get_channels,
        "head_notifications_channel": head_channel, "get_notifications_channel_subscriptions": get_subs,
        "put_notifications_channel_subscriptions": put_subs, "post_notifications_channel_subscriptions": post_subs,
        "delete_notifications_channel_subscriptions": delete_subs,
    })
