"""pytest fixtures for testing code against the emulator.

Enable in a conftest.py::

    pytest_plugins = ["PureCloudPlatformClientV2.emulator.pytest_plugin"]

Fixtures:

- ``emulator_options`` (session): keyword arguments for :class:`Emulator`; override it in
  your conftest to change them (e.g. ``{"seed_users": 10, "tls": True}``).
- ``emulator_session`` (session): one running emulator for the whole run.
- ``emulator`` (function): the same emulator, reset after each test (data, tokens, faults,
  counters, channels), so tests stay independent of order without paying a start-up each.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .runner import Emulator


@pytest.fixture(scope="session")
def emulator_options() -> dict[str, Any]:
    return {}


@pytest.fixture(scope="session")
def emulator_session(emulator_options: dict[str, Any]) -> Iterator[Emulator]:
    with Emulator(**emulator_options) as emu:
        yield emu


@pytest.fixture
def emulator(emulator_session: Emulator) -> Iterator[Emulator]:
    yield emulator_session
    emulator_session.reset()
