"""How the engine makes its REST calls (create a channel, subscriptions, channel checks).

Every call goes through a generated Notifications API class, so authentication, retries and
token renewal are the SDK's. The threaded handler uses the caller's sync ``ApiClient`` on the
loop's default executor (it is shared with the caller's threads); the asyncio handler awaits
``NotificationsApiAsync`` on an ``AsyncApiClient``, so its I/O is the event loop's.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..aio.client import AsyncApiClient
    from ..api_client import ApiClient


class SyncClientRest:
    """``NotificationsApi`` on a sync ``ApiClient``, each call on the loop's default executor."""

    def __init__(self, api_client: ApiClient) -> None:
        from ..apis.notifications_api import NotificationsApi
        self.configuration = api_client.configuration
        self._api = NotificationsApi(api_client)

    async def call(self, name: str, *args: Any) -> Any:
        method = getattr(self._api, name)
        return await asyncio.get_running_loop().run_in_executor(None, lambda: method(*args))

    async def close(self) -> None:
        pass


class AsyncClientRest:
    """``NotificationsApiAsync`` on an ``AsyncApiClient``: asyncio I/O, no threads.

    ``owned``: the handler created the client and closes it at stop.
    """

    def __init__(self, client: AsyncApiClient, owned: bool = False) -> None:
        from ..aio.apis.notifications_api import NotificationsApiAsync
        self.client = client
        self.configuration = client.configuration
        self.owned = owned
        self._api = NotificationsApiAsync(client)

    async def call(self, name: str, *args: Any) -> Any:
        return await getattr(self._api, name)(*args)

    async def close(self) -> None:
        if self.owned:
            await self.client.close()


class SyncTokenRest(AsyncClientRest):
    """For an asyncio handler given a sync ``ApiClient``: calls go out on an ``AsyncApiClient``
    of the same host, configuration and headers, with the sync client's current token. The
    sync client keeps the credentials: when the platform answers 401, it renews the token
    (its own one renewal per expiry, on a worker thread, the only thread used) and the call is
    made once more."""

    def __init__(self, api_client: ApiClient) -> None:
        from ..aio.client import AsyncApiClient
        client = AsyncApiClient(host=api_client.host, configuration=api_client.configuration)
        if api_client.gateway_configuration is not None:
            client.gateway_configuration = api_client.gateway_configuration
        for name, value in api_client.default_headers.items():
            client.set_default_header(name, value)
        super().__init__(client, owned=True)
        self.sync_client = api_client

    async def call(self, name: str, *args: Any) -> Any:
        sync = self.sync_client
        token = sync.access_token
        self.client.access_token = token
        try:
            return await super().call(name, *args)
        except Exception as exc:
            if getattr(exc, "status", None) != 401:
                raise
        await asyncio.to_thread(sync.handle_expired_access_token, token)
        self.client.access_token = sync.access_token
        return await super().call(name, *args)


def rest_for(api_client: Any) -> AsyncClientRest:
    """The asyncio handler's REST adapter for what the caller passed (None: a new AsyncApiClient
    on the default configuration, closed with the handler)."""
    from ..aio.client import AsyncApiClient
    from ..api_client import ApiClient
    if api_client is None:
        return AsyncClientRest(AsyncApiClient(), owned=True)
    if isinstance(api_client, AsyncApiClient):
        return AsyncClientRest(api_client)
    if isinstance(api_client, ApiClient):
        return SyncTokenRest(api_client)
    raise TypeError(f"AsyncNotificationHandler needs an AsyncApiClient (or an ApiClient), not {api_client!r}")
