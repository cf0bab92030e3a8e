"""Run the benchmark suite: official SDK 269.0.0 against ours, side by side.

    python benchmarks/run.py [--quick] [--reps N] [--official-only]

One command does everything: creates the virtualenvs if missing
(``benchmarks/.venv-official`` with ``PureCloudPlatformClientV2==269.0.0`` from PyPI,
``benchmarks/.venv-ours`` with our runtime dependencies, the working tree on PYTHONPATH, and
for full runs ``benchmarks/.venv-ours-orjson`` which adds orjson), generates the
fixtures from ``spec/``, checks that both SDKs read every fixture into models and write it
back with no field lost, then runs every scenario in a fresh process per SDK, interleaved
(official, ours, official, ours, ...) so that machine drift hits both, and reports medians
over the repetitions and ratios. It prints a table, writes ``benchmarks/results/latest.json``
(``latest-quick.json`` with ``--quick``) and, when matplotlib is importable, the plots in
``docs/img/bench_*.png`` and the table in ``docs/benchmarks.md``.

Our SDK is benchmarked only once ``PureCloudPlatformClientV2/api_client.py`` exists and the
package imports; until then its column reads "pending".
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FIXTURES = BENCH / "fixtures"
RESULTS = BENCH / "results"
OFFICIAL_VERSION = "269.0.0"
SDKS = ("official", "ours", "ours_orjson")
LABELS = {"official": "official 269.0.0", "ours": "ours", "ours_orjson": "ours + fast extra"}
SCENARIO_TIMEOUT = 600

sys.path.insert(0, str(BENCH))
import fixtures as fixture_gen  # noqa: E402

# scenarios run in this order in every repetition; "import" is timed from outside, as pairs of
# (python -c pass, python -c "import ...") processes so that drift hits both halves alike
ORDER = ("import", "first_access", "users_me", "users_page", "analytics", "serialize", "live", "rss_calls")
IMPORT_PAIRS = {"official": 1, "ours": 7, "ours_orjson": 7}  # per repetition; the official import takes seconds


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- environments -----------------------------------------------------------------------------------

def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def create_venv(venv: Path) -> Path:
    log(f"creating {venv.relative_to(ROOT)}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    py = venv_python(venv)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=False)
    return py


def setup_official(force: bool = False) -> Path:
    venv = BENCH / ".venv-official"
    py = venv_python(venv)
    probe = [str(py), "-c", "import importlib.metadata as m; print(m.version('PureCloudPlatformClientV2'))"]
    if not force and py.exists():
        got = subprocess.run(probe, capture_output=True, text=True)
        if got.stdout.strip() == OFFICIAL_VERSION:
            return py
    py = create_venv(venv)
    log(f"pip install PureCloudPlatformClientV2=={OFFICIAL_VERSION} (about 170 MB with bytecode)")
    subprocess.run([str(py), "-m", "pip", "install", "-q", f"PureCloudPlatformClientV2=={OFFICIAL_VERSION}"],
                   check=True)
    return py


def setup_ours(force: bool = False, orjson: bool = False) -> tuple[Path, dict[str, str]]:
    """Our venv: the runtime dependencies from pyproject.toml, and the working tree on PYTHONPATH.

    Not ``pip install -e .``: setuptools' editable finder is imported by ``site`` at every
    interpreter start and pulls in pathlib and importlib machinery, which would move part of
    our import cost into the bare-interpreter baseline. A path entry behaves like an installed
    package and still always runs the working tree. The default venv has the base
    dependencies only (pure-Python JSON); with ``orjson`` a second venv adds the optional
    faster JSON backend (the ``fast`` extra).
    """
    import tomllib

    venv = BENCH / (".venv-ours-orjson" if orjson else ".venv-ours")
    py = venv_python(venv)
    env = {"PYTHONPATH": str(ROOT)}
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    if orjson:  # the `fast` extra: orjson and msgspec
        deps = [*deps, *tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["fast"]]
    marker = venv / ".deps"
    wanted = "\n".join(deps) + "\n"
    if not force and py.exists() and marker.exists() and marker.read_text() == wanted:
        return py, env
    py = create_venv(venv)
    log(f"pip install {' '.join(deps)} (our SDK runs from the working tree)")
    subprocess.run([str(py), "-m", "pip", "install", "-q", *deps], check=True)
    marker.write_text(wanted)
    return py, env


def ours_ready(py: Path, env: dict[str, str]) -> tuple[bool, str]:
    if not (ROOT / "PureCloudPlatformClientV2" / "api_client.py").exists():
        return False, "PureCloudPlatformClientV2/api_client.py does not exist yet"
    probe = subprocess.run(
        [str(py), "-c", "import PureCloudPlatformClientV2 as p; p.UsersApi; p.User;"
                        "from PureCloudPlatformClientV2.api_client import ApiClient"],
        capture_output=True, text=True, env=child_env(env), timeout=120)
    if probe.returncode != 0:
        return False, "import failed:\n" + probe.stderr[-3000:]
    return True, ""


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra)
    return env


def python_version(py: Path) -> str:
    return subprocess.run([str(py), "-c", "import sys; print(sys.version.split()[0])"],
                          capture_output=True, text=True).stdout.strip()


# -- running one process ------------------------------------------------------------------------------

def run_process(argv: list[str], env: dict[str, str], cwd: Path = BENCH) -> dict[str, Any]:
    """Run ``argv`` to completion; wall time and the child's own peak RSS (wait4) included."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=child_env(env), cwd=cwd)
        deadline = start + SCENARIO_TIMEOUT
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return {"wall_s": wall, "maxrss_mb": usage.ru_maxrss / 1024, "rc": proc.returncode,
            "stdout": stdout, "stderr": stderr}


