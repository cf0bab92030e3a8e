"""What callers see of the pipeline's decisions, over real HTTP to a scripted server on 127.0.0.1:
pacing that gives up before the deadline instead of sending into a 429, retries that would
overrun the deadline, renewal on a 401 and the replay with the new token, and the headers
every request carries. The decisions themselves are tested unit by unit in
``test_mut_pipeline.py``; these tests count on the server side what the client did.
"""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2._request import SDK_VERSION
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.rest import ApiDeadlineError, ApiException, RateLimitError

from .conftest import sync_client
from .scripted_server import USER, Reply, ScriptedServer, Seen, error_reply, token_reply

LIMITED = {"inin-ratelimit-allowed": "1", "inin-ratelimit-count": "1", "inin-ratelimit-reset": "60"}


def _limited(seen: Seen) -> Reply:
    if seen.path == "/oauth/token":
        return token_reply("token-1")
    return Reply(200, USER, LIMITED)


def test_a_used_allowance_holds_the_next_call_and_the_deadline_ends_it_unsent() -> None:
    with ScriptedServer(_limited) as server:
        client = sync_client(server.url, deadline=5)
        client.get_client_credentials_token("cid", "secret")
        users = sdk.UsersApi(client)
        assert users.get_user("u1").id == "u1"
        with pytest.raises(ApiDeadlineError) as caught:
            users.get_user("u1")  # the window resets in 60 s, the deadline is 5 s away: not sent
        assert caught.value.during == "waiting 60.0s for the rate-limit window to reset"
        assert server.count("/api/v2/users/u1") == 1
        stats = client.rate_limit_stats
        assert (stats.responses_seen, stats.allowed, stats.count, stats.paced_calls, stats.throttled) == (1, 1, 1, 0, 0)
        client.rate_limit_pacing = False  # switched off: sent
        assert users.get_user("u1").id == "u1" and server.count("/api/v2/users/u1") == 2


def test_asyncio_pacing_makes_the_same_decision() -> None:
    async def main(url: str) -> None:
        async with AsyncApiClient(configuration=sdk.Configuration.new(host=url, live_reload_config=False,
                                                                      deadline=5)) as client:
            await client.get_client_credentials_token("cid", "secret")
            users = UsersApiAsync(client)
            assert (await users.get_user("u1")).id == "u1"
            with pytest.raises(ApiDeadlineError, match="rate-limit window"):
                await users.get_user("u1")

    with ScriptedServer(_limited) as server:
        asyncio.run(main(server.url))
        assert server.count("/api/v2/users/u1") == 1


def test_a_retry_past_the_deadline_is_not_waited_for() -> None:
    def handler(seen: Seen) -> Reply:
        if seen.path == "/oauth/token":
            return token_reply()
        if seen.path.endswith("/busy"):
            return error_reply(503, "busy", {"Retry-After": "30"})
        return error_reply(429, "slow down", {"Retry-After": "30"})

    with ScriptedServer(handler) as server:
        client = sync_client(server.url, deadline=5)
        client.get_client_credentials_token("cid", "secret")
        with pytest.raises(ApiDeadlineError) as caught:
            client.call_api("/api/v2/busy", "GET", response_type="object")
        assert caught.value.during == "retrying" and isinstance(caught.value.last_error, ApiException)
        assert caught.value.last_error.status == 503
        with pytest.raises(RateLimitError) as limited:
            client.call_api("/api/v2/limited", "GET", response_type="object")
        assert limited.value.retry_after == 30.0 and "deadline" in limited.value.why
        assert server.count("/api/v2/busy") == 1 and server.count("/api/v2/limited") == 1


def test_a_401_renews_once_and_replays_with_the_new_token() -> None:
    def handler(seen: Seen) -> Reply:
        if seen.path == "/oauth/token":
            return token_reply(f"token-{server.token_requests()}")
        return Reply(200, USER) if seen.token == "token-2" else error_reply(401, "expired")

    with ScriptedServer(handler) as server:
        client = sync_client(server.url)
        client.get_client_credentials_token("cid", "secret")
        assert sdk.UsersApi(client).get_user("u1").id == "u1"
        assert [r.token for r in server.requests if r.path == "/api/v2/users/u1"] == ["token-1", "token-2"]
        assert client.token_renewals == 1 and server.token_requests() == 2
        renewal = server.requests[-2]
        assert renewal.path == "/oauth/token" and b"grant_type=client_credentials" in renewal.body


def test_every_request_carries_the_sdk_headers_and_the_cookie() -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        client = sdk.ApiClient(cookie="session=abc", configuration=sdk.Configuration.new(
            host=server.url, live_reload_config=False))
        client.access_token = "given"
        sdk.UsersApi(client).get_user("u1")
        headers = server.requests[0].headers
        assert headers["purecloud-sdk"] == SDK_VERSION and headers["cookie"] == "session=abc"
        assert headers["authorization"] == "Bearer given" and headers["accept-encoding"] == "identity"
        client.access_token = "bad\r\nX-Injected: 1"
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            sdk.UsersApi(client).get_user("u1")
        assert server.count() == 1


def test_a_custom_transports_oversized_body_is_refused() -> None:
    from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
    from PureCloudPlatformClientV2.rest import ResponseTooLargeError, RESTResponse

    class Canned(AbstractHttpClient):
        def request(self, options: Any) -> RESTResponse:
            return RESTResponse(200, "OK", {"Content-Type": "application/json"}, b'{"id": "' + b"x" * 100 + b'"}')

    client = sdk.ApiClient(configuration=sdk.Configuration.new(host="http://127.0.0.1:9", live_reload_config=False,
                                                               max_response_bytes=50))
    client.set_http_client(Canned())
    client.access_token = "t"
    with pytest.raises(ResponseTooLargeError) as caught:
        sdk.UsersApi(client).get_user("u1")
    assert caught.value.limit == 50 and caught.value.stage == "received"
