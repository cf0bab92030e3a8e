"""Shared test helpers: the spec, a capturing transport."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from spec_io import read_spec  # noqa: E402

# The suite tests the default install: pure-Python models even where msgspec (the `fast` extra) is
# installed. tests/test_fast_models.py runs the compatibility tests again with msgspec Structs.
os.environ.setdefault("PURECLOUD_PURE_MODELS", "1")

import PureCloudPlatformClientV2 as sdk  # noqa: E402
from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient  # noqa: E402
from PureCloudPlatformClientV2.rest import RESTResponse  # noqa: E402


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return read_spec(ROOT / "spec")


class CapturingClient(AbstractHttpClient):
    """Records every request; answers with a canned response (status, body, headers)."""

    def __init__(self, status: int = 200, body: Any = b"{}", headers: dict[str, str] | None = None) -> None:
        super().__init__()
        self.requests: list[Any] = []
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = headers or {"Content-Type": "application/json"}

    def request(self, options: Any) -> RESTResponse:
        self.requests.append(options)
        return RESTResponse(self.status, "OK" if self.status < 400 else "Error", self.headers, self.body)


@pytest.fixture
def capture() -> tuple[sdk.ApiClient, CapturingClient]:
    client = sdk.ApiClient(host="https://api.example.test", configuration=sdk.Configuration.new())
    client.access_token = "test-token"
    transport = CapturingClient()
    client.set_http_client(transport)
    return client, transport
