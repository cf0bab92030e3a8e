"""What the pipeline hands to an HTTP client for one request."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

VALID_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE")
_MAPPING_KEYS = ("method", "url", "headers", "params", "data", "timeout")


class HttpRequestOptions(Mapping[str, Any]):
    """One request: ``url`` (without the query), ``method``, ``headers``,
    ``query_params`` (dict or list of pairs), ``post_params`` (form fields),
    ``body`` (JSON-ready value), ``timeout`` (milliseconds, as in the official SDK: the read
    timeout) and ``timeouts`` (``(connect, read)`` seconds).  From the pipeline both are final:
    the call's, the client's or the configuration's value, already cut to the time left
    before the call's deadline (``deadline_at``, a ``time.monotonic()`` instant).

    It is also a read-only mapping of the keyword arguments ``requests`` takes —
    ``method``, ``url``, ``headers``, ``params``, ``data`` (the encoded body) and
    ``timeout`` (seconds, ``(connect, read)``) — so a custom client can simply do
    ``session.request(**options)``.
    """

    def __init__(self, url: str, method: str, headers: dict[str, str] | None = None,
                 query_params: Any = None, post_params: Any = None, body: Any = None,
                 timeout: Any = 16000, *, encoded_body: bytes | str | None = None,
                 timeouts: tuple[float, float] | None = None) -> None:
        self.url = url
        self.method = method
        self.headers = headers if headers else {}
        self.query_params = query_params if query_params else {}
        self.post_params = post_params if post_params else {}
        self.body = body
        self.timeout = timeout
        self.encoded_body = encoded_body
        self.timeouts = timeouts
        # Set by the pipeline for every call (custom transports may use them; the defaults do):
        self.deadline: float | None = None  # seconds the whole call may take
        self.deadline_at: float | None = None  # ... ending at this time.monotonic() instant
        self.max_response_bytes: int | None = None  # body limit, received and decompressed

    @property
    def url(self) -> str:
        return self._url

    @url.setter
    def url(self, value: str) -> None:
        if not value:
            raise ValueError("The 'url' property is required")
        self._url = value

    @property
    def method(self) -> str:
        return self._method

    @method.setter
    def method(self, value: str) -> None:
        if not value or value.upper() not in VALID_METHODS:
            raise ValueError(f"The 'method' property is invalid or missing: {value!r}")
        self._method = value.upper()

    # -- the requests-style mapping --------------------------------------------
    def _data(self) -> Any:
        if self.encoded_body is not None:
            return self.encoded_body
        if self.post_params:
            return self.post_params
        if self.body is None:
            return None
        import json
        return json.dumps(self.body).encode()

    def _timeout_seconds(self) -> Any:
        if self.timeouts is not None:
            return self.timeouts
        if isinstance(self.timeout, (int, float)) and not isinstance(self.timeout, bool):
            return self.timeout / 1000.0
        return None

    def __getitem__(self, key: str) -> Any:
        if key == "method":
            return self.method
        if key == "url":
            return self.url
        if key == "headers":
            return self.headers
        if key == "params":
            query = self.query_params
            return list(query.items()) if isinstance(query, dict) else list(query)
        if key == "data":
            return self._data()
        if key == "timeout":
            return self._timeout_seconds()
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_MAPPING_KEYS)

    def __len__(self) -> int:
        return len(_MAPPING_KEYS)

    def __repr__(self) -> str:
        from .logger import redact_headers
        return f"HttpRequestOptions(method={self.method!r}, url={self.url!r}, headers={redact_headers(self.headers)!r})"
