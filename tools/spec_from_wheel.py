"""Build ``spec/`` from a published wheel of the official SDK.

The wheel is downloaded with pip and read as *data*: every module is parsed with
``ast`` and never imported or executed.  Only facts are taken (names, wire names,
types, HTTP methods, paths, enum values, validation bounds); no code and no
description text is carried over.

Usage::

    python tools/spec_from_wheel.py --version 269.0.0 [--wheel FILE] [--out spec]
    python tools/spec_facts.py --sdk-repo CLONE   # then: permissions, user context, paging,
                                                  # parameter values and defaults
"""
from __future__ import annotations

import argparse
import ast
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spec_io import write_spec  # noqa: E402

PKG = "PureCloudPlatformClientV2"
_OP_KEYS = ("name", "method", "path", "params", "returns", "auth", "accepts", "contentTypes",
            "deprecated", "preview")
_PARAM_DOC = re.compile(r":param (?P<type>[^:]+?) (?P<name>\w+):")


def download_wheel(version: str, dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         f"{PKG}=={version}", "-d", str(dest)],
        check=True,
    )
    return next(dest.glob("*.whl"))


def _literal(node: ast.AST) -> Any:
    return ast.literal_eval(node)


def _subscript_key(node: ast.AST) -> str | None:
    """For ``name['key']`` return ``'key'``."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value
    return None


def _target_dict(node: ast.AST) -> tuple[str, str] | None:
    """For ``xxx_params['Wire']`` return ('xxx_params', 'Wire')."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        key = _subscript_key(node)
        if isinstance(key, str):
            return node.value.id, key
    return None


def _validation(test: ast.AST) -> tuple[str, dict[str, Any]] | None:
    """Parse ``'x' in params and <check>`` guarding a ``raise ValueError``."""
    if not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and len(test.values) == 2):
        return None
    first, check = test.values
    if not (isinstance(first, ast.Compare) and isinstance(first.ops[0], ast.In)):
        return None
    name = _literal(first.left)
    if isinstance(check, ast.UnaryOp) and isinstance(check.op, ast.Not):
        call = check.operand
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "match":
            return name, {"pattern": _literal(call.args[0])}
    if isinstance(check, ast.Compare) and len(check.ops) == 1:
        left, op, right = check.left, check.ops[0], check.comparators[0]
        measured_len = isinstance(left, ast.Call) and getattr(left.func, "id", "") == "len"
        bound = _literal(right)
        if isinstance(op, ast.Gt):
            return name, {"maxLength" if measured_len else "maximum": bound}
        if isinstance(op, ast.Lt):
            return name, {"minLength" if measured_len else "minimum": bound}
    raise ValueError(f"unrecognised validation: {ast.unparse(test)}")


