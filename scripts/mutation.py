"""Driver of scripts/mutation: mutation testing with cosmic-ray, module by module.

cosmic-ray finds the mutants and applies each one; this driver decides which tests run against
it. Before a module's mutants run, its focused tests (scripts/mutation-targets.toml) run once
under coverage.py with one context per test, which maps every line of the module to the tests
that execute it. A mutant then runs only the tests that execute its line, in the order of the
focused list, with -x: a test that never reaches the mutated line cannot notice it. A mutant
whose line no focused test executes survives without a run (it is marked "not executed" in the
survivors file). Lines run outside any test (imports, fixtures of other tests' threads) run the
whole focused list. Mutants are applied in scratch copies of the tree, never in this working
copy; `--jobs N` runs N mutants at a time, each in its own copy. See docs/test-quality.md.
"""
from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ROOT / "scripts" / "mutation-targets.toml"
OUT = ROOT / "build" / "mutation"
BIN = Path(sys.executable).parent
NOT_EXECUTED = "mutation: no focused test executes this line"

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

# A pytest plugin loaded into the mapping run: one coverage context per test (its node id),
# and the order the tests ran in.
CONTEXT_PLUGIN = '''
import os
import coverage
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid)
    with open(os.environ["MUTATION_ORDER_FILE"], "a", encoding="utf-8") as order:
        order.write(item.nodeid + "\\n")
    yield
    if cov is not None:
        cov.switch_context("")
'''


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


def run(args: list[str], cwd: Path, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, text=True, capture_output=True, **kw)


def statement_lines(source: str) -> dict[int, int]:
    """Each line inside a statement -> the first line of the innermost statement holding it."""
    anchor: dict[int, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and node.end_lineno is not None:
            body_start = min((child.lineno for name in ("body", "orelse", "finalbody", "handlers")
                              for child in getattr(node, name, []) or []), default=node.end_lineno + 1)
            for line in range(node.lineno, min(node.end_lineno, body_start - 1) + 1):
                # ast.walk goes outside-in, so an inner statement overwrites its parent.
                anchor[line] = node.lineno
    return anchor


def map_tests(path: str, tests: list[str], work: Path, timeout: float) -> dict[str, Any] | str:
    """Run the focused tests once, with one coverage context per test: line -> tests that run it."""
    scratch = work / ".mutation"
    scratch.mkdir(exist_ok=True)
    (scratch / "_mutation_contexts.py").write_text(CONTEXT_PLUGIN)
    order_file = scratch / "order.txt"
    order_file.unlink(missing_ok=True)
    data_file = scratch / "map.coverage"
    rcfile = scratch / "coveragerc"
    rcfile.write_text(f"[run]\ndata_file = {data_file}\ninclude = {work / path}\nbranch = false\n"
                      "concurrency = thread\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MUTATION_ORDER_FILE": str(order_file),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(scratch), os.environ.get("PYTHONPATH")]))}
    done = run([sys.executable, "-m", "coverage", "run", f"--rcfile={rcfile}", "-m", "pytest", "-q",
                "-p", "no:cacheprovider", "-p", "_mutation_contexts", "--timeout", str(int(timeout)), *tests],
               work, env=env)
    if done.returncode != 0:
        return "the focused tests fail without mutations:\n" + done.stdout[-3000:]
    from coverage import CoverageData

    data = CoverageData(basename=str(data_file))
    data.read()
    measured = [f for f in data.measured_files() if Path(f).resolve() == (work / path).resolve()]
    if not measured:
        return f"the focused tests never imported {path} from the scratch copy"
    lines = {str(line): sorted(set(contexts)) for line, contexts in data.contexts_by_lineno(measured[0]).items()}
    order = list(dict.fromkeys(order_file.read_text().split("\n")))
    return {"lines": lines, "order": [t for t in order if t]}


def tests_for(mutation: Any, mapping: dict[str, Any], anchors: dict[int, int]) -> list[str] | None:
    """The tests to run against a mutant: None = the whole list, [] = no test executes its lines."""
    first, last = mutation.start_pos[0], mutation.end_pos[0]
    wanted: set[str] = set()
    inside_statement = False
    for line in range(first, last + 1):
        for probe in {line, anchors.get(line, line)}:
            contexts = mapping["lines"].get(str(probe), [])
            if "" in contexts:
                return None  # run outside any one test (import time, another test's thread)
            wanted.update(contexts)
        inside_statement = inside_statement or line in anchors
    if not wanted and not inside_statement:
        return None  # not a line coverage can see (a decorator, say): run everything
    return [t for t in mapping["order"] if t in wanted]


