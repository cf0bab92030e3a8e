"""Token renewal across tasks: one renewal in flight, the other tasks await it."""
from __future__ import annotations

import asyncio
import time

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import UsersApiAsync
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiException

from .helpers import code_client, new_client

TASKS = 1000


def test_1000_tasks_hit_401_and_exactly_one_refreshes(fresh_emu):
    async def main() -> None:
        client, info = await code_client(fresh_emu, pool_maxsize=100)
        async with client:
            users = UsersApiAsync(client)
            assert (await users.get_users_me()).id == fresh_emu.admin_user_id
            old = client.access_token
            assert fresh_emu.expire_tokens() >= 1
            fresh_emu.reset_counters()
            results = await asyncio.gather(*(users.get_users_me() for _ in range(TASKS)))
            assert {r.id for r in results} == {fresh_emu.admin_user_id} and len(results) == TASKS
            assert client.access_token != old and client.refresh_token == info["refresh_token"]
            assert not client.refresh_in_progress
    asyncio.run(main())
    assert fresh_emu.token_requests("refresh_token") == 1
    assert fresh_emu.token_requests() == 1
    assert fresh_emu.request_count("get_users_me") >= TASKS


def test_client_credentials_renewed_once_for_200_tasks(fresh_emu):
    async def main() -> None:
        async with new_client(fresh_emu.base_url) as client:
            await client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
            users = UsersApiAsync(client)
            await users.get_users(page_size=1)
            fresh_emu.expire_tokens()
            fresh_emu.reset_counters()
            pages = await asyncio.gather(*(users.get_users(page_size=1) for _ in range(200)))
            assert all(p.entities for p in pages)
    asyncio.run(main())
    assert fresh_emu.token_requests("client_credentials") == 1


def test_refresh_disabled_surfaces_the_401(fresh_emu):
    async def main() -> None:
        client, _ = await code_client(fresh_emu, should_refresh_access_token=False)
        async with client:
            users = UsersApiAsync(client)
            await users.get_users_me()
            fresh_emu.expire_tokens()
            fresh_emu.reset_counters()
            with pytest.raises(ApiException) as info:
                await users.get_users_me()
            assert info.value.status == 401
    asyncio.run(main())
    assert fresh_emu.token_requests() == 0
    assert sdk.configuration.should_refresh_access_token is True


def test_token_renewed_ahead_of_expiry(fresh_emu):
    async def main() -> None:
        async with new_client(fresh_emu.base_url) as client:
            await client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
            old = client.access_token
            client.token_expires_at = time.monotonic() + 5  # within the 30 s renewal margin
            await asyncio.gather(*(UsersApiAsync(client).get_users(page_size=1) for _ in range(50)))
            assert client.access_token != old
    asyncio.run(main())
    assert fresh_emu.token_requests("client_credentials") == 2
    assert fresh_emu.request_count("get_users") == 50  # no request went out with the old token and got a 401


def test_waiting_for_a_slow_renewal_is_bounded_by_refresh_token_wait_time(emu: Emulator):
    async def main() -> None:
        async with new_client(emu.base_url, refresh_token_wait_time=1) as client:
            await client.get_client_credentials_token(emu.client_id, emu.client_secret)
            stale = client.access_token
            never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            client._tokens._async[asyncio.get_running_loop()] = never  # a renewal that never finishes, started elsewhere
            started = time.monotonic()
            with pytest.raises(ApiException, match="longer than 1 seconds"):
                await client.handle_expired_access_token(stale)
            assert 0.9 < time.monotonic() - started < 30  # bounded (the renewal never ends), generously
            never.cancel()
    asyncio.run(main())


def test_a_cancelled_starter_does_not_cancel_the_renewal_for_the_others(fresh_emu):
    async def main() -> None:
        client, _ = await code_client(fresh_emu)
        async with client:
            fresh_emu.expire_tokens()
            fresh_emu.reset_counters()
            stale = client.access_token
            starter = asyncio.ensure_future(client.handle_expired_access_token(stale))
            await asyncio.sleep(0)  # let it start the renewal
            assert client.refresh_in_progress
            waiter = asyncio.ensure_future(client.handle_expired_access_token(stale))
            starter.cancel()
            await waiter
            assert client.access_token != stale
    asyncio.run(main())
    assert fresh_emu.token_requests("refresh_token") == 1
