"""AsyncNotificationHandler: the same engine on the caller's event loop."""
from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient
from PureCloudPlatformClientV2.aio.notifications import AsyncNotificationHandler
from PureCloudPlatformClientV2.aio_notifications import AsyncNotificationHandler as OldPathHandler
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.notifications import NotificationError, NotificationHandler

from .conftest import client_for


def test_the_old_import_path_is_the_same_class() -> None:
    assert OldPathHandler is AsyncNotificationHandler


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
            async for event in handler.events(timeout=30):
                assert isinstance(event.event_body, sdk.PresenceEventUserPresence)
                assert event.event_body.presence_definition.system_presence == "Meal"
                break
            assert await asyncio.wait_for(seen.get(), 30) == "IDLE"
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
                state, detail = await asyncio.wait_for(states.get(), 30)
                if state == name:
                    return detail

        handler = AsyncNotificationHandler(client, reconnect_delay=0.05,
                                           on_state_change=lambda s, d: states.put_nowait((s, d)))
        await handler.subscribe("v2.users.async.presence")  # before start: recorded
        async with handler:
            old = handler.channels[0].id
            await asyncio.to_thread(fresh.close_socket, old, notice=True, delay=60.0)
            assert (await wait_state("rolled_over"))["replaced"] == old
            new = handler.channels[0].id
            await asyncio.to_thread(fresh.close_socket, new, notice=False, delay=0)
            await wait_state("disconnected")
            assert (await wait_state("connected"))["channel_id"] == new
            assert await asyncio.to_thread(fresh.publish, "v2.users.async.presence", {"n": 1}) == 1
            assert (await handler.next_event(timeout=30)).event_body.n == 1
            await handler.unsubscribe("v2.users.async.presence")
            assert handler.channels == []

    asyncio.run(main())


class CountingExecutor(concurrent.futures.ThreadPoolExecutor):
    """A default executor that counts what is handed to it."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.submitted = 0

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(*args, **kwargs)


def test_rest_calls_are_asyncio_io_on_an_async_api_client(fresh: Emulator) -> None:
    """With an AsyncApiClient nothing runs on executor threads: channel creation, subscriptions,
    the channel check after a dropped socket, and a token renewal after the tokens expired."""
    configuration = sdk.Configuration.new(host=fresh.base_url, live_reload_config=False)
    emulator_calls = concurrent.futures.ThreadPoolExecutor(max_workers=1)  # the test's own blocking calls

    async def main() -> None:
        loop = asyncio.get_running_loop()
        executor = CountingExecutor()
        loop.set_default_executor(executor)
        states: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()

        async def emu(func: Any, *args: Any, **kwargs: Any) -> Any:
            return await loop.run_in_executor(emulator_calls, lambda: func(*args, **kwargs))

        async def wait_state(name: str) -> dict:
            while True:
                state, detail = await asyncio.wait_for(states.get(), 30)
                if state == name:
                    return detail

        async with AsyncApiClient(configuration=configuration) as client:
            await client.get_client_credentials_token(fresh.client_id, fresh.client_secret)
            async with AsyncNotificationHandler(client, reconnect_delay=0.05,
                                                on_state_change=lambda s, d: states.put_nowait((s, d))) as handler:
                await handler.subscribe("v2.users.aio.presence")
                channel = handler.channels[0].id
                await emu(fresh.expire_tokens)
                await emu(fresh.close_socket, channel, notice=False, delay=0)
                await wait_state("disconnected")
                assert (await wait_state("connected"))["channel_id"] == channel  # HEAD: 401, renewal, 200
                await handler.subscribe("v2.users.aio.routingStatus")
                assert await emu(fresh.publish, "v2.users.aio.routingStatus", {"n": 1}) == 1
                assert (await handler.next_event(timeout=30)).event_body.n == 1
            assert await emu(fresh.token_requests, "client_credentials") == 2
        assert executor.submitted == 0

    try:
        asyncio.run(main())
    finally:
        emulator_calls.shutdown()


def test_a_sync_api_client_renews_the_token_for_the_async_handler(fresh: Emulator) -> None:
    client = client_for(fresh)

    async def main() -> None:
        async with AsyncNotificationHandler(client) as handler:
            await handler.subscribe("v2.users.bridge.presence")
            token = client.access_token
            await asyncio.to_thread(fresh.expire_tokens)
            await handler.subscribe("v2.users.bridge.routingStatus")  # 401, the ApiClient renews, retried
            assert client.access_token != token
            assert await asyncio.to_thread(fresh.publish, "v2.users.bridge.routingStatus", {"n": 2}) == 1
            assert (await handler.next_event(timeout=30)).event_body.n == 2

    asyncio.run(main())


def test_wrong_client_types_are_refused() -> None:
    with pytest.raises(TypeError, match="AsyncApiClient"):
        AsyncNotificationHandler(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="AsyncNotificationHandler"):
        NotificationHandler(AsyncApiClient(configuration=sdk.Configuration.new(live_reload_config=False)))
