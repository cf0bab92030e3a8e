"""Helpers shared by the emulator tests (a plain module: conftest is not importable by name)."""
from __future__ import annotations

from typing import Any

import requests


class Api:
    """A requests session bound to the emulator's API host with a bearer token."""

    def __init__(self, emu: Any, token: str) -> None:
        self.emu = emu
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.session.request(method, self.emu.base_url + path, timeout=10, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)


def client_credentials_token(emu: Any) -> str:
    resp = requests.post(emu.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(emu.client_id, emu.client_secret), timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]
