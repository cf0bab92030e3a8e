"""Retries (Retry-After awaited with asyncio.sleep), timeouts and typed errors, against emulator faults."""
from __future__ import annotations

import asyncio
import socket
import time
import warnings
from collections.abc import Iterator

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import RetryConfiguration
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiConnectionError, ApiException, ApiTimeoutError, RateLimitError

from .helpers import fast_retries, new_client


@pytest.fixture
def faults(emu: Emulator) -> Iterator[Emulator]:
    emu.clear_faults()
    yield emu
    emu.clear_faults()


def _user_id(emu: Emulator) -> str:
    return str(emu.entities("/api/v2/users")[0]["id"])


async def _logged_in(emu: Emulator, **settings) -> AsyncApiClient:
    client = fast_retries(new_client(emu.base_url, **settings))
    return await client.get_client_credentials_token(emu.client_id, emu.client_secret)


def test_429_storm_across_100_tasks_waits_retry_after_without_blocking_the_loop(faults):
    faults.add_fault(429, "/api/v2/users/*", times=100, retry_after=1)
    user_id = _user_id(faults)

    async def main() -> None:
        async with await _logged_in(faults, pool_maxsize=100) as client:
            users = UsersApiAsync(client)

            async def timed() -> float:
                started = time.monotonic()
                assert (await users.get_user(user_id)).id == user_id
                return time.monotonic() - started

            started = time.monotonic()
            durations = await asyncio.gather(*(timed() for _ in range(100)))
            assert min(durations) >= 1.0  # every call met a 429; none retried before Retry-After
            # The waits overlap (asyncio.sleep, not a blocked loop): one after the other would take 100 s.
            assert time.monotonic() - started < 50
    asyncio.run(main())


def test_503_retried_for_get_not_for_post_unless_opted_in(faults):
    async def main() -> None:
        async with await _logged_in(faults) as client:
            users = UsersApiAsync(client)
            faults.add_fault(503, "/api/v2/users", method="GET", times=2)
            assert (await users.get_users(page_size=1)).entities
            body = sdk.CreateUser(name="R", email="r.async@example.com", password="x-Pass-123")
            faults.add_fault(503, "/api/v2/users", method="POST", times=1)
            before = faults.request_count("post_users")
            with pytest.raises(ApiException) as failed:
                await users.post_users(body)
            assert failed.value.status == 503 and faults.request_count("post_users") == before + 1
            faults.add_fault(503, "/api/v2/users", method="POST", times=1)
            created = await users.post_users(body, _retry=RetryConfiguration(retry_non_idempotent=True,
                                                                              backoff_initial=0.05))
            assert created.id
    asyncio.run(main())


def test_retry_after_beyond_budget_fails_fast_with_the_wait(faults):
    faults.add_fault(429, "/api/v2/users/*", times=1, retry_after=3600)

    async def main() -> None:
        async with await _logged_in(faults) as client:
            started = time.monotonic()
            with pytest.raises(RateLimitError) as limited:
                await UsersApiAsync(client).get_user(_user_id(faults))
            assert time.monotonic() - started < 60  # rather than the 3600 s asked for
            assert limited.value.retry_after == 3600
    asyncio.run(main())


def test_read_timeout_against_a_stalled_server(faults):
    faults.add_fault("stall", "/api/v2/users/*")  # until the faults are cleared

    async def main() -> None:
        async with await _logged_in(faults) as client:
            started = time.monotonic()
            with pytest.raises(ApiTimeoutError) as timed_out:
                await UsersApiAsync(client).get_user(_user_id(faults), _request_timeout=0.5, _retry=False)
            assert timed_out.value.limit == "read"
            assert time.monotonic() - started < 30  # the 0.5 s read timeout ended it, not the stall
    asyncio.run(main())


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_broken_connections_are_retried_for_get(faults, kind):
    faults.add_fault(kind, "/api/v2/users/*", times=1)

    async def main() -> None:
        async with await _logged_in(faults) as client:
            assert (await UsersApiAsync(client).get_user(_user_id(faults))).id
    asyncio.run(main())


def test_connection_refused_is_a_connection_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> None:
        async with new_client(f"http://127.0.0.1:{port}") as client:
            client.configuration.retry = False
            with pytest.raises(ApiConnectionError) as info:
                await client.get_client_credentials_token("id", "secret-value")
            assert info.value.status == 0 and "secret-value" not in str(info.value)
    asyncio.run(main())


def test_not_found_carries_status_correlation_id_and_platform_error(faults):
    async def main() -> None:
        async with await _logged_in(faults) as client:
            with pytest.raises(ApiException) as info:
                await UsersApiAsync(client).get_user("00000000-0000-0000-0000-000000000000")
            assert info.value.status == 404
            assert info.value.correlation_id and info.value.code
    asyncio.run(main())


def test_call_options_and_argument_checks(faults):
    async def main() -> None:
        async with await _logged_in(faults) as client:
            users = UsersApiAsync(client)
            with pytest.raises(TypeError, match="unexpected keyword"):
                await users.get_users(no_such_option=1)  # type: ignore[call-arg]
            with pytest.raises(TypeError, match="callback"):
                await users.get_users(callback=print)
            with pytest.raises(ValueError, match="user_id"):
                await users.get_user(None)  # type: ignore[arg-type]
            with pytest.raises(TypeError):
                UsersApiAsync(sdk.ApiClient())  # type: ignore[arg-type]
            page = await users.get_users(page_size=1, _headers={"X-Trace": "t1"}, _request_timeout=(5, 5))
            assert page.entities
            info = await client.with_http_info(users.get_user, _user_id(faults))
            assert info.status == 200 and info.data.id == _user_id(faults) and info.correlation_id
            raw = await client.call_api("/api/v2/users/{userId}", "GET", path_params={"userId": _user_id(faults)},
                                        response_type="User")
            assert raw.id == _user_id(faults)
    asyncio.run(main())


def test_deprecated_operation_warns_at_the_callers_line(faults):
    async def main() -> None:
        async with await _logged_in(faults) as client:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                await UsersApiAsync(client).get_fieldconfig("person")
            assert [w.category for w in caught] == [DeprecationWarning]
            assert caught[0].filename == __file__
    asyncio.run(main())
