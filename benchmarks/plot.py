"""Plots and the results table for docs/benchmarks.md, from a results file of run.py.

    python benchmarks/plot.py [benchmarks/results/latest.json]

Writes ``docs/img/bench_import.png`` (import time, memory, installed size),
``docs/img/bench_calls.png`` (time per call, log scale) and ``docs/img/bench_deser.png``
(deserialization MB/s next to json.loads on the same bytes), and replaces the block between
``<!-- results:start -->`` and ``<!-- results:end -->`` in ``docs/benchmarks.md``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
IMG = ROOT / "docs" / "img"
DOC = ROOT / "docs" / "benchmarks.md"
COLORS = {"official": "#9aa5b1", "ours": "#1f77b4", "ours_orjson": "#8fc1e8", "json": "#2ca02c"}
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(v: float | None, unit: str) -> str:
    if v is None:
        return "pending"
    if v >= 100:
        return f"{v:,.0f} {unit}"
    if v >= 10:
        return f"{v:.1f} {unit}"
    return f"{v:.2f} {unit}"


def _bars(ax, labels: list[str], series: list[tuple[str, list[float | None], str]], unit: str, log: bool,
          title: str, target: float | None = None) -> None:
    """Horizontal grouped bars, value printed at the end of each bar; missing values say pending."""
    n = len(series)
    height = 0.8 / n
    finite = [v for _, vals, _ in series for v in vals if v]
    if target:
        finite.append(target)
    lo = min(finite) / 3 if finite else 1
    for i, (name, vals, color) in enumerate(series):
        ys = [j + i * height - 0.4 + height / 2 for j in range(len(labels))]
        for y, v in zip(ys, vals, strict=True):
            if v:
                ax.barh(y, v, height=height * 0.9, color=color, label=name)
                ax.text(v, y, " " + _label(v, unit), va="center", fontsize=8)
            else:
                ax.text(lo if log else 0, y, f" {name}: pending", va="center", fontsize=8, color="#666")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    if log:
        ax.set_xscale("log")
    if finite:
        ax.set_xlim(left=lo if log else 0, right=max(finite) * (12 if log else 1.35))
    ax.set_title(title, fontsize=10)
    handles, names = ax.get_legend_handles_labels()
    uniq = dict(zip(names, handles, strict=True))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)


def plots(res: dict[str, Any]) -> list[Path]:
    plt = _plt()
    IMG.mkdir(parents=True, exist_ok=True)
    m = res["metrics"]
    off, ours = m.get("official", {}), m.get("ours", {})
    fast = m.get("ours_orjson")
    out = []

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.0))
    for ax, key, unit, title, target in (
        (axes[0], "import_ms", "ms", "import time above bare python (ms)", 50),
        (axes[1], "first_access_ms", "ms", "then first UsersApi + User (ms)", 20),
        (axes[2], "import_rss_mb", "MB", "peak RSS after import (MB)", 25),
        (axes[3], "installed_mb", "MB", "installed size with bytecode (MB)", 20),
    ):
        _bars(ax, [""], [("official 269.0.0", [off.get(key)], COLORS["official"]),
                         ("ours", [ours.get(key)], COLORS["ours"])], unit, True, title, target)
        ax.axvline(target, color="#d62728", ls="--", lw=1)
        ax.text(target, -0.42, f" target {target}", color="#d62728", fontsize=7, va="top")
        ax.set_yticks([])
    fig.suptitle("Start-up cost (log scale; lower is better; dashed: target for ours)", fontsize=11)
    fig.subplots_adjust(left=0.03, right=0.98, top=0.78, bottom=0.12, wspace=0.15)
    path = IMG / "bench_import.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    out.append(path)

    labels = ["get_users_me", "get_users (500 users)", "  + converting every value", "analytics query (100 conv.)",
              "  + converting every value", "serialize bulk body", "post bulk body (call)"]
    keys = [("users_me_us", 1e-3), ("users_page_ms", 1), ("users_page_full_ms", 1), ("analytics_ms", 1),
            ("analytics_full_ms", 1), ("serialize_ms", 1), ("bulk_post_ms", 1)]
    fig, ax = plt.subplots(figsize=(10, 5.0 + (1.4 if fast else 0)))
    series = []
    sources = [("official 269.0.0", off, COLORS["official"]), ("ours", ours, COLORS["ours"])]
    if fast:
        sources.append(("ours + fast extra", fast, COLORS["ours_orjson"]))
    for name, src, color in sources:
        series.append((name, [src.get(k) * f if src.get(k) is not None else None for k, f in keys], color))
    _bars(ax, labels, series, "ms", True, "Client time per call with a canned transport (ms, log scale; lower is better)")
    fig.tight_layout()
    path = IMG / "bench_calls.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    out.append(path)

    labels = ["users page (500 users)", "analytics response"]
    json_ref = [ours.get("users_page_json_mbps") or off.get("users_page_json_mbps"),
                ours.get("analytics_json_mbps") or off.get("analytics_json_mbps")]
    series = [
        ("official 269.0.0", [off.get("users_page_mbps"), off.get("analytics_mbps")], COLORS["official"]),
        ("ours", [ours.get("users_page_mbps"), ours.get("analytics_mbps")], COLORS["ours"]),
    ]
    if fast:
        series.append(("ours + fast extra", [fast.get("users_page_mbps"), fast.get("analytics_mbps")],
                       COLORS["ours_orjson"]))
    if fast and fast.get("users_page_decode_json_ms"):
        series.append(("ours + fast extra, decode_json from bytes", [
            nbytes / ms / 1e3 if (nbytes := fast.get(f"{k}_bytes")) and (ms := fast.get(f"{k}_decode_json_ms")) else None
            for k in ("users_page", "analytics")], "#17becf"))
    series.append(("json.loads alone", json_ref, COLORS["json"]))
    orjson_ref = [nbytes / ms / 1e3 if (nbytes := ours.get(f"{k}_bytes") or off.get(f"{k}_bytes"))
                  and (ms := (fast or ours).get(f"{k}_orjson_loads_ms")) else None for k in ("users_page", "analytics")]
    if any(orjson_ref):
        series.append(("orjson.loads alone (floor)", orjson_ref, "#98df8a"))
    fig, ax = plt.subplots(figsize=(13, 3.0 + 0.5 * (len(series) - 3)))
    _bars(ax, labels, series, "MB/s", True, "JSON text to models (MB/s, log scale; higher is better)")
    handles, names = ax.get_legend_handles_labels()
    uniq = dict(zip(names, handles, strict=False))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    if ours.get("users_page_json_mbps"):
        for j, key in enumerate(("users_page_json_mbps", "analytics_json_mbps")):
            ax.plot([ours[key] / 3] * 2, [j - 0.45, j + 0.45], color="#d62728", ls="--", lw=1)
        ax.text(ours["users_page_json_mbps"] / 3, -0.47, " target: json.loads / 3", color="#d62728", fontsize=7,
                va="top")
    for j, mbps in enumerate(orjson_ref):  # the issue-16 target: full conversion within 1.5x of orjson.loads
        if mbps:
            ax.plot([mbps / 1.5] * 2, [j - 0.45, j + 0.45], color="#9467bd", ls=":", lw=1)
            if j == 0:
                ax.text(mbps / 1.5, 0.47, " target: orjson.loads / 1.5", color="#9467bd", fontsize=7, va="bottom")
    fig.tight_layout()
    path = IMG / "bench_deser.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    out.append(path)
    return out


def _fmt(v: float | None) -> str:
    if v is None:
        return "pending"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def markdown(res: dict[str, Any]) -> str:
    meta = res["meta"]
    mach = meta["machine"]
    py = meta.get("python", {})
    fast = any(r.get("ours_orjson") is not None for r in res["summary"])
    lines = [
        f"Run of {meta['date']} at commit `{meta.get('sdk_tree_start', meta['git_head'])}`: {meta['reps']} repetitions"
        f"{' (quick mode)' if meta.get('quick') else ''}, each scenario in a fresh process per SDK, interleaved.",
        f"Machine: {mach['nproc']} CPUs ({mach['cpu']}), {mach.get('memory', '')} RAM, {mach['os']}; "
        f"Python {py.get('official', '?')} for both SDKs; load average {mach['loadavg_start'][0]:.1f} at the start, "
        f"{mach.get('loadavg_end', [0])[0]:.1f} at the end.",
        "",
        "| scenario | unit | official 269.0.0 | ours | ratio | target | |" + (" ours + fast extra |" if fast else ""),
        "| --- | --- | ---: | ---: | ---: | --- | --- |" + (" ---: |" if fast else ""),
    ]
    for r in res["summary"]:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.1f}x"
        met = {True: "met", False: "**missed**", None: ""}[r["met"]]
        if r.get("json_slowdown"):
            met += f" ({r['json_slowdown']:.1f}x the time of json.loads)"
        label = r["label"].strip()
        if r["label"].startswith("  "):
            label = "&nbsp;&nbsp;" + label
        extra = f" {_fmt(r['ours_orjson']) if r.get('ours_orjson') is not None else ''} |" if fast else ""
        lines.append(f"| {label} | {r['unit']} | {_fmt(r['official'])} | {_fmt(r['ours'])} | {ratio} | "
                     f"{r['target']} | {met} |{extra}")
    lines.append("")
    lines.append("Ratio: how many times better ours is (official time / our time, or our throughput / official "
                 "throughput), for the default install of ours (pure-Python JSON); targets are judged on it. "
                 "It is the median of the ratios of each repetition's adjacent runs, so it can differ a little "
                 "from the ratio of the two medians shown. "
                 + ("The last column is ours with the optional `fast` extra installed (orjson, and msgspec: the "
                    "models are then msgspec Structs), for information; its targets are not judged. "
                    if fast else "") + "Fixtures: " + ", ".join(
                     f"`{n}` {v['bytes'] / 1e6:.2f} MB" if v["bytes"] >= 1e5 else f"`{n}` {v['bytes'] / 1e3:.1f} kB"
                     for n, v in meta["fixtures"].items()) + ".")
    rt = res.get("roundtrip", {})
    if rt:
        parts = []
        for sdk, r in rt.items():
            fx = r.get("fixtures", {})
            nd = sum(v.get("normalised", {}).get("datetime_format", 0) for v in fx.values())
            state = "no field lost" if r.get("ok") else "**failed**"
            compat = r.get("compat") or {}
            if compat and not compat.get("options_body_is_json_ready"):
                state += f", but custom http clients get `options.body` as `{compat['options_body_type']}`"
            parts.append(f"{sdk}: {state} in {len(fx)} fixtures ({nd} datetimes rewritten in another ISO form)")
        lines.append("")
        lines.append("Round trip before timing: " + "; ".join(parts) + ".")
    if res.get("failures"):
        lines.append("")
        lines.append("Scenarios that failed: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in res["failures"].items())
                     + " (tracebacks in `benchmarks/results/latest.json`).")
    if meta.get("ours_note"):
        lines.append("")
        lines.append(f"Our SDK was not measured in this run: {meta['ours_note'].splitlines()[0]}.")
    return "\n".join(lines)


def update_doc(res: dict[str, Any]) -> bool:
    if not DOC.exists():
        return False
    text = DOC.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + START + "\n" + markdown(res) + "\n" + END + tail)
    return True


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else BENCH / "results" / "latest.json"
    res = json.loads(path.read_text())
    for p in plots(res):
        print(f"wrote {p.relative_to(ROOT)}")
    if update_doc(res):
        print(f"updated the results table in {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
