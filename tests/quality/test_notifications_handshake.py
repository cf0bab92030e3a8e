"""WebSocket handshakes the platform refuses: 403/404/410 mean the channel is gone (the topics
move to a new channel, the old one is not retried); other statuses are retried on the same
channel. Over real HTTP and WebSocket against a small aiohttp platform on 127.0.0.1."""
from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

aiohttp = pytest.importorskip("aiohttp")
from aiohttp import web  # noqa: E402

import PureCloudPlatformClientV2 as sdk  # noqa: E402
from PureCloudPlatformClientV2.notifications import NotificationHandler  # noqa: E402
from tests.notifications.conftest import States  # noqa: E402

TOPIC = "v2.users.u1.presence"


class Platform:
    """Login, channel creation and subscriptions over HTTP, channel sockets over WebSocket.
    ``refuse[channel_id] = [status, ...]``: handshakes to that channel are answered with these
    statuses in turn (then accepted)."""

    def __init__(self) -> None:
        self.refuse: dict[str, list[int]] = {}
        self.handshakes: list[str] = []
        self.created: list[str] = []
        self.subscriptions: dict[str, list[str]] = {}
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ws-platform", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/oauth/token", self.token)
        app.router.add_post("/api/v2/notifications/channels", self.create)
        app.router.add_route("*", "/api/v2/notifications/channels/{id}/subscriptions", self.subscribe)
        app.router.add_route("*", "/api/v2/notifications/channels/{id}", self.channel)
        app.router.add_get("/ws/{id}", self.socket)
        self._runner = web.AppRunner(app)
        self.loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self.loop.run_forever()

    def __enter__(self) -> Platform:
        self._thread.start()
        assert self._ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            for ws in list(self.sockets.values()):
                await ws.close()
            assert self._runner is not None
            await self._runner.cleanup()
        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)
        self.loop.close()

    async def token(self, request: web.Request) -> web.Response:
        return web.json_response({"access_token": "tok", "token_type": "bearer", "expires_in": 86400})

    async def create(self, request: web.Request) -> web.Response:
        channel_id = f"ch-{len(self.created) + 1}"
        self.created.append(channel_id)
        return web.json_response({"id": channel_id, "connectUri": f"ws://127.0.0.1:{self.port}/ws/{channel_id}"})

    async def subscribe(self, request: web.Request) -> web.Response:
        topics = [t["id"] for t in await request.json()]
        channel_id = request.match_info["id"]
        if request.method == "PUT":
            self.subscriptions[channel_id] = topics
        else:
            self.subscriptions.setdefault(channel_id, []).extend(topics)
        return web.json_response({"entities": [{"id": t} for t in self.subscriptions[channel_id]]})

    async def channel(self, request: web.Request) -> web.Response:
        known = request.match_info["id"] in self.created
        return web.Response(status=200 if known else 404)

    async def socket(self, request: web.Request) -> web.StreamResponse:
        channel_id = request.match_info["id"]
        self.handshakes.append(channel_id)
        pending = self.refuse.get(channel_id)
        if pending:
            return web.Response(status=pending.pop(0), text="refused by the test platform")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets[channel_id] = ws
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT and json.loads(msg.data).get("message") == "ping":
                await ws.send_str(json.dumps({"topicName": "channel.metadata", "eventBody": {"message": "pong"}}))
        return ws

    def publish(self, channel_id: str, body: dict[str, Any]) -> None:
        message = json.dumps({"topicName": TOPIC, "eventBody": body})
        asyncio.run_coroutine_threadsafe(self.sockets[channel_id].send_str(message), self.loop).result(30)


@pytest.fixture
def platform() -> Iterator[Platform]:
    with Platform() as running:
        yield running


def _client(platform: Platform) -> sdk.ApiClient:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(host=platform.url, live_reload_config=False))
    return client.get_client_credentials_token("cid", "secret")


@pytest.mark.parametrize("status", [403, 404, 410])
def test_refused_handshake_moves_the_topics_to_a_new_channel(platform: Platform, status: int) -> None:
    platform.refuse["ch-1"] = [status]
    states = States()
    with NotificationHandler(_client(platform), reconnect_delay=0.05, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        states.wait("connected", lambda d: d["channel_id"] == "ch-2", timeout=60)
        assert platform.created == ["ch-1", "ch-2"]
        assert platform.handshakes == ["ch-1", "ch-2"]  # the gone channel was not tried again
        assert platform.subscriptions["ch-2"] == [TOPIC]
        platform.publish("ch-2", {"id": "u1", "n": 7})
        assert handler.next_event(timeout=10).event_body.n == 7


def test_other_refused_handshake_is_retried_on_the_same_channel(platform: Platform) -> None:
    platform.refuse["ch-1"] = [500]
    states = States()
    with NotificationHandler(_client(platform), reconnect_delay=0.05, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        states.wait("connected", lambda d: d["channel_id"] == "ch-1", timeout=60)
        assert platform.created == ["ch-1"]
        assert platform.handshakes == ["ch-1", "ch-1"]
        platform.publish("ch-1", {"id": "u1", "n": 3})
        assert handler.next_event(timeout=10).event_body.n == 3
