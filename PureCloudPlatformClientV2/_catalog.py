"""The API definition rebuilt from the installed generated modules.

``load_spec()`` returns the same structure as ``tools/spec_io.read_spec('spec')``
(a test checks they are equal), so tools that need the whole definition — the
emulator, documentation, OpenAPI rendering — work from an installed package
where ``spec/`` is not shipped.  It imports every API module and model bundle:
fine for those tools, never done by normal SDK use.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from . import __version__

_OP_DEFAULT_MEDIA = ("application/json",)


def _operation(op: Any) -> dict[str, Any]:
    params = []
    for p in op.params:
        entry: dict[str, Any] = {"name": p.name, "wire": p.wire, "in": p.location, "type": p.type}
        if p.required:
            entry["required"] = True
        if p.checks:
            entry.update(p.checks)
        params.append(entry)
    out: dict[str, Any] = {"name": op.name, "method": op.method, "path": op.path, "params": params,
                           "returns": op.returns, "auth": op.auth, "accepts": list(op.accepts),
                           "contentTypes": list(op.content_types)}
    if op.deprecated:
        out["deprecated"] = True
    if op.preview:
        out["preview"] = True
    return out


def load_apis() -> list[dict[str, Any]]:
    apis_pkg = import_module(f"{__package__}.apis")
    out = []
    for class_name, module in sorted(apis_pkg._MODULES.items(), key=lambda kv: kv[1]):
        cls = getattr(import_module(f"{apis_pkg.__name__}.{module}"), class_name)
        ops = sorted(cls._operations.values(), key=lambda o: o.name)
        out.append({"class": class_name, "module": module, "operations": [_operation(o) for o in ops]})
    return out


def load_models() -> list[dict[str, Any]]:
    models_pkg = import_module(f"{__package__}.models")
    out = []
    for name, (_bundle, module) in sorted(models_pkg._MODULES.items()):
        cls = getattr(models_pkg, name)
        fields = []
        for row in cls._rows:
            field: dict[str, Any] = {"name": row[0], "wire": row[1], "type": row[2]}
            if len(row) > 3:
                field["enum"] = list(row[3])
            fields.append(field)
        out.append({"name": name, "module": module, "fields": fields})
    return out


def load_spec() -> dict[str, Any]:
    """The whole definition: ``{"info", "apis", "models"}`` as in ``spec/``."""
    return {"info": {"source": f"PureCloudPlatformClientV2=={__version__} wheel", "version": __version__},
            "apis": load_apis(), "models": load_models()}


def operations_by_class() -> dict[str, dict[str, Any]]:
    """``{ApiClassName: {method_name: Operation}}`` for every API class."""
    apis_pkg = import_module(f"{__package__}.apis")
    return {name: getattr(apis_pkg, name)._operations for name in apis_pkg._MODULES}
