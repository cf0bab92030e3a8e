"""Branch coverage per module of the hand-written package, from the combined coverage data.

``coverage report`` prints one figure that mixes lines and branches; the floor we hold
ourselves to is about branches, so this prints both per module and enforces
``--floor`` (percent of branches taken, whole package) when given. Run by scripts/test
after ``coverage combine``; the modules measured are set by ``[tool.coverage.run]`` in
pyproject.toml (generated apis/ and models/ are omitted there).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--floor", type=float, default=None, help="fail below this branch coverage (percent)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for docs/test-quality.md)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "--fail-under=0", "-o", str(out)], check=True)
        data = json.loads(out.read_text())
    rows = []
    for name, entry in sorted(data["files"].items()):
        s = entry["summary"]
        rows.append((name, s["num_statements"], s["covered_lines"], s["num_branches"], s["covered_branches"]))
    t = data["totals"]
    total = ("TOTAL", t["num_statements"], t["covered_lines"], t["num_branches"], t["covered_branches"])

    def pct(covered: int, count: int) -> str:
        return f"{100.0 * covered / count:.1f}%" if count else "-"

    if args.markdown:
        print("| module | lines | branches | branches taken |")
        print("| --- | ---: | ---: | ---: |")
        for name, stmts, lines, branches, taken in [*rows, total]:
            print(f"| `{name}` | {pct(lines, stmts)} | {branches} | {pct(taken, branches)} |")
    else:
        print(f"{'module':<56} {'lines':>7} {'branches':>9} {'taken':>7}")
        for name, stmts, lines, branches, taken in [*rows, total]:
            print(f"{name:<56} {pct(lines, stmts):>7} {branches:>9} {pct(taken, branches):>7}")
    branch_pct = 100.0 * t["covered_branches"] / t["num_branches"] if t["num_branches"] else 100.0
    if args.floor is not None and branch_pct < args.floor:
        print(f"FAIL: branch coverage {branch_pct:.1f}% is below the floor of {args.floor}%")
        return 1
    if args.floor is not None:
        print(f"branch coverage {branch_pct:.1f}% (floor {args.floor}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
