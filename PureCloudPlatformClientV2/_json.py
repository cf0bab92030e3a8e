"""JSON backend: the standard library, or orjson when installed (same results, faster)."""
from __future__ import annotations

import json
from typing import Any

try:  # optional speed-up, see the "fast" extra
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None  # type: ignore[assignment]


def loads(data: bytes | str) -> Any:
    if _orjson is not None:
        try:
            return _orjson.loads(data)
        except _orjson.JSONDecodeError:
            pass  # e.g. integers beyond 64 bits, NaN: let the standard parser decide
    return json.loads(data)


def dumps(value: Any) -> bytes:
    if _orjson is not None:
        try:
            return _orjson.dumps(value)
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
