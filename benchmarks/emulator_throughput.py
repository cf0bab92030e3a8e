"""Throughput of the emulator: requests/s for GET by id and for a 500-entity listing, with 1
and 32 concurrent clients.

The emulator runs as a subprocess (its own interpreter, so client and server do not share a
GIL); clients are aiohttp sessions with one keep-alive connection each.

Usage: python benchmarks/emulator_throughput.py [--seconds 3] [--out benchmarks/results/emulator_throughput.json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from PureCloudPlatformClientV2.emulator import Emulator  # noqa: E402


async def _client(url: str, headers: dict[str, str], deadline: float, counts: list[int]) -> None:
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        n = 0
        while time.perf_counter() < deadline:
            async with session.get(url) as resp:
                await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"{url}: HTTP {resp.status}")
            n += 1
        counts.append(n)


async def measure(url: str, headers: dict[str, str], clients: int, seconds: float) -> float:
    # Warm-up: connections, caches and the server's first-request paths.
    await asyncio.gather(*(_client(url, headers, time.perf_counter() + 0.3, []) for _ in range(clients)))
    counts: list[int] = []
    start = time.perf_counter()
    await asyncio.gather(*(_client(url, headers, start + seconds, counts) for _ in range(clients)))
    return sum(counts) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measurement time per case")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "emulator_throughput.json")
    args = parser.parse_args(argv)
    results = []
    with Emulator(mode="subprocess", seed_users=499) as emu:  # 499 + the admin user = 500 entities
        headers = {"Authorization": f"Bearer {emu.issue_token()}"}
        user_id = emu.admin_user_id
        cases = [("GET /api/v2/users/{id}", f"{emu.base_url}/api/v2/users/{user_id}"),
                 ("GET /api/v2/users?pageSize=500", f"{emu.base_url}/api/v2/users?pageSize=500")]
        for name, url in cases:
            for clients in (1, 32):
                rps = asyncio.run(measure(url, headers, clients, args.seconds))
                results.append({"case": name, "clients": clients, "requests_per_second": round(rps, 1)})
    print(f"{'case':34} {'clients':>7} {'req/s':>10}")
    for r in results:
        print(f"{r['case']:34} {r['clients']:>7} {r['requests_per_second']:>10.1f}")
    report = {"benchmark": "emulator_throughput", "seconds_per_case": args.seconds,
              "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
              "aiohttp": aiohttp.__version__, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
