"""Async transports: the interface (:class:`AbstractAsyncHttpClient`) and the aiohttp default.

The asyncio twin of ``abstract_http_client``/``default_http_client``: the same options in
(:class:`~PureCloudPlatformClientV2.http_request_options.HttpRequestOptions`), the same kinds of
response out, the same hook rules, the same typed errors.
"""
from __future__ import annotations

import asyncio
import inspect
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlencode

from ..abstract_http_client import HttpClientSettings
from ..http_request_options import HttpRequestOptions
from ..rest import ApiConnectionError, ApiTimeoutError, ApiTLSError, RESTResponse

if TYPE_CHECKING:
    import ssl

    import aiohttp

    from ..configuration import Configuration


class AbstractAsyncHttpClient(HttpClientSettings, ABC):
    """Implement ``async def request(options)``: take :class:`HttpRequestOptions`, return a response.

    As with the sync ``AbstractHttpClient``, the response may be a ``RESTResponse`` or any
    object with ``status``/``status_code``, headers and a body; statuses outside 200-299 are
    the pipeline's business (retry, renew, raise).  Hooks are any callable with one argument;
    a hook may also be a coroutine function (its result is awaited).
    """

    async def _run_hook(self, hook: Callable[[Any], Any] | None, value: Any) -> Any:
        if hook is None:
            return value
        replaced = hook(value)
        if inspect.isawaitable(replaced):
            replaced = await replaced
        return value if replaced is None else replaced

    @abstractmethod
    async def request(self, http_request_options: Any) -> Any:
        raise NotImplementedError("method must be implemented")

    async def close(self) -> None:  # noqa: B027 - optional: a transport without connections has nothing to do
        """Release connections (``AsyncApiClient.close`` calls it)."""


