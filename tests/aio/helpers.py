"""Shared helpers of the asyncio tests."""
from __future__ import annotations

from typing import Any

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient
from PureCloudPlatformClientV2.emulator import Emulator

REDIRECT = "https://app.example/callback"


def new_client(host: str, *, pool_limit: int | None = None, **settings: Any) -> AsyncApiClient:
    """An AsyncApiClient on its own Configuration (no shared state, no config-file watcher)."""
    settings.setdefault("live_reload_config", False)
    return AsyncApiClient(host=host, configuration=sdk.Configuration.new(**settings), pool_limit=pool_limit)


def fast_retries(client: AsyncApiClient) -> AsyncApiClient:
    client.configuration.retry = sdk.RetryConfiguration(backoff_initial=0.05, backoff_max=0.2)
    return client


async def code_client(emu: Emulator, **settings: Any) -> tuple[AsyncApiClient, dict[str, Any]]:
    """A client logged in with the authorization code grant (so it holds a refresh token)."""
    creds = emu.register_client(grants=["authorization_code", "refresh_token"], redirect_uris=[REDIRECT])
    client = new_client(emu.base_url, **settings)
    code = emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT)
    _, info = await client.get_code_authorization_token(creds["client_id"], creds["client_secret"], code, REDIRECT)
    return client, info
