"""Base class of every generated model.

A generated model is a class with type annotations (for IDEs and mypy) and a
``_fields`` table of ``(python_name, wire_name, type_expression[, enum_values])``.
Everything else — construction, ``swagger_types``/``attribute_map``, ``to_dict``,
equality, enum handling — lives here once.  Per-class tables are built on first
use, so importing a model module costs almost nothing.
"""
from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar  # noqa: F401  (ClassVar: used in type comments)

OUTDATED = "outdated_sdk_version"
_BUNDLE_PREFIX = __name__.rsplit(".", 1)[0] + ".models._b_"


class _EnumField:
    """Data descriptor for an enum attribute.

    Values outside the allowed set (compared case-insensitively) read back as
    ``'outdated_sdk_version'``, as in the official SDK; ``None`` stays ``None``.
    The value lives in the instance ``__dict__`` under the attribute's own name,
    so the deserializer can fill it directly.
    """

    __slots__ = ("name", "allowed")

    def __init__(self, name: str, allowed: frozenset[str]) -> None:
        self.name = name
        self.allowed = allowed

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return obj.__dict__.get(self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = self.check(value)

    def check(self, value: Any) -> Any:
        return check_enum(self.allowed, value)


def check_enum(allowed: frozenset[str], value: Any) -> Any:
    """``value`` if it is one of ``allowed`` (case-insensitively), else ``'outdated_sdk_version'``."""
    if value is None:
        return value
    if isinstance(value, str):
        return value if value.lower() in allowed else OUTDATED
    from .api_null_value import ApiNullValue  # here: its module imports typing, which first use avoids
    if isinstance(value, ApiNullValue):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.lower() in allowed:
        return value
    return OUTDATED


def parse_fields(compact: str) -> tuple[tuple[Any, ...], ...]:
    """Rows ``(python_name, wire_name, type_expression[, enum_values])`` from the generated
    one-string form ``"py wire type[ enum|enum]"`` joined by ``;``."""
    rows: list[tuple[Any, ...]] = []
    for item in compact.split(";") if compact else ():
        parts = item.split(" ")
        type_expr = parts[2].replace(",", ", ")
        if len(parts) > 3:
            rows.append((parts[0], parts[1], type_expr, tuple(parts[3].split("|"))))
        else:
            rows.append((parts[0], parts[1], type_expr))
    return tuple(rows)


# float is not here: its wire value converts on first read (a JSON 1 reads as 1.0, as in the official SDK)
_SCALAR_TYPES = frozenset({"str", "int", "bool", "object"})


class _LazyField:
    """Non-data descriptor for an attribute whose wire value needs converting (a nested model,
    a list or map of them, a date).

    The decoder keeps such values as received, in the instance's ``_raw`` dict; the first read
    converts the value and stores the result in the instance ``__dict__``, where later reads
    find it directly (a non-data descriptor is bypassed once the instance has the name).  So a
    page of users costs little more than ``json.loads`` until attributes are read, and fields
    never read are never converted.  Safe without locks: two threads reading at once convert
    the same value twice and keep equal results.
    """

    __slots__ = ("name", "type_expr", "decoder")

    def __init__(self, name: str, type_expr: str) -> None:
        self.name = name
        self.type_expr = type_expr
        self.decoder: Any = None

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return None
        values = obj.__dict__
        raw = values.get("_raw")
        name = self.name
        if raw is None or name not in raw:
            return values.get(name)  # converted meanwhile by another thread, or never set
        decode = self.decoder
        if decode is None:
            from ._serde import decoder
            decode = self.decoder = decoder(self.type_expr)
        value = decode(raw[name])
        values[name] = value
        raw.pop(name, None)
        if not raw:
            values.pop("_raw", None)  # nothing left to convert: drop the empty dict (memory)
        return value


class _ClassTable:
    """Per-class facts derived once from ``_fields``."""

    __slots__ = ("names", "swagger_types", "attribute_map", "defaults")

    def __init__(self, fields: tuple[tuple[Any, ...], ...]) -> None:
        self.names = tuple(f[0] for f in fields)
        self.swagger_types = {f[0]: f[2] for f in fields}
        self.attribute_map = {f[0]: f[1] for f in fields}
        self.defaults = dict.fromkeys(self.names)


class _TableAttr:
    """``swagger_types`` / ``attribute_map``: readable from the class and instances."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, obj: Any, owner: type[Model]) -> dict[str, str]:
        return getattr(owner._table(), self.key)


class _Surface:
    """What both kinds of model share: the official tables and conversions, plus ours."""

    # Type comments, not annotations: msgspec reads the annotations of a Struct's bases at run time,
    # and typing is not imported on the first use of a model.
    __slots__ = ()
    _fields = ()  # type: ClassVar[Any]
    _rows = ()  # type: ClassVar[tuple[tuple[Any, ...], ...]]
    swagger_types = _TableAttr("swagger_types")  # type: ClassVar[dict[str, str]]  # type: ignore[assignment]
    attribute_map = _TableAttr("attribute_map")  # type: ClassVar[dict[str, str]]  # type: ignore[assignment]

    @classmethod
    def _table(cls) -> _ClassTable:
        table = cls.__dict__.get("_table_cache")
        if table is None:
            table = _ClassTable(cls._rows)
            cls._table_cache = table  # type: ignore[attr-defined]
        return table

    # -- official surface -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The model as a dict keyed by Python attribute names (nested models too)."""
        return {name: _to_dict_value(getattr(self, name)) for name in self._table().names}

    def to_json(self) -> str:
        """JSON of :meth:`to_dict` — Python attribute names, nulls included (official behaviour)."""
        import json

        from ._serde import to_wire
        return json.dumps(to_wire(self.to_dict()))

    def to_str(self) -> str:
        from pprint import pformat
        return pformat(self.to_dict())

    def __repr__(self) -> str:
        return self.to_str()

    # -- additions ---------------------------------------------------------
    def to_wire_dict(self) -> dict[str, Any]:
        """The model as the API sees it: wire names, None attributes left out, JSON-ready values."""
        from ._serde import to_wire
        return to_wire(self)  # type: ignore[no-any-return]

    def to_wire_json(self) -> str:
        """JSON exactly as the SDK sends this model in a request body."""
        import json
        return json.dumps(self.to_wire_dict())

    @classmethod
    def from_wire(cls, data: Any) -> Any:
        """Build an instance from wire JSON (a dict, or a JSON string)."""
        from ._serde import decoder_for_model
        if isinstance(data, (str, bytes)):
            import json
            data = json.loads(data)
        return decoder_for_model(cls)(data)  # type: ignore[arg-type]


def _official_module(cls_name: str, module: str) -> str:
    """The official per-model module path for a class defined in a bundle (pickling and repr use it)."""
    if module.startswith(_BUNDLE_PREFIX):
        from . import models
        entry = models._MODULES.get(cls_name)
        if entry is not None:
            return f"{models.__name__}.{entry[1]}"
    return module


class Model(_Surface):
    """Common behaviour of the API's data models (the pure-Python kind; see ``_struct_model``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__module__ = _official_module(cls.__name__, cls.__module__)
        if "_fields" not in cls.__dict__:
            return  # a caller's subclass of a model: the fields are inherited
        fields = cls.__dict__["_fields"]
        cls._rows = parse_fields(fields) if isinstance(fields, str) else tuple(fields)
        for field in cls._rows:
            if len(field) > 3:
                setattr(cls, field[0], _EnumField(field[0], frozenset(v.lower() for v in field[3])))
            elif field[2] in _SCALAR_TYPES:
                # Unset attributes read None from the class: instances only store what they hold.
                setattr(cls, field[0], None)
            else:
                setattr(cls, field[0], _LazyField(field[0], field[2]))

    def __init__(self, **kwargs: Any) -> None:
        table = self._table()
        for name, value in kwargs.items():
            if name not in table.defaults:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {name!r}")
            setattr(self, name, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Surface):
            return NotImplemented
        return type(self) is type(other) and all(
            getattr(self, n) == getattr(other, n) for n in self._table().names)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]


def _to_dict_value(value: Any) -> Any:
    if isinstance(value, list):
        return [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: v.to_dict() if hasattr(v, "to_dict") else v for k, v in value.items()}
    return value


# -- the msgspec kind ------------------------------------------------------------------------------
def _load_msgspec() -> Any:
    """msgspec, when installed and not switched off with ``PURECLOUD_PURE_MODELS=1``."""
    if os.environ.get("PURECLOUD_PURE_MODELS", "") not in ("", "0"):
        return None
    try:
        import msgspec
        from msgspec.structs import force_setattr  # noqa: F401  (0.19+)
    except ImportError:
        return None
    return msgspec


def _struct_model(msgspec: Any) -> Any:
    """``Model`` as a ``msgspec.Struct``: same surface, decoded and held in C.

    Fields are slots (plain-attribute reads, less memory than an instance dict); their types are
    filled in by ``_serde`` just before the first decoder for a model is built, so defining a
    class still costs no look-up of the models it refers to.  ``dict=True`` keeps the official
    freedom to attach other attributes to an instance.
    """
    from msgspec.structs import force_setattr as struct_setattr  # Struct's own __setattr__ refuses a subclass's

    class ModelMeta(msgspec.StructMeta):  # type: ignore[misc, name-defined]
        def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kwargs: Any) -> Any:
            fields = ns.get("_fields")
            if fields is not None:
                rows = parse_fields(fields) if isinstance(fields, str) else tuple(fields)
                ns["_rows"] = rows
                ns["__annotations__"] = {row[0]: object for row in rows}  # real types: _serde._resolve_type
                for row in rows:
                    ns[row[0]] = None
                kwargs.setdefault("rename", {r[0]: r[1] for r in rows if r[0] != r[1]})
                ns["_enums"] = {r[0]: frozenset(v.lower() for v in r[3]) for r in rows if len(r) > 3}
                ns["__module__"] = _official_module(name, ns.get("__module__", ""))
            return super().__new__(mcls, name, bases, ns, **kwargs)

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            if args:  # unpickling: every field by position
                return super().__call__(*args, **kwargs)
            obj = super().__call__()
            if kwargs:
                defaults = cls._table().defaults
                for name, value in kwargs.items():
                    if name not in defaults:
                        raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}")
                    setattr(obj, name, value)
            return obj

    class Model(_Surface, msgspec.Struct, metaclass=ModelMeta, kw_only=True, omit_defaults=True,  # type: ignore[misc]
                dict=True):
        """Common behaviour of the API's data models (the msgspec kind)."""

        _enums = {}  # type: ClassVar[dict[str, frozenset[str]]]

        def __setattr__(self, name: str, value: Any) -> None:
            allowed = self._enums.get(name)
            struct_setattr(self, name, value if allowed is None else check_enum(allowed, value))

    Model.__module__, Model.__qualname__ = __name__, "Model"
    return Model


_msgspec = _load_msgspec()
STRUCTS = _msgspec is not None  # the models are msgspec Structs (decoded by msgspec, with a Python fallback)
if STRUCTS and not TYPE_CHECKING:
    Model = _struct_model(_msgspec)  # noqa: F811
