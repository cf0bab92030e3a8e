"""Async transports: the interface (:class:`AbstractAsyncHttpClient`) and the aiohttp default.

The asyncio twin of ``abstract_http_client``/``default_http_client``: the same options in
(:class:`~PureCloudPlatformClientV2.http_request_options.HttpRequestOptions`), the same kinds of
response out, the same hook rules, the same typed errors.
"""
from __future__ import annotations

import asyncio
import inspect
import time
import weakref
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlencode

from .._body import BodyReader
from .._transport_config import DEFAULT_MAX_RESPONSE_BYTES
from ..abstract_http_client import HttpClientSettings
from ..http_request_options import HttpRequestOptions
from ..rest import ApiConnectionError, ApiDeadlineError, ApiResponseError, ApiTimeoutError, ApiTLSError, RESTResponse

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

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
    """aiohttp with one connection pool per client and event loop, built from the configuration's
    proxy and TLS settings (``_transport_config``).

    ``pool_limit`` caps concurrent connections (default ``configuration.pool_maxsize``); the
    ``AsyncApiClient`` queues calls first come, first served in front of it.  Redirects are never
    followed and cookies are not kept, as in the sync client.  Each event loop gets its own
    session, closed when that loop shuts down (``asyncio.run`` ends) or by :meth:`close`, so a
    client used from two ``asyncio.run()`` calls leaves nothing open behind.
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
        self._sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession] = (
            weakref.WeakKeyDictionary())
        self._guards: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
        self._timeout_objects: dict[tuple[float, float], aiohttp.ClientTimeout] = {}

    @property
    def configuration(self) -> Configuration:
        if self._configuration is None:
            from ..configuration import Configuration
            self._configuration = Configuration()
        return self._configuration

    def session(self) -> aiohttp.ClientSession:
        """The pooled session of the running event loop (made on first use)."""
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is not None and not session.closed:
            return session
        import aiohttp

        from .._transport_config import ssl_context_for
        limit = self.pool_limit or max(1, int(self.configuration.pool_maxsize))
        connector = aiohttp.TCPConnector(limit=limit, limit_per_host=0, ssl=ssl_context_for(self.configuration))
        session = aiohttp.ClientSession(connector=connector, trust_env=False, cookie_jar=aiohttp.DummyCookieJar(),
                                        auto_decompress=False)  # inflated here, bounded (BodyReader)
        self._sessions[loop] = session
        # An async generator paused at its yield: the loop closes it at shutdown (asyncio.run calls
        # shutdown_asyncgens), and its ``finally`` closes the session while the loop still runs.
        guard = _close_with_loop(session)
        try:  # run to its yield now; the first step registers it with the running loop
            guard.__anext__().send(None)  # type: ignore[attr-defined]
        except StopIteration:
            pass
        self._guards[loop] = guard
        return session

    async def close(self) -> None:
        """Close this event loop's session (sessions of loops already shut down were closed with them)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        session = self._sessions.pop(loop, None)
        if session is not None and not session.closed:
            await session.close()

    async def request(self, http_request_options: Any) -> Any:
        options = http_request_options
        if not isinstance(options, HttpRequestOptions):
            raise ValueError("http_request_options must be an HttpRequestOptions")
        options = await self._run_hook(self.pre_hook, options)
        if options.timeouts is not None:  # from the pipeline: final seconds
            connect, read = options.timeouts
        else:
            connect, read = self.timeouts_for(options, self.configuration)
        deadline_at = options.deadline_at
        phase = ["waiting for the server"]
        try:
            if deadline_at is None:
                response = await self._exchange(options, connect, read, phase)
            else:
                left = max(deadline_at - time.monotonic(), 0.0)
                if _timeout_scope is not None:
                    async with _timeout_scope(left):
                        response = await self._exchange(options, connect, read, phase)
                else:  # Python 3.10
                    response = await asyncio.wait_for(self._exchange(options, connect, read, phase), left)
        except asyncio.TimeoutError as exc:
            if deadline_at is not None and time.monotonic() >= deadline_at - 0.01:
                raise ApiDeadlineError(options.deadline, options.url, during=phase[0]) from None
            raise _typed_error(exc, connect, read, options.url) from None
        return await self._run_hook(self.post_hook, response)

    async def _exchange(self, options: HttpRequestOptions, connect: float, read: float,
                        phase: list[str]) -> RESTResponse:
        import aiohttp
        from yarl import URL

        from .._transport_config import proxy_for, url_with_query
        # encoded exactly as the sync client does; yarl must not re-quote it
        url = url_with_query(options.url, options.query_params)
        timeout = self._timeout_objects.get((connect, read))
        if timeout is None:  # a handful of distinct values per client: made once each
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
            if len(self._timeout_objects) < 64:
                self._timeout_objects[(connect, read)] = timeout
        headers = options.headers
        data: Any = options.encoded_body if options.encoded_body is not None else options["data"]
        if options.post_params and options.encoded_body is None:  # as options["data"]: fields before body
            multipart = "multipart" in _content_type(headers)
            data = _form(options.post_params, multipart)
            if multipart:  # aiohttp writes the Content-Type with its boundary
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        proxy = proxy_for(self.configuration)
        proxy_headers = proxy.headers if proxy is not None else None
        if proxy_headers and not url.startswith("https:"):
            headers = {**headers, **proxy_headers}  # a plain-HTTP target: sent to the proxy itself
        session = self.session()
        try:
            async with session.request(
                    options.method, URL(url, encoded=True), data=data, headers=headers, allow_redirects=False,
                    timeout=timeout, proxy=proxy.url if proxy is not None else None,
                    proxy_headers=proxy_headers) as raw:
                phase[0] = "reading the response body"
                encoding, length = raw.headers.get("Content-Encoding"), raw.headers.get("Content-Length")
                limit = options.max_response_bytes or DEFAULT_MAX_RESPONSE_BYTES
                if not encoding and length is not None and length.isdigit() and int(length) <= limit:
                    content = await raw.read()  # size known and allowed; the deadline scope bounds the time
                else:
                    reader = BodyReader(limit, encoding, options.url, raw.status, options.deadline_at,
                                        options.deadline)
                    reader.check_length(length)
                    stream = raw.content
                    while True:
                        chunk = await stream.readany()
                        if not chunk:
                            break
                        reader.feed(chunk)
                    content = reader.finish()
        except (ApiDeadlineError, ApiResponseError):
            raise
        except (aiohttp.ClientError, OSError) as exc:
            raise _typed_error(exc, connect, read, options.url) from None
        return RESTResponse(raw.status, raw.reason, raw.headers, content, raw)


async def _close_with_loop(session: aiohttp.ClientSession) -> AsyncIterator[None]:
    try:
        yield
    finally:
        if not session.closed:
            await session.close()


_timeout_scope = getattr(asyncio, "timeout", None)  # Python 3.11+


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


def _content_type(headers: dict[str, str]) -> str:
    """The Content-Type header, whatever the case of its name."""
    return next((value for name, value in headers.items() if name.lower() == "content-type"), "")


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
