"""Fixtures for the integration tests: real HTTP on 127.0.0.1 against the bundled emulator."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One emulator per test module (state reset before each test by ``fresh_emu``)."""
    with Emulator(seed_users=3) as emulator:
        yield emulator


@pytest.fixture
def fresh_emu(emu: Emulator) -> Emulator:
    emu.reset()
    return emu


def new_client(host: str, **settings: Any) -> sdk.ApiClient:
    """An ApiClient on its own Configuration (no shared state, no config-file watcher)."""
    settings.setdefault("live_reload_config", False)
    return sdk.ApiClient(configuration=sdk.Configuration.new(host=host, **settings))