# The child prints its own /proc/self/status, whose VmHWM is the peak RSS of that program alone
# (wait4's ru_maxrss would also carry the harness's own peak across the vfork + exec).
SHOW_STATUS = "import sys; sys.stdout.write(open('/proc/self/status').read())"


def vm_hwm_mb(status: str) -> float | None:
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run_scenario(name: str, py: Path, env: dict[str, str], budget: float, min_n: int, port: int) -> dict[str, Any]:
    if name in ("bare", "import"):
        # python -c pass vs python -c "import PureCloudPlatformClientV2", both also printing their status
        code = SHOW_STATUS if name == "bare" else "import PureCloudPlatformClientV2; " + SHOW_STATUS
        p = run_process([str(py), "-c", code], env)
        hwm = vm_hwm_mb(p["stdout"])
        res = {"ok": p["rc"] == 0, "wall_s": p["wall_s"], "rss_mb": hwm if hwm is not None else p["maxrss_mb"]}
        if p["rc"]:
            res["error"] = p["stderr"][-4000:]
        return res
    argv = [str(py), str(BENCH / "scenario.py"), name, "--fixtures", str(FIXTURES),
            "--budget", str(budget), "--min-n", str(min_n), "--port", str(port)]
    p = run_process(argv, env)
    try:
        res = json.loads(p["stdout"].strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        res = {"ok": False, "error": f"exit {p['rc']}\n{p['stdout'][-2000:]}\n{p['stderr'][-4000:]}"}
    res["wall_s"] = p["wall_s"]
    res["process_maxrss_mb"] = p["maxrss_mb"]
    return res


# -- live server -----------------------------------------------------------------------------------

class LiveServer:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(BENCH / "live_server.py"), str(FIXTURES / "user_me.json")],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


# -- installed size -----------------------------------------------------------------------------------

def du_bytes(path: Path) -> tuple[int, int]:
    total = files = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_blocks * 512
            files += 1
    return total, files


