"""Helpers of the official ``ApiClient`` that scripts and subclasses call, kept over our pipeline.

``OfficialHelpers`` is a base of :class:`~PureCloudPlatformClientV2.api_client.ApiClient`;
it uses only the client's public attributes (``configuration``, ``access_token``), so it
does not depend on how the client builds and sends requests.  Our own request building
does not go through these helpers; they give the official results for callers that do.
"""
from __future__ import annotations

import threading
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .api_null_value import ApiNullValue
from .year_month import YearMonth

if TYPE_CHECKING:
    from .configuration import Configuration

_PRIMITIVES = (str, int, float, bool, tuple, bytes)


class OfficialHelpers:
    """``prepare_post_parameters``, ``to_path_value``, ``update_params_for_auth``,
    ``sanitize_params_for_serialization`` and ``refresh_token_lock``, as in the official client."""

    configuration: Configuration
    access_token: str

    @property
    def refresh_token_lock(self) -> threading.Lock:
        """A per-client lock for scripts that serialise their own token renewals.

        (Our renewal is already single-flight: concurrent 401s share one renewal.)"""
        lock = self.__dict__.get("_official_refresh_lock")
        if lock is None:
            lock = self.__dict__.setdefault("_official_refresh_lock", threading.Lock())
        return lock  # type: ignore[no-any-return]

    def to_path_value(self, obj: Any) -> str:
        """A path parameter as text: lists comma-joined, booleans ``true``/``false``.  Not URL-encoded."""
        if isinstance(obj, list):
            return ",".join(self.to_path_value(v) for v in obj)
        if isinstance(obj, bool):
            return str(obj).lower()
        return str(obj)

    def sanitize_params_for_serialization(self, obj: Any) -> Any:
        """Path, query or header parameters ready to encode: None (and ApiNullValue) entries dropped
        from dicts, dates in ISO 8601, ``YearMonth`` as ``YYYY-MM``, models as wire-name dicts."""
        if obj is None or isinstance(obj, ApiNullValue):
            return None
        if isinstance(obj, _PRIMITIVES):
            return obj
        if isinstance(obj, list):
            return [self.sanitize_params_for_serialization(v) for v in obj]
        if isinstance(obj, YearMonth):
            return f"{obj.year:04d}-{obj.month:02d}"
        if isinstance(obj, (datetime, date)):
            return obj.isoformat()
        if isinstance(obj, dict):
            items = {k: v for k, v in obj.items() if v is not None}
        else:
            items = {obj.attribute_map[name]: getattr(obj, name) for name in obj.swagger_types
                     if getattr(obj, name) is not None}
        return {k: self.sanitize_params_for_serialization(v) for k, v in items.items()}

    def prepare_post_parameters(self, post_params: Any = None, files: Any = None) -> list[Any]:
        """Form fields as ``[(name, value), ...]`` with each file of ``files`` (name -> path or list
        of paths) read in as ``(name, (filename, bytes, mime type))``."""
        params: list[Any] = []
        if post_params:
            params = list(post_params.items()) if isinstance(post_params, dict) else post_params
        for name, value in (files or {}).items():
            if not value:
                continue
            for path in value if isinstance(value, list) else [value]:
                import mimetypes
                import os
                with open(path, "rb") as handle:
                    filename = os.path.basename(handle.name)
                    data = handle.read()
                mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
                params.append((name, (filename, data, mime)))
        return params

    def update_params_for_auth(self, headers: dict[str, Any], querys: Any, auth_settings: Any) -> None:
        """Add the credentials of each named auth setting (``'PureCloud OAuth'``: the bearer token)
        to ``headers`` or ``querys``."""
        if not auth_settings:
            return
        settings = self.configuration.auth_settings(self.access_token)
        for name in auth_settings:
            setting = settings.get(name)
            if not setting or not setting["value"]:
                continue
            if setting["in"] == "header":
                headers[setting["key"]] = setting["value"]
            elif setting["in"] == "query":
                querys[setting["key"]] = setting["value"]
            else:
                raise ValueError("Authentication token must be in `query` or `header`")
