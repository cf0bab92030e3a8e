"""The asyncio flavour of the SDK: every API class as ``<Name>Async``, awaited.

    from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync

    async with AsyncApiClient(host=...) as client:
        await client.get_client_credentials_token(client_id, client_secret)
        me = await UsersApiAsync(client).get_users_me()

Needs the ``async`` extra (aiohttp).  Names load on first use, as in the sync package;
``import PureCloudPlatformClientV2`` never imports this module.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Hand-written public names -> module (tools/generate.py reads this map for the typing stub).
_CORE: dict[str, str] = {
    "AsyncApiClient": "client",
    "AsyncBaseApi": "_base",
    "AbstractAsyncHttpClient": "http_client",
    "DefaultAsyncHttpClient": "http_client",
    "apaginate": "paging",
    "aiter_pages": "paging",
}


def __getattr__(name: str) -> Any:
    from importlib import import_module
    module = _CORE.get(name)
    if module is not None:
        value = getattr(import_module(f"{__name__}.{module}"), name)
    else:
        apis = import_module(f"{__name__}.apis")
        if name not in apis._MODULES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(apis, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from importlib import import_module
    return sorted(set(globals()) | set(_CORE) | set(import_module(f"{__name__}.apis")._MODULES))
