"""Request/response logging with the official SDK's settings (``LogLevel``, ``LogFormat``).

Nothing is imported or configured until logging is switched on; secrets
(Authorization and Proxy-Authorization headers, tokens in bodies) are always
redacted, whatever the level or format.
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
_SECRET_FIELDS_PATTERN = (
    r'("?(?:access_token|refresh_token|id_token|client_secret|assertion|code_verifier|password|proxy_password|code)'
    r'"?\s*[:=]\s*)("[^"]*"|[^&\s,}]+)')
_secret_fields = None


def redact_headers(headers: Any) -> dict[str, Any]:
    if not headers:
        return {}
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in dict(headers).items()}


def redact_text(text: Any) -> Any:
    """Mask token-like fields in a body (JSON or form encoded)."""
    if text is None:
        return None
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        import json
        text = json.dumps(text, default=str)
    global _secret_fields
    if _secret_fields is None:
        import re
        _secret_fields = re.compile(_SECRET_FIELDS_PATTERN, re.IGNORECASE)
    return _secret_fields.sub(lambda m: m.group(1) + (f'"{REDACTED}"' if m.group(2).startswith('"') else REDACTED),
                              text)


class Logger:
    """The SDK's logger.  Settings mirror the official ones; output goes through the
    standard ``logging`` logger named ``PureCloudPlatformClientV2``; a ``private`` logger
    (that of a ``Configuration.new()``) writes through its own unregistered ``logging.Logger``
    so two clients with different log settings never write into each other's outputs."""

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
        """A free-form line (retries, reloads) at ``level`` when that level is on."""
        if self._log_level <= level and self._logger is not None:
            self._logger.log(level, text, *args)

    def log_call(self, method: str, url: str, request_headers: Any, request_body: Any, status: int | None,
                 response_headers: Any = None, response_body: Any = None, failed: bool = False,
                 secret_bodies: bool = False) -> None:
        """One statement per HTTP exchange, with the fields the active level shows."""
        level = self._log_level
        if level >= LogLevel.LNone or self._logger is None:
            return
        if failed and level <= LogLevel.LError:
            shown = LogLevel.LError
        elif level <= LogLevel.LTrace:
            shown = LogLevel.LTrace
        elif level <= LogLevel.LDebug:
            shown = LogLevel.LDebug
        else:
            return
        record: dict[str, Any] = {"level": {5: "trace", 10: "debug", 40: "error"}[shown], "method": method,
                                  "url": url, "statusCode": status,
                                  "requestHeaders": redact_headers(request_headers)}
        if self.log_request_body and request_body is not None:
            record["requestBody"] = REDACTED if secret_bodies else redact_text(request_body)
        if shown in (LogLevel.LTrace, LogLevel.LError):
            record["responseHeaders"] = redact_headers(response_headers)
            cid = correlation_id(response_headers)
            if cid:
                record["correlationId"] = cid
        if shown == LogLevel.LError and self.log_response_body and response_body is not None:
            record["responseBody"] = REDACTED if secret_bodies else redact_text(response_body)
        self._logger.log(shown, self._render(record))

    def _render(self, record: dict[str, Any]) -> str:
        import json
        if self._log_format == LogFormat.JSON:
            return json.dumps(record, default=str)
        lines = ["", "=== REQUEST ===", f"URL: {record['url']}", f"Method: {record['method']}",
                 f"Headers: {json.dumps(record['requestHeaders'])}"]
        if "requestBody" in record:
            lines.append(f"Body: {record['requestBody']}")
        lines += ["=== RESPONSE ===", f"Status: {record['statusCode']}"]
        if "responseHeaders" in record:
            lines.append(f"Headers: {json.dumps(record['responseHeaders'])}")
        if "correlationId" in record:
            lines.append(f"CorrelationId: {record['correlationId']}")
        if "responseBody" in record:
            lines.append(f"Body: {record['responseBody']}")
        return "\n".join(lines)


def correlation_id(headers: Any) -> str | None:
    """``ININ-Correlation-Id`` of a response, matched case-insensitively."""
    if not headers:
        return None
    for k, v in dict(headers).items():
        if k.lower() == "inin-correlation-id":
            return str(v)
    return None
