"""Fixtures: an emulator on 127.0.0.1, an authenticated ApiClient, and helpers that wait on
events and state changes with deadlines (never sleeps). The limits are generous (30 s): they
only matter when something is broken, and the suite must pass on a slow, loaded machine."""
from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed_users=3, heartbeat_interval=0.2) as emulator:
        yield emulator


@pytest.fixture
def fresh(emu: Emulator) -> Emulator:
    emu.reset()
    return emu


def client_for(emu: Emulator, **settings: Any) -> sdk.ApiClient:
    settings.setdefault("live_reload_config", False)
    client = sdk.ApiClient(configuration=sdk.Configuration.new(host=emu.base_url, **settings))
    return client.get_client_credentials_token(emu.client_id, emu.client_secret)


@pytest.fixture
def client(fresh: Emulator) -> sdk.ApiClient:
    return client_for(fresh)


class States:
    """Collects ``on_state_change`` calls; ``wait`` blocks until one matches, with a deadline."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, state: str, detail: dict[str, Any]) -> None:
        self.queue.put((state, detail))

    def wait(self, state: str | tuple[str, ...], predicate: Callable[[dict[str, Any]], bool] = lambda d: True,
             timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {state!r} state within {timeout}s; seen: {[s for s, _ in self.seen]}")
            try:
                item = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(item)
            wanted = (state,) if isinstance(state, str) else state
            if item[0] in wanted and predicate(item[1]):
                return item[1]


def wait_until(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll a cheap condition (emulator or handler state) until true, with a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        time.sleep(0.01)
