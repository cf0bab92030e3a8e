"""AsyncNotificationHandler: the same engine on the caller's event loop."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio_notifications import AsyncNotificationHandler
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.notifications import NotificationError

from .conftest import client_for


def test_async_for_typed_events_and_async_callbacks(fresh: Emulator) -> None:
    client = client_for(fresh)
    user_id = fresh.admin_user_id

    async def main() -> None:
        seen: asyncio.Queue[Any] = asyncio.Queue()

        async def on_routing(event: Any) -> None:
            await seen.put(event.event_body.routing_status.status)

        async with AsyncNotificationHandler(client) as handler:
            await handler.subscribe(f"v2.users.{user_id}.presence", model="PresenceEventUserPresence")
            await handler.subscribe(f"v2.users.{user_id}.routingStatus", on_routing)
            await asyncio.to_thread(fresh.publish, f"v2.users.{user_id}.presence",
                                    {"presenceDefinition": {"systemPresence": "Meal"}})
            await asyncio.to_thread(fresh.publish, f"v2.users.{user_id}.routingStatus",
                                    {"routingStatus": {"status": "IDLE"}})
            async for event in handler.events(timeout=5):
                assert isinstance(event.event_body, sdk.PresenceEventUserPresence)
                assert event.event_body.presence_definition.system_presence == "Meal"
                break
            assert await asyncio.wait_for(seen.get(), 5) == "IDLE"
            with pytest.raises(TimeoutError):
                await handler.next_event(timeout=0.05)
            assert len(handler.channels) == 1
        with pytest.raises(NotificationError):
            await handler.next_event(timeout=1)  # stopped

    asyncio.run(main())


def test_async_rollover_and_reconnect(fresh: Emulator) -> None:
    client = client_for(fresh)

    async def main() -> None:
        states: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()

        async def wait_state(name: str) -> dict:
            while True:
                state, detail = await asyncio.wait_for(states.get(), 10)
                if state == name:
                    return detail

        handler = AsyncNotificationHandler(client, reconnect_delay=0.05,
                                           on_state_change=lambda s, d: states.put_nowait((s, d)))
        await handler.subscribe("v2.users.async.presence")  # before start: recorded
        async with handler:
            old = handler.channels[0].id
            await asyncio.to_thread(fresh.close_socket, old, notice=True, delay=5.0)
            assert (await wait_state("rolled_over"))["replaced"] == old
            new = handler.channels[0].id
            await asyncio.to_thread(fresh.close_socket, new, notice=False, delay=0)
            await wait_state("disconnected")
            assert (await wait_state("connected"))["channel_id"] == new
            assert await asyncio.to_thread(fresh.publish, "v2.users.async.presence", {"n": 1}) == 1
            assert (await handler.next_event(timeout=5)).event_body.n == 1
            await handler.unsubscribe("v2.users.async.presence")
            assert handler.channels == []

    asyncio.run(main())
