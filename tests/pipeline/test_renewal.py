"""Sync twin of the asyncio soak: threads calling while every token expires every ~0.25 s.
The pipeline renews once per distinct expiry and no 401 that a renewal fixes reaches a caller."""
from __future__ import annotations

import threading
import time

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator

from .conftest import config_for


def test_threads_never_see_a_401_while_tokens_keep_expiring() -> None:
    with Emulator(seed_users=1) as emu:
        client = sdk.ApiClient(configuration=config_for(emu.base_url))
        client.get_client_credentials_token(emu.client_id, emu.client_secret)
        users = sdk.UsersApi(client)
        user_id = users.get_users(page_size=1).entities[0].id
        stop = threading.Event()
        errors: list[BaseException] = []
        calls = [0] * 16
        expiries = [0]

        def work(index: int) -> None:
            while not stop.is_set():
                try:
                    users.get_user(user_id)
                except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                    errors.append(exc)
                calls[index] += 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        until = time.monotonic() + 5.0
        while not stop.wait(0.25):
            emu.expire_tokens()
            expiries[0] += 1
            if time.monotonic() > until:
                stop.set()
        for thread in threads:
            thread.join(30)
        assert not errors, errors[:3]
        assert min(calls) > 0 and expiries[0] >= 10
        assert 0 < client.token_renewals <= expiries[0] + 2  # one renewal per distinct expiry, at most