class DefaultAsyncHttpClient(AbstractAsyncHttpClient):
    """aiohttp with one connection pool per client, built from the configuration's proxy, TLS and timeouts.

    ``pool_limit`` caps concurrent connections (default ``configuration.pool_maxsize``); calls
    beyond it wait for a free connection, which does not count against the connect timeout.
    Redirects are never followed and cookies are not kept, as in the sync client.
    """

    def __init__(self, timeout: float | None = None, *, configuration: Configuration | None = None,
                 pool_limit: int | None = None) -> None:
        super().__init__()
        if timeout is not None:
            self.set_timeout(timeout)
        if pool_limit is not None and (isinstance(pool_limit, bool) or not isinstance(pool_limit, int)
                                       or pool_limit < 1):
            raise ValueError("pool_limit must be a positive number of connections")
        self.pool_limit = pool_limit
        self._configuration = configuration
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeout_objects: dict[tuple[float, float], aiohttp.ClientTimeout] = {}

    @property
    def configuration(self) -> Configuration:
        if self._configuration is None:
            from ..configuration import Configuration
            self._configuration = Configuration()
        return self._configuration

    def _ssl(self) -> ssl.SSLContext | bool:
        config = self.configuration
        context = config.create_mtls_or_ssl_context()
        if context is None:
            if not config.verify_ssl:
                return False
            import ssl

            import certifi
            context = ssl.create_default_context(cafile=config.ssl_ca_cert or certifi.where())
        elif not config.verify_ssl:
            import ssl
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def session(self) -> aiohttp.ClientSession:
        """The pooled session of the running event loop (made on first use)."""
        import aiohttp
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and not session.closed:
            if self._loop is loop:
                return session
            if self._loop is not None and not self._loop.is_closed():
                raise RuntimeError("this client's connections belong to another running event loop; "
                                   "use one AsyncApiClient per event loop")
        limit = self.pool_limit or max(1, int(self.configuration.pool_maxsize))
        connector = aiohttp.TCPConnector(limit=limit, limit_per_host=0, ssl=self._ssl())
        self._session = aiohttp.ClientSession(connector=connector, trust_env=False,
                                              cookie_jar=aiohttp.DummyCookieJar())
        self._loop = loop
        return self._session

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def request(self, http_request_options: Any) -> Any:
        import aiohttp
        from yarl import URL
        options = http_request_options
        if not isinstance(options, HttpRequestOptions):
            raise ValueError("http_request_options must be an HttpRequestOptions")
        options = await self._run_hook(self.pre_hook, options)
        url = options.url
        query = options.query_params
        if query:  # encoded exactly as the sync client does; yarl must not re-quote it
            url += ("&" if "?" in url else "?") + urlencode(
                list(query.items()) if isinstance(query, dict) else list(query))
        connect, read = self.timeouts_for(options, self.configuration)
        timeout = self._timeout_objects.get((connect, read))
        if timeout is None:  # a handful of distinct values per client: made once each
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
            self._timeout_objects[(connect, read)] = timeout
        headers = options.headers
        data: Any = options.encoded_body if options.encoded_body is not None else options["data"]
        if options.post_params and options.encoded_body is None and options.body is None:
            multipart = "multipart" in headers.get("Content-Type", "")
            data = _form(options.post_params, multipart)
            if multipart:  # aiohttp writes the Content-Type with its boundary
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        config = self.configuration
        proxy_headers = None
        if config.proxy and (config.proxy_username or config.proxy_password):
            import base64  # a header rather than aiohttp.BasicAuth, which aiohttp 3.13+ deprecates
            pair = f"{config.proxy_username or ''}:{config.proxy_password or ''}".encode()
            proxy_headers = {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode()}
            if not url.startswith("https:"):  # sent to the proxy itself; an https target gets it on CONNECT only
                headers = {**headers, **proxy_headers}
        try:
            async with self.session().request(
                    options.method, URL(url, encoded=True), data=data, headers=headers, allow_redirects=False,
                    timeout=timeout,
                    proxy=config.proxy or None, proxy_headers=proxy_headers) as raw:
                content = await raw.read()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise _typed_error(exc, connect, read, options.url) from None
        response = RESTResponse(raw.status, raw.reason, raw.headers, content, raw)
        return await self._run_hook(self.post_hook, response)


def _form(fields: Any, multipart: bool) -> Any:
    import aiohttp
    items = list(fields.items()) if isinstance(fields, dict) else list(fields)
    if not multipart:
        return urlencode(items).encode()
    form = aiohttp.FormData()
    for name, value in items:
        if isinstance(value, tuple):  # (filename, bytes[, content type]) as the sync client takes it
            form.add_field(name, value[1], filename=value[0], content_type=value[2] if len(value) > 2 else None)
        else:
            form.add_field(name, value if isinstance(value, (bytes, str)) else str(value))
    return form


def _typed_error(exc: BaseException, connect: float, read: float, url: str) -> ApiConnectionError:
    import ssl

    import aiohttp
    connect_timeout = getattr(aiohttp, "ConnectionTimeoutError", ())
    if connect_timeout and isinstance(exc, connect_timeout):
        return ApiTimeoutError("connect", connect, url)
    if isinstance(exc, asyncio.TimeoutError):  # aiohttp's socket read timeouts are TimeoutErrors
        return ApiTimeoutError("read", read, url)
    if isinstance(exc, (aiohttp.ClientSSLError, ssl.SSLError)):
        return ApiTLSError(f"TLS handshake failed: {_root(exc)}", url)
    if isinstance(exc, (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError)):
        return ApiConnectionError(f"proxy failed: {_root(exc)}", url)
    return ApiConnectionError(f"connection failed: {_root(exc)}", url)


def _root(exc: BaseException) -> str:
    # aiohttp wraps the OS error; its own text names the host, the inner one says what happened.
    inner = getattr(exc, "os_error", None) or getattr(exc, "certificate_error", None) or exc
    text = str(inner) or type(inner).__name__
    return text
