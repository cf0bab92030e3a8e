"""Request building, no I/O: a call's arguments become method, path, query, headers and body.

Generated methods bind their arguments through ``Operation.build_request`` (``_api.py``),
``call_api`` through :func:`generic_request`; both produce a :class:`Request` that the
pipeline (``_pipeline.py``) sends.  The call options every method accepts are declared once,
in :class:`CallOptions`.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, TypedDict
from urllib.parse import quote

if TYPE_CHECKING:
    from .retry import RetryConfiguration

SDK_VERSION = "269.0.0"
_HEADER_BAD = re.compile(r"[\r\n\x00]")


class CallOptions(TypedDict, total=False):
    """Keyword options every generated method accepts besides its parameters."""

    callback: Callable[..., Any]
    _request_timeout: float | tuple[float, float]
    _deadline: float
    _retry: RetryConfiguration | bool
    _headers: dict[str, str]


class AsyncCallOptions(TypedDict, total=False):
    """The options of an asyncio method: those of the sync one without ``callback``."""

    _request_timeout: float | tuple[float, float]
    _deadline: float
    _retry: RetryConfiguration | bool
    _headers: dict[str, str]


CALL_OPTIONS = frozenset(CallOptions.__annotations__)


class Request:
    """One call before it is sent: what to send, how to authenticate it and what it returns."""

    __slots__ = ("method", "path", "query", "headers", "body", "encoded", "post_params", "auth", "returns",
                 "name", "timeouts", "deadline", "retry", "kind")

    def __init__(self, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
                 headers: dict[str, str] | None = None, body: Any = None, encoded: bytes | None = None,
                 post_params: Any = None, auth: bool = True, returns: str | None = None, name: str = "",
                 kind: str = "api") -> None:
        self.method = method
        self.path = path
        self.query = query or []
        self.headers = headers or {}
        self.body = body
        self.encoded = encoded
        self.post_params = post_params
        self.auth = auth
        self.returns = returns
        self.name = name
        self.timeouts: tuple[float, float] | None = None  # the call's _request_timeout
        self.deadline: float | None = None  # the call's _deadline (seconds)
        self.retry: RetryConfiguration | None = None
        self.kind = kind  # "api" or "login": which host, and whether bodies may be logged


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (str, int, float)):
        return str(value.value)  # enum members
    return str(value)


def param_text(value: Any) -> str:
    """A path/query/header argument as text: lists comma-joined, booleans lower case, dates ISO 8601."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_scalar(v) for v in value)
    return _scalar(value)


def quote_path_segment(value: Any) -> str:
    """Encode a path argument so it stays one path segment ('/', '?', '#', '..' cannot escape it)."""
    text = quote(param_text(value), safe="")
    if not text:
        raise ValueError("a path parameter must not be empty (it would address a different resource)")
    if text in (".", ".."):
        text = text.replace(".", "%2E")
    return text


def check_header(name: str, value: Any) -> None:
    if _HEADER_BAD.search(str(name)) or _HEADER_BAD.search(str(value)):
        raise ValueError(f"header {name!r} contains CR, LF or NUL characters, which are not allowed")


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def parse_timeouts(value: Any) -> tuple[float, float] | None:
    """``_request_timeout``: seconds for both, or ``(connect, read)``."""
    if value is None:
        return None
    if _positive(value):
        return float(value), float(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(_positive(v) for v in value):
        return float(value[0]), float(value[1])
    raise ValueError(f"_request_timeout must be seconds (a positive number) or (connect, read), got {value!r}")


def parse_deadline(value: Any, what: str = "_deadline") -> float | None:
    if value is None:
        return None
    if not _positive(value):
        raise ValueError(f"{what} must be a positive number of seconds (total time for the call), got {value!r}")
    return float(value)


def apply_call_options(request: Request, options: dict[str, Any]) -> None:
    """Put a call's ``_request_timeout``/``_deadline``/``_retry``/``_headers`` on its request."""
    request.timeouts = parse_timeouts(options.get("_request_timeout"))
    request.deadline = parse_deadline(options.get("_deadline"))
    retry = options.get("_retry")
    if retry is not None:
        from .retry import NO_RETRY, RetryConfiguration
        if retry is False:
            retry = NO_RETRY
        elif not isinstance(retry, RetryConfiguration):
            raise TypeError("_retry must be a RetryConfiguration or False")
        request.retry = retry
    for name, value in (options.get("_headers") or {}).items():
        check_header(name, value)
        request.headers[name] = value


def check_option_names(name: str, options: dict[str, Any]) -> None:
    unknown = set(options) - CALL_OPTIONS
    if unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {sorted(unknown)[0]!r}")


def file_field(value: Any) -> Any:
    """A ``files=`` value: a path is read as ``(basename, bytes)``; tuples pass as they are."""
    if isinstance(value, str):
        import os
        with open(value, "rb") as handle:
            return (os.path.basename(value), handle.read())
    return value


def generic_request(resource_path: str, method: str, path_params: dict[str, Any] | None,
                    query_params: dict[str, Any] | None, header_params: dict[str, Any] | None, body: Any,
                    post_params: Any, files: Any, response_type: str | None,
                    auth_settings: list[str] | None) -> Request:
    """The request of ``call_api`` (the official generic signature)."""
    path = resource_path
    for name, value in (path_params or {}).items():
        if value is not None:
            path = path.replace("{" + name + "}", quote_path_segment(value))
    query = [(k, param_text(v)) for k, v in (query_params or {}).items() if v is not None]
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    for k, v in (header_params or {}).items():
        if v is not None:
            check_header(k, param_text(v))
            headers[k] = param_text(v)
    form = dict(post_params or {})
    for field_name, file_value in (files or {}).items():
        form[field_name] = file_field(file_value)
    explicit_type = any(k.lower() == "content-type" for k in (header_params or {}))
    if files:
        headers["Content-Type"] = "multipart/form-data"
    elif form and not explicit_type:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return Request(method.upper(), path, query=query, headers=headers, body=body,
                   post_params=form or None, auth=auth_settings is None or bool(auth_settings),
                   returns=response_type, name=f"{method} {resource_path}")


def select_header_accept(accepts: list[str]) -> str | None:
    if not accepts:
        return None
    lowered = [a.lower() for a in accepts]
    return "application/json" if "application/json" in lowered else ", ".join(lowered)


def select_header_content_type(content_types: list[str]) -> str:
    if not content_types:
        return "application/json"
    lowered = [c.lower() for c in content_types]
    return "application/json" if "application/json" in lowered else lowered[0]
