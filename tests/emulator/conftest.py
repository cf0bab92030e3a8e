"""Fixtures for the emulator tests: the shipped pytest plugin plus an authenticated session."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from PureCloudPlatformClientV2.emulator import pytest_plugin

from .emulator_helpers import Api, client_credentials_token

# The plugin's fixtures, re-exported rather than listed in pytest_plugins (only a root conftest may do that).
emulator = pytest_plugin.emulator
emulator_session = pytest_plugin.emulator_session


@pytest.fixture(scope="session")
def emulator_options() -> dict[str, Any]:  # overrides the plugin's default
    return {"seed_users": 30, "heartbeat_interval": 0.2}


@pytest.fixture
def api(emulator: Any) -> Iterator[Api]:
    client = Api(emulator, client_credentials_token(emulator))
    yield client
    client.session.close()


@pytest.fixture
def user_api(emulator: Any) -> Iterator[Api]:
    """A session with a user-context token (the emulator's admin user)."""
    client = Api(emulator, emulator.issue_token(user_id=emulator.admin_user_id))
    yield client
    client.session.close()
