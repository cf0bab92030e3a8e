"""Responses and errors.

Every failure a call can end in is an :class:`ApiException` (or a subclass), so
``except ApiException`` catches them all:

- ``ApiException``: the server answered outside 200-299 (``status``, ``reason``,
  ``headers``, ``body``, parsed platform error fields, ``correlation_id``);
- ``RateLimitError``: a 429 the retry policy gave up on (``retry_after`` seconds);
- ``ApiTimeoutError``: the connect or read timeout was hit (``limit``);
- ``ApiConnectionError``: no usable connection (refused, reset, DNS, proxy);
- ``ApiTLSError``: the TLS handshake failed (certificate, host name, client cert);
- ``ApiResponseError``: a 2xx response whose body cannot be read as declared;
- ``ApiDeadlineError`` (an ``ApiTimeoutError``): the call's total deadline ran out;
- ``ResponseTooLargeError`` (an ``ApiResponseError``): a body past ``max_response_bytes``.
"""
from __future__ import annotations

import json
from typing import Any

from .logger import correlation_id


class RESTResponse:
    """A response as the official SDK exposes it: ``status``, ``reason``, ``data`` (text),
    ``getheaders()``, ``getheader(name)``, ``urllib3_response``; plus ``content`` (bytes) and
    ``headers``.

    ``RESTResponse(resp)`` wraps a urllib3-like response (the official form: anything with
    ``status``, ``reason``, ``data`` and ``headers``); ``RESTResponse(status, reason, headers,
    content, raw=None)`` builds one from its parts.
    """

    def __init__(self, resp: Any, reason: str | None = None, headers: Any = None,
                 content: bytes | str | None = None, raw: Any = None) -> None:
        if isinstance(resp, int) and not isinstance(resp, bool):
            status = resp
        else:  # the official form: a urllib3 (or alike) response
            raw = resp
            status = resp.status
            reason = getattr(resp, "reason", None)
            headers = getattr(resp, "headers", None)
            if headers is None and hasattr(resp, "getheaders"):
                headers = resp.getheaders()
            content = getattr(resp, "data", None)
        self.status = status
        self.reason = reason or ""
        self.headers = headers if headers is not None else {}
        self.content = content.encode() if isinstance(content, str) else (content or b"")
        self.urllib3_response = raw
        self._text: str | None = None

    @property
    def data(self) -> str:
        if self._text is None:
            self._text = self.content.decode("utf-8", "replace")
        return self._text

    @data.setter
    def data(self, value: bytes | str | None) -> None:
        # post-request hooks may replace the body, as with the official response
        self.content = value.encode() if isinstance(value, str) else (value or b"")
        self._text = value if isinstance(value, str) else None

    def getheaders(self) -> Any:
        return self.headers

    def getheader(self, name: str, default: Any = None) -> Any:
        headers = self.headers
        value = headers.get(name)
        if value is None and not hasattr(headers, "getlist"):
            lowered = name.lower()
            for key, val in dict(headers).items():
                if key.lower() == lowered:
                    return val
        return default if value is None else value

    @property
    def correlation_id(self) -> str | None:
        return correlation_id(self.headers)

    def __repr__(self) -> str:
        return f"<RESTResponse {self.status} {self.reason}>"


