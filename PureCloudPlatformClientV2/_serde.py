"""Wire JSON <-> Python values, driven by the models' ``_fields`` tables.

Decoders are compiled once per type expression (``'list[User]'``,
``'dict(str, int)'``, ``'datetime'``, a model name ...) and cached; a model's
decoder resolves the decoders of its nested types only when a nested value is
first met, so decoding a ``User`` does not load the 200 models reachable from it.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from . import _model
from ._model import OUTDATED, STRUCTS, Model
from .api_null_value import ApiNullValue
from .year_month import YearMonth

Decoder = Callable[[Any], Any]

_decoders: dict[str, Decoder] = {}
_model_decoders: dict[type, Decoder] = {}
_UTC = timezone.utc
_FROMISO_Z = __import__("sys").version_info >= (3, 11)  # fromisoformat reads "Z" and any fraction
_ISO = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$")


def parse_datetime(value: Any) -> Any:
    """ISO 8601 text to an aware/naive ``datetime``; anything unparseable is returned unchanged."""
    if not isinstance(value, str):
        return value
    try:
        if _FROMISO_Z:
            return datetime.fromisoformat(value)
        if value.endswith("Z"):
            return datetime.fromisoformat(value[:-1]).replace(tzinfo=_UTC)
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    m = _ISO.match(value.strip())
    if not m:
        return value
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        tzinfo = None
        if tz == "Z":
            tzinfo = _UTC
        elif tz:
            sign = -1 if tz[0] == "-" else 1
            digits = tz[1:].replace(":", "")
            tzinfo = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro, tzinfo)
    except ValueError:
        # Out-of-range values (e.g. year 0) are kept as text rather than lost.
        return value


def parse_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        parsed = parse_datetime(value)
        return parsed.date() if isinstance(parsed, datetime) else value


def _year_month(value: Any) -> Any:
    parsed = parse_date(value + "-01" if isinstance(value, str) and len(value) == 7 else value)
    return YearMonth(parsed.year, parsed.month) if isinstance(parsed, date) else value


def _primitive(kind: type) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is kind or value is None:
            return value
        if kind is float and type(value) is int:
            return float(value)
        if isinstance(value, (dict, list)):
            return value  # a structure where a scalar was declared: keep it rather than mangle it
        try:
            return kind(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf), JSON's Infinity
            return value
    return decode


def _identity(value: Any) -> Any:
    return value


def _list_of(inner: Decoder, passthrough: type | None) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not list:
            return value
        if passthrough is not None:
            for item in value:
                if type(item) is not passthrough and item is not None:
                    return [inner(x) for x in value]
            return value
        return [None if x is None else inner(x) for x in value]
    return decode


def _dict_of(inner: Decoder, passthrough: type | None) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not dict:
            return value
        if passthrough is not None:
            for item in value.values():
                if type(item) is not passthrough and item is not None:
                    break
            else:
                return value
        return {k: None if v is None else inner(v) for k, v in value.items()}
    return decode


_SCALARS: dict[str, tuple[Decoder, type | None]] = {
    "str": (_primitive(str), str),
    "int": (_primitive(int), int),
    "float": (_primitive(float), float),
    "bool": (_primitive(bool), bool),
    "object": (_identity, None),
    "datetime": (parse_datetime, None),
    "LocalDateTime": (parse_datetime, None),
    "date": (parse_date, None),
    "YearMonth": (_year_month, None),
}


def decoder(type_expr: str) -> Decoder:
    """The decoder for a spec type expression, compiled once."""
    found = _decoders.get(type_expr)
    if found is not None:
        return found
    if type_expr in _SCALARS:
        found = _SCALARS[type_expr][0]
    elif type_expr.startswith("list[") and type_expr.endswith("]"):
        inner = type_expr[5:-1]
        found = _list_of(decoder(inner), _SCALARS.get(inner, (None, None))[1])
    elif type_expr.startswith("dict(") and type_expr.endswith(")"):
        inner = type_expr[5:-1].split(",", 1)[1].strip()
        found = _dict_of(decoder(inner), _SCALARS.get(inner, (None, None))[1])
    else:
        found = _python_model_decoder(model_class(type_expr))
    _decoders[type_expr] = found
    return found


def model_class(name: str) -> type[Model]:
    from . import models
    cls = getattr(models, name, None)
    if cls is None:
        raise LookupError(f"unknown model {name!r}")
    return cls  # type: ignore[no-any-return]


def decoder_for_model(cls: type[Model]) -> Decoder:
    """The function turning a wire dict into an instance of ``cls`` (compiled once)."""
    found = _model_decoders.get(cls)
    if found is not None:
        return found
    if STRUCTS:
        found = _fast_model_decoder(cls)
    else:
        found = _lazy_model_decoder(cls)
    _model_decoders[cls] = found
    return found


def _python_model_decoder(cls: type[Model]) -> Decoder:
    """The tolerant Python decoder of ``cls`` (with Struct models: the fallback of the fast path)."""
    if not STRUCTS:
        return decoder_for_model(cls)
    found = _pure_decoders.get(cls)
    if found is None:
        found = _pure_decoders[cls] = _eager_model_decoder(cls)
    return found


def _lazy_model_decoder(cls: type[Model]) -> Decoder:
    """The pure-Python decoder: a wire dict to an instance of ``cls``.

    One pass over the keys present.  Plain fields (strings, numbers, booleans, ``object``) are
    stored as received; enums are checked at once; values needing conversion (nested models,
    lists and maps of them, dates) are kept in the instance's ``_raw`` dict and converted on
    first read (see ``_model._LazyField``).  A scalar of an unexpected JSON type is kept as
    received, neither coerced nor lost; absent keys cost nothing.
    """
    plain: dict[str, str] = {}
    lazy: dict[str, str] = {}
    enums: dict[str, tuple[str, Decoder]] = {}
    for field in cls._rows:
        py, wire, type_expr = field[0], field[1], field[2]
        if len(field) > 3:
            enums[wire] = (py, _enum_decoder(frozenset(v.lower() for v in field[3])))
        elif type_expr in ("str", "int", "bool", "object"):  # float is lazy: a JSON 1 reads as 1.0
            plain[wire] = py
        else:
            lazy[wire] = py
    new = object.__new__
    plain_get, lazy_get, enum_get = plain.get, lazy.get, enums.get

    def decode(data: Any) -> Any:
        obj = new(cls)
        if type(data) is dict:
            values: dict[str, Any] = {}
            raw = None
            for key, value in data.items():
                py = plain_get(key)
                if py is not None:
                    values[py] = value
                    continue
                py = lazy_get(key)
                if py is not None:
                    if value is None:
                        values[py] = None
                    elif raw is None:
                        raw = {py: value}
                    else:
                        raw[py] = value
                    continue
                enum = enum_get(key)
                if enum is not None:
                    values[enum[0]] = None if value is None else enum[1](value)
            if raw is not None:
                values["_raw"] = raw
            obj.__dict__ = values
        return obj

    return decode


def _enum_decoder(allowed: frozenset[str]) -> Decoder:
    def decode(value: Any) -> Any:
        if isinstance(value, str) and (value in allowed or value.lower() in allowed):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and str(value).lower() in allowed:
            return str(value)
        return OUTDATED
    return decode


def decode(data: Any, type_expr: str | None) -> Any:
    """Decode parsed JSON ``data`` as ``type_expr`` (None: return data unchanged).

    Input nested deeper than the interpreter's recursion limit raises ``ApiResponseError``
    (also a ``RecursionError``), never a bare ``RecursionError``."""
    if type_expr is None or data is None:
        return data
    try:
        if STRUCTS and type_expr not in _SCALARS:
            return _fast_decode(data, type_expr)
        return decoder(type_expr)(data)
    except RecursionError:
        raise _nesting_error(type_expr) from None


# -- the msgspec path (models are Structs, see _model._struct_model) ------------------------------------
_struct_types: dict[str, Any] = {}
_resolved: set[type] = set()
_pure_decoders: dict[type, Decoder] = {}


def _struct_type(type_expr: str, todo: list[type]) -> Any:
    """The Python type msgspec decodes ``type_expr`` as; models met are queued for resolving."""
    from typing import Any as AnyType
    simple = {"str": str, "int": int, "float": float, "bool": bool, "object": AnyType, "datetime": datetime,
              "LocalDateTime": datetime, "date": date, "YearMonth": YearMonth}.get(type_expr)
    if simple is not None:
        return simple
    if type_expr.startswith("list[") and type_expr.endswith("]"):
        return list[_struct_type(type_expr[5:-1], todo) | None]  # type: ignore[misc]
    if type_expr.startswith("dict(") and type_expr.endswith(")"):
        return dict[str, _struct_type(type_expr[5:-1].split(",", 1)[1].strip(), todo) | None]  # type: ignore[misc]
    cls = model_class(type_expr)
    if cls not in _resolved:
        todo.append(cls)
    return cls


def _resolve_models(todo: list[type]) -> None:
    """Fill in the field types of the models in ``todo`` and of every model reachable from them."""
    from typing import Literal
    while todo:
        cls = todo.pop()
        if cls in _resolved:
            continue
        _resolved.add(cls)
        todo.extend(b for b in cls.__mro__[1:] if issubclass(b, Model) and b not in _resolved)
        annotations, rows = cls.__dict__.get("__annotations__"), cls.__dict__.get("_rows")
        if annotations is None or rows is None:
            continue  # a subclass adding no API fields (its bases are resolved above)
        for row in rows:
            kind = Literal[tuple(row[3])] if len(row) > 3 else _struct_type(row[2], todo)
            annotations[row[0]] = kind | None


def _resolve_type(type_expr: str) -> Any:
    """``type_expr`` as a msgspec type, with the field types of every model reachable from it filled
    in (once) before msgspec first looks at them.  Enum fields are ``Literal``s: a value outside
    the spec's list fails the fast decode, and the Python decoder turns it into 'outdated_sdk_version'."""
    found = _struct_types.get(type_expr)
    if found is None:
        todo: list[type] = []
        found = _struct_type(type_expr, todo)
        _resolve_models(todo)
        _struct_types[type_expr] = found
    return found


