"""Notification channels, subscriptions and the WebSocket, with aiohttp as the client."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from PureCloudPlatformClientV2.emulator import Emulator


async def next_message(ws: aiohttp.ClientWebSocketResponse, topic: str | None = None, timeout: float = 30.0
                       ) -> dict[str, Any]:
    """The next message (skipping heartbeats unless asked for `channel.metadata`)."""
    async def read() -> dict[str, Any]:
        while True:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"socket ended: {msg.type}")
            data = json.loads(msg.data)
            if topic is None or data["topicName"] == topic:
                if topic is None and data["topicName"] == "channel.metadata":
                    continue
                return data
    return await asyncio.wait_for(read(), timeout)


async def wait_closed(ws: aiohttp.ClientWebSocketResponse, timeout: float = 30.0) -> None:
    async def drain() -> None:
        while (await ws.receive()).type == aiohttp.WSMsgType.TEXT:
            pass
    await asyncio.wait_for(drain(), timeout)
    assert ws.closed


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class Client:
    def __init__(self, emu: Emulator, session: aiohttp.ClientSession, token: str) -> None:
        self.emu, self.session = emu, session
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        async with self.session.request(method, self.emu.base_url + path, json=body, headers=self.headers) as resp:
            assert resp.status == expect, await resp.text()
            return await resp.json() if resp.status == 200 and method != "HEAD" else None

    async def channel(self, *topics: str) -> dict[str, Any]:
        channel = await self.call("POST", "/api/v2/notifications/channels")
        if topics:
            await self.call("PUT", f"/api/v2/notifications/channels/{channel['id']}/subscriptions",
                            [{"id": t} for t in topics])
        return channel


def with_client(emu: Emulator, func: Any) -> Any:
    async def main() -> Any:
        async with aiohttp.ClientSession() as session:
            return await func(Client(emu, session, emu.issue_token()))
    return run(main())


def test_subscriptions_put_post_get_delete(emulator):
    async def scenario(c: Client) -> None:
        channel = await c.call("POST", "/api/v2/notifications/channels")
        assert channel["connectUri"] == f"{emulator.base_url.replace('http', 'ws')}/channels/{channel['id']}"
        assert channel["expires"].endswith("Z")
        path = f"/api/v2/notifications/channels/{channel['id']}/subscriptions"
        put = await c.call("PUT", path, [{"id": "v2.users.a.presence"}, {"id": "v2.users.b.presence"}])
        assert [e["id"] for e in put["entities"]] == ["v2.users.a.presence", "v2.users.b.presence"]
        post = await c.call("POST", path, [{"id": "v2.users.c.presence"}])
        assert len(post["entities"]) == 3
        replaced = await c.call("PUT", path, [{"id": "v2.users.d.presence"}])
        assert [e["id"] for e in replaced["entities"]] == ["v2.users.d.presence"]
        assert [e["id"] for e in (await c.call("GET", path))["entities"]] == ["v2.users.d.presence"]
        await c.call("PUT", path, [{"id": "not-a-topic"}], expect=400)
        await c.call("DELETE", path, expect=204)
        assert (await c.call("GET", path))["entities"] == []
        await c.call("HEAD", f"/api/v2/notifications/channels/{channel['id']}")
        listed = await c.call("GET", "/api/v2/notifications/channels")
        assert channel["id"] in [e["id"] for e in listed["entities"]]
        await c.call("GET", "/api/v2/notifications/channels/nope/subscriptions", expect=404)
    with_client(emulator, scenario)


def test_heartbeat_ping_and_presence_event(emulator):
    user = emulator.add_user("Watched")

    async def scenario(c: Client) -> None:
        channel = await c.channel(f"v2.users.{user['id']}.presence", f"v2.users.{user['id']}")
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            beat = await next_message(ws, "channel.metadata")
            assert beat["eventBody"]["message"] == "WebSocket Heartbeat"
            await ws.send_str(json.dumps({"message": "ping"}))
            while (await next_message(ws, "channel.metadata"))["eventBody"]["message"] != "pong":
                pass
            definitions = (await c.call("GET", "/api/v2/presencedefinitions"))["entities"]
            busy = next(d for d in definitions if d["systemPresence"] == "Busy")
            await c.call("PATCH", f"/api/v2/users/{user['id']}/presences/purecloud",
                         {"presenceDefinition": {"id": busy["id"]}})
            event = await next_message(ws)
            assert event["topicName"] == f"v2.users.{user['id']}.presence"
            assert event["eventBody"]["presenceDefinition"]["systemPresence"] == "Busy"
            assert event["metadata"]["CorrelationId"]
            await c.call("PATCH", f"/api/v2/users/{user['id']}", {"title": "Lead", "version": 1})
            update = await next_message(ws)
            assert update["topicName"] == f"v2.users.{user['id']}" and update["eventBody"]["title"] == "Lead"
    with_client(emulator, scenario)


def test_combined_topic_and_published_events(emulator):
    user = emulator.add_user("Combined")

    async def scenario(c: Client) -> None:
        channel = await c.channel(f"v2.users.{user['id']}?presence&routingStatus")
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            await next_message(ws, "channel.metadata")  # connected and served
            await c.call("PUT", f"/api/v2/users/{user['id']}/routingstatus", {"status": "IDLE"})
            event = await next_message(ws)
            assert event["topicName"] == f"v2.users.{user['id']}.routingStatus"
            assert event["eventBody"]["routingStatus"]["status"] == "IDLE"
            assert await asyncio.to_thread(emulator.publish, "v2.users.other.presence", {}) == 0
            assert await asyncio.to_thread(emulator.publish, f"v2.users.{user['id']}.presence", {"x": 1}) == 1
            assert (await next_message(ws))["eventBody"] == {"x": 1}
    with_client(emulator, scenario)


def test_socket_closing_notice_and_second_socket_wins(emulator):
    async def scenario(c: Client) -> None:
        channel = await c.channel("v2.users.x.presence")
        first = await c.session.ws_connect(channel["connectUri"])
        await next_message(first, "channel.metadata")
        second = await c.session.ws_connect(channel["connectUri"])
        await next_message(second, "channel.metadata")
        await wait_closed(first)  # one socket per channel: the first is dropped
        assert await asyncio.to_thread(emulator.close_socket, channel["id"])
        notice = await next_message(second, "v2.system.socket_closing")
        assert notice["eventBody"]["message"]
        await wait_closed(second)
        # The channel survives its socket: reconnecting works.
        async with c.session.ws_connect(channel["connectUri"]) as again:
            await next_message(again, "channel.metadata")
    with_client(emulator, scenario)


def test_expired_channel_is_gone(emulator):
    async def scenario(c: Client) -> None:
        channel = await c.channel("v2.users.x.presence")
        ws = await c.session.ws_connect(channel["connectUri"])
        await next_message(ws, "channel.metadata")
        assert await asyncio.to_thread(emulator.expire_channel, channel["id"])
        await next_message(ws, "v2.system.socket_closing")
        await wait_closed(ws)
        await c.call("HEAD", f"/api/v2/notifications/channels/{channel['id']}", expect=404)
        await c.call("GET", f"/api/v2/notifications/channels/{channel['id']}/subscriptions", expect=404)
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await c.session.ws_connect(channel["connectUri"])
    with_client(emulator, scenario)


def test_channel_lifetime_expiry():
    with Emulator(channel_lifetime=0.5, heartbeat_interval=0.1) as emu:
        async def scenario(c: Client) -> None:
            channel = await c.channel("v2.users.x.presence")
            ws = await c.session.ws_connect(channel["connectUri"])
            await next_message(ws, "v2.system.socket_closing", timeout=5)
            await wait_closed(ws)
            await c.call("HEAD", f"/api/v2/notifications/channels/{channel['id']}", expect=404)
        with_client(emu, scenario)
