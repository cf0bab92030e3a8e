"""Deadlines, timeouts and response size limits over real HTTP, sync and asyncio.

The hostile server (``hostile_server.py``) stalls, drips, streams without end, and sends
gzip bombs; every case must fail fast with a typed error that names the limit.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient
from PureCloudPlatformClientV2.rest import ApiDeadlineError, ApiTimeoutError, ResponseTooLargeError

from .conftest import HostileServer, config_for


def sync_call(server: HostileServer, behaviour: str, *, timeout_ms: int | None = None, **settings: Any) -> Any:
    client = sdk.ApiClient(configuration=config_for(server.base_url, **settings))
    client.access_token = "token"
    if timeout_ms is not None:
        client.get_http_client().set_timeout(timeout_ms)
    return client.call_api(f"/api/v2/users/{behaviour}", "GET", response_type="User")


def async_call(server: HostileServer, behaviour: str, **settings: Any) -> Any:
    async def main() -> Any:
        async with AsyncApiClient(configuration=config_for(server.base_url, **settings)) as client:
            client.access_token = "token"
            return await client.call_api(f"/api/v2/users/{behaviour}", "GET", response_type="User")
    return asyncio.run(main())


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(sdk.ApiException) as caught:
        call(*args, **kwargs)
    return caught.value, time.monotonic() - started


def test_stalled_server_with_set_timeout_2000_fails_well_under_15_s(hostile: HostileServer) -> None:
    error, elapsed = timed(sync_call, hostile, "stall", timeout_ms=2000)
    # one attempt, one retry (timeouts are retried once), each cut at 2 s
    assert isinstance(error, ApiTimeoutError) and error.limit == "read" and error.seconds == 2
    assert elapsed < 15


def test_stalled_server_asyncio_read_timeout_retried_once(hostile: HostileServer) -> None:
    error, elapsed = timed(async_call, hostile, "stall", read_timeout=1.0)
    assert isinstance(error, ApiTimeoutError) and error.limit == "read"
    assert 1.9 < elapsed < 15


@pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "asyncio"])
def test_deadline_stops_a_stalled_call(hostile: HostileServer, call: Any) -> None:
    error, elapsed = timed(call, hostile, "stall", deadline=1.5)
    assert isinstance(error, ApiDeadlineError) and error.limit == "deadline" and error.seconds == 1.5
    assert "deadline" in str(error)
    assert elapsed < 10


@pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "asyncio"])
def test_dripping_body_is_cut_at_the_deadline(hostile: HostileServer, call: Any) -> None:
    error, elapsed = timed(call, hostile, "drip", deadline=2.0)
    assert isinstance(error, ApiDeadlineError)
    assert "reading the response body" in str(error)
    assert elapsed < 10


def test_per_call_deadline_option_wins(hostile: HostileServer) -> None:
    client = sdk.ApiClient(configuration=config_for(hostile.base_url, deadline=60.0))
    client.access_token = "token"
    users = sdk.UsersApi(client)
    started = time.monotonic()
    with pytest.raises(ApiDeadlineError) as caught:
        users.get_user("stall", _deadline=1.0)
    assert caught.value.seconds == 1.0 and time.monotonic() - started < 10
    with pytest.raises(ValueError, match="_deadline"):
        users.get_user("stall", _deadline=0)


@pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "asyncio"])
def test_endless_body_stops_at_max_response_bytes(hostile: HostileServer, call: Any) -> None:
    error, elapsed = timed(call, hostile, "endless", max_response_bytes=1 << 20)
    assert isinstance(error, ResponseTooLargeError) and error.stage == "received" and error.limit == 1 << 20
    assert "max_response_bytes" in str(error)
    assert elapsed < 10


@pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "asyncio"])
def test_announced_length_over_the_limit_fails_before_reading(hostile: HostileServer, call: Any) -> None:
    error, elapsed = timed(call, hostile, "big")
    assert isinstance(error, ResponseTooLargeError) and error.stage == "received"
    assert elapsed < 10


@pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "asyncio"])
def test_gzip_bomb_stops_at_the_limit_after_decompression(hostile: HostileServer, call: Any) -> None:
    error, elapsed = timed(call, hostile, "bomb", max_response_bytes=8 << 20)
    assert isinstance(error, ResponseTooLargeError) and error.stage == "decompressed"
    assert elapsed < 10


@pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "asyncio"])
def test_gzip_body_is_inflated(hostile: HostileServer, call: Any) -> None:
    user = call(hostile, "gzip-ok")
    assert user.name == "Hostile Server User"


@pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "asyncio"])
def test_loopback_asks_for_identity(hostile: HostileServer, call: Any) -> None:
    assert call(hostile, "echo-encoding").name == "identity"


def test_deadline_and_limits_from_the_configuration_file(tmp_path: Any) -> None:
    path = tmp_path / "config"
    path.write_text("[timeouts]\ndeadline = 12.5\n[limits]\nmax_response_bytes = 1000\n[rate_limit]\npacing = false\n"
                    "[retry]\nmax_timeout_retries = 0\n")
    config = sdk.Configuration.new(live_reload_config=False)
    config.config_file_path = str(path)
    assert config.deadline == 12.5 and config.max_response_bytes == 1000 and config.rate_limit_pacing is False
    assert config.retry.max_timeout_retries == 0
