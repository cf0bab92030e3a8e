"""Changelog between two versions of ``spec/``.

    python tools/spec_diff.py OLD_SPEC_DIR NEW_SPEC_DIR [--markdown]

Lists API groups, operations and models added or removed, and what changed in
the ones present in both (HTTP route, return type, parameters, flags; model
fields, wire names, types, enum values).  Exit status 0; the text is the basis
for release notes and for choosing the next version number (a removal or an
incompatible change is breaking).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spec_io import Spec, read_spec  # noqa: E402


def _ops(spec: Spec) -> dict[str, dict[str, Any]]:
    return {f"{api['class']}.{op['name']}": op for api in spec["apis"] for op in api["operations"]}


def _param_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before = {p["name"]: p for p in old["params"]}
    after = {p["name"]: p for p in new["params"]}
    out = [f"parameter {n} added{' (required)' if after[n].get('required') else ''}" for n in after if n not in before]
    out += [f"parameter {n} removed" for n in before if n not in after]
    for name in before.keys() & after.keys():
        for key in sorted(set(before[name]) | set(after[name])):
            if before[name].get(key) != after[name].get(key):
                out.append(f"parameter {name}: {key} {before[name].get(key)!r} -> {after[name].get(key)!r}")
    if [p["name"] for p in old["params"] if p.get("required")] != [p["name"] for p in new["params"]
                                                                      if p.get("required")]:
        out.append("positional (required) parameter order changed")
    return sorted(out)


def diff(old: Spec, new: Spec) -> dict[str, list[str]]:
    """Sections of changelog lines: breaking, added, changed."""
    breaking: list[str] = []
    added: list[str] = []
    changed: list[str] = []
    old_groups = {a["class"] for a in old["apis"]}
    new_groups = {a["class"] for a in new["apis"]}
    added += [f"API group {g}" for g in sorted(new_groups - old_groups)]
    breaking += [f"API group {g} removed" for g in sorted(old_groups - new_groups)]
    old_ops, new_ops = _ops(old), _ops(new)
    added += [f"operation {n} ({new_ops[n]['method']} {new_ops[n]['path']})" for n in sorted(new_ops.keys() - old_ops)]
    breaking += [f"operation {n} removed" for n in sorted(old_ops.keys() - new_ops)]
    for name in sorted(old_ops.keys() & new_ops.keys()):
        a, b = old_ops[name], new_ops[name]
        notes = []
        for key in ("method", "path", "returns", "auth", "accepts", "contentTypes", "deprecated", "preview"):
            if a.get(key) != b.get(key):
                notes.append(f"{key} {a.get(key)!r} -> {b.get(key)!r}")
        notes += _param_changes(a, b)
        if notes:
            target = breaking if any(n.startswith(("method", "path", "returns", "positional")) or "removed" in n
                                     or "(required)" in n for n in notes) else changed
            target.append(f"operation {name}: " + "; ".join(notes))
    old_models = {m["name"]: m for m in old["models"]}
    new_models = {m["name"]: m for m in new["models"]}
    added += [f"model {n}" for n in sorted(new_models.keys() - old_models)]
    breaking += [f"model {n} removed" for n in sorted(old_models.keys() - new_models)]
    for name in sorted(old_models.keys() & new_models.keys()):
        before = {f["name"]: f for f in old_models[name]["fields"]}
        after = {f["name"]: f for f in new_models[name]["fields"]}
        notes = [f"field {f} added ({after[f]['type']})" for f in after if f not in before]
        gone = [f"field {f} removed" for f in before if f not in after]
        for f in before.keys() & after.keys():
            for key in ("wire", "type"):
                if before[f][key] != after[f][key]:
                    gone.append(f"field {f}: {key} {before[f][key]!r} -> {after[f][key]!r}")
            old_enum, new_enum = set(before[f].get("enum", [])), set(after[f].get("enum", []))
            if new_enum - old_enum:
                notes.append(f"field {f}: enum values added {sorted(new_enum - old_enum)}")
            if old_enum - new_enum:
                notes.append(f"field {f}: enum values removed {sorted(old_enum - new_enum)}")
        if gone:
            breaking.append(f"model {name}: " + "; ".join(sorted(gone + notes)))
        elif notes:
            changed.append(f"model {name}: " + "; ".join(sorted(notes)))
    return {"breaking": breaking, "added": added, "changed": changed}


def render(sections: dict[str, list[str]], markdown: bool = False) -> str:
    titles = {"breaking": "Breaking changes", "added": "Added", "changed": "Changed"}
    lines = []
    for key, title in titles.items():
        items = sections[key]
        lines.append(f"## {title} ({len(items)})" if markdown else f"{title} ({len(items)}):")
        lines += [f"- {item}" if markdown else f"  {item}" for item in items] or (
            ["- none"] if markdown else ["  none"])
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Changelog between two spec/ directories")
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    print(render(diff(read_spec(args.old), read_spec(args.new)), args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