def _dec_hook(kind: type, value: Any) -> Any:
    if kind is YearMonth:
        parsed = _year_month(value)
        if isinstance(parsed, YearMonth):
            return parsed
    raise ValueError(f"not a {kind.__name__}")


def _fast_decode(data: Any, type_expr: str) -> Any:
    """msgspec converts the parsed JSON in C; what it rejects (an enum value newer than the spec, a
    scalar of an unexpected type, an unparseable date) is decoded again by the tolerant Python
    decoder, which gives what the pure-Python path gives."""
    msgspec = _model._msgspec
    try:
        return msgspec.convert(data, _resolve_type(type_expr), dec_hook=_dec_hook)
    except (msgspec.MsgspecError, ValueError, TypeError, OverflowError):  # ValueError: lone surrogates
        return decoder(type_expr)(data)


def _fast_model_decoder(cls: type[Model]) -> Decoder:
    """``cls`` itself as the target (also a caller's subclass of a model, which no name finds)."""
    msgspec = _model._msgspec
    _resolve_models([cls])

    def decode(data: Any) -> Any:
        try:
            return msgspec.convert(data, cls, dec_hook=_dec_hook)
        except RecursionError:
            raise _nesting_error(cls.__name__) from None
        except (msgspec.MsgspecError, ValueError, TypeError, OverflowError):
            return _python_model_decoder(cls)(data)
    return decode


