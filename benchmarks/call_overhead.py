"""Per-call overhead of ``UsersApi.get_user`` over loopback, sync and asyncio.

    python benchmarks/call_overhead.py [--calls N]

The emulator runs as a subprocess (so it does not share the GIL with the client); the
figure printed is the median of 5 rounds of N calls, in microseconds per call, and the
client's CPU time per call (what the SDK itself costs, independent of the server).

The sync rounds alternate with rounds of the floor (issue 16: client CPU per sync call within
1.1x of it): a bare ``urllib3.PoolManager`` doing the same ``GET /api/v2/users/{id}`` with the
bearer token and Accept header, and ``json.loads`` of the body (our default install decodes
with the stdlib too). The ratio printed is the median of each round's ours/floor CPU ratio, so
load from other processes weighs on both alike. A second floor, for information, gives the
bare pool connect and read timeouts as our client has them: a socket with a timeout costs a
``poll()`` before each send and receive (strace: 3 polls per call instead of 1).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import PureCloudPlatformClientV2 as sdk  # noqa: E402
from PureCloudPlatformClientV2.emulator import Emulator  # noqa: E402

USER = ""


def sync_round(api: sdk.UsersApi, calls: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        api.get_user(USER)
    return (time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6


def raw_round(pool: object, url: str, headers: dict[str, str], calls: int) -> tuple[float, float]:
    import json
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        response = pool.request("GET", url, headers=headers)  # type: ignore[attr-defined]
        if response.status != 200:
            raise RuntimeError(f"floor request failed: HTTP {response.status}")
        json.loads(response.data)
    return (time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6


async def async_rounds(emu: Emulator, calls: int, rounds: int) -> list[tuple[float, float]]:
    from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
    config = sdk.Configuration.new(host=emu.base_url, live_reload_config=False)
    async with AsyncApiClient(configuration=config) as client:
        await client.get_client_credentials_token(emu.client_id, emu.client_secret)
        api = UsersApiAsync(client)
        await api.get_user(USER)
        out = []
        for _ in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(calls):
                await api.get_user(USER)
            out.append(((time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6))
        return out


BODY = b'{"id": "u1", "name": "Canned User", "state": "active", "email": "u1@example.com"}'


def canned(calls: int, rounds: int) -> tuple[float, float]:
    """Microseconds per call with a transport that answers at once: the pipeline's own cost."""
    from PureCloudPlatformClientV2 import AbstractHttpClient
    from PureCloudPlatformClientV2.aio import AbstractAsyncHttpClient, AsyncApiClient, UsersApiAsync
    from PureCloudPlatformClientV2.rest import RESTResponse
    headers = {"Content-Type": "application/json"}

    class Canned(AbstractHttpClient):
        def request(self, options: object) -> RESTResponse:
            return RESTResponse(200, "OK", headers, BODY)

    class CannedAsync(AbstractAsyncHttpClient):
        async def request(self, options: object) -> RESTResponse:
            return RESTResponse(200, "OK", headers, BODY)

    config = sdk.Configuration.new(host="https://api.example", live_reload_config=False)
    client = sdk.ApiClient(configuration=config)
    client.access_token = "t"
    client.set_http_client(Canned())
    api = sdk.UsersApi(client)
    sync = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            api.get_user("u1")
        sync.append((time.perf_counter() - started) / calls * 1e6)

    async def run() -> list[float]:
        aclient = AsyncApiClient(configuration=config, http_client=CannedAsync())
        aclient.access_token = "t"
        aapi = UsersApiAsync(aclient)
        out = []
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(calls):
                await aapi.get_user("u1")
            out.append((time.perf_counter() - started) / calls * 1e6)
        return out
    return statistics.median(sync), statistics.median(asyncio.run(run()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sync-only", action="store_true", help="skip the canned and asyncio rounds")
    args = parser.parse_args()
    if not args.sync_only:
        sync_us, async_us = canned(args.calls * 10, args.rounds)
        print(f"canned   get_user: {sync_us:7.1f} us/call sync, {async_us:7.1f} us/call asyncio (no network)")
    with Emulator(seed_users=1, mode="subprocess") as emu:
        global USER
        config = sdk.Configuration.new(host=emu.base_url, live_reload_config=False)
        client = sdk.ApiClient(configuration=config).get_client_credentials_token(emu.client_id, emu.client_secret)
        api = sdk.UsersApi(client)
        USER = api.get_users(page_size=1).entities[0].id
        api.get_user(USER)
        import urllib3
        pool = urllib3.PoolManager()
        url = f"{emu.base_url.rstrip('/')}/api/v2/users/{USER}"
        raw_headers = {"Authorization": f"Bearer {client.access_token}", "Accept": "application/json"}
        timed_pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10.0, read=60.0))
        raw_round(pool, url, raw_headers, 10)  # connections set up
        raw_round(timed_pool, url, raw_headers, 10)
        sync: list[tuple[float, float]] = []
        raw: list[tuple[float, float]] = []
        raw_timeouts: list[tuple[float, float]] = []
        for i in range(args.rounds):  # rotating order: none always runs first after a pause
            steps = [lambda: sync.append(sync_round(api, args.calls)),
                     lambda: raw.append(raw_round(pool, url, raw_headers, args.calls)),
                     lambda: raw_timeouts.append(raw_round(timed_pool, url, raw_headers, args.calls))]
            for step in steps[i % 3:] + steps[:i % 3]:
                step()
        aio = [] if args.sync_only else asyncio.run(async_rounds(emu, args.calls, args.rounds))
    for label, rows in (("sync", sync), ("raw urllib3 + json.loads", raw),
                        ("raw urllib3 + json.loads, timeouts set", raw_timeouts), ("asyncio", aio)):
        if rows:
            print(f"{label:8s} get_user: {statistics.median(r[0] for r in rows):7.0f} us/call wall, "
                  f"{statistics.median(r[1] for r in rows):7.0f} us/call client CPU")
    ratio = statistics.median(a[1] / b[1] for a, b in zip(sync, raw, strict=True))
    print(f"sync client CPU / raw urllib3: {ratio:.2f}x (target <= 1.1x: {'met' if ratio <= 1.1 else 'missed'})")
    ratio_t = statistics.median(a[1] / b[1] for a, b in zip(sync, raw_timeouts, strict=True))
    print(f"sync client CPU / raw urllib3 with timeouts set: {ratio_t:.2f}x (for information)")


if __name__ == "__main__":
    main()
