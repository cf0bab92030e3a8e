"""Fixtures for the asyncio client tests: real HTTP on 127.0.0.1 against the bundled emulator.

Tests are plain functions that drive a coroutine with ``asyncio.run`` (no pytest plugin needed).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from PureCloudPlatformClientV2.emulator import Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed_users=3) as emulator:
        yield emulator


@pytest.fixture
def fresh_emu(emu: Emulator) -> Emulator:
    emu.reset()
    return emu
