"""The asyncio client under load (real HTTP against the emulator): first come, first served
connections, tokens that are current when a request leaves, one session per event loop."""
from __future__ import annotations

import asyncio
import gc
import statistics
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.emulator import Emulator

from .conftest import config_for


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed_users=2) as emulator:
        yield emulator


async def _calls(users: UsersApiAsync, user_id: str, n: int, waits: list[float], finished: list[float],
                 index: int, errors: list[BaseException], after_each: Any = None) -> None:
    """A fixed amount of work per task (not "as many calls as fit in N seconds"), so the test asks
    the same of a fast and a slow machine."""
    for _ in range(n):
        started = time.monotonic()
        try:
            await users.get_user(user_id)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        waits.append(time.monotonic() - started)
        if after_each is not None:
            await after_each()
    finished[index] = time.monotonic()


def test_64_tasks_on_32_connections_take_turns(emu: Emulator) -> None:
    emu.reset()

    async def main() -> tuple[list[float], list[float], list[BaseException]]:
        async with AsyncApiClient(configuration=config_for(emu.base_url), pool_limit=32) as client:
            await client.get_client_credentials_token(emu.client_id, emu.client_secret)
            users = UsersApiAsync(client)
            user_id = (await users.get_users(page_size=1)).entities[0].id
            waits: list[float] = []
            finished = [0.0] * 64
            errors: list[BaseException] = []
            began = time.monotonic()
            await asyncio.gather(*(_calls(users, user_id, 20, waits, finished, i, errors) for i in range(64)))
            return waits, [f - began for f in finished], errors

    waits, finished, errors = asyncio.run(main())
    assert not errors
    median = statistics.median(waits)
    # FIFO: every task gets its turn, so no call waits more than a few rounds (generous: GC pauses,
    # a busy machine), and the 64 tasks finish their 20 calls together. An unfair pool lets some
    # tasks loop through their calls while others wait: they finish far apart.
    assert max(waits) <= max(20 * median, 2.5), (max(waits), median)
    assert min(finished) >= max(finished) / 4, (min(finished), max(finished))


def test_one_client_across_two_asyncio_runs_leaks_no_session(emu: Emulator) -> None:
    client = AsyncApiClient(configuration=config_for(emu.base_url))
    sessions: list[Any] = []

    async def use() -> None:
        if not client.access_token:
            await client.get_client_credentials_token(emu.client_id, emu.client_secret)
        await UsersApiAsync(client).get_users(page_size=1)
        sessions.append(client.get_http_client().session())  # type: ignore[attr-defined]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(use())
        asyncio.run(use())  # no `async with`, no close(): the loop's end closes its session
        gc.collect()
    assert sessions[0] is not sessions[1]
    assert sessions[0].closed and sessions[1].closed
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], [str(w.message) for w in caught]


def test_short_mixed_soak_no_401_reaches_callers(emu: Emulator) -> None:
    """64 tasks x 40 calls, pool 32, every token expired every 128 calls, one-shot faults: only successes."""
    emu.reset()
    expiries = [0]
    done = [0]

    async def expire_every_128_calls() -> None:
        # Expiries driven by progress, not by the clock: the same number on any machine.
        done[0] += 1
        if done[0] % 128 == 0:
            await asyncio.to_thread(emu.expire_tokens)
            expiries[0] += 1

    async def main() -> tuple[list[BaseException], int]:
        retry = sdk.RetryConfiguration(backoff_initial=0.05, backoff_max=0.2)
        async with AsyncApiClient(configuration=config_for(emu.base_url, retry=retry), pool_limit=32) as client:
            await client.get_client_credentials_token(emu.client_id, emu.client_secret)
            users = UsersApiAsync(client)
            user_id = (await users.get_users(page_size=1)).entities[0].id
            for kind in (503, "reset", 502, 429):
                emu.add_fault(kind, "/api/v2/users/*", times=3)
            errors: list[BaseException] = []
            waits: list[float] = []
            finished = [0.0] * 64
            await asyncio.gather(*(_calls(users, user_id, 40, waits, finished, i, errors, expire_every_128_calls)
                                   for i in range(64)))
            return errors, client.token_renewals

    errors, renewals = asyncio.run(main())
    assert not errors, errors[:3]
    assert expiries[0] == 64 * 40 // 128
    assert 0 < renewals <= expiries[0] + 2  # one renewal per distinct expiry, at most
