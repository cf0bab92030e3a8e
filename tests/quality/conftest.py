"""Helpers of the quality suite: clients on their own configuration, pointed at a scripted server."""
from __future__ import annotations

from typing import Any

import PureCloudPlatformClientV2 as sdk

FAST = {"backoff_initial": 0.01, "backoff_max": 0.02}


def sync_client(host: str, **settings: Any) -> sdk.ApiClient:
    settings.setdefault("live_reload_config", False)
    return sdk.ApiClient(configuration=sdk.Configuration.new(host=host, **settings))


def fast_retry(**changes: Any) -> sdk.RetryConfiguration:
    return sdk.RetryConfiguration(**{**FAST, **changes})
