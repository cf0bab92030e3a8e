"""Peak memory of calls that meet a hostile body: a gzip bomb and an endless body.

    python benchmarks/bounded_responses.py [--bomb-mb 1024]

Starts ``tests/pipeline/hostile_server.py`` (a subprocess), then runs each case in a fresh
client process (sync and asyncio) and prints how the call ended, how long it took and the
process's peak RSS (``ru_maxrss``), with the default ``max_response_bytes`` (256 MiB) and
with 16 MiB.  Without the limit the bomb inflates to ``--bomb-mb`` MiB in memory and the
endless body grows until memory runs out.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = r'''
import asyncio, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient
base, behaviour, mode, limit = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
config = sdk.Configuration.new(host=base, live_reload_config=False, max_response_bytes=limit)
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
try:
    if mode == "sync":
        client = sdk.ApiClient(configuration=config)
        client.access_token = "t"
        client.call_api("/api/v2/users/" + behaviour, "GET", response_type="object")
    else:
        async def main():
            async with AsyncApiClient(configuration=config) as client:
                client.access_token = "t"
                await client.call_api("/api/v2/users/" + behaviour, "GET", response_type="object")
        asyncio.run(main())
    outcome = "returned"
except sdk.ApiException as exc:
    outcome = type(exc).__name__ + ": " + str(exc)[:90]
print(json.dumps({"seconds": time.monotonic() - started, "outcome": outcome,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "baseline_mb": baseline / 1024}))
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bomb-mb", type=int, default=1024, help="size of the bomb once inflated (MiB)")
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "pipeline" / "hostile_server.py"),
                               str(args.bomb_mb)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdin is not None
    base = f"http://127.0.0.1:{json.loads(server.stdout.readline())['port']}"
    print(f"{'case':38s} {'limit':>8s} {'seconds':>8s} {'peak RSS':>9s}  outcome")
    try:
        for behaviour, label in (("bomb", f"gzip bomb ({args.bomb_mb} MiB inflated)"), ("endless", "endless body")):
            for mode in ("sync", "asyncio"):
                for limit in (256 << 20, 16 << 20):
                    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), base, behaviour, mode, str(limit)],
                                         capture_output=True, text=True, timeout=600)
                    if out.returncode:
                        print(out.stderr[-2000:])
                        continue
                    row = json.loads(out.stdout)
                    print(f"{label + ', ' + mode:38s} {limit >> 20:>5d} MiB {row['seconds']:8.2f} "
                          f"{row['peak_mb']:6.0f} MB  {row['outcome']} (start {row['baseline_mb']:.0f} MB)")
    finally:
        server.stdin.close()
        server.wait(10)


if __name__ == "__main__":
    main()
