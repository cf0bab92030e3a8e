"""Model-driven helpers: request validation, response projection and synthesis."""
from __future__ import annotations

import re
import uuid
from typing import Any

from ._spec import split_type

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
# Paging fields of the platform's listing envelopes; anything with `entities` is a listing.
PAGE_FIELDS = ("pageSize", "pageNumber", "total", "pageCount", "firstUri", "lastUri", "nextUri", "previousUri",
               "selfUri")


# Server-set fields a client may echo back (even as ""): never validated, never stored (see state.py).
SERVER_SET_UNCHECKED = frozenset({"id", "selfUri", "dateCreated", "dateModified", "dateLastModified", "createdBy",
                                  "modifiedBy", "createdByApp", "modifiedByApp", "dateCreatedBy"})


class ValidationError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Schema:
    """Indexes of the models: wire fields, types and enums by model name."""

    def __init__(self, models: list[dict[str, Any]]) -> None:
        self.models = {m["name"]: m for m in models}
        # name -> {wire: (type expr, enum tuple | None)}
        self.fields: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {
            m["name"]: {f["wire"]: (f["type"], tuple(f["enum"]) if f.get("enum") else None) for f in m["fields"]}
            for m in models
        }
        self._wire_sets: dict[str, frozenset[str]] = {n: frozenset(f) for n, f in self.fields.items()}
        # Enum values compared without regard to case, as the SDKs compare them.
        self._enum_lower: dict[tuple[str, ...], frozenset[str]] = {}
        for entries in self.fields.values():
            for _, enum in entries.values():
                if enum is not None and enum not in self._enum_lower:
                    self._enum_lower[enum] = frozenset(v.lower() for v in enum)

    def wire_set(self, model: str) -> frozenset[str]:
        return self._wire_sets.get(model, frozenset())

    def has_field(self, model: str | None, wire: str) -> bool:
        return model is not None and wire in self._wire_sets.get(model, ())

    def listing_item(self, model: str | None) -> str | None:
        """Item model of a listing model (one with `entities: list[X]`), else None."""
        if model is None:
            return None
        entry = self.fields.get(model, {}).get("entities")
        if entry is None:
            return None
        kind, inner = split_type(entry[0])
        return inner if kind == "list" else None

    # -- validation -------------------------------------------------------------------
    def validate(self, expr: str, value: Any, where: str = "body", depth: int = 0) -> None:
        """Raise ValidationError if ``value`` (parsed JSON) does not fit the type expression."""
        if value is None or depth > 30:
            return
        kind, inner = split_type(expr)
        if kind == "list":
            if not isinstance(value, list):
                raise ValidationError(f"{where}: expected a JSON array for {expr}", where)
            for i, item in enumerate(value):
                self.validate(inner, item, f"{where}[{i}]", depth + 1)  # type: ignore[arg-type]
            return
        if kind == "dict":
            if not isinstance(value, dict):
                raise ValidationError(f"{where}: expected a JSON object for {expr}", where)
            for k, item in value.items():
                self.validate(inner, item, f"{where}.{k}", depth + 1)  # type: ignore[arg-type]
            return
        if kind == "scalar":
            _check_scalar(expr, value, where)
            return
        fields = self.fields.get(expr)
        if fields is None:
            return  # unknown model name: accept, the platform would know better than we do
        if not isinstance(value, dict):
            raise ValidationError(f"{where}: expected a JSON object for {expr}", where)
        for wire, item in value.items():
            entry = fields.get(wire)
            if entry is None or item is None or wire in SERVER_SET_UNCHECKED:
                continue  # the platform ignores unknown properties and read-only ones it sets itself
            ftype, enum = entry
            if enum is not None and isinstance(item, str) and item.lower() not in self._enum_lower[enum]:
                raise ValidationError(f"{where}.{wire}: '{item}' is not one of {', '.join(enum)}", f"{where}.{wire}")
            self.validate(ftype, item, f"{where}.{wire}", depth + 1)

    # -- responses --------------------------------------------------------------------
    def project(self, model: str | None, data: dict[str, Any]) -> dict[str, Any]:
        """Keep only the keys the response model declares (drops e.g. a stored password)."""
        wires = self._wire_sets.get(model) if model else None
        if not wires:
            return data
        return {k: v for k, v in data.items() if k in wires}

    def synthesize(self, expr: str | None, seed: dict[str, Any] | None = None) -> Any:
        """A small but valid instance of ``expr``; ``seed`` fields are kept where they fit."""
        if expr is None:
            return None
        kind, inner = split_type(expr)
        if kind == "list":
            return []
        if kind == "dict":
            return {}
        if kind == "scalar":
            return {"str": "", "int": 0, "float": 0.0, "bool": False, "object": {}}.get(expr, None)
        wires = self._wire_sets.get(expr)
        if wires is None:
            return {}
        out: dict[str, Any] = {}
        if seed:
            out.update(self.project(expr, seed))
        if "id" in wires and "id" not in out:
            out["id"] = str(uuid.uuid4())
        if "entities" in wires:
            out.setdefault("entities", [])
            if "total" in wires:
                out.setdefault("total", 0)
        return out


def _check_scalar(expr: str, value: Any, where: str) -> None:
    ok = True
    if expr == "str":
        ok = isinstance(value, str)
    elif expr == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif expr == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif expr == "bool":
        ok = isinstance(value, bool)
    elif expr in ("datetime", "LocalDateTime"):
        ok = isinstance(value, str) and _parse_datetime(value)
    elif expr == "date":
        ok = isinstance(value, str) and bool(_DATE.match(value))
    elif expr == "YearMonth":
        ok = isinstance(value, str) and bool(_YEAR_MONTH.match(value))
    if not ok:
        raise ValidationError(f"{where}: {value!r} is not a valid {expr}", where)


def _parse_datetime(text: str) -> bool:
    # A regex rather than datetime.fromisoformat: 3.10 rejects fractions that are not 3 or 6 digits.
    return bool(_DATETIME.match(text))
