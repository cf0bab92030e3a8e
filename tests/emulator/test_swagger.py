"""GET /api/v2/docs/swagger serves the spec as OpenAPI 2.0, readable by tools/spec_from_openapi.py."""
from __future__ import annotations

import sys
from pathlib import Path

import requests

from PureCloudPlatformClientV2.emulator._spec import load_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))


def test_served_swagger_parses_back_to_the_spec(emulator):
    from spec_from_openapi import parse_openapi
    resp = requests.get(emulator.base_url + "/api/v2/docs/swagger", timeout=30)  # no token needed
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    assert parse_openapi(resp.json()) == load_spec()
