"""The API definition as the emulator sees it: loading, the route table and type helpers.

Loading lives in one place (:func:`load_spec`) so that swapping the repository fallback
for the SDK's catalog is a one-line change later.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

Spec = dict[str, Any]


@lru_cache(maxsize=1)
def load_spec() -> Spec:
    """Return the spec dict (``{"info", "apis", "models"}``).

    In a source checkout, ``spec/`` is read directly (0.3 s; tests/test_models.py proves it
    equals the catalog); from a pip install, the catalog is rebuilt from the installed SDK
    (about 2.5 s: it imports every generated module).
    """
    root = Path(__file__).resolve().parents[2]
    spec_io_path = root / "tools" / "spec_io.py"
    if not (root / "spec" / "apis").is_dir() or not spec_io_path.is_file():
        from PureCloudPlatformClientV2._catalog import load_spec as catalog_load
        return catalog_load()
    module_spec = importlib.util.spec_from_file_location("_emulator_spec_io", spec_io_path)
    assert module_spec and module_spec.loader
    spec_io = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(spec_io)
    return spec_io.read_spec(root / "spec")


@dataclass(slots=True)
class Operation:
    """One operation, with what the request path needs precomputed."""

    name: str
    method: str
    path: str
    params: list[dict[str, Any]]
    returns: str | None
    auth: bool
    raw: dict[str, Any]
    api_class: str
    segments: tuple[str, ...] = ()
    # Name of the path parameter in the last segment, if the path ends with one.
    item_param: str | None = None
    body_param: dict[str, Any] | None = None
    query_params: list[dict[str, Any]] = field(default_factory=list)
    path_params: list[dict[str, Any]] = field(default_factory=list)
    header_params: list[dict[str, Any]] = field(default_factory=list)
    handler: Any = None


_PARAM_SEGMENT = re.compile(r"^\{([^}]+)\}$")


class _Node:
    __slots__ = ("static", "param", "param_name", "ops")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.param_name: str | None = None
        self.ops: dict[str, Operation] = {}


class RouteTable:
    """A segment trie over every operation path.

    Lookup cost depends on path depth, not on the ~3,500 operations; static segments win
    over parameters (``/users/me`` before ``/users/{userId}``) with backtracking when the
    static branch has no match further down.
    """

    def __init__(self, operations: list[Operation]) -> None:
        self.root = _Node()
        for op in operations:
            node = self.root
            for seg in op.segments:
                m = _PARAM_SEGMENT.match(seg)
                if m:
                    if node.param is None:
                        node.param = _Node()
                        node.param_name = m.group(1)
                    node = node.param
                else:
                    node = node.static.setdefault(seg, _Node())
            node.ops[op.method] = op

    def match(self, path: str) -> tuple[dict[str, Operation] | None, list[str]]:
        """Return (operations by method, path parameter values in order) or (None, [])."""
        segs = path.strip("/").split("/")
        values: list[str] = []
        found = self._walk(self.root, segs, 0, values)
        return (found, values) if found is not None else (None, [])

    def _walk(self, node: _Node, segs: list[str], i: int, values: list[str]) -> dict[str, Operation] | None:
        if i == len(segs):
            return node.ops or None
        seg = segs[i]
        child = node.static.get(seg)
        if child is not None:
            found = self._walk(child, segs, i + 1, values)
            if found is not None:
                return found
        if node.param is not None:
            values.append(seg)
            found = self._walk(node.param, segs, i + 1, values)
            if found is not None:
                return found
            values.pop()
        return None


def build_operations(spec: Spec) -> list[Operation]:
    ops: list[Operation] = []
    for api in spec["apis"]:
        for raw in api["operations"]:
            segments = tuple(raw["path"].strip("/").split("/"))
            last = _PARAM_SEGMENT.match(segments[-1])
            op = Operation(
                name=raw["name"], method=raw["method"], path=raw["path"], params=raw["params"],
                returns=raw["returns"], auth=raw["auth"], raw=raw, api_class=api["class"], segments=segments,
                item_param=last.group(1) if last else None,
            )
            for p in raw["params"]:
                where = p["in"]
                if where == "body":
                    op.body_param = p
                elif where == "query":
                    op.query_params.append(p)
                elif where == "path":
                    op.path_params.append(p)
                elif where == "header":
                    op.header_params.append(p)
            # Path parameter values arrive in path order; keep the params in that order too.
            order = [m.group(1) for s in segments if (m := _PARAM_SEGMENT.match(s))]
            by_wire = {p["wire"]: p for p in op.path_params}
            op.path_params = [by_wire.get(w, {"name": w, "wire": w, "in": "path", "type": "str", "required": True})
                              for w in order]
            ops.append(op)
    return ops


_LIST = re.compile(r"^list\[(.*)\]$")
_DICT = re.compile(r"^dict\(str, (.*)\)$")


def split_type(expr: str) -> tuple[str, str | None]:
    """('list', inner) | ('dict', inner) | ('scalar'|'model', expr)."""
    m = _LIST.match(expr)
    if m:
        return "list", m.group(1)
    m = _DICT.match(expr)
    if m:
        return "dict", m.group(1)
    return ("scalar" if expr in SCALARS else "model"), None


SCALARS = frozenset({"str", "int", "float", "bool", "object", "datetime", "date", "LocalDateTime", "YearMonth"})
