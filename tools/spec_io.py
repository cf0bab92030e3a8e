"""Read and write ``spec/``: the API definition as stable, diff-friendly JSON.

Layout::

    spec/info.json                 where the definition came from
    spec/apis/<module>.json        one API group: class name and its operations
    spec/models/<letter>.json      models whose name starts with that letter

Leaf records (a parameter, a model field) are written one per line, everything
else one key per line, so an API release shows up as a readable line diff.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Spec = dict[str, Any]


def _is_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, (dict, list)) or (isinstance(v, list) and all(
            not isinstance(x, (dict, list)) for x in v)) for v in value.values())
    return not isinstance(value, list) or all(not isinstance(x, (dict, list)) for x in value)


def dumps(value: Any, indent: int = 0) -> str:
    if _is_leaf(value):
        return json.dumps(value, ensure_ascii=False)
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + dumps(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def _model_bucket(name: str) -> str:
    first = name[0].lower()
    return first if first.isalpha() else "_"


def write_spec(spec: Spec, out: Path) -> None:
    """Write ``spec`` under ``out``, replacing what was there."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("apis", "models"):
        (out / sub).mkdir(exist_ok=True)
        for old in (out / sub).glob("*.json"):
            old.unlink()
    (out / "info.json").write_text(dumps(spec["info"]) + "\n")
    for api in sorted(spec["apis"], key=lambda a: a["module"]):
        (out / "apis" / f"{api['module']}.json").write_text(dumps(api) + "\n", encoding="utf-8")
    buckets: dict[str, list[dict[str, Any]]] = {}
    for model in sorted(spec["models"], key=lambda m: m["name"]):
        buckets.setdefault(_model_bucket(model["name"]), []).append(model)
    for bucket, models in buckets.items():
        (out / "models" / f"{bucket}.json").write_text(dumps(models) + "\n", encoding="utf-8")


def read_spec(root: Path) -> Spec:
    """Read a spec directory written by :func:`write_spec`."""
    apis = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "apis").glob("*.json"))]
    models: list[dict[str, Any]] = []
    for p in sorted((root / "models").glob("*.json")):
        models.extend(json.loads(p.read_text(encoding="utf-8")))
    models.sort(key=lambda m: m["name"])
    return {"info": json.loads((root / "info.json").read_text()), "apis": apis, "models": models}