class ApiException(Exception):
    """The API (or the way to it) reported an error.  ``str()`` is one useful line."""

    def __init__(self, status: int | None = None, reason: str | None = None, http_resp: Any = None, *,
                 body: Any = None, headers: Any = None) -> None:
        if http_resp is not None:
            status = getattr(http_resp, "status", status)
            reason = getattr(http_resp, "reason", reason)
            body = getattr(http_resp, "data", body)
            headers = http_resp.getheaders() if hasattr(http_resp, "getheaders") else getattr(
                http_resp, "headers", headers)
        self.status = status if status is not None else 0
        self.reason = reason
        self.body = body
        self.headers = headers
        self.correlation_id = correlation_id(headers)
        self.error = self._parse_error(body)
        err = self.error or {}
        self.message: str | None = err.get("message") or err.get("error_description") or err.get("description")
        self.code: str | None = err.get("code") or err.get("error")
        self.context_id: str | None = err.get("contextId")
        self.details: list[Any] = err.get("details") or []
        self.errors: list[Any] = err.get("errors") or []
        super().__init__(str(self))

    @staticmethod
    def _parse_error(body: Any) -> dict[str, Any] | None:
        if not body:
            return None
        if isinstance(body, dict):
            return body
        try:
            parsed = json.loads(body)
        except (TypeError, ValueError):
            return None
        return parsed if isinstance(parsed, dict) else None

    def __str__(self) -> str:
        text = f"({self.status})" if self.status else "(no response)"
        if self.reason:
            text += f" {self.reason}"
        if self.message:
            text += f": {self.message}"
        elif self.body and not self.error:
            snippet = self.body if isinstance(self.body, str) else repr(self.body)
            text += f": {' '.join(snippet.split())[:200]}"
        extras = [f"{k}={v}" for k, v in (("code", self.code), ("contextId", self.context_id),
                                          ("correlationId", self.correlation_id)) if v]
        return text + (f" [{', '.join(extras)}]" if extras else "")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class RateLimitError(ApiException):
    """A 429 the retry policy would not (or could no longer) wait for."""

    def __init__(self, response: Any = None, retry_after: float | None = None, why: str = "", **kw: Any) -> None:
        self.retry_after = retry_after
        self.why = why
        super().__init__(http_resp=response, **kw)

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} — gave up: {self.why}" if self.why else base


class ApiConnectionError(ApiException):
    """No usable connection to the server (refused, reset, DNS failure, proxy failure)."""

    def __init__(self, reason: str, url: str | None = None) -> None:
        self.url = url
        super().__init__(status=0, reason=reason + (f" ({url})" if url else ""))


class ApiTimeoutError(ApiConnectionError):
    """The connect or read timeout (``limit``: ``'connect'``/``'read'``) was exceeded."""

    def __init__(self, limit: str, seconds: float | None, url: str | None = None) -> None:
        self.limit = limit
        self.seconds = seconds
        secs = f" of {seconds:g}s" if seconds is not None else ""
        super().__init__(f"{limit} timeout{secs} exceeded", url)


class ApiTLSError(ApiConnectionError):
    """The TLS handshake failed: untrusted or expired certificate, wrong host, client certificate refused."""


class ApiResponseError(ApiException):
    """A successful status whose body could not be read as the declared type."""


class ApiDeadlineError(ApiTimeoutError):
    """The call's deadline (``limit == 'deadline'``: total seconds for every attempt, wait and
    body read) ran out; ``last_error`` is the failure that was being retried, if any."""

    def __init__(self, seconds: float | None, url: str | None = None, *, during: str = "",
                 last_error: BaseException | None = None) -> None:
        self.during = during
        self.last_error = last_error
        super().__init__("deadline", seconds, url)
        if during or last_error is not None:
            extra = f" while {during}" if during else ""
            if last_error is not None:
                extra += f"; last failure: {last_error}"
            self.reason = f"{self.reason}{extra}"
            self.args = (str(self),)


class ResponseTooLargeError(ApiResponseError):
    """A response body went past ``configuration.max_response_bytes`` (``limit``), counted on the
    bytes received (``stage == 'received'``) or after decompression (``stage == 'decompressed'``)."""

    def __init__(self, limit: int, stage: str, url: str | None = None, status: int | None = None) -> None:
        self.limit = limit
        self.stage = stage
        self.url = url
        super().__init__(status=status or 0, reason=(
            f"response body exceeds max_response_bytes={limit} ({stage})" + (f" ({url})" if url else "")))


def __getattr__(name: str) -> Any:
    # RESTClientObject (the official low-level client) sends through DefaultHttpClient, which
    # imports this module: it is loaded on first use rather than imported here.
    if name == "RESTClientObject":
        from ._rest_client import RESTClientObject
        return RESTClientObject
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
