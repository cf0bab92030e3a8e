"""Decode/encode prototypes measured side by side on the benchmark fixtures (issue 16).

``python benchmarks/decode_prototypes.py [--fixtures DIR] [--reps N]`` prints one row per
approach and fixture: the median time of a full conversion (JSON bytes to Python values with
every nested value converted), the time to read every value once more, and the memory the
result holds (tracemalloc). Approaches:

- ``json.loads`` / ``orjson.loads``: the floors (dicts and lists, nothing converted);
- ``lazy``: the SDK's model decoder (``_serde``), then every value read once (converting it);
- ``msgspec``: the models' tables turned into ``msgspec.Struct`` classes (wire names through
  ``rename``, ``None`` defaults), decoded in C, then enum values normalised in Python.

Repetitions interleave the approaches so a busy machine affects them alike. Needs orjson and
msgspec installed; an approach whose library is missing is skipped.
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import PureCloudPlatformClientV2 as pkg  # noqa: E402
from PureCloudPlatformClientV2 import _model, _serde  # noqa: E402

MODE = "SDK, Structs" if _model.STRUCTS else "SDK, lazy"
FIXTURES = {"users_page": "UserEntityListing", "analytics": "AnalyticsConversationQueryResponse"}

try:
    import orjson
except ImportError:
    orjson = None  # type: ignore[assignment]
try:
    import msgspec
except ImportError:
    msgspec = None  # type: ignore[assignment]


def read_all(value: Any) -> int:
    """Every attribute of a result, recursively (the scenario's traversal)."""
    if isinstance(value, list):
        return 1 + sum(read_all(v) for v in value)
    if isinstance(value, dict):
        return 1 + sum(read_all(v) for v in value.values())
    types = getattr(value, "swagger_types", None)
    if types is None or isinstance(value, type):
        return 1
    return 1 + sum(read_all(getattr(value, attr)) for attr in types)


# -- msgspec prototype: Struct classes built from the models' tables ---------------------------------
_structs: dict[str, Any] = {}
_enum_fields: dict[Any, tuple[tuple[str, frozenset[str]], ...]] = {}
_children: dict[Any, tuple[str, ...]] = {}


_NS = type(sys)("_proto_structs")
sys.modules["_proto_structs"] = _NS
_NS.__dict__.update({"datetime": datetime, "date": date, "Any": Any, "Literal": Literal})


def _spec_type(expr: str, todo: list[str]) -> str:
    """The annotation (text, resolved in ``_NS`` when msgspec builds the decoder)."""
    if expr in ("str", "int", "float", "bool", "datetime", "date"):
        return expr
    if expr == "object":
        return "Any"
    if expr == "LocalDateTime":
        return "datetime"
    if expr == "YearMonth":
        return "str"
    if expr.startswith("list["):
        return f"list[{_spec_type(expr[5:-1], todo)}]"
    if expr.startswith("dict("):
        return f"dict[str, {_spec_type(expr[5:-1].split(',', 1)[1].strip(), todo)}]"
    todo.append(expr)
    return expr


def struct_for(name: str) -> Any:
    todo = [name]
    while todo:
        current = todo.pop()
        if current in _structs:
            continue
        model = getattr(pkg.models, current)
        rename = {row[0]: row[1] for row in model._rows}
        enums = tuple((row[0], frozenset(v.lower() for v in row[3])) for row in model._rows if len(row) > 3)
        fields = [(row[0], (f"Literal[{', '.join(map(repr, row[3]))}]" if len(row) > 3
                            else _spec_type(row[2], todo)) + " | None", None) for row in model._rows]
        cls = msgspec.defstruct(current, fields, kw_only=True, omit_defaults=True, rename=rename,
                                module="_proto_structs")
        _structs[current] = cls
        setattr(_NS, current, cls)
        _enum_fields[cls] = enums
    return _structs[name]


def normalise(value: Any) -> None:
    """Unknown enum values to 'outdated_sdk_version' (after the C decode, in Python)."""
    if type(value) is list:
        for v in value:
            normalise(v)
        return
    if type(value) is dict:
        for v in value.values():
            normalise(v)
        return
    fields = getattr(type(value), "__struct_fields__", None)
    if fields is None:
        return
    for name, allowed in _enum_fields[type(value)]:
        v = getattr(value, name)
        if v is not None and v.lower() not in allowed:
            setattr(value, name, "outdated_sdk_version")
    for name in fields:
        v = getattr(value, name)
        if v is not None and type(v) not in (str, int, float, bool):
            normalise(v)


def read_struct(value: Any) -> int:
    if isinstance(value, list):
        return 1 + sum(read_struct(v) for v in value)
    if isinstance(value, dict):
        return 1 + sum(read_struct(v) for v in value.values())
    fields = getattr(type(value), "__struct_fields__", None)
    if fields is None:
        return 1
    return 1 + sum(read_struct(getattr(value, f)) for f in fields)


def timed(fn: Any) -> float:
    """CPU time of one call (process time: less disturbed than wall time on a shared machine)."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def held_bytes(make: Any) -> int:
    gc.collect()
    tracemalloc.start()
    value = make()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del value
    return size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", type=Path, default=ROOT / "benchmarks" / "fixtures")
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    for fixture, model in FIXTURES.items():
        data = (args.fixtures / f"{fixture}.json").read_bytes()
        loads: Any = orjson.loads if orjson is not None else json.loads
        approaches: dict[str, Any] = {
            "json.loads": lambda d=data: json.loads(d),
            f"{MODE} (stdlib json)": lambda d=data, m=model: _serde.decode(json.loads(d), m),
        }
        if orjson is not None:
            approaches["orjson.loads"] = lambda d=data: orjson.loads(d)
            approaches[f"{MODE}, decode_json"] = lambda d=data, m=model: _serde.decode_json(d, m)
            approaches[f"{MODE} (orjson)"] = lambda d=data, m=model, ld=loads: _serde.decode(ld(d), m)
        readers = {k: read_all for k in approaches}
        if msgspec is not None:
            dec = msgspec.json.Decoder(struct_for(model))

            def via_msgspec(d: bytes = data, dec: Any = dec) -> Any:
                value = dec.decode(d)
                normalise(value)
                return value
            approaches["msgspec Struct, Python enum pass"] = via_msgspec
            approaches["msgspec Struct, Literal enums"] = lambda d=data, dec=dec: dec.decode(d)
            target = struct_for(model)
            approaches["orjson.loads + msgspec.convert"] = lambda d=data, t=target, ld=loads: msgspec.convert(ld(d), t)
            approaches["msgspec.json.decode + convert"] = lambda d=data, t=target: msgspec.convert(
                msgspec.json.decode(d), t)
            for k in approaches:
                if k.startswith("msgspec") or k.startswith("orjson.loads +"):
                    readers[k] = read_struct
        full: dict[str, list[float]] = {k: [] for k in approaches}
        again: dict[str, list[float]] = {k: [] for k in approaches}
        for _ in range(args.reps):
            for name, fn in approaches.items():
                read = readers[name]
                if name.startswith("SDK, lazy"):
                    full[name].append(timed(lambda fn=fn, read=read: read(fn())))
                else:  # eager: the call converts everything; the traversal is not part of it
                    full[name].append(timed(fn))
                done = fn()
                read(done)
                again[name].append(timed(lambda done=done, read=read: read(done)))
        floor = statistics.median(full["orjson.loads" if orjson is not None else "json.loads"])
        print(f"\n{fixture} ({len(data) / 1e6:.2f} MB), medians of {args.reps}")
        print(f"{'approach':32s} {'call(+read)':>12s} {'read again':>11s} {'conversion':>11s} {'x floor':>8s} {'held MB':>8s}")
        for name, fn in approaches.items():
            read = readers[name]
            f, a = statistics.median(full[name]), statistics.median(again[name])
            conv = f - a if name.startswith("SDK, lazy") else f
            held = held_bytes(lambda fn=fn, read=read: (lambda v: (read(v), v)[1])(fn()))
            print(f"{name:32s} {f * 1e3:10.2f}ms {a * 1e3:9.2f}ms {conv * 1e3:9.2f}ms"
                  f" {conv / floor:8.2f} {held / 1e6:8.2f}")

    # -- encoding: a request body built from models, to JSON bytes ------------------------------------
    data = (args.fixtures / "bulk_contacts.json").read_bytes()
    body = _serde.decode(json.loads(data), "BulkContactsRequest")
    read_all(body)  # every value converted: a body as a caller builds it
    as_dict = json.loads(data)
    encoders: dict[str, Any] = {
        "json.dumps of the dict": lambda: json.dumps(as_dict),
        f"{MODE}: to_wire": lambda: _serde.to_wire(body),
        f"{MODE}: to_wire + json.dumps": lambda: json.dumps(_serde.to_wire(body)),
    }
    if orjson is not None:
        encoders["orjson.dumps of the dict"] = lambda: orjson.dumps(as_dict)
        encoders[f"{MODE}: to_wire + orjson.dumps"] = lambda: orjson.dumps(_serde.to_wire(body))
    if msgspec is not None and _model.STRUCTS:
        encoders["msgspec.json.encode(model)"] = lambda: msgspec.json.encode(body)
    times: dict[str, list[float]] = {k: [] for k in encoders}
    for _ in range(args.reps):
        for name, fn in encoders.items():
            times[name].append(timed(fn))
    floor = statistics.median(times["json.dumps of the dict"])
    print(f"\nbulk_contacts body ({len(data) / 1e6:.2f} MB), medians of {args.reps}")
    for name in encoders:
        t = statistics.median(times[name])
        print(f"{name:40s} {t * 1e3:9.2f}ms {t / floor:6.2f}x json.dumps")


if __name__ == "__main__":
    main()