_json_decoders: dict[str, Any] = {}


def decode_json(content: bytes | str, type_expr: str | None) -> Any:
    """Parse JSON text and decode it as ``type_expr`` in one step.

    With msgspec, the text goes straight into the model Structs (no intermediate dicts: about
    the time ``orjson.loads`` alone takes); text msgspec rejects is parsed and decoded again the
    tolerant way.  Without it, the same as ``decode(_json.loads(content), type_expr)``.
    Malformed JSON raises ``ValueError`` as ``json.loads`` does."""
    from . import _json
    if STRUCTS and type_expr is not None and type_expr not in _SCALARS:
        msgspec = _model._msgspec
        found = _json_decoders.get(type_expr)
        if found is None:
            found = _json_decoders[type_expr] = msgspec.json.Decoder(_resolve_type(type_expr), dec_hook=_dec_hook)
        try:
            return found.decode(content)
        except RecursionError:
            raise _nesting_error(type_expr) from None
        except (msgspec.MsgspecError, ValueError, TypeError, OverflowError):
            pass  # not valid for the fast path (or not JSON): the tolerant path decides
    return decode(_json.loads(content), type_expr)


def _eager_model_decoder(cls: type[Model]) -> Decoder:
    """The Python decoder for Struct models: every field converted at once (no ``_raw``)."""
    from msgspec.structs import force_setattr
    fields: dict[str, tuple[str, Decoder | None]] = {}
    for field in cls._rows:
        py, wire, type_expr = field[0], field[1], field[2]
        if len(field) > 3:
            fields[wire] = (py, _enum_decoder(frozenset(v.lower() for v in field[3])))
        elif type_expr in ("str", "int", "bool", "object"):  # float converts: a JSON 1 reads as 1.0
            fields[wire] = (py, None)
        else:
            fields[wire] = (py, _LazyDecoder(type_expr))
    fields_get = fields.get

    def decode(data: Any) -> Any:
        obj = cls()
        if type(data) is dict:
            for key, value in data.items():
                entry = fields_get(key)
                if entry is not None:
                    py, convert = entry
                    force_setattr(obj, py,  # type: ignore[arg-type]
                                  value if convert is None or value is None else convert(value))
        return obj
    return decode


