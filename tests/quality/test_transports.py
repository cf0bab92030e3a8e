"""Both transports (urllib3 and aiohttp) over real HTTP: an HTTP proxy with credentials (the
scripted server plays the proxy), connect timeouts, and argument checks."""
from __future__ import annotations

import asyncio
import base64

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient, DefaultAsyncHttpClient, UsersApiAsync
from PureCloudPlatformClientV2.rest import ApiTimeoutError

from .conftest import fast_retry, sync_client
from .scripted_server import USER, Reply, ScriptedServer

TARGET = "http://api.proxied.test"  # never resolved: the proxy receives the request
BASIC = "Basic " + base64.b64encode(b"proxy-user:pr0xy secret").decode()


def _proxied(server: ScriptedServer) -> dict[str, object]:
    return {"proxy": server.url, "proxy_username": "proxy-user", "proxy_password": "pr0xy secret"}


def test_sync_requests_go_through_the_proxy_with_its_credentials() -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as proxy:
        client = sync_client(TARGET, **_proxied(proxy))
        client.access_token = "t"
        assert sdk.UsersApi(client).get_user("u1").id == "u1"
        seen = proxy.requests[-1]
    assert seen.path == "/api/v2/users/u1" and seen.headers["host"] == "api.proxied.test"
    assert seen.headers["proxy-authorization"] == BASIC and seen.token == "t"


def test_asyncio_requests_go_through_the_proxy_with_its_credentials() -> None:
    async def main(proxy: ScriptedServer) -> None:
        config = sdk.Configuration.new(host=TARGET, live_reload_config=False, **_proxied(proxy))
        async with AsyncApiClient(configuration=config) as client:
            client.access_token = "t"
            assert (await UsersApiAsync(client).get_user("u1")).id == "u1"

    with ScriptedServer(lambda seen: Reply(200, USER)) as proxy:
        asyncio.run(main(proxy))
        seen = proxy.requests[-1]
    assert seen.path == "/api/v2/users/u1" and seen.headers["host"] == "api.proxied.test"
    assert seen.headers["proxy-authorization"] == BASIC


def test_asyncio_connect_timeout_is_a_typed_error(unanswered_port: int) -> None:
    async def main() -> None:
        config = sdk.Configuration.new(host=f"http://127.0.0.1:{unanswered_port}", live_reload_config=False,
                                       connect_timeout=0.3, read_timeout=30, retry=fast_retry(max_retries=0))
        async with AsyncApiClient(configuration=config) as client:
            client.access_token = "t"
            with pytest.raises(ApiTimeoutError) as info:
                await UsersApiAsync(client).get_user("u1")
            assert info.value.limit == "connect" and info.value.seconds == pytest.approx(0.3)

    asyncio.run(main())


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "4"])
def test_asyncio_pool_limit_must_be_a_positive_count(limit: object) -> None:
    with pytest.raises(ValueError, match="pool_limit must be a positive number"):
        DefaultAsyncHttpClient(pool_limit=limit)  # type: ignore[arg-type]


def test_asyncio_transport_needs_http_request_options() -> None:
    async def main() -> None:
        http = DefaultAsyncHttpClient(configuration=sdk.Configuration.new(live_reload_config=False))
        try:
            with pytest.raises(ValueError, match="HttpRequestOptions"):
                await http.request({"url": "http://127.0.0.1:9/"})
        finally:
            await http.close()

    asyncio.run(main())
