"""``rest.RESTClientObject``: the official SDK's low-level client, kept for scripts that use it.

It sends through a :class:`DefaultHttpClient` (one pool, TLS, proxy and timeouts from the
configuration) instead of a pool of its own, and keeps the official contract: ``request``
and one method per HTTP verb; the body is sent as JSON, as form fields or as multipart
according to ``Content-Type`` (JSON by default); a status outside 200-205 raises
:class:`ApiException`; the response's ``data`` is text.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .default_http_client import DefaultHttpClient
from .http_request_options import HttpRequestOptions
from .rest import ApiException, RESTResponse

if TYPE_CHECKING:
    import urllib3

_METHODS = ("GET", "HEAD", "DELETE", "POST", "PUT", "PATCH", "OPTIONS")


class RESTClientObject:
    """``RESTClientObject(pools_size=4, max_size=4)``: sends with the shared configuration's
    settings (``http_client=`` picks another :class:`DefaultHttpClient`).  The pool's size is the
    configuration's ``pool_maxsize``; ``pools_size``/``max_size`` are kept as attributes only."""

    def __init__(self, pools_size: int = 4, max_size: int = 4, *,
                 http_client: DefaultHttpClient | None = None) -> None:
        self.pools_size = pools_size
        self.max_size = max_size
        self.http_client = http_client if http_client is not None else DefaultHttpClient()

    @property
    def pool_manager(self) -> urllib3.PoolManager:
        return self.http_client.pool()

    def print_kwargs(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            print(f"{key} = {value}")

    def request(self, method: str, url: str, query_params: Any = None, headers: dict[str, str] | None = None,
                body: Any = None, post_params: Any = None) -> RESTResponse:
        method = method.upper()
        if method not in _METHODS:
            raise ValueError(f"http method must be one of {', '.join(_METHODS)}, got {method!r}")
        if post_params and body:
            raise ValueError("body parameter cannot be used with post_params parameter.")
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/json")
        content_type = headers["Content-Type"]
        encoded: bytes | None = None
        fields = None
        if method in ("POST", "PUT", "PATCH", "OPTIONS"):
            if content_type == "application/json":
                encoded = json.dumps(body).encode("utf-8")
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                fields = post_params or {}
        options = HttpRequestOptions(url, method, headers, query_params or None, fields, None,
                                     encoded_body=encoded)
        response = self.http_client.request(options)
        if not 200 <= response.status <= 205:
            raise ApiException(http_resp=response)
        return response  # type: ignore[no-any-return]

    def GET(self, url: str, headers: dict[str, str] | None = None, query_params: Any = None) -> RESTResponse:
        return self.request("GET", url, headers=headers, query_params=query_params)

    def HEAD(self, url: str, headers: dict[str, str] | None = None, query_params: Any = None) -> RESTResponse:
        return self.request("HEAD", url, headers=headers, query_params=query_params)

    def OPTIONS(self, url: str, headers: dict[str, str] | None = None, query_params: Any = None,
                post_params: Any = None, body: Any = None) -> RESTResponse:
        return self.request("OPTIONS", url, headers=headers, query_params=query_params, post_params=post_params,
                            body=body)

    def DELETE(self, url: str, headers: dict[str, str] | None = None, query_params: Any = None,
               body: Any = None) -> RESTResponse:
        return self.request("DELETE", url, headers=headers, query_params=query_params, body=body)

    def POST(self, url: str, headers: dict[str, str] | None = None, query_params: Any = None,
             post_params: Any = None, body: Any = None) -> RESTResponse:
        return self.request("POST", url, headers=headers, query_params=query_params, post_params=post_params,
                            body=body)

    def PUT(self, url: str, headers: dict[str, str] | None = None, query_params: Any = None,
            post_params: Any = None, body: Any = None) -> RESTResponse:
        return self.request("PUT", url, headers=headers, query_params=query_params, post_params=post_params,
                            body=body)

    def PATCH(self, url: str, headers: dict[str, str] | None = None, query_params: Any = None,
              post_params: Any = None, body: Any = None) -> RESTResponse:
        return self.request("PATCH", url, headers=headers, query_params=query_params, post_params=post_params,
                            body=body)