class _LazyDecoder:
    """The decoder of a nested type, looked up on first use (decoding a model loads no others)."""

    __slots__ = ("type_expr", "decode")

    def __init__(self, type_expr: str) -> None:
        self.type_expr = type_expr
        self.decode: Decoder | None = None

    def __call__(self, value: Any) -> Any:
        if self.decode is None:
            self.decode = decoder(self.type_expr)
        return self.decode(value)


_NestingError: type | None = None


def _nesting_error(type_expr: str) -> Exception:
    global _NestingError
    if _NestingError is None:
        from .rest import ApiResponseError

        class DecodeNestingError(ApiResponseError, RecursionError):
            """A value nested too deeply to decode (an ApiResponseError; a RecursionError for old handlers)."""

        _NestingError = DecodeNestingError
    return _NestingError(reason=f"value nested too deeply to decode as {type_expr}")  # type: ignore[no-any-return]


# -- encoding -----------------------------------------------------------------
_SCALAR_TYPES = (str, int, float, bool)
_model_encoders: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _encoder_for_model(cls: type) -> Callable[[Any], dict[str, Any]]:
    encoder_get = _model_encoders.get

    def value_of(v: Any) -> Any:  # v is not a str, int, float or bool: the callers send those as they are
        kind = type(v)
        if kind is list:
            return [x if type(x) in _SCALAR_TYPES else (
                nested(x) if (nested := encoder_get(type(x))) is not None else to_wire(x)) for x in v]
        nested = encoder_get(kind)  # a nested model whose encoder exists: skip the dispatch
        return nested(v) if nested is not None else to_wire(v)

    if STRUCTS:
        from msgspec.structs import astuple
        wire_of = {f[0]: f[1] for f in cls._rows}  # type: ignore[attr-defined]
        # None: a field a caller's subclass declared, not an API field (not sent)
        wires = tuple(wire_of.get(name) for name in cls.__struct_fields__)  # type: ignore[attr-defined]

        def encode(model: Any) -> dict[str, Any]:
            # astuple reads every slot in C; most are None in a typical body
            return {wire: v if type(v) in _SCALAR_TYPES else value_of(v)
                    for wire, v in zip(wires, astuple(model), strict=True) if v is not None and wire is not None}
    else:
        wire_get = {f[0]: f[1] for f in cls._rows}.get  # type: ignore[attr-defined]

        def encode(model: Any) -> dict[str, Any]:
            out = {}
            values = model.__dict__
            if "_raw" in values:
                for py in list(values["_raw"]):
                    getattr(model, py)  # convert what was never read, so it is sent as the model says
            for py, v in values.items():
                if v is None:
                    continue
                wire = wire_get(py)
                if wire is None:
                    continue  # not an API field (something a caller attached)
                out[wire] = v if type(v) in _SCALAR_TYPES else value_of(v)
            return out

    _model_encoders[cls] = encode
    return encode


def to_wire(value: Any) -> Any:
    """A JSON-ready copy of ``value``: models by wire names with None attributes
    stripped, ``ApiNullValue`` as null, dates in ISO 8601."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list or kind is tuple:
        return [v if type(v) in _SCALAR_TYPES else to_wire(v) for v in value]
    if kind is dict:
        return {k: v if type(v) in _SCALAR_TYPES else to_wire(v) for k, v in value.items()}
    encode = _model_encoders.get(kind)
    if encode is not None:
        return encode(value)
    if isinstance(value, Model):
        return _encoder_for_model(kind)(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, ApiNullValue):
        return None
    if isinstance(value, YearMonth):
        return f"{value.year:04d}-{value.month:02d}"
    name = kind.__name__
    if isinstance(value, (str, int, float)):  # subclasses (e.g. IntEnum, str Enum)
        return value.value if hasattr(value, "value") else value
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    raise TypeError(f"cannot send a value of type {name} to the API: {value!r:.80}")
