"""Render the spec dict as an OpenAPI 2.0 (Swagger) document, the format the platform
publishes at /api/v2/docs/swagger.

Wire facts use standard OpenAPI fields (paths, parameters, types and formats, enums,
pattern/minimum/maximum, produces/consumes, security, deprecated, definitions). What only
our spec knows is carried in vendor extensions, always emitted so the document is explicit:

- ``x-python-name`` on operations, parameters and properties;
- ``x-python-class`` / ``x-python-module`` on tags, ``x-python-module`` on definitions;
- ``x-genesys-preview`` on preview operations;
- ``x-spec-source`` in ``info``.

``tools/spec_from_openapi.py`` reads it back (and derives python names when the extensions
are missing, as in the platform's own document).
"""
from __future__ import annotations

import re
from typing import Any

SECURITY_NAME = "PureCloud OAuth"
_LIST = re.compile(r"^list\[(.*)\]$")
_DICT = re.compile(r"^dict\(str, (.*)\)$")
# Scalar type expressions and their OpenAPI (type, format).
SCALAR_SCHEMAS: dict[str, dict[str, str]] = {
    "str": {"type": "string"},
    "int": {"type": "integer", "format": "int32"},
    "float": {"type": "number", "format": "float"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "LocalDateTime": {"type": "string", "format": "local-date-time"},
    "YearMonth": {"type": "string", "format": "year-month"},
    "object": {"type": "object"},
}


def type_schema(expr: str) -> dict[str, Any]:
    """OpenAPI schema for one of our type expressions."""
    m = _LIST.match(expr)
    if m:
        return {"type": "array", "items": type_schema(m.group(1))}
    m = _DICT.match(expr)
    if m:
        return {"type": "object", "additionalProperties": type_schema(m.group(1))}
    scalar = SCALAR_SCHEMAS.get(expr)
    if scalar is not None:
        return dict(scalar)
    return {"$ref": f"#/definitions/{expr}"}


def _with_enum(schema: dict[str, Any], enum: list[Any]) -> dict[str, Any]:
    # Enums of arrays belong to the items, as in the platform's document.
    target = schema
    while target.get("type") == "array":
        target = target["items"]
    target["enum"] = list(enum)
    return schema


def _operation_id(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _parameter(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p["wire"], "in": p["in"], "required": bool(p.get("required"))}
    if p["in"] == "body":
        out["schema"] = type_schema(p["type"])
    else:
        schema = type_schema(p["type"])
        out.update(schema)
        if schema.get("type") == "array":
            out["collectionFormat"] = "multi"
    for key in ("pattern", "minimum", "maximum", "default"):
        if key in p:
            out[key] = p[key]
    if "enum" in p:
        _with_enum(out, p["enum"])
    out["x-python-name"] = p["name"]
    return out


def render_openapi(spec: dict[str, Any], host: str = "api.mypurecloud.com") -> dict[str, Any]:
    """The whole spec as one OpenAPI 2.0 document (a JSON-ready dict)."""
    info = spec["info"]
    paths: dict[str, dict[str, Any]] = {}
    tags = []
    for api in spec["apis"]:
        tag = api["class"][:-3] if api["class"].endswith("Api") else api["class"]
        tags.append({"name": tag, "x-python-class": api["class"], "x-python-module": api["module"]})
        for op in api["operations"]:
            existing = paths.get(op["path"], {}).get(op["method"].lower())
            if existing is not None:
                # The same operation in several API groups: one operation with several tags, as in the
                # platform's document (the spec guarantees the copies are identical).
                existing["tags"].append(tag)
                continue
            entry: dict[str, Any] = {
                "tags": [tag],
                "operationId": _operation_id(op["name"]),
                "x-python-name": op["name"],
                "consumes": list(op["contentTypes"]),
                "produces": list(op["accepts"]),
                "parameters": [_parameter(p) for p in op["params"]],
            }
            ok: dict[str, Any] = {"description": "successful operation"}
            if op["returns"] is not None:
                ok["schema"] = type_schema(op["returns"])
            entry["responses"] = {"200": ok, "default": {"description": "error",
                                                         "schema": {"$ref": "#/definitions/ErrorBody"}}}
            if op["auth"]:
                entry["security"] = [{SECURITY_NAME: []}]
            if op.get("deprecated"):
                entry["deprecated"] = True
            if op.get("preview"):
                entry["x-genesys-preview"] = True
            if "permissions" in op:  # the platform's own extension for required permissions
                entry["x-inin-requires-permissions"] = {"type": op.get("permissionsMatch", "any").upper(),
                                                        "permissions": list(op["permissions"])}
            entry["x-spec-user-context"] = bool(op.get("user_context"))
            if op.get("paging"):
                entry["x-spec-paging"] = op["paging"]
            paths.setdefault(op["path"], {})[op["method"].lower()] = entry
    definitions: dict[str, Any] = {}
    for model in spec["models"]:
        properties: dict[str, Any] = {}
        for f in model["fields"]:
            schema = type_schema(f["type"])
            if "enum" in f:
                schema = _with_enum(schema, f["enum"])
            schema["x-python-name"] = f["name"]
            properties[f["wire"]] = schema
        definitions[model["name"]] = {"type": "object", "properties": properties,
                                      "x-python-module": model["module"]}
    return {
        "swagger": "2.0",
        "info": {"title": "PureCloud Platform API", "version": info.get("version", ""),
                 "x-spec-source": info.get("source", "")},
        "host": host,
        "basePath": "/",
        "schemes": ["https"],
        "tags": tags,
        "securityDefinitions": {SECURITY_NAME: {"type": "oauth2", "flow": "implicit",
                                                "authorizationUrl": "https://login.mypurecloud.com/oauth/authorize",
                                                "scopes": {}}},
        "paths": paths,
        "definitions": definitions,
    }
