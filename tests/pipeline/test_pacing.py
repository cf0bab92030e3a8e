"""Rate-limit pacing against the emulator's per-token limit (real HTTP on 127.0.0.1).

A burst of three times the allowance must finish with no 429 (retries are off, so a 429
would raise) in close to the ideal time: the allowance per window, three windows.
"""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.emulator import Emulator

ALLOWED, WINDOW = 30, 3.0
IDEAL = 2 * WINDOW  # 3x the allowance: one window's worth at once, then one per reset


@pytest.fixture(scope="module")
def limited() -> Iterator[Emulator]:
    with Emulator(seed_users=1, rate_limit=ALLOWED, rate_limit_window=WINDOW) as emulator:
        yield emulator


def _config(emu: Emulator, **settings: object) -> sdk.Configuration:
    return sdk.Configuration.new(host=emu.base_url, live_reload_config=False, retry=False, **settings)


def test_emulator_reports_the_limit_and_answers_429_beyond_it() -> None:
    with Emulator(rate_limit=3, rate_limit_window=30) as emu:
        client = sdk.ApiClient(configuration=_config(emu, rate_limit_pacing=False))
        client.get_client_credentials_token(emu.client_id, emu.client_secret)
        users = sdk.UsersApi(client)
        for n in (1, 2, 3):
            info = client.with_http_info(users.get_users)
            assert info.headers["inin-ratelimit-count"] == str(n)
            assert info.headers["inin-ratelimit-allowed"] == "3"
            assert 1 <= int(info.headers["inin-ratelimit-reset"]) <= 30
        with pytest.raises(sdk.RateLimitError) as caught:
            users.get_users()
        assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 30
        assert caught.value.code == "too.many.requests.retry.after"


def test_sync_burst_of_three_allowances_is_paced_without_429(limited: Emulator) -> None:
    client = sdk.ApiClient(configuration=_config(limited))
    client.get_client_credentials_token(limited.client_id, limited.client_secret)
    users = sdk.UsersApi(client)
    errors: list[BaseException] = []
    start = threading.Event()

    def work() -> None:
        start.wait()
        for _ in range(3 * ALLOWED // 10):
            try:
                users.get_users(page_size=1)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(10)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.set()
    for thread in threads:
        thread.join(60)
    elapsed = time.monotonic() - began
    assert not errors, errors[:3]
    stats = client.rate_limit_stats
    assert stats.throttled == 0 and stats.paced_calls > 0 and stats.allowed == ALLOWED
    assert IDEAL * 0.95 <= elapsed <= IDEAL * 1.15, elapsed


def test_asyncio_burst_of_three_allowances_is_paced_without_429(limited: Emulator) -> None:
    async def main() -> float:
        async with AsyncApiClient(configuration=_config(limited)) as client:
            await client.get_client_credentials_token(limited.client_id, limited.client_secret)
            users = UsersApiAsync(client)
            began = time.monotonic()
            await asyncio.gather(*(users.get_users(page_size=1) for _ in range(3 * ALLOWED)))
            elapsed = time.monotonic() - began
            stats = client.rate_limit_stats
            assert stats.throttled == 0 and stats.paced_calls > 0
            return elapsed

    elapsed = asyncio.run(main())
    assert IDEAL * 0.95 <= elapsed <= IDEAL * 1.15, elapsed


def test_pacing_can_be_switched_off_per_client(limited: Emulator) -> None:
    client = sdk.ApiClient(configuration=_config(limited))
    client.rate_limit_pacing = False
    client.get_client_credentials_token(limited.client_id, limited.client_secret)
    users = sdk.UsersApi(client)
    with pytest.raises(sdk.RateLimitError):
        for _ in range(ALLOWED + 1):
            users.get_users(page_size=1)
    assert client.rate_limit_stats.paced_calls == 0
