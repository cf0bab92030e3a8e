"""Request/response logging with the official SDK's settings (``LogLevel``, ``LogFormat``).

Nothing is imported or configured until logging is switched on.  Records have the
official TEXT and JSON layouts (see :class:`LogStatement`); secret headers
(Authorization, Proxy-Authorization, cookies) and secret fields (:data:`SECRET_FIELDS`,
matched by exact name in bodies, form bodies and query strings) are always masked,
whatever the level or format.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class LogLevel:
    """Levels, as ``logging`` numbers: LTrace < LDebug < LError < LNone (the default)."""

    LTrace = 5
    LDebug = 10
    LError = 40
    LNone = 51

    @staticmethod
    def from_string(value: Any) -> int:
        return {"trace": LogLevel.LTrace, "debug": LogLevel.LDebug, "error": LogLevel.LError,
                "none": LogLevel.LNone}.get(str(value).strip().lower(), LogLevel.LNone)


class LogFormat:
    TEXT = 1
    JSON = 2

    @staticmethod
    def from_string(value: Any) -> int:
        return {"text": LogFormat.TEXT, "json": LogFormat.JSON}.get(str(value).strip().lower(), LogFormat.TEXT)


REDACTED = "[REDACTED]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

# The secret fields, masked wherever they appear as a key: in JSON request and response
# bodies (at any depth), form bodies and URL query strings.  A key matches by its exact
# name, ignoring case, "_" and "-" (so client_secret, clientSecret and Client-Secret are
# one field); never by substring, so fields such as "code" in a platform error stay
# readable.  docs/logging.md lists the same names.
SECRET_FIELDS = frozenset({
    "access_token", "refresh_token", "id_token", "token", "client_secret", "secret", "api_key",
    "password", "proxy_password", "passphrase", "private_key", "secret_key", "assertion",
    "code_verifier", "authorization",
})
_SECRET_KEYS = frozenset(name.replace("_", "") for name in SECRET_FIELDS)


def is_secret_field(name: Any) -> bool:
    """True when ``name`` is one of :data:`SECRET_FIELDS` (any case; ``_``/``-`` ignored)."""
    return isinstance(name, str) and name.lower().replace("_", "").replace("-", "") in _SECRET_KEYS


def redact_headers(headers: Any) -> dict[str, Any]:
    if not headers:
        return {}
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in dict(headers).items()}


def redact_value(value: Any) -> Any:
    """A copy of a JSON-ready value with every secret field's value masked, at any depth."""
    if isinstance(value, dict):
        return {k: (REDACTED if is_secret_field(k) else redact_value(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value


def redact_query(query: str) -> str:
    """A form body or query string (``a=1&b=2``) with secret fields' values masked."""
    if not query or "=" not in query:
        return query
    parts = []
    for part in query.split("&"):
        name, eq, _ = part.partition("=")
        from urllib.parse import unquote_plus
        parts.append(f"{name}={REDACTED}" if eq and is_secret_field(unquote_plus(name)) else part)
    return "&".join(parts)


def redact_url(url: str) -> str:
    base, mark, query = url.partition("?")
    return base + mark + redact_query(query) if mark else url


def _as_text(body: Any) -> Any:
    if isinstance(body, (bytes, bytearray)):
        return bytes(body).decode("utf-8", "replace")
    return body


def redact_body(body: Any) -> Any:
    """A request or response body ready to log, secret fields masked.

    JSON text stays text (re-serialised only when something was masked); a JSON-ready
    object stays an object; form-encoded text is masked field by field; other text as is."""
    body = _as_text(body)
    if body is None:
        return None
    if not isinstance(body, str):
        return redact_value(body)
    stripped = body.lstrip()
    if stripped[:1] in ("{", "["):
        import json
        try:
            parsed = json.loads(body)
        except ValueError:
            return _redact_broken_json(body)  # truncated or invalid: mask "key": value pairs in the text
        masked = redact_value(parsed)
        return body if masked == parsed else json.dumps(masked, separators=(",", ":"), ensure_ascii=False)
    # a form body; in other text, a part that starts with a secret field's name is masked too
    return redact_query(body)


_pair_pattern: Any = None


def _redact_broken_json(text: str) -> str:
    global _pair_pattern
    if _pair_pattern is None:
        import re
        _pair_pattern = re.compile(r'"((?:[^"\\]|\\.){1,100})"(\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]*)')
    return str(_pair_pattern.sub(lambda m: f'"{m.group(1)}"{m.group(2)}"{REDACTED}"' if is_secret_field(m.group(1))
                                 else m.group(0), text))


def redact_text(text: Any) -> Any:
    """Kept for callers of the earlier helper: :func:`redact_body` as text."""
    masked = redact_body(text)
    if masked is None or isinstance(masked, str):
        return masked
    import json
    return json.dumps(masked, default=str)


def _json_body(body: Any) -> Any:
    """For the JSON layout: a JSON request body as an object (as the official SDK logs it)."""
    body = _as_text(body)
    if isinstance(body, str) and body.lstrip()[:1] in ("{", "["):
        import json
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


class LogStatement:
    """One logged HTTP exchange in the official layouts.

    ``string(log_format, log_request_body, log_response_body)`` renders it: TEXT is a
    ``=== REQUEST ===`` block (URL, Method, Headers one ``\tName: value`` line each, Body)
    and a ``=== RESPONSE ===`` block (Status, Headers, CorrelationId, Body), empty fields
    left out; JSON is one object with the keys level, date, method, url, requestBody,
    responseBody, statusCode, requestHeaders, responseHeaders (absent when empty).  Secret
    headers and secret fields (:data:`SECRET_FIELDS`) are masked in both.
    """

    def __init__(self, level: str, date: str, method: str, url: str, request_body: Any, status_code: Any,
                 request_headers: Any, response_body: Any = None, response_headers: Any = None) -> None:
        self.level = level
        self.date = date
        self.method = method
        self.url = url
        self.request_body = request_body
        self.response_body = response_body
        self.status_code = status_code
        self.request_headers = dict(request_headers) if request_headers is not None else {}
        self.response_headers = {k: v for k, v in response_headers.items()} if response_headers is not None \
            else None

    def string(self, log_format: int, log_request_body: bool, log_response_body: bool) -> str:
        request_body = redact_body(self.request_body) if log_request_body else None
        response_body = redact_body(self.response_body) if log_response_body else None
        request_headers = redact_headers(self.request_headers)
        response_headers = redact_headers(self.response_headers) if self.response_headers is not None else None
        url = redact_url(self.url) if isinstance(self.url, str) else self.url
        if log_format == LogFormat.JSON:
            import json
            fields = (("level", self.level), ("date", self.date), ("method", self.method), ("url", url),
                      ("requestBody", _json_body(request_body)), ("responseBody", _as_text(response_body)),
                      ("statusCode", self.status_code), ("requestHeaders", request_headers),
                      ("responseHeaders", response_headers))
            return json.dumps({k: v for k, v in fields if v is not None}, default=str)
        if request_body is not None and not isinstance(request_body, str):
            import json
            request_body = json.dumps(request_body, default=str)
        return ("\n=== REQUEST ===" + _line("URL", url) + _line("Method", self.method)
                + _line("Headers", _header_lines(request_headers)) + _line("Body", request_body)
                + "\n=== RESPONSE ===" + _line("Status", self.status_code)
                + _line("Headers", _header_lines(response_headers))
                + _line("CorrelationId", correlation_id(response_headers)) + _line("Body", _as_text(response_body)))


def _line(name: str, value: Any) -> str:
    return "" if value is None or value == "" else f"\n{name}: {value}"


def _header_lines(headers: dict[str, Any] | None) -> str:
    return "".join(f"\n\t{k}: {v}" for k, v in headers.items()) if headers else ""


class Logger:
    """The SDK's logger.  Settings mirror the official ones; output goes through the
    standard ``logging`` logger named ``PureCloudPlatformClientV2``; a ``private`` logger
    (that of a ``Configuration.new()``) writes through its own unregistered ``logging.Logger``
    so two clients with different log settings never write into each other's outputs.

    Per exchange, as in the official SDK: a success is logged by :meth:`trace` (with the
    response headers) at ``LTrace`` and by :meth:`debug` (request side) at ``LTrace`` and
    ``LDebug``; a failure by :meth:`error` (with the response headers and body) at every
    level up to ``LError``."""

    def __init__(self, private: bool = False) -> None:
        self._private = private
        self._log_level = LogLevel.LNone
        self._log_format = LogFormat.TEXT
        self._log_to_console = True
        self._log_file_path: str | None = None
        self.log_request_body = False
        self.log_response_body = False
        self._logger: Any = None
        self._handlers: list[Any] = []

    # settings that change the outputs rebuild the handlers
    @property
    def log_level(self) -> int:
        return self._log_level

    @log_level.setter
    def log_level(self, value: int) -> None:
        self._log_level = LogLevel.from_string(value) if isinstance(value, str) else int(value)
        self._configure()

    @property
    def log_format(self) -> int:
        return self._log_format

    @log_format.setter
    def log_format(self, value: int) -> None:
        self._log_format = LogFormat.from_string(value) if isinstance(value, str) else int(value)
        self._configure()

    @property
    def log_to_console(self) -> bool:
        return self._log_to_console

    @log_to_console.setter
    def log_to_console(self, value: bool) -> None:
        self._log_to_console = bool(value)
        self._configure()

    @property
    def log_file_path(self) -> str | None:
        return self._log_file_path

    @log_file_path.setter
    def log_file_path(self, value: str | None) -> None:
        self._log_file_path = value or None
        self._configure()

    def set_log_outputs(self) -> None:
        """(Re)build the file and console outputs from the current settings."""
        self._configure()

    def _configure(self) -> None:
        if self._logger is None and self._log_level >= LogLevel.LNone:
            return
        import logging
        if self._logger is None:
            logging.addLevelName(LogLevel.LTrace, "TRACE")
            if self._private:
                # Not registered with logging's manager (no leak per configuration), not propagated.
                self._logger = logging.Logger("PureCloudPlatformClientV2.client")
                self._logger.propagate = False
            else:
                self._logger = logging.getLogger("PureCloudPlatformClientV2")
        for handler in self._handlers:
            self._logger.removeHandler(handler)
            handler.close()
        self._handlers = []
        if self._log_level >= LogLevel.LNone:
            return
        self._logger.setLevel(self._log_level)
        # the official layouts: TEXT lines start with the time and level; JSON lines are the object alone
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s") \
            if self._log_format == LogFormat.TEXT else logging.Formatter("%(message)s")
        if self._log_file_path:
            try:
                self._handlers.append(logging.FileHandler(self._log_file_path))
            except OSError as exc:
                logging.getLogger("PureCloudPlatformClientV2").warning(
                    "cannot open log file %s: %s", self._log_file_path, exc)
        if self._log_to_console:
            self._handlers.append(logging.StreamHandler())
        for handler in self._handlers:
            handler.setFormatter(formatter)
            self._logger.addHandler(handler)

    # -- emitting ------------------------------------------------------------
    def enabled(self, level: int) -> bool:
        return self._log_level <= level

    def message(self, level: int, text: str, *args: Any) -> None:
        """A free-form line (retries, reloads) at ``level`` when that level is on; in the JSON
        layout it is an object too (level, date, message), so every line parses."""
        if self._log_level <= level and self._logger is not None:
            if self._log_format == LogFormat.JSON:
                import json
                name = {LogLevel.LTrace: "trace", LogLevel.LDebug: "debug", LogLevel.LError: "error"}.get(
                    level, "info")
                self._logger.log(level, json.dumps({"level": name, "date": _now(), "message": text % args
                                                    if args else text}, default=str))
            else:
                self._logger.log(level, text, *args)

    def _emit(self, level: int, statement: LogStatement) -> None:
        if self._log_level <= level and self._logger is not None:
            self._logger.log(level, statement.string(self._log_format, self.log_request_body,
                                                     self.log_response_body))

    def trace(self, method: str, url: str, request_body: Any, status_code: Any, request_headers: Any,
              response_headers: Any) -> None:
        """Log a successful exchange with its response headers (at ``LTrace``)."""
        self._emit(LogLevel.LTrace, LogStatement("trace", _now(), method, url, request_body, status_code,
                                                 request_headers, response_headers=response_headers))

    def debug(self, method: str, url: str, request_body: Any, status_code: Any, request_headers: Any) -> None:
        """Log a successful exchange, request side and status (at ``LDebug`` and below)."""
        self._emit(LogLevel.LDebug, LogStatement("debug", _now(), method, url, request_body, status_code,
                                                 request_headers))

    def error(self, method: str, url: str, request_body: Any, status_code: Any, request_headers: Any,
              response_body: Any, response_headers: Any) -> None:
        """Log a failed exchange with the response headers and body (at ``LError`` and below)."""
        self._emit(LogLevel.LError, LogStatement("error", _now(), method, url, request_body, status_code,
                                                 request_headers, response_body, response_headers))

    def log_call(self, method: str, url: str, request_headers: Any, request_body: Any, status: int | None,
                 response_headers: Any = None, response_body: Any = None, failed: bool = False,
                 secret_bodies: bool = False, query: Any = None) -> None:
        """The pipeline's entry: log one exchange as the official SDK does (see the class doc).

        ``secret_bodies`` (token requests) masks both bodies whole; ``query`` (pairs or a
        mapping) is shown in the URL, secret fields masked."""
        if self._log_level >= LogLevel.LNone or self._logger is None:
            return
        if query:
            from urllib.parse import urlencode
            pairs = list(query.items()) if isinstance(query, dict) else list(query)
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(pairs)}"
        if secret_bodies:
            request_body = REDACTED if request_body is not None else None
            response_body = REDACTED if response_body is not None else None
        if failed:
            self.error(method, url, request_body, status, request_headers, response_body, response_headers)
            return
        self.trace(method, url, request_body, status, request_headers, response_headers)
        self.debug(method, url, request_body, status, request_headers)


def _now() -> str:
    from datetime import datetime
    return datetime.now().strftime("%m-%d-%Y, %H:%M:%S")


def correlation_id(headers: Any) -> str | None:
    """``ININ-Correlation-Id`` of a response, matched case-insensitively."""
    if not headers:
        return None
    for k, v in dict(headers).items():
        if k.lower() == "inin-correlation-id":
            return str(v)
    return None
