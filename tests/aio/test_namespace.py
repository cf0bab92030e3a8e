"""The asyncio namespace: every API class has an ``<Name>Async`` twin with the same methods, loaded lazily."""
from __future__ import annotations

import inspect
import json
import subprocess
import sys

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import aio, apis
from PureCloudPlatformClientV2.aio import apis as aio_apis


def test_every_api_class_has_an_async_twin_with_the_same_methods():
    assert set(aio_apis._MODULES) == {f"{name}Async" for name in apis._MODULES}
    for name in ("UsersApi", "RoutingApi", "AnalyticsApi"):
        sync_cls, async_cls = getattr(sdk, name), getattr(aio, f"{name}Async")
        assert async_cls._operations is sync_cls._operations  # one source of descriptors
        sync_methods = {m for m in vars(sync_cls) if not m.startswith("_")}
        assert sync_methods == {m for m in vars(async_cls) if not m.startswith("_")}
        method = async_cls.get_users if name == "UsersApi" else next(
            getattr(async_cls, m) for m in sorted(sync_methods))
        assert inspect.iscoroutinefunction(method)
    assert inspect.signature(aio.UsersApiAsync.get_user) == inspect.signature(sdk.UsersApi.get_user)
    assert aio.UsersApiAsync.get_user.__doc__ == sdk.UsersApi.get_user.__doc__
    assert "UsersApiAsync" in dir(aio) and "AsyncApiClient" in dir(aio)


LOADED = r"""
import json, sys
import PureCloudPlatformClientV2
before = set(sys.modules)
from PureCloudPlatformClientV2.aio import UsersApiAsync
after_api = set(sys.modules) - before
from PureCloudPlatformClientV2.aio import AsyncApiClient
after_client = set(sys.modules) - before
print(json.dumps({"api": sorted(after_api), "client": sorted(after_client)}))
"""


def test_the_async_namespace_loads_what_is_used():
    out = subprocess.run([sys.executable, "-c", LOADED], check=True, capture_output=True, text=True)
    loaded = json.loads(out.stdout)
    api_modules = [m for m in loaded["api"] if ".apis." in m]
    assert api_modules == ["PureCloudPlatformClientV2.aio.apis.users_api", "PureCloudPlatformClientV2.apis.users_api"]
    assert "aiohttp" not in loaded["api"] and "aiohttp" not in loaded["client"]  # aiohttp: at the first request
    assert "asyncio" in loaded["client"]
