"""Build ``spec/`` from an OpenAPI 2.0 document (the platform's /api/v2/docs/swagger).

Usage: ``python tools/spec_from_openapi.py swagger.json [--out spec]``

Standard OpenAPI fields carry the wire facts. Python names, classes and modules come from
the ``x-python-*`` extensions when present (documents rendered by our emulator) and are
otherwise derived the way the SDK names things: snake_case of the operationId, parameter
or property name; ``<Tag>Api`` for the class; snake_case of class or model for modules.
"""
from __future__ import annotations

import argparse
import copy
import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spec_facts import me_means_user  # noqa: E402
from spec_io import Spec, write_spec  # noqa: E402

_FORMAT_TYPES = {("string", "date-time"): "datetime", ("string", "date"): "date",
                 ("string", "local-date-time"): "LocalDateTime", ("string", "year-month"): "YearMonth"}
_BASIC_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "object": "object",
                "file": "str"}
# Python keywords and names the models reserve get a `pc` prefix (pcFrom, pcSelf...).
_RESERVED = set(keyword.kwlist) | {"self", "property"}


def snake_case(name: str) -> str:
    """Python name for a wire name or operationId: ``pageSize`` -> ``page_size``."""
    text = re.sub(r"[^0-9A-Za-z]+", "_", name)
    text = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"_+", "_", text).strip("_").lower()
    return text or "value"


def _field_name(wire: str) -> str:
    name = snake_case(wire)
    return "pc" + name[:1].upper() + name[1:] if name in _RESERVED else name


def schema_type(schema: dict[str, Any]) -> str:
    """Our type expression for an OpenAPI schema (or non-body parameter)."""
    ref = schema.get("$ref")
    if ref:
        return ref.rsplit("/", 1)[-1]
    kind = schema.get("type")
    if kind == "array":
        return f"list[{schema_type(schema.get('items') or {})}]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"dict(str, {schema_type(schema['additionalProperties'])})"
    fmt = _FORMAT_TYPES.get((kind, schema.get("format")))
    if fmt:
        return fmt
    return _BASIC_TYPES.get(kind or "object", "object")


def _enum(schema: dict[str, Any]) -> list[Any] | None:
    while True:
        if "enum" in schema:
            return list(schema["enum"])
        if schema.get("type") != "array":
            return None
        schema = schema.get("items") or {}


def _parameter(raw: dict[str, Any]) -> dict[str, Any]:
    where = raw["in"]
    if where == "formData":
        where = "form"
    param: dict[str, Any] = {"name": raw.get("x-python-name") or _field_name(raw["name"]), "wire": raw["name"],
                             "in": where}
    param["type"] = schema_type(raw["schema"] if where == "body" else raw)
    if raw.get("required"):
        param["required"] = True
    for key in ("pattern", "minimum", "maximum"):
        if key in raw:
            param[key] = raw[key]
    enum = None if where == "body" else _enum(raw)
    if enum is not None:
        param["enum"] = enum
    if "default" in raw:
        param["default"] = raw["default"]
    return param


def _operation_facts(op: dict[str, Any], raw: dict[str, Any]) -> None:
    """Required permissions, user context and paging kind (see tools/spec_facts.py)."""
    required = raw.get("x-inin-requires-permissions")
    if isinstance(required, dict):
        op["permissions"] = list(required.get("permissions") or [])
        if op["permissions"]:
            op["permissionsMatch"] = str(required.get("type", "ANY")).lower()
    if "x-spec-user-context" in raw:
        op["user_context"] = bool(raw["x-spec-user-context"])
    else:  # a platform document: "me" in the path resolves to the token's user
        op["user_context"] = me_means_user(op["path"])
    if raw.get("x-spec-paging"):
        op["paging"] = raw["x-spec-paging"]


def _returns(responses: dict[str, Any]) -> str | None:
    for code in sorted(responses):
        if code.startswith("2"):
            schema = responses[code].get("schema")
            if schema:
                return schema_type(schema)
    return None


def parse_openapi(doc: dict[str, Any]) -> Spec:
    """The spec dict (as :func:`spec_io.read_spec` returns it) for an OpenAPI 2.0 document."""
    tag_info = {t["name"]: t for t in doc.get("tags", [])}
    apis: dict[str, dict[str, Any]] = {}
    global_security = doc.get("security")
    for path, methods in doc.get("paths", {}).items():
        shared = methods.get("parameters", [])
        for method, raw in methods.items():
            if method == "parameters" or not isinstance(raw, dict):
                continue
            security = raw.get("security", global_security)
            op: dict[str, Any] = {
                "name": raw.get("x-python-name") or snake_case(raw["operationId"]),
                "method": method.upper(),
                "path": path,
                "params": [_parameter(p) for p in [*shared, *raw.get("parameters", [])]],
                "returns": _returns(raw.get("responses", {})),
                "auth": bool(security),
                "accepts": list(raw.get("produces", doc.get("produces", ["application/json"]))),
                "contentTypes": list(raw.get("consumes", doc.get("consumes", ["application/json"]))),
            }
            if raw.get("deprecated"):
                op["deprecated"] = True
            if raw.get("x-genesys-preview"):
                op["preview"] = True
            _operation_facts(op, raw)
            # An operation with several tags belongs to several API groups (one copy each).
            for tag in raw.get("tags") or ["Default"]:
                meta = tag_info.get(tag, {})
                cls = meta.get("x-python-class") or re.sub(r"[^0-9A-Za-z]", "", tag) + "Api"
                api = apis.setdefault(cls, {"class": cls, "module": meta.get("x-python-module") or snake_case(cls),
                                            "operations": []})
                api["operations"].append(copy.deepcopy(op))
    for api in apis.values():
        api["operations"].sort(key=lambda o: o["name"])
    models = []
    for name, schema in doc.get("definitions", {}).items():
        fields = []
        for wire, prop in (schema.get("properties") or {}).items():
            field: dict[str, Any] = {"name": prop.get("x-python-name") or _field_name(wire), "wire": wire,
                                     "type": schema_type(prop)}
            enum = _enum(prop)
            if enum is not None:
                field["enum"] = enum
            fields.append(field)
        models.append({"name": name, "module": schema.get("x-python-module") or snake_case(name), "fields": fields})
    models.sort(key=lambda m: m["name"])
    info = doc.get("info", {})
    return {
        "info": {"source": info.get("x-spec-source") or f"OpenAPI document {info.get('title', '')}".strip(),
                 "version": info.get("version", "")},
        "apis": sorted(apis.values(), key=lambda a: a["module"]),
        "models": models,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", type=Path, help="OpenAPI 2.0 JSON file")
    parser.add_argument("--out", type=Path, default=Path("spec"), help="spec directory to write (default: spec)")
    args = parser.parse_args(argv)
    spec = parse_openapi(json.loads(args.document.read_text(encoding="utf-8")))
    write_spec(spec, args.out)
    print(f"{len(spec['apis'])} API groups, {sum(len(a['operations']) for a in spec['apis'])} operations, "
          f"{len(spec['models'])} models -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
