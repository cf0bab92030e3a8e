"""64 threads x 200 calls on one ApiClient while tokens expire and 429s arrive.

Checks: every call succeeds or fails with a documented type; each token expiry costs exactly
one token request; no deadlock (a watchdog thread dumps the stacks and fails the test); no
cross-talk (every response belongs to its request).  The emulator runs in a subprocess so
it does not compete with 64 client threads for this interpreter's GIL.
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiException

from .reliability_helpers import fast_retry, new_client, resources, wait_until

THREADS = 64
CALLS = 200
WATCHDOG_SECONDS = 150.0


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed_users=THREADS, mode="subprocess") as emulator:
        yield emulator


class Watchdog(threading.Thread):
    """Fails the test (with every thread's stack) if ``done`` is not set in time."""

    def __init__(self, done: threading.Event, seconds: float) -> None:
        super().__init__(name="reliability-watchdog", daemon=True)
        self.done, self.seconds = done, seconds
        self.stacks: str | None = None

    def run(self) -> None:
        if not self.done.wait(self.seconds):
            frames = sys._current_frames()
            self.stacks = "\n".join(f"--- {t.name}\n" + "".join(traceback.format_stack(frames[t.ident]))
                                    for t in threading.enumerate() if t.ident in frames)
            self.done.set()


def test_64_threads_share_one_client_through_expiry_and_429s(emu: Emulator) -> None:
    emu.reset()
    user_ids = sorted(str(u["id"]) for u in emu.entities("/api/v2/users"))
    before = resources()
    client = new_client(emu.base_url, token=None, pool_maxsize=THREADS, read_timeout=10.0)
    client.configuration.retry = fast_retry(max_retries=8, max_retry_time=30.0)
    client.get_client_credentials_token(emu.client_id, emu.client_secret)
    users = sdk.UsersApi(client)
    tokens_at_start = emu.token_requests("client_credentials")

    outcomes: Counter[str] = Counter()
    crosstalk: list[str] = []
    untyped: list[BaseException] = []
    completed = [0]
    lock = threading.Lock()
    start = threading.Barrier(THREADS + 1)
    finished = threading.Event()

    def worker(index: int) -> None:
        start.wait()
        for n in range(CALLS):
            try:
                if n % 4 == 3:
                    size = 1 + (index + n) % 25
                    page = users.get_users(page_size=size)
                    if page.page_size != size or len(page.entities or []) > size:
                        crosstalk.append(f"asked pageSize={size}, got {page.page_size}/{len(page.entities or [])}")
                    kind = "ok"
                else:
                    wanted = user_ids[(index + n) % len(user_ids)]
                    user = users.get_user(wanted)
                    if user.id != wanted:
                        crosstalk.append(f"asked {wanted}, got {user.id}")
                    kind = "ok"
            except ApiException as exc:
                kind = f"{type(exc).__name__}({exc.status})"
            except BaseException as exc:  # noqa: BLE001 - an undocumented failure fails the test below
                untyped.append(exc)
                kind = "untyped"
            with lock:
                outcomes[kind] += 1
                completed[0] += 1

    def calls_done() -> int:
        with lock:
            return completed[0]

    expiries = 0
    faults_429 = 0
    workers = [threading.Thread(target=worker, args=(i,), name=f"worker-{i}") for i in range(THREADS)]
    for t in workers:
        t.start()
    watchdog = Watchdog(finished, WATCHDOG_SECONDS)
    watchdog.start()
    started = time.monotonic()
    start.wait()
    total = THREADS * CALLS
    # Chaos while the workers run: alternately expire every token (waiting for the renewal and
    # some traffic on the new token before the next expiry) and inject a burst of 429s.
    while calls_done() < total * 0.9 and not finished.is_set():
        mark = calls_done()
        if expiries <= faults_429:
            old = client.access_token
            emu.expire_tokens()
            expiries += 1
            assert wait_until(lambda old=old: client.access_token != old or calls_done() >= total, 30)
        else:
            emu.add_fault(429, "/api/v2/users/*", times=40, retry_after=0)
            faults_429 += 1
        wait_until(lambda mark=mark: calls_done() >= mark + 500 or finished.is_set(), 30)
    for t in workers:
        while t.is_alive() and not finished.is_set():
            t.join(0.5)
    elapsed = time.monotonic() - started
    finished.set()
    watchdog.join()
    assert watchdog.stacks is None, f"deadlock: not done after {WATCHDOG_SECONDS}s\n{watchdog.stacks}"

    print(f"\n{total} calls by {THREADS} threads in {elapsed:.1f}s ({total / elapsed:.0f} calls/s), "
          f"{expiries} token expiries, {faults_429} bursts of 429s: {dict(outcomes)}")
    assert not untyped, f"undocumented exceptions: {untyped[:3]!r}"
    assert sum(outcomes.values()) == total
    assert not crosstalk, crosstalk[:5]
    assert expiries >= 3 and faults_429 >= 3
    assert emu.token_requests("client_credentials") - tokens_at_start == expiries  # one renewal per expiry
    # 429 bursts (Retry-After 0) and renewals are absorbed by the retry policy and the token lock.
    assert outcomes["ok"] == total, dict(outcomes)
    emu.clear_faults()
    client.http_client.reset()  # type: ignore[union-attr]
    client.last_response = None
    assert wait_until(lambda: resources().threads <= before.threads, 10)
    assert resources().sockets <= before.sockets


def test_callback_threads_do_not_accumulate(emu: Emulator) -> None:
    """``callback=`` runs each call on its own thread; they all end."""
    emu.reset()
    before = resources()
    client = new_client(emu.base_url, token=None, pool_maxsize=8)
    client.get_client_credentials_token(emu.client_id, emu.client_secret)
    users = sdk.UsersApi(client)
    results: list[Any] = []
    threads = [users.get_users(page_size=1, callback=lambda result, error: results.append(error or result))
               for _ in range(50)]
    for t in threads:
        t.join(30)
    assert len(results) == 50 and all(isinstance(r, sdk.UserEntityListing) for r in results)
    client.http_client.reset()  # type: ignore[union-attr]
    client.last_response = None
    assert wait_until(lambda: resources().threads <= before.threads, 10)
    assert resources().sockets <= before.sockets