def installed_size(sdk: str, py: Path) -> dict[str, Any]:
    """Disk use of the package directory with bytecode, as a (non-editable) install lays it out."""
    if sdk == "official":
        site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        pkg = Path(site) / "PureCloudPlatformClientV2"
        subprocess.run([str(py), "-m", "compileall", "-q", str(pkg)], check=False, capture_output=True)
        size, files = du_bytes(pkg)
        return {"bytes": size, "files": files, "path": str(pkg)}
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "PureCloudPlatformClientV2"
        shutil.copytree(ROOT / "PureCloudPlatformClientV2", pkg, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run([str(py), "-m", "compileall", "-q", str(pkg)], check=False, capture_output=True)
        size, files = du_bytes(pkg)
    return {"bytes": size, "files": files, "path": "copy of PureCloudPlatformClientV2/ + compileall"}


# -- aggregation ----------------------------------------------------------------------------------

def med(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def pick(runs: list[dict], *keys: str) -> list[float]:
    out = []
    for r in runs:
        if not r.get("ok"):
            continue
        v: Any = r
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        if v is not None:
            out.append(v)
    return out


def metrics_for(runs: dict[str, list[dict]], sizes: dict[str, Any]) -> dict[str, Any]:
    """Per-SDK medians over repetitions, in display units."""
    bare = med([r["wall_s"] for r in runs["bare"] if r.get("ok")])
    m: dict[str, Any] = {}
    imp = med(pick(runs["import"], "wall_s"))
    m["import_ms"] = None if imp is None or bare is None else (imp - bare) * 1e3
    m["import_rss_mb"] = med(pick(runs["import"], "rss_mb"))
    m["bare_rss_mb"] = med(pick(runs["bare"], "rss_mb"))
    fa = med(pick(runs["first_access"], "first_access_s"))
    m["first_access_ms"] = None if fa is None else fa * 1e3
    me = med(pick(runs["users_me"], "call", "median_s"))
    m["users_me_us"] = None if me is None else me * 1e6
    for key in ("users_page", "analytics"):
        t = med(pick(runs[key], "call", "median_s"))
        nbytes = med(pick(runs[key], "bytes"))
        jl = med(pick(runs[key], "json_loads", "median_s"))
        m[f"{key}_ms"] = None if t is None else t * 1e3
        # full conversion: call + reading every value, minus the traversal's own cost (a second read)
        full = [r["call_and_read"]["median_s"] - r["read_again"]["median_s"]
                for r in runs[key] if r.get("ok") and "call_and_read" in r]
        full_s = med(full)
        m[f"{key}_full_ms"] = None if full_s is None else full_s * 1e3
        m[f"{key}_mbps"] = None if full_s is None or not nbytes or full_s <= 0 else nbytes / full_s / 1e6
        m[f"{key}_json_mbps"] = None if jl is None or not nbytes else nbytes / jl / 1e6
        m[f"{key}_bytes"] = nbytes
        ol = med(pick(runs[key], "orjson_loads", "median_s"))
        m[f"{key}_orjson_loads_ms"] = None if ol is None else ol * 1e3
        dj = med([r["decode_json_and_read"]["median_s"] - r["decode_json_read_again"]["median_s"]
                  for r in runs[key] if r.get("ok") and "decode_json_and_read" in r])
        m[f"{key}_decode_json_ms"] = None if dj is None else dj * 1e3
        m[f"{key}_decode_json_x_orjson"] = None if dj is None or not ol else dj / ol
        held, json_held = med(pick(runs[key], "held_mb")), med(pick(runs[key], "json_held_mb"))
        m[f"{key}_held_mb"] = held
        m[f"{key}_held_ratio"] = None if not held or not json_held else held / json_held
    s = med(pick(runs["serialize"], "sanitize", "median_s"))
    nbytes = med(pick(runs["serialize"], "bytes"))
    m["serialize_ms"] = None if s is None else s * 1e3
    m["serialize_mbps"] = None if s is None or not nbytes else nbytes / s / 1e6
    p = med(pick(runs["serialize"], "post_call", "median_s"))
    m["bulk_post_ms"] = None if p is None else p * 1e3
    jd = med(pick(runs["serialize"], "json_dumps", "median_s"))
    m["serialize_json_dumps_ms"] = None if jd is None else jd * 1e3
    # serialization as a call does it (sanitize, then json.dumps) over json.dumps of the same dict
    m["serialize_x_dumps"] = None if s is None or not jd else (s + jd) / jd
    m["live_seq_per_s"] = med(pick(runs["live"], "sequential_calls_per_s"))
    m["live_8threads_per_s"] = med(pick(runs["live"], "threads8_calls_per_s"))
    cpu, raw = med(pick(runs["live"], "cpu_per_call_s")), med(pick(runs["live"], "raw_urllib3_cpu_per_call_s"))
    m["live_cpu_us"] = None if cpu is None else cpu * 1e6
    m["live_raw_cpu_us"] = None if raw is None else raw * 1e6
    m["live_x_raw"] = None if not cpu or not raw else cpu / raw
    m["live_raw_seq_per_s"] = med(pick(runs["live"], "raw_urllib3_calls_per_s"))
    m["rss_after_calls_mb"] = med(pick(runs["rss_calls"], "rss_mb"))
    m["installed_mb"] = sizes["bytes"] / 1e6 if sizes else None
    m["installed_files"] = sizes.get("files") if sizes else None
    return m


# (key, label, unit, lower is better, target description, rule): rule ("max", x) means ours <= x;
# ("ratio", x) means ours at least x times better than the official SDK; ("json3",) means
# deserialization at most 3x slower than json.loads on the same bytes in the same process.
ROWS: list[tuple[str, str, str, bool, str, tuple]] = [
    ("import_ms", "import (above bare interpreter)", "ms", True, "<= 50 ms", ("max", 50)),
    ("import_rss_mb", "import peak RSS", "MB", True, "<= 25 MB", ("max", 25)),
    ("first_access_ms", "first access UsersApi + User", "ms", True, "<= 20 ms", ("max", 20)),
    ("installed_mb", "installed size (with bytecode)", "MB", True, "<= 20 MB", ("max", 20)),
    ("users_me_us", "get_users_me per call (canned)", "us", True, ">= 10x faster", ("ratio", 10)),
    ("users_page_ms", "get_users 500 users per call", "ms", True, "", ()),
    ("users_page_full_ms", "  + converting every value", "ms", True, ">= 10x faster", ("ratio", 10)),
    ("users_page_mbps", "  users page deserialization", "MB/s", False, "within 3x of json.loads", ("json3",)),
    ("users_page_json_mbps", "  json.loads same bytes", "MB/s", False, "", ()),
    ("users_page_orjson_loads_ms", "  orjson.loads same bytes (floor)", "ms", True, "", ()),
    ("users_page_x_orjson", "  full conversion / orjson.loads", "x", True, "<= 1.5x", ("max", 1.5)),
    ("users_page_decode_json_ms", "  decode_json from bytes (+ read)", "ms", True, "", ()),
    ("users_page_decode_json_x_orjson", "  decode_json / orjson.loads", "x", True, "", ()),
    ("users_page_held_ratio", "  memory held / json.loads dicts", "x", True, "<= 1", ("max", 1.0)),
    ("analytics_ms", "analytics details query per call", "ms", True, "", ()),
    ("analytics_full_ms", "  + converting every value", "ms", True, ">= 10x faster", ("ratio", 10)),
    ("analytics_mbps", "  analytics deserialization", "MB/s", False, "within 3x of json.loads", ("json3",)),
    ("analytics_json_mbps", "  json.loads same bytes", "MB/s", False, "", ()),
    ("analytics_orjson_loads_ms", "  orjson.loads same bytes (floor)", "ms", True, "", ()),
    ("analytics_x_orjson", "  full conversion / orjson.loads", "x", True, "<= 1.5x", ("max", 1.5)),
    ("analytics_decode_json_ms", "  decode_json from bytes (+ read)", "ms", True, "", ()),
    ("analytics_decode_json_x_orjson", "  decode_json / orjson.loads", "x", True, "", ()),
    ("analytics_held_ratio", "  memory held / json.loads dicts", "x", True, "<= 1", ("max", 1.0)),
    ("serialize_ms", "serialize bulk body (sanitize)", "ms", True, ">= 5x faster", ("ratio", 5)),
    ("serialize_mbps", "  serialization throughput", "MB/s", False, "", ()),
    ("serialize_x_dumps", "  (sanitize + json.dumps) / json.dumps", "x", True, "<= 3x", ("max", 3.0)),
    ("bulk_post_ms", "post bulk contacts per call", "ms", True, "", ()),
    ("live_seq_per_s", "live get_users_me sequential", "calls/s", False, "", ()),
    ("live_8threads_per_s", "live get_users_me 8 threads", "calls/s", False, "", ()),
    ("live_cpu_us", "live get_users_me client CPU per call", "us", True, "", ()),
    ("live_raw_cpu_us", "  raw urllib3 + json.loads (floor)", "us", True, "", ()),
    ("live_x_raw", "  client CPU / raw urllib3", "x", True, "<= 1.1x", ("max", 1.1)),
    ("rss_after_calls_mb", "peak RSS after one call of each", "MB", True, "<= 1/5 of official", ("ratio", 5)),
]


def paired(per_rep: dict[str, list[dict[str, Any]]], key: str, lower_better: bool) -> float | None:
    """Median over repetitions of the ratio between the official run and ours run right after it."""
    ratios = []
    for o, u in zip(per_rep.get("official", []), per_rep.get("ours", []), strict=False):
        a, b = o.get(key), u.get(key)
        if a and b:
            ratios.append(a / b if lower_better else b / a)
    return med(ratios)


def json_slowdown(per_rep: dict[str, list[dict[str, Any]]], key: str) -> float | None:
    """How many times slower than json.loads our deserialization is (median over repetitions)."""
    ratios = []
    for u in per_rep.get("ours", []):
        mbps, jl = u.get(key), u.get(key.replace("_mbps", "_json_mbps"))
        if mbps and jl:
            ratios.append(jl / mbps)
    return med(ratios)


def summarize(metrics: dict[str, dict[str, Any] | None],
              per_rep: dict[str, list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """One row per figure; ratios and targets judge the default install of ours (no orjson).

    Each ratio is the median of per-repetition ratios of adjacent runs (official, then ours),
    which cancels most of the drift of a shared machine; the value columns are plain medians.
    """
    per_rep = per_rep or {}
    rows = []
    off, ours = metrics.get("official") or {}, metrics.get("ours") or {}
    fast = metrics.get("ours_orjson") or {}
    for key, label, unit, lower_better, target, rule in ROWS:
        o, u = off.get(key), ours.get(key)
        ratio = None
        # no ratio for first access: the official SDK pays it inside its import
        if o and u and "_json_" not in key and key != "first_access_ms" and unit != "x" \
                and not key.endswith(("_orjson_loads_ms", "_raw_cpu_us")):
            ratio = paired(per_rep, key, lower_better) if key != "installed_mb" else None
            if ratio is None:
                ratio = o / u if lower_better else u / o
        met, slowdown = None, None
        if rule and rule[0] == "max" and u is not None:
            met = u <= rule[1]
        elif rule and rule[0] == "ratio" and ratio is not None:
            met = ratio >= rule[1]
        elif rule and rule[0] == "json3":
            slowdown = json_slowdown(per_rep, key)
            met = None if slowdown is None else slowdown <= 3
        rows.append({"key": key, "label": label, "unit": unit, "official": o, "ours": u,
                     "ours_orjson": fast.get(key) if key != "installed_mb" else None,
                     "ratio": ratio, "target": target, "met": met, "json_slowdown": slowdown})
    return rows


def fmt(v: float | None) -> str:
    if v is None:
        return "pending"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table(rows: list[dict[str, Any]], ours_note: str = "") -> str:
    fast = any(r.get("ours_orjson") is not None for r in rows)
    extra = f" {'+fast':>10s}" if fast else ""
    lines = [f"{'scenario':36s} {'unit':>7s} {'official':>10s} {'ours':>10s}{extra} {'ratio':>8s}  target",
             "-" * (96 + len(extra))]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.1f}x"
        met = {True: "met", False: "MISSED", None: ""}[r["met"]]
        if r.get("json_slowdown"):
            met += f" ({r['json_slowdown']:.1f}x json.loads time)"
        ours = fmt(r["ours"]) if r["ours"] is not None else (ours_note or "pending")
        extra = f" {fmt(r.get('ours_orjson')) if r.get('ours_orjson') is not None else '':>10s}" if fast else ""
        lines.append(f"{r['label']:36s} {r['unit']:>7s} {fmt(r['official']):>10s} {ours:>10s}{extra} {ratio:>8s}  "
                     f"{r['target']} {met}".rstrip())
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu or platform.processor(), "memory": mem,
            "os": f"{platform.system()} {platform.release()}", "loadavg_start": os.getloadavg()}


def sdk_tree_state() -> str:
    """HEAD plus a digest of uncommitted changes under PureCloudPlatformClientV2/ (scenarios run the tree)."""
    import hashlib
    diff = subprocess.run(["git", "-C", str(ROOT), "diff", "HEAD", "--", "PureCloudPlatformClientV2"],
                          capture_output=True).stdout
    untracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--others", "--exclude-standard",
                                "PureCloudPlatformClientV2"], capture_output=True).stdout
    digest = hashlib.sha256(diff + b"\0" + untracked).hexdigest()[:12]
    return f"{git_head()}+{digest}" if diff or untracked else git_head()


