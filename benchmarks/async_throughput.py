"""Concurrent ``get_user`` calls against the emulator: our asyncio client, our sync client on a
thread pool, and the official SDK's ``callback=`` threads, at 1, 10, 100 and 1,000 calls in flight.

    python benchmarks/async_throughput.py [--calls 2000] [--reps 3] [--quick]

The emulator runs as a subprocess (its own interpreter). Each (client, concurrency) case runs
in a fresh worker process, so import, lazy loading and memory are its own; the first calls
(connections, lazy loading) are a warm-up outside the timing. Workers keep exactly N calls in
flight until ``--calls`` calls have completed:

- ``async``: N tasks on one event loop sharing one ``AsyncApiClient`` (pool limit min(N, 100):
  1,000 tasks share 100 connections, as one would configure it);
- ``sync_pool``: our ``ApiClient`` on a ``ThreadPoolExecutor(N)`` (urllib3 pool size N);
- ``official_callback``: the official SDK 269.0.0 (``benchmarks/.venv-official``, made by
  ``benchmarks/run.py``): each call is ``get_user(id, callback=...)``, which starts one thread;
  a semaphore released in the callback keeps N in flight;
- ``raw_aiohttp``: the floor for ``async``: a bare ``aiohttp.ClientSession`` (same connection
  limit, min(N, 100)) doing the same ``GET /api/v2/users/{id}`` with the bearer token and the
  Accept header, and ``orjson.loads`` of the body (``json.loads`` when orjson is not importable;
  the result records which). ``--extra-path DIR`` puts DIR (e.g. a ``pip install --target DIR
  orjson msgspec``) on the path of the raw workers and of ``async_fast``, so ours stays on the
  default install;
- ``async_fast``: the ``async`` worker with ``--extra-path`` on its path (ours + the fast extra);
- ``raw_aiohttp_timeouts``: the floor with the timers our client arms (connect and per-read
  timeouts, a deadline scope per call), for information: it shows what timeouts cost.

``--clients`` and ``--concurrency-levels`` pick a subset (e.g. ``--clients async raw_aiohttp
--concurrency-levels 1 10 100``). The ratio ours/raw is recorded per repetition from adjacent
runs, and its median reported, for calls/s and for client CPU per call.

Memory is the worker's peak RSS (VmHWM) during the 1,000-in-flight case, and its growth over
the RSS after warm-up. The client's CPU time per call (process time of the worker during the
timed phase) is recorded too: client and emulator share the machine's CPUs, so once the
emulator saturates, calls per second stop telling the clients apart and CPU per call does not. Writes ``benchmarks/results/async_throughput.json`` and
``docs/img/async_throughput.png``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OFFICIAL_PY = BENCH / ".venv-official" / "bin" / "python"
CLIENTS = ("async", "sync_pool", "official_callback", "raw_aiohttp", "async_fast", "raw_aiohttp_timeouts")
DEFAULT_CLIENTS = ("async", "sync_pool", "official_callback", "raw_aiohttp")
LABELS = {"async": "ours, asyncio (AsyncApiClient)", "sync_pool": "ours, sync + ThreadPoolExecutor",
          "official_callback": "official 269.0.0, callback= threads",
          "raw_aiohttp": "floor: raw aiohttp + orjson.loads", "async_fast": "ours, asyncio + fast extra",
          "raw_aiohttp_timeouts": "raw aiohttp + orjson, with our timers"}
CONCURRENCY = (1, 10, 100, 1000)
POOL_CAP = 100  # the async client's connection limit: 1,000 tasks share at most 100 connections


# -- worker side (runs in its own process; the official worker must not import our package) -----------
def _rss_mb(field: str = "VmHWM") -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def _user_sys(before: os.times_result) -> dict[str, float]:
    """User and kernel CPU since ``before``: on loopback, a send's kernel time includes the receiver's TCP work."""
    after = os.times()
    return {"user_seconds": after.user - before.user, "sys_seconds": after.system - before.system}


def _worker_async(host: str, token: str, user_id: str, n: int, calls: int) -> dict[str, Any]:
    import asyncio

    import PureCloudPlatformClientV2 as sdk
    from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync

    async def main() -> dict[str, Any]:
        config = sdk.Configuration.new(live_reload_config=False)
        async with AsyncApiClient(host=host, configuration=config, pool_limit=min(n, POOL_CAP)) as client:
            client.access_token = token
            api = UsersApiAsync(client)
            await asyncio.gather(*(api.get_user(user_id) for _ in range(min(n, 100))))  # warm-up
            base = _rss_mb("VmRSS")
            left, errors = [calls], []

            async def worker() -> None:
                while left[0] > 0:
                    left[0] -= 1
                    try:
                        await api.get_user(user_id)
                    except Exception as exc:  # counted, not hidden
                        errors.append(repr(exc))

            started, cpu, times = time.perf_counter(), time.process_time(), os.times()
            await asyncio.gather(*(worker() for _ in range(n)))
            return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu,
                    **_user_sys(times),
                    "errors": len(errors), "first_error": errors[:1], "rss_base_mb": base}
    return asyncio.run(main())


def _worker_raw_aiohttp_timeouts(host: str, token: str, user_id: str, n: int, calls: int) -> dict[str, Any]:
    return _worker_raw_aiohttp(host, token, user_id, n, calls, timeouts=True)


def _worker_raw_aiohttp(host: str, token: str, user_id: str, n: int, calls: int,
                        timeouts: bool = False) -> dict[str, Any]:
    """The floor: what aiohttp and a JSON parser cost for the same request, with nothing around them.

    With ``timeouts``, the timers our client arms: aiohttp's connect and per-read timeouts instead
    of its single 5-minute total, and a deadline scope around each call (Python 3.11+)."""
    import asyncio

    import aiohttp
    try:
        from orjson import loads
        parser = "orjson"
    except ImportError:  # stated in the result: a json.loads floor is a slower (easier) floor
        from json import loads
        parser = "json"

    url = f"{host.rstrip('/')}/api/v2/users/{user_id}"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    scope = getattr(asyncio, "timeout", None) if timeouts else None

    async def main() -> dict[str, Any]:
        connector = aiohttp.TCPConnector(limit=min(n, POOL_CAP))
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10.0, sock_read=60.0) if timeouts else None
        async with aiohttp.ClientSession(connector=connector, **({"timeout": timeout} if timeout else {})) as session:
            async def exchange() -> Any:
                async with session.get(url, headers=headers) as response:
                    body = await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"HTTP {response.status}")
                    return loads(body)

            async def get() -> Any:
                if scope is None:
                    return await exchange()
                async with scope(300.0):
                    return await exchange()

            await asyncio.gather(*(get() for _ in range(min(n, 100))))  # warm-up
            base = _rss_mb("VmRSS")
            left, errors = [calls], []

            async def worker() -> None:
                while left[0] > 0:
                    left[0] -= 1
                    try:
                        await get()
                    except Exception as exc:  # counted, not hidden
                        errors.append(repr(exc))

            started, cpu, times = time.perf_counter(), time.process_time(), os.times()
            await asyncio.gather(*(worker() for _ in range(n)))
            return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu,
                    **_user_sys(times),
                    "errors": len(errors), "first_error": errors[:1], "rss_base_mb": base, "parser": parser}
    return asyncio.run(main())


def _worker_sync_pool(host: str, token: str, user_id: str, n: int, calls: int) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    import PureCloudPlatformClientV2 as sdk

    config = sdk.Configuration.new(live_reload_config=False, pool_maxsize=n)
    client = sdk.ApiClient(host=host, configuration=config)
    client.access_token = token
    api = sdk.UsersApi(client)
    errors: list[str] = []

    def call(_: int) -> None:
        try:
            api.get_user(user_id)
        except Exception as exc:  # counted, not hidden
            errors.append(repr(exc))

    with ThreadPoolExecutor(n) as pool:
        list(pool.map(call, range(min(n, 100))))  # warm-up: threads and connections
        base = _rss_mb("VmRSS")
        started, cpu = time.perf_counter(), time.process_time()
        list(pool.map(call, range(calls)))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "errors": len(errors), "first_error": errors[:1],
            "rss_base_mb": base}


def _worker_official_callback(host: str, token: str, user_id: str, n: int, calls: int) -> dict[str, Any]:
    import logging
    import threading

    import PureCloudPlatformClientV2 as official

    logging.getLogger("urllib3").setLevel(logging.ERROR)  # "connection pool is full" at high concurrency
    official.configuration.host = host
    official.configuration.access_token = token
    api = official.UsersApi(official.ApiClient())
    errors: list[str] = []
    in_flight = threading.Semaphore(n)
    done = threading.Semaphore(0)

    def finished(_: Any) -> None:
        in_flight.release()
        done.release()

    def run(count: int) -> None:
        threads = []
        for _ in range(count):
            in_flight.acquire()
            threads.append(api.get_user(user_id, callback=finished))
        for _ in range(count):
            if not done.acquire(timeout=120):
                errors.append("a callback never came (the call failed in its thread)")
                break
        for thread in threads:
            thread.join()

    run(min(n, 100))  # warm-up
    base = _rss_mb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    run(calls)
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu,
            "errors": len(errors), "first_error": errors[:1], "rss_base_mb": base}


def worker_main(args: argparse.Namespace) -> None:
    run = {"async": _worker_async, "sync_pool": _worker_sync_pool, "official_callback": _worker_official_callback,
           "raw_aiohttp": _worker_raw_aiohttp, "async_fast": _worker_async,
           "raw_aiohttp_timeouts": _worker_raw_aiohttp_timeouts}[args.worker]
    if args.profile:  # cProfile of the timed phase's process, sorted by own time, to stderr
        import cProfile
        import pstats
        profiler = cProfile.Profile(time.process_time)  # CPU, not wall: other processes share the CPUs
        result = profiler.runcall(run, args.host, args.token, args.user_id, args.concurrency, args.calls)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(args.profile)
    else:
        result = run(args.host, args.token, args.user_id, args.concurrency, args.calls)
    if args.worker == "async_fast":
        import PureCloudPlatformClientV2._json as sdk_json
        result["ours_orjson"] = sdk_json._orjson is not None
    result["rss_peak_mb"] = _rss_mb()
    print(json.dumps(result))


# -- driver --------------------------------------------------------------------------------------------
def run_case(client: str, emu: Any, token: str, n: int, calls: int, extra_path: str = "",
             profile: int = 0) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if client == "official_callback":
        python = str(OFFICIAL_PY)  # the script's folder is sys.path[0]: the venv's official package loads
    else:
        python = sys.executable
        env["PYTHONPATH"] = os.pathsep.join(
            ([extra_path] if extra_path and client in ("raw_aiohttp", "raw_aiohttp_timeouts", "async_fast") else []) + [str(ROOT)])
    cmd = [python, str(Path(__file__).resolve()), "--worker", client, "--host", emu.base_url, "--token", token,
           "--user-id", emu.admin_user_id, "--concurrency", str(n), "--calls", str(calls)]
    if profile:
        cmd += ["--profile", str(profile)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(BENCH), timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"{client} x{n} failed:\n{out.stderr[-2000:]}")
    if profile:
        print(f"===== {client}, {n} in flight, {calls} calls: cProfile in CPU time\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


SHORT = {"async": "ours asyncio", "sync_pool": "ours sync\n+ thread pool", "official_callback": "official\ncallback=",
         "raw_aiohttp": "raw aiohttp\n+ orjson", "async_fast": "ours asyncio\n+ fast",
         "raw_aiohttp_timeouts": "raw aiohttp\n+ timers"}
COLOR = {"async": "C0", "sync_pool": "C1", "official_callback": "C2", "async_fast": "C3",
         "raw_aiohttp": "grey", "raw_aiohttp_timeouts": "darkgrey"}
STYLE = {"raw_aiohttp": {"linestyle": "--"}, "raw_aiohttp_timeouts": {"linestyle": ":"}}


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (rate, cpu, mem) = plt.subplots(1, 3, figsize=(13, 4.2), gridspec_kw={"width_ratios": [5, 4, 3]})
    levels = sorted({r["concurrency"] for r in results["cases"]})
    for client in CLIENTS:
        rows = [r for r in results["cases"] if r["client"] == client]
        if rows:
            xs = [r["concurrency"] for r in rows]
            style = {"color": COLOR[client], **STYLE.get(client, {})}
            rate.plot(xs, [r["calls_per_second"] for r in rows], marker="o", label=LABELS[client], **style)
            cpu.plot(xs, [r["client_cpu_ms_per_call"] for r in rows], marker="o", label=LABELS[client], **style)
    for ax, title, ylabel in ((rate, "Throughput (median)", "get_user calls per second"),
                              (cpu, "Client CPU per call", "ms of client CPU per call")):
        ax.set_xscale("log")
        ax.set_xticks(levels, [str(c) for c in levels])
        ax.set_xlabel("calls in flight")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    rate.legend(fontsize=8)
    top = max(levels)
    peak = [(SHORT[c], r["rss_peak_mb"], COLOR[c]) for c in CLIENTS for r in results["cases"]
            if r["client"] == c and r["concurrency"] == top]
    mem.bar([p[0] for p in peak], [p[1] for p in peak], color=[p[2] for p in peak])
    mem.axhline(100, color="grey", linestyle="--", linewidth=1)
    mem.set_ylabel("peak RSS, MB")
    mem.set_title(f"Memory, {top:,} calls in flight")
    mem.tick_params(axis="x", labelsize=8 if len(peak) <= 3 else 6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def _replot(json_path: Path, png: Path) -> None:
    plot(json.loads(json_path.read_text()), png)


def paired_ratio(runs: dict[str, list[dict[str, Any]]], ours: str, floor: str, key: str) -> float | None:
    """Median over repetitions of ours/floor from adjacent runs: load that drifts hits both alike."""
    pairs = [a[key] / b[key] for a, b in zip(runs[ours], runs[floor], strict=True) if b[key]]
    return round(statistics.median(pairs), 3) if pairs else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=CLIENTS)
    parser.add_argument("--host")
    parser.add_argument("--token")
    parser.add_argument("--user-id")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--calls", type=int, default=2000, help="calls per case (at least 200, and 3 x N)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per case; medians are reported")
    parser.add_argument("--quick", action="store_true", help="one repetition of 600 calls")
    parser.add_argument("--clients", nargs="+", choices=CLIENTS, default=list(DEFAULT_CLIENTS))
    parser.add_argument("--concurrency-levels", nargs="+", type=int, default=list(CONCURRENCY))
    parser.add_argument("--extra-path", default="",
                        help="a folder with orjson (and msgspec) for raw_aiohttp and async_fast only")
    parser.add_argument("--profile", type=int, default=0,
                        help="print the top N functions (own CPU time) of a cProfile of each client's worker, "
                             "once per concurrency level, instead of timing")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "async_throughput.json")
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "img" / "async_throughput.png")
    parser.add_argument("--plot-only", action="store_true", help="redraw the PNG from the JSON")
    args = parser.parse_args(argv)
    if args.plot_only:
        _replot(args.out, args.png)
        return 0
    if args.worker:
        worker_main(args)
        return 0
    if args.quick:
        args.reps, args.calls = 1, 600
    sys.path.insert(0, str(ROOT))
    from PureCloudPlatformClientV2.emulator import Emulator
    clients = [c for c in args.clients if c != "official_callback" or OFFICIAL_PY.exists()]
    if "official_callback" in args.clients and "official_callback" not in clients:
        print("benchmarks/.venv-official is missing (python benchmarks/run.py creates it): official skipped",
              file=sys.stderr)
    cases, floor_ratios, parsers = [], {}, set()
    with Emulator(mode="subprocess", seed_users=10, token_lifetime=86400) as emu:
        token = emu.issue_token(lifetime=86400)
        if args.profile:  # where the time goes, not how long it takes: no results file
            for n in args.concurrency_levels:
                for client in clients:
                    run_case(client, emu, token, n, max(args.calls, 3 * n), args.extra_path, args.profile)
            return 0
        for n in args.concurrency_levels:
            calls = max(args.calls, 3 * n)
            runs: dict[str, list[dict[str, Any]]] = {client: [] for client in clients}
            for rep in range(args.reps):  # interleaved, so that drift on a shared machine hits every client
                order = clients if rep % 2 == 0 else clients[::-1]  # and neither always goes first
                for client in order:
                    runs[client].append(run_case(client, emu, token, n, calls, args.extra_path))
                    last = runs[client][-1]
                    parsers.add(last.get("parser", ""))
                    print(f"{client:18} x{n:<5} rep {rep + 1}: {calls / last['seconds']:8.0f} calls/s, "
                          f"{1e6 * last['cpu_seconds'] / calls:6.0f} us CPU/call, "
                          f"errors {last['errors']}, peak RSS {last['rss_peak_mb']:.0f} MB", file=sys.stderr, flush=True)
            for client in clients:
                reps = runs[client]
                seconds = statistics.median(r["seconds"] for r in reps)
                cases.append({"client": client, "concurrency": n, "calls": calls, "reps": len(reps),
                              "seconds_median": round(seconds, 4), "calls_per_second": round(calls / seconds, 1),
                              "errors": sum(r["errors"] for r in reps),
                              "first_error": next((r["first_error"] for r in reps if r["first_error"]), []),
                              "client_cpu_ms_per_call": round(
                                  1000 * statistics.median(r["cpu_seconds"] for r in reps) / calls, 3),
                              "rss_peak_mb": round(statistics.median(r["rss_peak_mb"] for r in reps), 1),
                              "rss_growth_mb": round(statistics.median(r["rss_peak_mb"] - r["rss_base_mb"]
                                                                       for r in reps), 1)})
                if "user_seconds" in reps[0]:  # the asyncio workers split CPU into user and kernel time
                    cases[-1].update({f"client_{k}_us_per_call": round(
                        1e6 * statistics.median(r[f"{k}_seconds"] for r in reps) / calls, 1) for k in ("user", "sys")})
            for ours in ("async", "async_fast"):
                for floor in ("raw_aiohttp", "raw_aiohttp_timeouts"):
                    if ours in runs and floor in runs:
                        # calls/s ours/raw (target >= 0.9): seconds raw/ours; CPU per call ours/raw (lower is better)
                        floor_ratios[f"{ours}_vs_{floor}_x{n}"] = {
                            "calls_per_s": paired_ratio(runs, floor, ours, "seconds"),
                            "client_cpu": paired_ratio(runs, ours, floor, "cpu_seconds")}
    by = {(c["client"], c["concurrency"]): c for c in cases}
    ratios = {f"async_vs_official_x{n}": round(by[("async", n)]["calls_per_second"]
                                               / by[("official_callback", n)]["calls_per_second"], 2)
              for n in args.concurrency_levels if ("official_callback", n) in by and ("async", n) in by}
    import aiohttp
    results = {"benchmark": "async_throughput", "operation": "UsersApi.get_user (GET /api/v2/users/{userId})",
               "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
               "aiohttp": aiohttp.__version__, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "load_average": os.getloadavg()[0], "emulator": "subprocess", "cases": cases, "ratios": ratios,
               "floor_parser": sorted(p for p in parsers if p), "floor_ratios": floor_ratios,
               "floor_target": "calls/s of async at least 0.9 of raw_aiohttp at 1, 10 and 100 in flight"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    try:
        plot(results, args.png)
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
    for c in cases:
        print(f"{c['client']:18} x{c['concurrency']:<5} {c['calls_per_second']:8.0f} calls/s  "
              f"{c['client_cpu_ms_per_call']:.3f} ms CPU/call  errors {c['errors']}  peak RSS {c['rss_peak_mb']} MB")
    print(json.dumps(ratios))
    for name, r in floor_ratios.items():
        met = r["calls_per_s"] is not None and r["calls_per_s"] >= 0.9
        target = f"(target >= 0.9: {'met' if met else 'MISSED'})" if name.split("_x")[0].endswith("raw_aiohttp") else ""
        print(f"{name}: calls/s ours/raw {r['calls_per_s']} {target}, "
              f"client CPU/call ours/raw {r['client_cpu']}  [floor parser: {', '.join(results['floor_parser'])}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
