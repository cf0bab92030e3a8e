"""A small scripted notifications platform for the engine's behaviour tests: login, channel
creation, subscriptions and channel checks over HTTP, channel sockets over WebSocket, on an
aiohttp server in a thread on 127.0.0.1. Each part can be told to refuse or fail, and the test
can push any frame (text, binary, malformed) into a channel's socket. Every call is recorded."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
from aiohttp import web

import PureCloudPlatformClientV2 as sdk

TOPIC = "v2.users.u1.presence"


class Platform:
    """``fail[kind] = [status, ...]``: the next calls of that kind (``create``, ``PUT``, ``POST``,
    ``DELETE``, ``HEAD``) are answered with these statuses in turn, then served.
    ``refuse[channel_id] = [status, ...]``: the same for WebSocket handshakes of a channel.
    ``silent[channel_id] = n``: the next n sockets of that channel accept and answer nothing."""

    def __init__(self) -> None:
        self.fail: dict[str, list[int]] = {}
        self.refuse: dict[str, list[int]] = {}
        self.silent: dict[str, int] = {}
        self.stall: set[str] = set()  # kinds of call held until release()
        self.mute: set[str] = set()  # channels whose sockets answer only their first ping
        self.heartbeat: float | None = None  # seconds between heartbeats on every socket
        self.expires_in: dict[str, float] = {}  # channel id -> its "expires", in seconds from its creation
        self._release: asyncio.Event | None = None
        self.calls: list[tuple[str, str, list[str]]] = []  # (kind, channel id, topics)
        self.handshakes: list[str] = []
        self.pings: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}  # channel id -> time.monotonic() of its handshake, then of each ping
        self.created: list[str] = []
        self.subscriptions: dict[str, list[str]] = {}
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.requests: dict[str, web.Request] = {}
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notif-platform", daemon=True)

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

    def client(self) -> sdk.ApiClient:
        client = sdk.ApiClient(configuration=sdk.Configuration.new(host=self.url, live_reload_config=False))
        return client.get_client_credentials_token("cid", "secret")

    def release(self) -> None:
        """Let the held calls (``stall``) go on."""
        self.stall.clear()

        async def go() -> None:
            if self._release is not None:
                self._release.set()
        self._on_loop(go())

    async def _held(self, kind: str) -> None:
        if kind in self.stall:
            if self._release is None:
                self._release = asyncio.Event()
            await self._release.wait()

    def _failure(self, kind: str) -> web.Response | None:
        pending = self.fail.get(kind)
        if pending:
            status = pending.pop(0)
            return web.json_response({"message": f"{kind} refused by the test platform", "status": status,
                                      "code": "refused"}, status=status)
        return None

    async def token(self, request: web.Request) -> web.Response:
        return web.json_response({"access_token": "tok", "token_type": "bearer", "expires_in": 86400})

    async def create(self, request: web.Request) -> web.Response:
        self.calls.append(("create", "", []))
        failed = self._failure("create")
        if failed is not None:
            return failed
        channel_id = f"ch-{len(self.created) + 1}"
        self.created.append(channel_id)
        channel: dict[str, Any] = {"id": channel_id, "connectUri": f"ws://127.0.0.1:{self.port}/ws/{channel_id}"}
        if channel_id in self.expires_in:
            expires = datetime.now(timezone.utc) + timedelta(seconds=self.expires_in[channel_id])
            channel["expires"] = expires.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return web.json_response(channel)

    async def subscribe(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["id"]
        topics = [t["id"] for t in await request.json()] if request.method in ("PUT", "POST") else []
        self.calls.append((request.method, channel_id, topics))
        await self._held(request.method)
        failed = self._failure(request.method)
        if failed is not None:
            return failed
        if request.method == "PUT":
            self.subscriptions[channel_id] = topics
        elif request.method == "POST":
            self.subscriptions.setdefault(channel_id, []).extend(topics)
        else:
            self.subscriptions[channel_id] = []
        return web.json_response({"entities": [{"id": t} for t in self.subscriptions[channel_id]]})

    async def channel(self, request: web.Request) -> web.Response:
        self.calls.append((request.method, request.match_info["id"], []))
        failed = self._failure(request.method)
        if failed is not None:
            return failed
        known = request.match_info["id"] in self.created
        return web.Response(status=200 if known else 404)

    async def socket(self, request: web.Request) -> web.StreamResponse:
        channel_id = request.match_info["id"]
        self.handshakes.append(channel_id)
        self.times[channel_id] = [time.monotonic()]
        pending = self.refuse.get(channel_id)
        if pending:
            return web.Response(status=pending.pop(0), text="refused by the test platform")
        silent = self.silent.get(channel_id, 0)
        if silent:
            self.silent[channel_id] = silent - 1
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets[channel_id] = ws
        self.requests[channel_id] = request
        beating = asyncio.ensure_future(self._beat(ws)) if self.heartbeat else None
        answered = 0
        try:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT and json.loads(msg.data).get("message") == "ping":
                    self.pings[channel_id] = self.pings.get(channel_id, 0) + 1
                    self.times[channel_id].append(time.monotonic())
                    if not silent and not (channel_id in self.mute and answered):
                        answered += 1
                        await ws.send_str(json.dumps({"topicName": "channel.metadata",
                                                      "eventBody": {"message": "pong"}}))
        finally:
            if beating is not None:
                beating.cancel()
        return ws

    async def _beat(self, ws: web.WebSocketResponse) -> None:
        assert self.heartbeat is not None
        while not ws.closed:
            await asyncio.sleep(self.heartbeat)
            try:
                await ws.send_str(json.dumps({"topicName": "channel.metadata",
                                              "eventBody": {"message": "WebSocket Heartbeat"}}))
            except (ConnectionError, RuntimeError):
                return

    def _on_loop(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def send(self, channel_id: str, message: Any) -> None:
        """A frame into the channel's socket: bytes go as a binary frame, a str as text, anything
        else as JSON text."""
        ws = self.sockets[channel_id]
        if isinstance(message, bytes):
            self._on_loop(ws.send_bytes(message))
        elif isinstance(message, str):
            self._on_loop(ws.send_str(message))
        else:
            self._on_loop(ws.send_str(json.dumps(message)))

    def event(self, channel_id: str, body: dict[str, Any], topic: str = TOPIC, cid: str | None = None) -> None:
        message: dict[str, Any] = {"topicName": topic, "eventBody": body}
        if cid is not None:
            message["metadata"] = {"CorrelationId": cid}
        self.send(channel_id, message)

    def write_raw(self, channel_id: str, data: bytes) -> None:
        """Bytes straight onto the socket's connection (a malformed frame)."""
        request = self.requests[channel_id]

        async def write() -> None:
            assert request.transport is not None
            request.transport.write(data)
        self._on_loop(write())

    def close(self, channel_id: str) -> None:
        self._on_loop(self.sockets[channel_id].close())
