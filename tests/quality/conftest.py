"""Helpers of the quality suite: clients on their own configuration, pointed at a scripted server."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk

FAST = {"backoff_initial": 0.01, "backoff_max": 0.02}


def sync_client(host: str, **settings: Any) -> sdk.ApiClient:
    settings.setdefault("live_reload_config", False)
    return sdk.ApiClient(configuration=sdk.Configuration.new(host=host, **settings))


def fast_retry(**changes: Any) -> sdk.RetryConfiguration:
    return sdk.RetryConfiguration(**{**FAST, **changes})


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose listen queue is full: connection attempts to it hang (Linux drops the SYN),
    which is how a connect timeout looks without leaving 127.0.0.1."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    yield port
    for sock in fillers:
        sock.close()
    listener.close()
