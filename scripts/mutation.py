"""Driver of scripts/mutation: one cosmic-ray session per module, in a scratch copy of the tree.

Mutants are written into a copy (never into this working tree), each module's focused tests
run against each mutant, and the score is printed per module. See docs/test-quality.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ROOT / "scripts" / "mutation-targets.toml"
OUT = ROOT / "build" / "mutation"
BIN = Path(sys.executable).parent

# Selective mutation: cosmic-ray replaces each binary operator by every other one and each
# comparison by every other one; most of those are redundant with the boundary/negation
# mutants kept here. `|` is only mutated where it is an operator at all: in annotations
# (`str | None`) it is never evaluated, so those mutants are equivalent by construction.
EXCLUDED_OPERATORS = [
    r"core/ReplaceBinaryOperator_BitOr_.*",
    r"core/ReplaceBinaryOperator_(?!Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv|Pow_Mul"
    r"|BitAnd_BitOr|LShift_RShift|RShift_LShift).*",
    r"core/ReplaceComparisonOperator_(?!Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|Is_IsNot|IsNot_Is"
    r"|In_NotIn|NotIn_In).*",
]


def copy_tree(dest: Path) -> None:
    """The tracked and untracked-but-not-ignored files: what a clean clone plus local edits has."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run(args: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, text=True, capture_output=True, **kw)  # type: ignore[call-overload]


def mutate_module(name: str, target: dict[str, object], work: Path, timeout: float) -> dict[str, object]:
    path = str(target["path"])
    tests = [t for t in target["tests"] if (work / str(t).split("::")[0]).exists()]  # type: ignore[attr-defined]
    missing = sorted(set(target["tests"]) - set(tests))  # type: ignore[call-overload]
    if missing:
        print(f"  {name}: skipping missing test files {missing}", flush=True)
    test_command = (f"{sys.executable} -m pytest -x -q -p no:cacheprovider --timeout {int(timeout)} "
                    + " ".join(tests))
    config = work / f"mutation-{name}.toml"
    session = work / f"mutation-{name}.sqlite"
    lines = ["[cosmic-ray]", f'module-path = "{path}"', f"timeout = {timeout * 2}", "excluded-modules = []",
             f"test-command = {json.dumps(test_command)}", "", "[cosmic-ray.distributor]", 'name = "local"', "",
             "[cosmic-ray.filters.operators-filter]",
             "exclude-operators = [" + ", ".join(json.dumps(e) for e in EXCLUDED_OPERATORS) + "]", ""]
    config.write_text("\n".join(lines))
    session.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    baseline = run(test_command.split(), work, env=env)
    if baseline.returncode != 0:
        return {"module": name, "path": path, "error": "the focused tests fail without mutations:\n"
                + baseline.stdout[-3000:]}
    for step in ([str(BIN / "cosmic-ray"), "init", str(config), str(session)],
                 [str(BIN / "cr-filter-operators"), str(session), str(config)],
                 [str(BIN / "cosmic-ray"), "exec", str(config), str(session)]):
        done = run(step, work, env=env)
        if done.returncode != 0:
            return {"module": name, "path": path, "error": f"{' '.join(step)} failed:\n{done.stderr[-3000:]}"}
    dump = run([str(BIN / "cosmic-ray"), "dump", str(session)], work, env=env).stdout
    killed = survived = incompetent = skipped = 0
    survivors = []
    for line in filter(None, dump.splitlines()):
        item, result = json.loads(line)
        if result is None:
            continue
        if result.get("worker_outcome") == "skipped":
            skipped += 1
            continue
        outcome = result.get("test_outcome")
        if outcome == "survived":
            survived += 1
            mutation = item["mutations"][0]
            survivors.append(f"--- {mutation['module_path']}:{mutation['start_pos'][0]} "
                             f"{mutation['operator_name']} #{mutation['occurrence']}\n{result.get('diff', '')}")
        elif outcome == "incompetent":
            incompetent += 1
        else:
            killed += 1
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.survivors.txt").write_text("\n".join(survivors))
    total = killed + survived + incompetent
    return {"module": name, "path": path, "mutants": total, "killed": killed + incompetent, "survived": survived,
            "incompetent": incompetent, "excluded": skipped,
            "score": round(100.0 * (killed + incompetent) / total, 1) if total else None,
            "seconds": round(time.monotonic() - started)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("modules", nargs="*", help="names from scripts/mutation-targets.toml (default: all)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test run of one mutant")
    args = parser.parse_args()
    targets = tomllib.loads(TARGETS.read_text())["modules"]
    unknown = [m for m in args.modules if m not in targets]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(targets)}")
    chosen = args.modules or list(targets)
    commit = run(["git", "rev-parse", "--short", "HEAD"], ROOT).stdout.strip()
    dirty = bool(run(["git", "status", "--porcelain"], ROOT).stdout.strip())
    print(f"mutation testing at {commit}{' (with local changes)' if dirty else ''}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        work = Path(scratch)
        copy_tree(work)
        for name in chosen:
            print(f"== {name} ({targets[name]['path']})", flush=True)
            result = mutate_module(name, targets[name], work, args.timeout)
            results.append(result)
            if "error" in result:
                print(f"  ERROR {result['error']}", flush=True)
            else:
                print(f"  {result['killed']}/{result['mutants']} killed = {result['score']}% "
                      f"({result['survived']} survived, {result['excluded']} excluded by operator, "
                      f"{result['seconds']} s); survivors: build/mutation/{name}.survivors.txt", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scores.json").write_text(json.dumps({"commit": commit, "dirty": dirty, "results": results}, indent=1))
    print("\nmodule            mutants  killed  survived  score")
    for r in results:
        if "error" in r:
            print(f"{r['module']:<17} error")
        else:
            print(f"{r['module']:<17} {r['mutants']:>7}  {r['killed']:>6}  {r['survived']:>8}  {r['score']}%")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