_WORKDIR: Path | None = None


def _worker_init(dirs: Any) -> None:
    global _WORKDIR
    _WORKDIR = Path(dirs.get())
    os.chdir(_WORKDIR)


def _run_item(job: tuple[Any, str]) -> tuple[str, Any]:
    from cosmic_ray.mutating import mutate_and_test

    item, command = job
    timeout = float(os.environ.get("MUTATION_TIMEOUT", "120"))
    return item.job_id, mutate_and_test(item.mutations, command, timeout)


def mutate_module(name: str, target: dict[str, Any], copies: list[Path], timeout: float,
                  retest: bool) -> dict[str, Any]:
    from cosmic_ray.work_db import WorkDB, use_db

    work = copies[0]
    path = str(target["path"])
    tests = [t for t in target["tests"] if (work / str(t).split("::")[0]).exists()]
    missing = sorted(set(target["tests"]) - set(tests))
    if missing:
        print(f"  {name}: skipping missing test files {missing}", flush=True)
    started = time.monotonic()
    mapping = map_tests(path, tests, work, timeout)
    if isinstance(mapping, str):
        return {"module": name, "path": path, "error": mapping}
    anchors = statement_lines((work / path).read_text())
    config = work / f"mutation-{name}.toml"
    session = work / f"mutation-{name}.sqlite"
    lines = ["[cosmic-ray]", f'module-path = "{path}"', f"timeout = {timeout * 2}", "excluded-modules = []",
             'test-command = "true"', "", "[cosmic-ray.distributor]", 'name = "local"', "",
             "[cosmic-ray.filters.operators-filter]",
             "exclude-operators = [" + ", ".join(json.dumps(e) for e in EXCLUDED_OPERATORS) + "]", ""]
    config.write_text("\n".join(lines))
    session.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for step in ([str(BIN / "cosmic-ray"), "init", str(config), str(session)],
                 [str(BIN / "cr-filter-operators"), str(session), str(config)]):
        done = run(step, work, env=env)
        if done.returncode != 0:
            return {"module": name, "path": path, "error": f"{' '.join(step)} failed:\n{done.stderr[-3000:]}"}
    previous = OUT / f"{name}.survivors.json"
    only: set[tuple[str, int]] | None = None
    if retest:
        if not previous.exists():
            return {"module": name, "path": path, "error": f"--retest-survivors: no {previous} from a full run"}
        only = {(s["operator"], s["occurrence"]) for s in json.loads(previous.read_text())}
    pytest_base = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--timeout",
                   str(int(timeout))]
    skip_command = shlex.join([sys.executable, "-c", f"print({NOT_EXECUTED!r})"])
    jobs: list[tuple[Any, str]] = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in db.pending_work_items:
            mutation = item.mutations[0]
            if only is not None and (mutation.operator_name, mutation.occurrence) not in only:
                continue
            chosen = tests_for(mutation, mapping, anchors)
            command = skip_command if chosen == [] else shlex.join(pytest_base + (tests if chosen is None else chosen))
            jobs.append((item, command))
        # Runs with few selected tests first would finish early; order by line instead for a stable log.
        jobs.sort(key=lambda job: (job[0].mutations[0].start_pos, job[0].mutations[0].operator_name))
        results: dict[str, Any] = {}
        os.environ["MUTATION_TIMEOUT"] = str(timeout * 2)
        queue: Any = multiprocessing.Manager().Queue()
        for copy in copies:
            queue.put(str(copy))
        with multiprocessing.Pool(len(copies), initializer=_worker_init, initargs=(queue,)) as pool:
            for count, (job_id, result) in enumerate(pool.imap_unordered(_run_item, jobs), 1):
                db.set_result(job_id, result)
                results[job_id] = result
                if count % 50 == 0:
                    print(f"  {count}/{len(jobs)} mutants run ({round(time.monotonic() - started)} s)", flush=True)
        completed = [(item, results[item.job_id]) for item, _ in jobs]
        excluded = sum(1 for _, r in db.completed_work_items if r.worker_outcome.value == "skipped")
    killed = survived = incompetent = unexecuted = 0
    survivors: list[str] = []
    survivor_ids: list[dict[str, Any]] = []
    for item, result in completed:
        outcome = result.test_outcome.value if result.test_outcome is not None else None
        if outcome == "survived":
            survived += 1
            mutation = item.mutations[0]
            note = ""
            if NOT_EXECUTED in (result.output or ""):
                unexecuted += 1
                note = f" ({NOT_EXECUTED.split(': ', 1)[1]})"
            survivors.append(f"--- {mutation.module_path}:{mutation.start_pos[0]} {mutation.operator_name} "
                             f"#{mutation.occurrence}{note}\n{result.diff or ''}")
            survivor_ids.append({"operator": mutation.operator_name, "occurrence": mutation.occurrence,
                                 "line": mutation.start_pos[0]})
        elif outcome == "incompetent":
            incompetent += 1
        elif outcome == "killed":
            killed += 1
        elif result.worker_outcome.value == "no-test":
            continue  # cosmic-ray found nothing to change at this occurrence
        else:  # the worker failed: report it rather than count it either way
            return {"module": name, "path": path,
                    "error": f"a mutant could not be run ({result.worker_outcome.value}):\n{(result.output or '')[-2000:]}"}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.survivors.txt").write_text("\n".join(survivors))
    if not retest:
        previous.write_text(json.dumps(survivor_ids, indent=0))
    total = killed + survived + incompetent
    return {"module": name, "path": path, "mutants": total, "killed": killed + incompetent, "survived": survived,
            "not_executed": unexecuted, "incompetent": incompetent, "excluded": excluded, "retest": retest,
            "score": round(100.0 * (killed + incompetent) / total, 1) if total else None,
            "seconds": round(time.monotonic() - started)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="names from scripts/mutation-targets.toml (default: all)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test of one mutant (default 60)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at a time, each in its own copy")
    parser.add_argument("--retest-survivors", action="store_true",
                        help="run only the survivors of the module's last full run (a quick check after "
                             "writing tests; the published score comes from a full run)")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    targets = tomllib.loads(TARGETS.read_text())["modules"]
    unknown = [m for m in args.modules if m not in targets]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(targets)}")
    chosen = args.modules or list(targets)
    commit = run(["git", "rev-parse", "--short", "HEAD"], ROOT).stdout.strip()
    dirty = bool(run(["git", "status", "--porcelain"], ROOT).stdout.strip())
    print(f"mutation testing at {commit}{' (with local changes)' if dirty else ''}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.jobs} at a time", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        copies = [Path(scratch) / f"copy{i}" for i in range(args.jobs)]
        for copy in copies:
            copy_tree(copy)
        for name in chosen:
            print(f"== {name} ({targets[name]['path']})", flush=True)
            # a module's own `timeout` (seconds per test) wins: a slow type-checker test needs more
            timeout = float(targets[name].get("timeout", args.timeout))
            result = mutate_module(name, targets[name], copies, timeout, args.retest_survivors)
            results.append(result)
            if "error" in result:
                print(f"  ERROR {result['error']}", flush=True)
            else:
                print(f"  {result['killed']}/{result['mutants']} killed = {result['score']}% "
                      f"({result['survived']} survived, of which {result['not_executed']} on lines no focused "
                      f"test executes; {result['excluded']} excluded by operator; {result['seconds']} s); "
                      f"survivors: build/mutation/{name}.survivors.txt", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.retest_survivors:
        scores = OUT / "scores.json"
        known = json.loads(scores.read_text())["results"] if scores.exists() else []
        merged = {r["module"]: {**r, "commit": commit, "dirty": dirty} for r in known}
        merged.update({r["module"]: {**r, "commit": commit, "dirty": dirty} for r in results})
        scores.write_text(json.dumps({"results": list(merged.values())}, indent=1))
    print("\nmodule                 mutants  killed  survived  score")
    for r in results:
        if "error" in r:
            print(f"{r['module']:<22} error")
        else:
            label = "survivors retested" if r["retest"] else ""
            print(f"{r['module']:<22} {r['mutants']:>7}  {r['killed']:>6}  {r['survived']:>8}  {r['score']}%  {label}")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