def parse_operation(fn: ast.FunctionDef) -> dict[str, Any]:
    doc = ast.get_docstring(fn) or ""
    doc_types = {m["name"]: m["type"].strip() for m in _PARAM_DOC.finditer(doc)}
    positional = [a.arg for a in fn.args.args[1:]]
    op: dict[str, Any] = {"name": fn.name}
    deprecated = any(
        isinstance(d, ast.Call) and getattr(d.func, "id", "") == "deprecated" for d in fn.decorator_list
    )
    all_params: list[str] = []
    locations: dict[str, tuple[str, str]] = {}
    checks: dict[str, dict[str, Any]] = {}
    required_checked: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Name):
                if target.id == "all_params":
                    all_params = _literal(value)
                elif target.id == "resource_path":
                    op["path"] = _literal(value.func.value)  # '...'.replace('{format}', 'json')
                elif target.id == "auth_settings":
                    op["auth"] = bool(_literal(value))
                elif target.id == "body_params" and _subscript_key(value):
                    locations[_subscript_key(value)] = ("body", "body")
            else:
                where = _target_dict(target)
                py = _subscript_key(value) if isinstance(value, ast.Subscript) else None
                if where and py and where[0] in ("path_params", "query_params", "header_params", "form_params"):
                    locations[py] = (where[0].split("_")[0], where[1])
                elif where and where[0] == "local_var_files" and py:
                    locations[py] = ("form", where[1])
                if where and where[0] == "header_params" and isinstance(value, ast.Call):
                    media = _literal(value.args[0])
                    op["accepts" if value.func.attr == "select_header_accept" else "contentTypes"] = media
        elif isinstance(node, ast.If) and any(
            isinstance(s, ast.Raise) and "ValueError" in ast.unparse(s) for s in node.body
        ):
            test = node.test
            if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
                required_checked.add(_literal(test.values[0].left))
            else:
                parsed = _validation(test)
                if parsed:
                    checks.setdefault(parsed[0], {}).update(parsed[1])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "call_api":
            op["method"] = _literal(node.args[1])
            for kw in node.keywords:
                if kw.arg == "response_type":
                    op["returns"] = _literal(kw.value)
    if set(positional) != required_checked:
        raise ValueError(f"{fn.name}: positional {positional} vs checked {required_checked}")
    params = []
    for name in positional + [p for p in all_params if p not in positional]:
        where, wire = locations[name]
        param: dict[str, Any] = {"name": name, "wire": wire, "in": where, "type": doc_types[name]}
        if name in positional:
            param["required"] = True
        param.update(checks.get(name, {}))
        params.append(param)
    op["params"] = params
    if deprecated:
        op["deprecated"] = True
    if "is a preview method" in doc:
        op["preview"] = True
    return {key: op[key] for key in _OP_KEYS if key in op}


def parse_api_module(source: str, module: str) -> dict[str, Any]:
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    ops = sorted((parse_operation(f) for f in cls.body
                  if isinstance(f, ast.FunctionDef) and not f.name.startswith("_")), key=lambda o: o["name"])
    return {"class": cls.name, "module": module, "operations": ops}


def parse_model_module(source: str, module: str) -> dict[str, Any]:
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    types: dict[str, str] = {}
    wires: dict[str, str] = {}
    enums: dict[str, list[str]] = {}
    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                t = node.targets[0]
                if isinstance(t, ast.Attribute) and t.attr == "swagger_types":
                    types = _literal(node.value)
                elif isinstance(t, ast.Attribute) and t.attr == "attribute_map":
                    wires = _literal(node.value)
                elif isinstance(t, ast.Name) and t.id == "allowed_values":
                    enums[fn.name] = _literal(node.value)
    if list(types) != list(wires):
        raise ValueError(f"{cls.name}: swagger_types and attribute_map disagree")
    fields = []
    for name, type_ in types.items():
        field: dict[str, Any] = {"name": name, "wire": wires[name], "type": type_}
        if name in enums:
            field["enum"] = enums[name]
        fields.append(field)
    return {"name": cls.name, "module": module, "fields": fields}


def spec_from_wheel(wheel: Path, version: str) -> dict[str, Any]:
    apis, models = [], []
    with zipfile.ZipFile(wheel) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            parts = info.filename.split("/")
            if len(parts) != 3 or parts[0] != PKG or not parts[2].endswith(".py") or parts[2] == "__init__.py":
                continue
            source = io.TextIOWrapper(zf.open(info), encoding="utf-8").read()
            module = parts[2][:-3]
            if parts[1] == "apis":
                apis.append(parse_api_module(source, module))
            elif parts[1] == "models":
                models.append(parse_model_module(source, module))
    return {"info": {"source": f"{PKG}=={version} wheel", "version": version}, "apis": apis, "models": models}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", default="269.0.0")
    ap.add_argument("--wheel", type=Path, help="use this wheel instead of downloading it")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "spec")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(args.version, Path(tmp))
        spec = spec_from_wheel(wheel, args.version)
    write_spec(spec, args.out)
    print(f"{len(spec['apis'])} API groups, {sum(len(a['operations']) for a in spec['apis'])} operations, "
          f"{len(spec['models'])} models -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
