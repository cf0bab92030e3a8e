"""The emulator's notification channels, less common paths: the 20-channel limit, subscription
limits and ignoreErrors, socket closing without notice or after a delay, frames that are not
pings, and sockets closed by reset and by shutdown."""
from __future__ import annotations

import asyncio

import aiohttp

from PureCloudPlatformClientV2.emulator import Emulator

from .test_notifications import Client, next_message, wait_closed, with_client


def test_twenty_first_channel_replaces_the_oldest_idle_one(emulator):
    async def scenario(c: Client) -> None:
        made = [await c.call("POST", "/api/v2/notifications/channels") for _ in range(20)]
        async with c.session.ws_connect(made[0]["connectUri"]):
            newest = await c.call("POST", "/api/v2/notifications/channels")
            ids = {ch["id"] for ch in (await c.call("GET", "/api/v2/notifications/channels"))["entities"]}
            assert len(ids) == 20 and newest["id"] in ids
            assert made[0]["id"] in ids  # connected: kept
            assert made[1]["id"] not in ids  # the oldest without a socket went
            await c.call("HEAD", f"/api/v2/notifications/channels/{made[1]['id']}", expect=404)
    with_client(emulator, scenario)


def test_subscription_duplicates_ignore_errors_and_topic_limit(emulator):
    async def scenario(c: Client) -> None:
        channel = await c.call("POST", "/api/v2/notifications/channels")
        path = f"/api/v2/notifications/channels/{channel['id']}/subscriptions"
        dup = await c.call("PUT", path, [{"id": "v2.users.a.presence"}, {"id": "v2.users.a.presence"}])
        assert [e["id"] for e in dup["entities"]] == ["v2.users.a.presence"]
        lenient = await c.call("POST", path + "?ignoreErrors=true", [{"id": "bogus"}, {"id": "v2.users.b.presence"}])
        assert [e["id"] for e in lenient["entities"]] == ["v2.users.a.presence", "v2.users.b.presence"]
        await c.call("POST", path, [{"id": "bogus"}], expect=400)
        too_many = [{"id": f"v2.users.u{i}.presence"} for i in range(1001)]
        async with c.session.put(c.emu.base_url + path, json=too_many, headers=c.headers) as resp:
            assert resp.status == 400
            assert (await resp.json())["code"] == "notification.subscription.limit"
        assert len((await c.call("GET", path))["entities"]) == 2  # unchanged by the refused PUT
        await c.call("PUT", path, too_many[:1000])
    with_client(emulator, scenario)


def test_close_socket_and_expire_on_unknown_or_unconnected_channels(emulator):
    assert emulator.expire_channel("no-such-channel") is False
    assert emulator.close_socket("no-such-channel") is False

    async def scenario(c: Client) -> None:
        channel = await c.channel()
        assert emulator.close_socket(channel["id"]) is False  # no socket connected
    with_client(emulator, scenario)


def test_close_socket_without_notice_and_with_delay(emulator):
    async def scenario(c: Client) -> None:
        channel = await c.channel()
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            assert emulator.close_socket(channel["id"], notice=False)
            msg = await asyncio.wait_for(ws.receive(), 30)
            while msg.type == aiohttp.WSMsgType.TEXT and "channel.metadata" in msg.data:
                msg = await asyncio.wait_for(ws.receive(), 30)  # heartbeats may come first
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            assert emulator.close_socket(channel["id"], delay=0.05)
            notice = await next_message(ws, "v2.system.socket_closing")
            assert "closing" in notice["eventBody"]["message"]
            await wait_closed(ws)
    with_client(emulator, scenario)


def test_frames_other_than_ping_are_ignored(emulator):
    async def scenario(c: Client) -> None:
        channel = await c.channel()
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            await ws.send_bytes(b"\x00\x01")
            await ws.send_str("not json")
            await ws.send_str('{"message": "hello"}')
            await ws.send_str('["ping"]')
            await ws.send_str('{"message": "ping"}')
            pong = await next_message(ws, "channel.metadata")
            while pong["eventBody"]["message"] != "pong":  # skip heartbeats
                pong = await next_message(ws, "channel.metadata")
            assert pong["eventBody"] == {"message": "pong"}
    with_client(emulator, scenario)


def test_reset_closes_connected_sockets(emulator):
    async def scenario(c: Client) -> None:
        channel = await c.channel()
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            emulator.reset()
            await wait_closed(ws)
        assert emulator.channels() == []
    with_client(emulator, scenario)


def test_shutdown_closes_connected_sockets():
    emu = Emulator(heartbeat_interval=30.0).start()
    try:
        async def scenario(c: Client) -> None:
            channel = await c.channel()
            async with c.session.ws_connect(channel["connectUri"]) as ws:
                stopping = asyncio.get_running_loop().run_in_executor(None, emu.stop)
                await wait_closed(ws)
                await stopping
        with_client(emu, scenario)
    finally:
        emu.stop()