def git_head() -> str:
    got = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return got.stdout.strip()


# -- main ---------------------------------------------------------------------------------------------

def fixtures_stale() -> bool:
    manifest = FIXTURES / "manifest.json"
    if not manifest.exists():
        return True
    newest_input = max(p.stat().st_mtime for p in [BENCH / "fixtures.py", *(ROOT / "spec").rglob("*.json")])
    return manifest.stat().st_mtime < newest_input


def main() -> int:
    ap = argparse.ArgumentParser(description="Benchmark the official SDK against ours.")
    ap.add_argument("--quick", action="store_true", help="1 repetition, short timing budgets (under 2 minutes)")
    ap.add_argument("--reps", type=int, help="repetitions per scenario (default 5, --quick 1)")
    ap.add_argument("--official-only", action="store_true", help="do not run our SDK")
    ap.add_argument("--orjson", action=argparse.BooleanOptionalAction, default=None,
                    help="also run ours with orjson installed (default: on for full runs, off with --quick)")
    ap.add_argument("--only", nargs="*", choices=ORDER, help="run only these scenarios")
    ap.add_argument("--reinstall", action="store_true", help="recreate both virtualenvs")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--out", type=Path, help="results file (default results/latest.json)")
    ap.add_argument("--analyse", type=Path, metavar="RESULTS",
                    help="only recompute the summary of an existing results file, print it and redraw the plots")
    args = ap.parse_args()
    if args.analyse:
        results = json.loads(args.analyse.read_text())
        analyse(results)
        args.analyse.write_text(json.dumps(results, indent=1) + "\n")
        report(results, args.analyse.resolve(), plots=not args.no_plots)
        return 0

    reps = args.reps or (1 if args.quick else 5)
    budget, min_n = (0.3, 3) if args.quick else (1.0, 3)
    t_start = time.perf_counter()

    pythons: dict[str, Path] = {}
    envs: dict[str, dict[str, str]] = {"official": {}, "ours": {}}
    pythons["official"] = setup_official(args.reinstall)
    ours_note = ""
    if args.official_only:
        ours_note = "not run (--official-only)"
    else:
        with_orjson = (not args.quick) if args.orjson is None else args.orjson
        for sdk in ("ours", "ours_orjson") if with_orjson else ("ours",):
            pythons[sdk], envs[sdk] = setup_ours(args.reinstall, orjson=sdk == "ours_orjson")
        ok, why = ours_ready(pythons["ours"], envs["ours"])
        if not ok:
            ours_note = why
            log(f"our SDK not benchmarked: {why.splitlines()[0]}")
            pythons.pop("ours")
            pythons.pop("ours_orjson", None)
    active = [s for s in SDKS if s in pythons]
    if "ours" in pythons:
        # bytecode for the working tree, as an installed package would have it
        subprocess.run([str(pythons["ours"]), "-m", "compileall", "-q", str(ROOT / "PureCloudPlatformClientV2")],
                       capture_output=True, env=child_env(envs["ours"]))

    if fixtures_stale():
        log("generating fixtures from spec/")
        fixture_gen.generate(FIXTURES)
    manifest = json.loads((FIXTURES / "manifest.json").read_text())

    results: dict[str, Any] = {
        "meta": {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "quick": args.quick, "reps": reps, "budget_s": budget, "min_n": min_n,
            "machine": machine(), "git_head": git_head(), "sdk_tree_start": sdk_tree_state(),
            "python": {s: python_version(p) for s, p in pythons.items()},
            "harness_python": sys.version.split()[0],
            "official_version": OFFICIAL_VERSION,
            "fixtures": manifest["fixtures"],
            "ours_note": ours_note,
        },
        "roundtrip": {}, "runs": {s: {n: [] for n in ("bare", *ORDER)} for s in active}, "sizes": {},
    }

    # 1. round trip before any timing
    for sdk in active:
        log(f"round trip check: {sdk}")
        rt = run_scenario("roundtrip", pythons[sdk], envs[sdk], budget, min_n, 0)
        results["roundtrip"][sdk] = rt
        if not rt.get("ok"):
            log(f"  round trip FAILED for {sdk}: " + (rt.get("error") or json.dumps(
                {k: v for k, v in rt.get("fixtures", {}).items() if not v.get("ok")})[:3000]))

    # 2. interleaved scenarios
    scenarios = [s for s in ORDER if not args.only or s in args.only]
    server = LiveServer() if "live" in scenarios else None
    try:
        for rep in range(reps):
            for name in scenarios:
                for sdk in active:
                    if name == "import":
                        todo = ["bare", "import"] * IMPORT_PAIRS.get(sdk, 1)
                    else:
                        todo = [name]
                    for step in todo:
                        res = run_scenario(step, pythons[sdk], envs[sdk], budget, min_n,
                                           server.port if server else 0)
                        res["rep"] = rep
                        results["runs"][sdk][step].append(res)
                    status = "ok" if res.get("ok") else "FAILED"
                    log(f"rep {rep + 1}/{reps} {name:13s} {sdk:11s} {res['wall_s']:7.2f}s {status}")
                    if not res.get("ok"):
                        log("  " + str(res.get("error", ""))[-1500:].replace("\n", "\n  "))
    finally:
        if server:
            server.close()

    # 3. installed size (orjson adds its own wheel, not our package: not measured twice)
    for sdk in ("official", "ours"):
        if sdk in active:
            results["sizes"][sdk] = installed_size(sdk, pythons[sdk])

    analyse(results)
    results["meta"]["sdk_tree_end"] = sdk_tree_state()
    if results["meta"]["sdk_tree_end"] != results["meta"]["sdk_tree_start"]:
        log("WARNING: PureCloudPlatformClientV2/ changed during the run; its figures mix versions")
    results["meta"]["elapsed_s"] = time.perf_counter() - t_start
    results["meta"]["machine"]["loadavg_end"] = os.getloadavg()

    out = args.out or RESULTS / ("latest-quick.json" if args.quick else "latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    report(results, out, plots=not args.no_plots and not args.quick)
    return 0


def analyse(results: dict[str, Any]) -> None:
    """Medians, per-repetition figures, the summary rows and the list of failures, from the runs."""
    active = list(results["runs"])
    reps = results["meta"]["reps"]
    metrics = {sdk: metrics_for(results["runs"][sdk], results["sizes"].get(sdk, {})) for sdk in active}
    per_rep = {sdk: [metrics_for({n: [r for r in runs if r.get("rep") == i]
                                  for n, runs in results["runs"][sdk].items()}, results["sizes"].get(sdk, {}))
                     for i in range(reps)] for sdk in active}
    # the orjson.loads floor is measured where orjson is installed (the fast venv): every SDK's full
    # conversion is compared with it, repetition by repetition
    floor_of = per_rep.get("ours_orjson")
    for sdk in active:
        for key in ("users_page", "analytics"):
            ratios = []
            for i, m in enumerate(per_rep[sdk]):
                floor = (floor_of[i] if floor_of and i < len(floor_of) else m).get(f"{key}_orjson_loads_ms")
                full = m.get(f"{key}_full_ms")
                m[f"{key}_x_orjson"] = full / floor if full and floor else None
                ratios.append(m[f"{key}_x_orjson"])
            metrics[sdk][f"{key}_x_orjson"] = med(ratios)
            if floor_of and not metrics[sdk].get(f"{key}_orjson_loads_ms"):
                metrics[sdk][f"{key}_orjson_loads_ms"] = metrics.get("ours_orjson", {}).get(f"{key}_orjson_loads_ms")
    results["metrics"] = metrics
    results["metrics_per_rep"] = per_rep
    results["summary"] = summarize(metrics, per_rep)
    failures = {sdk: sorted({n for n, runs in results["runs"][sdk].items() for r in runs if not r.get("ok")})
                for sdk in active}
    results["failures"] = {k: v for k, v in failures.items() if v}


def report(results: dict[str, Any], out: Path, plots: bool) -> None:
    active = list(results["runs"])
    ours_note = results["meta"].get("ours_note", "")
    note = "" if "ours" in active else ("pending" if "official-only" not in ours_note else "not run")
    print(table(results["summary"], note))
    for sdk, rt in results["roundtrip"].items():
        fx = rt.get("fixtures", {})
        normalised = sum(v.get("normalised", {}).get("datetime_format", 0) for v in fx.values())
        state = "ok" if rt.get("ok") else "FAILED"
        print(f"round trip {sdk}: {state} ({len(fx)} fixtures, {normalised} datetimes normalised)")
        compat = rt.get("compat") or {}
        if compat and not compat.get("options_body_is_json_ready"):
            print(f"  compat: {sdk} hands custom http clients options.body as {compat['options_body_type']} "
                  "(the official SDK: the sanitized dict)")
    if results["failures"]:
        print(f"failed scenarios: {results['failures']}")
    if ours_note:
        print(f"our SDK: {ours_note.splitlines()[0]}")
    meta = results["meta"]
    if meta.get("sdk_tree_end") and meta.get("sdk_tree_end") != meta.get("sdk_tree_start"):
        print(f"WARNING: our SDK changed during the run ({meta['sdk_tree_start']} -> {meta['sdk_tree_end']})")
    print(f"wrote {out.relative_to(ROOT)} in {results['meta']['elapsed_s']:.0f} s")
    if plots:
        try:
            import plot
            plot.main([str(out)])
        except ImportError as exc:
            log(f"plots skipped ({exc})")


if __name__ == "__main__":
    sys.exit(main())
