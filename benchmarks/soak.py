"""Soak: mixed SDK calls against the emulator with about 5% of requests faulted.

Several threads share one ApiClient and loop over reads (get_user, get_users) and writes
(post_users + delete_user) while an injector adds one-shot faults (503, 500, 429, reset,
truncate, latency, token expiry) at the chosen rate.  Reported: calls/s, the outcome
breakdown, RSS after warm-up and at the end, threads and sockets before and after.

Usage: python benchmarks/soak.py [--seconds 600] [--threads 8] [--fault-rate 0.05] [--warmup 60]
       [--out benchmarks/results/soak.json]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import PureCloudPlatformClientV2 as sdk  # noqa: E402
from PureCloudPlatformClientV2 import RetryConfiguration  # noqa: E402
from PureCloudPlatformClientV2.emulator import Emulator  # noqa: E402
from PureCloudPlatformClientV2.rest import ApiException  # noqa: E402

FAULTS: list[tuple[Any, dict[str, Any]]] = [
    (503, {"retry_after": None}), (500, {}), (429, {"retry_after": 0}), ("reset", {}), ("truncate", {}),
    ("latency", {"delay": 0.05}), ("expire_tokens", {}),
]


def rss_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def counts() -> dict[str, int]:
    gc.collect()
    sockets = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            sockets += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return {"threads": threading.active_count(), "sockets": sockets}


def run_soak(seconds: float, threads: int = 8, fault_rate: float = 0.05, warmup: float = 60.0,
             sample_every: float = 5.0, seed: int = 6) -> dict[str, Any]:
    """Run the soak and return its figures (see the module docstring)."""
    before = counts()
    rnd = random.Random(seed)
    emulator = Emulator(mode="subprocess", seed_users=50)
    # The emulator logs a traceback for every injected reset: keep its stderr out of the report.
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        emulator.start()
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)
    with emulator as emu:
        config = sdk.Configuration.new(host=emu.base_url, live_reload_config=False, read_timeout=5.0,
                                       pool_maxsize=threads)
        config.retry = RetryConfiguration(backoff_initial=0.02, backoff_max=0.2, max_retry_time=10.0)
        client = sdk.ApiClient(configuration=config).get_client_credentials_token(emu.client_id, emu.client_secret)
        users = sdk.UsersApi(client)
        user_ids = [str(u["id"]) for u in emu.entities("/api/v2/users")]
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()
        done = [0]
        stop = threading.Event()
        mismatches: list[str] = []
        injected: Counter[str] = Counter()

        def worker(index: int) -> None:
            local = random.Random(seed * 1000 + index)
            while not stop.is_set():
                kind = local.random()
                try:
                    if kind < 0.6:
                        wanted = local.choice(user_ids)
                        if users.get_user(wanted).id != wanted:
                            mismatches.append(wanted)
                    elif kind < 0.9:
                        users.get_users(page_size=local.randint(1, 25))
                    else:
                        created = users.post_users(sdk.CreateUser(
                            name=f"Soak {index}", email=f"soak{index}.{local.randrange(10**9)}@example.com"))
                        users.delete_user(created.id)
                    outcome = "ok"
                except ApiException as exc:
                    outcome = f"{type(exc).__name__}({exc.status})"
                except Exception as exc:  # noqa: BLE001 - reported as undocumented
                    outcome = f"UNDOCUMENTED {type(exc).__name__}"
                with lock:
                    outcomes[outcome] += 1
                    done[0] += 1

        def injector() -> None:
            # One one-shot fault per 1/fault_rate calls: about fault_rate of the requests go wrong.
            every = max(1, round(1 / fault_rate)) if fault_rate > 0 else 0
            next_at = every
            while every and not stop.is_set():
                with lock:
                    reached = done[0] >= next_at
                if reached:
                    kind, options = FAULTS[rnd.randrange(len(FAULTS))]
                    emu.add_fault(kind, "/api/v2/users*", times=1, **options)
                    injected[str(kind)] += 1
                    next_at += every
                else:
                    stop.wait(0.005)

        pool = [threading.Thread(target=worker, args=(i,), name=f"soak-{i}", daemon=True) for i in range(threads)]
        pool.append(threading.Thread(target=injector, name="soak-injector", daemon=True))
        started = time.monotonic()
        for t in pool:
            t.start()
        samples: list[tuple[float, int]] = []
        while (elapsed := time.monotonic() - started) < seconds:
            stop.wait(min(sample_every, seconds - elapsed))
            samples.append((round(time.monotonic() - started, 1), rss_bytes()))
        stop.set()
        for t in pool:
            t.join(30)
        elapsed = time.monotonic() - started
        client.http_client.reset()  # type: ignore[union-attr]
        client.last_response = None
        emu.clear_faults()
        faulted = emu.stats() if hasattr(emu, "stats") else {}
    after = counts()
    after_warmup = [rss for t, rss in samples if t >= warmup] or [samples[-1][1]]
    total = sum(outcomes.values())
    return {
        "seconds": round(elapsed, 1), "threads": threads, "fault_rate": fault_rate, "calls": total,
        "calls_per_second": round(total / elapsed, 1), "outcomes": dict(outcomes.most_common()),
        "error_rate": round(1 - outcomes["ok"] / total, 4) if total else None,
        "rss_mb_at_warmup_end": round(after_warmup[0] / 2**20, 1), "rss_mb_at_end": round(samples[-1][1] / 2**20, 1),
        "rss_growth_after_warmup_mb": round((max(after_warmup) - after_warmup[0]) / 2**20, 2),
        "rss_samples_mb": [(t, round(rss / 2**20, 1)) for t, rss in samples],
        "faults_injected": dict(injected.most_common()), "before": before, "after": after,
        "crosstalk": len(mismatches),
        "emulator_requests": faulted.get("requests") if isinstance(faulted, dict) else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--warmup", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "soak.json")
    args = parser.parse_args(argv)
    figures = run_soak(args.seconds, args.threads, args.fault_rate, args.warmup)
    figures.update({"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    summary = {k: v for k, v in figures.items() if k != "rss_samples_mb"}
    print(json.dumps(summary, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
