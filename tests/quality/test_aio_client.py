"""The asyncio client over real HTTP: a failed shared renewal, the helpers it shares with the sync
client, and call shapes (with_http_info, empty answers)."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.rest import ApiException

from .scripted_server import USER, Reply, ScriptedServer, Seen, error_reply, token_reply

HOLD = 30.0


def _client(url: str, **settings: Any) -> AsyncApiClient:
    return AsyncApiClient(configuration=sdk.Configuration.new(host=url, live_reload_config=False, **settings),
                          pool_limit=16)


def test_a_failed_shared_renewal_is_attempted_once_and_every_task_fails() -> None:
    """Four tasks get a 401 together; the renewal they share is refused. The task that started it
    sees the token error, the others replay once and see their 401; nobody renews again."""
    def handler(seen: Seen) -> Reply:
        if seen.path == "/oauth/token":
            if server.token_requests() == 1:
                return token_reply("token-1")
            return Reply(400, {"error": "invalid_client", "error_description": "client disabled"})
        # hold the first four until all arrived, so the 401s come together
        server.wait_for(lambda: server.count("/api/v2/users") >= 4, HOLD)
        return error_reply(401)

    async def main(url: str) -> list[BaseException]:
        async with _client(url) as client:
            await client.get_client_credentials_token("cid", "secret")
            users = UsersApiAsync(client)
            results = await asyncio.gather(*(users.get_user("u1") for _ in range(4)), return_exceptions=True)
            assert client.refresh_in_progress is False
            return [r for r in results if isinstance(r, BaseException)]

    with ScriptedServer(handler) as server:
        errors = asyncio.run(main(server.url))
        assert server.token_requests() == 2  # the login and one renewal attempt
        assert len(errors) == 4 and all(isinstance(e, ApiException) for e in errors)
        assert sorted(e.status for e in errors) == [400, 401, 401, 401]  # type: ignore[attr-defined]


def test_shared_helpers_and_settings_reach_the_wire() -> None:
    async def main(url: str) -> None:
        async with _client(url) as client:
            assert repr(client) == f"<AsyncApiClient host={url!r}>"
            client.access_token = "t"
            client.set_default_header("X-Team", "red")
            assert client.default_headers["X-Team"] == "red"
            user = await UsersApiAsync(client).get_user("u1")
            assert client.last_response is not None and client.last_response.status == 200
            assert client.sanitize_for_serialization(sdk.Contact(address="a", display=None)) == {"address": "a"}
            assert client.deserialize(client.last_response, "User").id == user.id == "u1"
            info = await client.with_http_info(UsersApiAsync(client).get_user, "u1")
            assert info.status == 200 and info.data.id == "u1"
            with pytest.raises(RuntimeError, match="bound to this client"):
                await client.with_http_info(asyncio.sleep, 0)
            assert await client.call_api("/api/v2/empty", "DELETE", response_type="User") is None
            with pytest.raises(TypeError, match="callback= belongs to the sync client"):
                await UsersApiAsync(client).get_user("u1", callback=print)

    def handler(seen: Seen) -> Reply:
        return Reply(204) if seen.path == "/api/v2/empty" else Reply(200, USER)

    with ScriptedServer(handler) as server:
        asyncio.run(main(server.url))
        assert server.requests[0].headers["x-team"] == "red"
        assert server.requests[-1].method == "DELETE"
