"""Fixtures for the pipeline tests: the hostile server (a subprocess) and helpers."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk

HERE = Path(__file__).resolve().parent


class HostileServer:
    def __init__(self, bomb_mb: int = 64) -> None:
        self.proc = subprocess.Popen([sys.executable, str(HERE / "hostile_server.py"), str(bomb_mb)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = json.loads(self.proc.stdout.readline())["port"]
        self.base_url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="package")
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


def config_for(host: str, **settings: Any) -> sdk.Configuration:
    settings.setdefault("live_reload_config", False)
    return sdk.Configuration.new(host=host, **settings)
