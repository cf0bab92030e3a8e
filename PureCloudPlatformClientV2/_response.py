"""Response handling, no I/O beyond saving downloads: any transport's response -> ``RESTResponse``
-> the declared model (``_serde``), a string, or a file saved safely."""
from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

from . import _json
from ._model import STRUCTS
from ._serde import decode, decode_json
from .rest import ApiResponseError, RESTResponse

T = TypeVar("T")


class ApiResponse(Generic[T]):
    """A call's parsed result with its HTTP status, headers, raw body and correlation id."""

    __slots__ = ("data", "status", "reason", "headers", "raw_data", "correlation_id")

    def __init__(self, data: T, response: RESTResponse) -> None:
        self.data = data
        self.status = response.status
        self.reason = response.reason
        self.headers = response.headers
        self.raw_data = response.content
        self.correlation_id = response.correlation_id

    def __repr__(self) -> str:
        return f"<ApiResponse {self.status} correlation_id={self.correlation_id!r}>"


def as_rest_response(response: Any) -> RESTResponse:
    """Accept what any HTTP client returns: our RESTResponse, urllib3, requests, or the official shape."""
    if isinstance(response, RESTResponse):
        return response
    if hasattr(response, "status_code"):  # requests / httpx
        return RESTResponse(response.status_code, getattr(response, "reason", None) or getattr(
            response, "reason_phrase", ""), response.headers, response.content, response)
    if hasattr(response, "status"):
        headers = response.getheaders() if hasattr(response, "getheaders") else getattr(response, "headers", {})
        return RESTResponse(response.status, getattr(response, "reason", ""), headers,
                            getattr(response, "data", b""), response)
    raise TypeError(f"the HTTP client returned {type(response).__name__}, which has no status")


def decode_body(response: RESTResponse, returns: str, temp_folder: str | None = None) -> Any:
    """The body as ``returns`` ('User', 'list[User]', 'str', 'file', ...)."""
    if returns == "file":
        return save_download(response, temp_folder)
    content = response.content
    if not content:
        return None
    content_type = (response.getheader("Content-Type") or "").lower()
    if content_type.startswith("text/") and returns == "str":
        return response.data
    if STRUCTS:
        # msgspec models: straight from the bytes into the Structs (no intermediate dicts)
        try:
            return decode_json(content, returns)
        except RecursionError:
            raise ApiResponseError(status=response.status, reason="response nested too deeply to decode",
                                   headers=response.headers) from None
        except ValueError:
            pass  # not JSON: reported below as for the default models
    try:
        data = _json.loads(content)
    except RecursionError:
        raise ApiResponseError(status=response.status, reason="response nested too deeply to parse",
                               headers=response.headers) from None
    except ValueError:
        if returns == "str":
            return response.data
        raise ApiResponseError(status=response.status, reason=(
            f"{response.reason} — the body is not valid JSON ({len(content)} bytes, "
            f"Content-Type {content_type or 'missing'})"), headers=response.headers,
            body=response.data[:500]) from None
    try:
        return decode(data, returns)
    except RecursionError:
        raise ApiResponseError(status=response.status, reason="response nested too deeply to decode",
                               headers=response.headers) from None


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")


def safe_file_name(disposition: str | None) -> str:
    """The file name of a ``Content-Disposition``, reduced to harmless characters (no separators,
    no leading dots, at most 120 characters); ``download`` when there is none."""
    name = ""
    if disposition:
        match = re.search(r'filename=["\']?([^"\';\r\n]+)', disposition)
        if match:
            name = match.group(1).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")[:120]
    return name or "download"


def save_download(response: RESTResponse, temp_folder: str | None = None) -> str:
    """Write a download into a new private folder (``mkdtemp``: mode 0700) under ``temp_folder``
    (default: the system temp folder), creating the file exclusively and never through a link:
    a name chosen by the server cannot reach or replace another file."""
    import os
    import tempfile
    folder = tempfile.mkdtemp(prefix="genesys-download-", dir=temp_folder or None)
    path = os.path.join(folder, safe_file_name(response.getheader("Content-Disposition")))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(response.content)
    return path
