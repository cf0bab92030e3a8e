"""List the public names of the official SDK's hand-written core modules into ``spec/core.json``.

The generated modules (``apis/``, ``models/``) are covered by ``spec/apis`` and
``spec/models``; this covers the rest (``api_client``, ``configuration``, ``rest``,
``logger``, ``default_http_client`` ...).  Like ``spec_from_wheel.py`` the wheel is
read as data with ``ast`` (never imported) and only facts are kept: module, class,
function, method, property and attribute names, and parameter names with their
defaults.  ``tests/test_core_names.py`` checks our package against the file.

Usage::

    python tools/core_names_from_wheel.py [--wheel FILE | --dir INSTALLED_PACKAGE_DIR] [--out spec/core.json]
"""
from __future__ import annotations

import argparse
import ast
import json
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spec_from_wheel import PKG, download_wheel  # noqa: E402

# Members every class has; listing them would say nothing about the official surface.
_SKIPPED_DUNDERS = {"__repr__", "__str__", "__eq__", "__ne__", "__hash__", "__new__"}


def _public(name: str) -> bool:
    return not name.startswith("_") or name == "__init__"


def _default(node: ast.expr) -> str:
    """A default as a comparable fact: the literal's repr, or ``'<expr>'`` when it is not a literal."""
    try:
        return repr(ast.literal_eval(node))
    except ValueError:
        return "<expr>"


def parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[dict[str, Any]]:
    """``[{name, kind, default?}]`` in declaration order (``self``/``cls`` dropped)."""
    args = fn.args
    positional = args.posonlyargs + args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out: list[dict[str, Any]] = []
    for arg, default in zip(positional, defaults, strict=True):
        row: dict[str, Any] = {"name": arg.arg, "kind": "positional"}
        if default is not None:
            row["default"] = _default(default)
        out.append(row)
    if args.vararg:
        out.append({"name": args.vararg.arg, "kind": "var_positional"})
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        row = {"name": arg.arg, "kind": "keyword"}
        if kw_default is not None:
            row["default"] = _default(kw_default)
        out.append(row)
    if args.kwarg:
        out.append({"name": args.kwarg.arg, "kind": "var_keyword"})
    decorators = {ast.unparse(d) for d in fn.decorator_list}
    if out and "staticmethod" not in decorators and out[0]["name"] in ("self", "cls") and _is_method(fn):
        out = out[1:]
    return out


def _is_method(fn: ast.AST) -> bool:
    return bool(getattr(fn, "_in_class", False))


def _function_kind(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    decorators = {ast.unparse(d) for d in fn.decorator_list}
    if "property" in decorators or any(d.endswith(".setter") for d in decorators):
        return "property"
    if "staticmethod" in decorators:
        return "staticmethod"
    if "classmethod" in decorators:
        return "classmethod"
    return "method"


def class_members(cls: ast.ClassDef) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not _public(node.name) or node.name in _SKIPPED_DUNDERS:
                continue
            kind = _function_kind(node)
            if kind == "property":
                members[node.name] = {"kind": "property"}
                continue
            node._in_class = True  # type: ignore[attr-defined]
            members[node.name] = {"kind": kind, "params": parameters(node)}
            if node.name == "__init__":
                # attributes the constructor sets are part of the surface scripts use
                for sub in ast.walk(node):
                    targets = sub.targets if isinstance(sub, ast.Assign) else (
                        [sub.target] if isinstance(sub, ast.AnnAssign) else [])
                    for target in targets:
                        if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                                and target.value.id == "self" and _public(target.attr)
                                and target.attr not in members):
                            members[target.attr] = {"kind": "attribute"}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and _public(target.id):
                    members[target.id] = {"kind": "attribute"}
    # a constructor-set attribute that is also a property is a property
    return dict(sorted(members.items()))


def module_names(source: str) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and _public(node.name):
            names[node.name] = {"kind": "class", "bases": [ast.unparse(b) for b in node.bases if ast.unparse(b) != "object"],
                                "members": class_members(node)}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _public(node.name):
            names[node.name] = {"kind": "function", "params": parameters(node)}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and _public(target.id):
                    names[target.id] = {"kind": "variable"}
    return dict(sorted(names.items()))


def core_from_sources(sources: dict[str, str], version: str) -> dict[str, Any]:
    """``sources``: module name -> source text of the package's top-level, non-generated modules."""
    modules = {name: module_names(text) for name, text in sorted(sources.items()) if name != "__init__"}
    return {"info": {"source": f"{PKG}=={version} wheel", "version": version}, "modules": modules}


def sources_from_wheel(wheel: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            parts = name.split("/")
            if len(parts) == 2 and parts[0] == PKG and parts[1].endswith(".py"):
                out[parts[1][:-3]] = zf.read(name).decode("utf-8")
    return out


def sources_from_dir(folder: Path) -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.py"))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", default="269.0.0")
    source = ap.add_mutually_exclusive_group()
    source.add_argument("--wheel", type=Path, help="read this wheel instead of downloading it")
    source.add_argument("--dir", type=Path, help="read the modules of an installed copy of the package")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "spec" / "core.json")
    args = ap.parse_args(argv)
    if args.dir:
        sources = sources_from_dir(args.dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            sources = sources_from_wheel(args.wheel or download_wheel(args.version, Path(tmp)))
    core = core_from_sources(sources, args.version)
    args.out.write_text(json.dumps(core, indent=1, sort_keys=True) + "\n")
    count = sum(len(m) for m in core["modules"].values())
    print(f"wrote {args.out}: {len(core['modules'])} modules, {count} top-level names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
