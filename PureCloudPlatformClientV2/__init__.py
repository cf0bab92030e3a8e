"""Genesys Cloud Platform API client — drop-in for the official ``PureCloudPlatformClientV2``.

Names load on first use: ``PureCloudPlatformClientV2.UsersApi`` imports only
``apis/users_api.py``, ``PureCloudPlatformClientV2.User`` only ``models/user.py``;
the HTTP stack loads with the first request.  ``configuration`` is the shared
:class:`Configuration` instance, as in the official SDK.
"""
from __future__ import annotations

from .configuration import Configuration

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "269.0.0"

# Hand-written public names -> module (tools/generate.py reads this map for the typing stub).
_CORE: dict[str, str] = {
    "ApiClient": "api_client",
    "ApiResponse": "api_client",
    "ApiException": "rest",
    "ApiConnectionError": "rest",
    "ApiTimeoutError": "rest",
    "ApiTLSError": "rest",
    "ApiResponseError": "rest",
    "ApiDeadlineError": "rest",
    "ResponseTooLargeError": "rest",
    "RateLimitError": "rest",
    "RESTResponse": "rest",
    "ApiNullValue": "api_null_value",
    "AbstractHttpClient": "abstract_http_client",
    "DefaultHttpClient": "default_http_client",
    "HttpRequestOptions": "http_request_options",
    "GatewayConfiguration": "gateway_configuration",
    "PureCloudRegionHosts": "purecloud_region_hosts",
    "YearMonth": "year_month",
    "RetryConfiguration": "retry",
    "paginate": "paging",
    "iter_pages": "paging",
}

# Submodules reachable as attributes (``PureCloudPlatformClientV2.api_client.ApiClient()``).
_SUBMODULES = frozenset({
    "api_client", "rest", "logger", "apis", "models", "utils", "abstract_http_client", "default_http_client",
    "http_request_options", "gateway_configuration", "purecloud_region_hosts", "api_null_value", "year_month",
    "retry", "paging", "aio", "notifications", "emulator",
})

configuration = Configuration()


def __getattr__(name: str) -> Any:
    from importlib import import_module
    module = _CORE.get(name)
    if module is not None:
        value = getattr(import_module(f"{__name__}.{module}"), name)
    elif name in _SUBMODULES:
        value = import_module(f"{__name__}.{name}")
    else:
        apis = import_module(f"{__name__}.apis")
        if name in apis._MODULES:
            value = getattr(apis, name)
        else:
            models = import_module(f"{__name__}.models")
            if name not in models._MODULES:
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
            value = getattr(models, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from importlib import import_module
    apis, models = import_module(f"{__name__}.apis"), import_module(f"{__name__}.models")
    return sorted(set(globals()) | set(_CORE) | set(apis._MODULES) | set(models._MODULES))
