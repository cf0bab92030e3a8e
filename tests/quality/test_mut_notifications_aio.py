"""The asyncio front (``AsyncNotificationHandler``) and its REST adapters against the scripted
platform: lifecycle edges, callbacks that fail or stop the handler, iteration ending, and
errors passed through from the platform."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient
from PureCloudPlatformClientV2.aio.notifications import AsyncNotificationHandler
from PureCloudPlatformClientV2.notifications import NotificationError
from PureCloudPlatformClientV2.notifications.rest import AsyncClientRest, SyncTokenRest, rest_for
from tests.quality.notif_platform import TOPIC, Platform

OTHER = "v2.users.u2.presence"


@pytest.fixture
def platform() -> Iterator[Platform]:
    with Platform() as running:
        yield running


async def _async_client(platform: Platform) -> AsyncApiClient:
    client = AsyncApiClient(configuration=sdk.Configuration.new(host=platform.url, live_reload_config=False))
    await client.get_client_credentials_token("cid", "secret")
    return client


def test_lifecycle_edges(platform: Platform) -> None:
    async def main() -> None:
        client = await _async_client(platform)
        handler = AsyncNotificationHandler(client, ping_interval=None)
        with pytest.raises(NotificationError, match="not running"):
            await handler.next_event(timeout=0)
        await handler.subscribe(TOPIC)  # before start: only recorded
        assert platform.created == [] and handler.topics == [TOPIC]
        platform.fail["create"] = [400]
        with pytest.raises(sdk.ApiException) as caught:
            await handler.start()
        assert caught.value.status == 400 and not handler.running
        with pytest.raises(NotificationError, match="stopped"):
            await handler.start()
        with pytest.raises(NotificationError, match="stopped"):
            await handler.next_event(timeout=0)
        assert [e async for e in handler.events(timeout=0)] == []
        await handler.stop()  # again: nothing happens

        second = AsyncNotificationHandler(client, ping_interval=None)
        assert await second.start() is second and await second.start() is second and second.running
        with pytest.raises(TimeoutError):
            await second.next_event(timeout=0)
        await second.stop()
        assert not second.running
        await client.close()

    asyncio.run(main())


def test_callbacks_that_fail_or_stop_the_handler(platform: Platform, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="PureCloudPlatformClientV2.notifications")

    async def main() -> None:
        client = await _async_client(platform)
        states: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        stopped = asyncio.Event()

        async def on_state(state: str, detail: dict[str, Any]) -> None:
            await states.put((state, detail))

        async def failing(event: Any) -> None:
            raise RuntimeError("boom")

        handler = AsyncNotificationHandler(client, ping_interval=None, on_state_change=on_state)

        async def stopping(event: Any) -> None:
            await handler.stop()  # from the dispatcher itself
            stopped.set()

        await handler.start()
        await handler.subscribe(TOPIC, failing, wait=False)  # returns at once
        while (await asyncio.wait_for(states.get(), 30))[0] != "connected":
            pass
        assert platform.subscriptions == {"ch-1": [TOPIC]}
        await handler.subscribe(OTHER)
        await asyncio.to_thread(platform.event, "ch-1", {"n": 1})
        await asyncio.to_thread(platform.event, "ch-1", {"n": 2}, OTHER)
        # events() yields what is queued, then ends when nothing more comes in time.
        assert [e.event_body.n async for e in handler.events(timeout=0.2)] == [2]
        assert handler.stats["delivered"] == 2  # the failing callback's event counts as delivered
        await handler.unsubscribe(TOPIC)
        await handler.subscribe(TOPIC, stopping)
        await asyncio.to_thread(platform.event, "ch-1", {"n": 3})
        await asyncio.wait_for(stopped.wait(), 30)
        assert not handler.running
        await asyncio.wait_for(handler._dispatcher, 30)  # type: ignore[arg-type]
        await client.close()

    asyncio.run(main())
    failures = [r for r in caplog.records if r.getMessage() == "notification callback failed"]
    assert len(failures) == 1 and "boom" in str(failures[0].exc_info[1])


def test_a_sync_client_passes_other_errors_through(platform: Platform) -> None:
    async def main() -> None:
        handler = AsyncNotificationHandler(platform.client(), ping_interval=None)
        await handler.subscribe(TOPIC)
        platform.fail["create"] = [403]
        with pytest.raises(sdk.ApiException) as caught:
            await handler.start()
        assert caught.value.status == 403
        assert [c[0] for c in platform.calls] == ["create"]  # not retried: only a 401 renews

    asyncio.run(main())


def test_rest_adapters_for_each_kind_of_client(platform: Platform) -> None:
    async def main() -> None:
        with pytest.raises(TypeError, match="AsyncApiClient"):
            rest_for(object())
        own = rest_for(None)
        assert isinstance(own, AsyncClientRest) and own.owned
        await own.close()
        client = await _async_client(platform)
        given = rest_for(client)
        assert type(given) is AsyncClientRest and not given.owned and given.client is client
        await given.close()  # not owned: the caller's client stays usable
        assert (await given.call("post_notifications_channels")).id == "ch-1"
        await client.close()

        sync = platform.client()
        sync.set_default_header("X-Test", "yes")
        gateway = sdk.GatewayConfiguration()
        sync.gateway_configuration = gateway
        adapter = rest_for(sync)
        assert isinstance(adapter, SyncTokenRest) and adapter.owned
        assert adapter.client.default_headers["X-Test"] == "yes"
        assert adapter.client.gateway_configuration is gateway
        assert (await adapter.call("post_notifications_channels")).id == "ch-2"
        await adapter.close()

    asyncio.run(main())
