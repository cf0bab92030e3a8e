"""``AsyncApiClient``: the asyncio facade, driving the same call pipeline as ``ApiClient``.

It composes the same parts as the sync client (``_client_base``: host, gateway, headers,
token state, pacing; ``_request``; ``_pipeline.Exchange`` for every decision; ``_auth``
for grants and renewal; ``_response`` for decoding) and only awaits: the transport,
``asyncio.sleep`` for waits, the token renewal (one per distinct expiry, shared by every task
of the loop), and a first-come-first-served slot in front of the connection pool.  The
token is read when a call holds its slot, just before it leaves, so a call that waited
through an expiry sends the current token.
"""
from __future__ import annotations

import asyncio
import time
import weakref
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .._client_base import ClientBase
from .._pipeline import Action
from .._request import Request, generic_request
from .._response import ApiResponse
from ..rest import ApiDeadlineError, ApiException, RESTResponse
from ._limiter import FifoLimiter
from .http_client import AbstractAsyncHttpClient

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from typing_extensions import ParamSpec, Self

    from .._api import Operation
    from ..configuration import Configuration
    from ..purecloud_region_hosts import PureCloudRegionHosts

    P = ParamSpec("P")

T = TypeVar("T")
_CAPTURE: ContextVar[list[RESTResponse] | None] = ContextVar("genesys_capture", default=None)


class AsyncApiClient(ClientBase):
    """Holds the host, token and connection pool; every ``<Name>Async`` class sends its calls through one.

    ``AsyncApiClient(host=None, header_name=None, header_value=None, cookie=None, *, configuration=None,
    region=None, pool_limit=None, http_client=None)``: the arguments of ``ApiClient`` plus the
    connection limit (default ``configuration.pool_maxsize``; calls beyond it queue first come,
    first served) and a custom :class:`AbstractAsyncHttpClient`.  Use ``async with`` (or
    ``await client.close()``).
    """

    def __init__(self, host: str | None = None, header_name: str | None = None, header_value: str | None = None,
                 cookie: str | None = None, *, configuration: Configuration | None = None,
                 region: PureCloudRegionHosts | str | None = None, pool_limit: int | None = None,
                 http_client: AbstractAsyncHttpClient | None = None) -> None:
        super().__init__(host, header_name, header_value, cookie, configuration=configuration, region=region)
        self.http_client: AbstractAsyncHttpClient | None = None
        if http_client is not None:
            self.set_http_client(http_client)
        self.pool_limit = pool_limit
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FifoLimiter] = (
            weakref.WeakKeyDictionary())
        self._last_limiter: tuple[asyncio.AbstractEventLoop, FifoLimiter] | None = None  # the common case, cached

    def __repr__(self) -> str:
        return f"<AsyncApiClient host={self.host!r}>"

    @property
    def refresh_in_progress(self) -> bool:
        return self._tokens.renewing_async()

    def set_gateway(self, host: str | None = None, protocol: str | None = None, port: int | None = -1,
                    path_params_login: str | None = None, path_params_api: str | None = None, *,
                    hostname: str | None = None, scheme: str | None = None, login_path: str | None = None,
                    api_path: str | None = None) -> Self:
        """Send login and API requests through a gateway (the arguments of ``ApiClient.set_gateway``)."""
        self._set_gateway(host, protocol, port, path_params_login, path_params_api, hostname, scheme, login_path,
                          api_path)
        return self

    # -- transport ----------------------------------------------------------------------
    def get_http_client(self) -> AbstractAsyncHttpClient:
        if self.http_client is None:
            from .http_client import DefaultAsyncHttpClient
            self.http_client = DefaultAsyncHttpClient(configuration=self.configuration, pool_limit=self.pool_limit)
        return self.http_client

    def set_http_client(self, http_client: AbstractAsyncHttpClient) -> None:
        if not isinstance(http_client, AbstractAsyncHttpClient):
            raise ValueError("http_client must be an instance of AbstractAsyncHttpClient")
        self.http_client = http_client

    def _limiter(self) -> FifoLimiter:
        loop = asyncio.get_running_loop()
        last = self._last_limiter
        if last is not None and last[0] is loop:
            return last[1]
        limiter = self._limiters.get(loop)
        if limiter is None:
            limit = getattr(self.http_client, "pool_limit", None) or self.pool_limit
            limiter = self._limiters[loop] = FifoLimiter(limit or max(1, int(self.configuration.pool_maxsize)))
        self._last_limiter = (loop, limiter)
        return limiter

    async def close(self) -> None:
        """Close the connection pool (the client can be used again afterwards: it reconnects)."""
        if self.http_client is not None:
            await self.http_client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- authentication -----------------------------------------------------------------
    async def _token_request(self, request: Request) -> dict[str, Any]:
        return self._tokens.store(await self._send(request))

    async def get_client_credentials_token(self, client_id: str, client_secret: str) -> Self:
        """Log in with the client credentials grant; returns this client."""
        await self._token_request(self._grant_request("client_credentials", client_id, client_secret))
        return self

    async def get_saml2bearer_token(self, client_id: str, client_secret: str, org_name: str, assertion: str) -> Self:
        """Log in with a SAML2 bearer assertion (base64); returns this client."""
        await self._token_request(self._grant_request("saml2bearer", client_id, client_secret,
                                                      org_name=org_name, assertion=assertion))
        return self

    async def get_code_authorization_token(self, client_id: str, client_secret: str, auth_code: str,
                                           redirect_uri: str) -> tuple[Self, dict[str, Any]]:
        """Exchange an authorization code; returns ``(client, token_response)``."""
        return self, await self._token_request(self._grant_request(
            "authorization_code", client_id, client_secret, code=auth_code, redirect_uri=redirect_uri))

    async def refresh_code_authorization_token(self, client_id: str, client_secret: str,
                                               refresh_token: str) -> tuple[Self, dict[str, Any]]:
        """Use a refresh token; returns ``(client, token_response)``."""
        return self, await self._token_request(self._grant_request(
            "refresh_token", client_id, client_secret, refresh_token=refresh_token))

    async def get_pkce_token(self, client_id: str, code_verifier: str, auth_code: str,
                             redirect_uri: str) -> tuple[Self, dict[str, Any]]:
        """Exchange an authorization code with its PKCE verifier; returns ``(client, token_response)``."""
        return self, await self._token_request(self._grant_request(
            "pkce", client_id, code=auth_code, code_verifier=code_verifier, redirect_uri=redirect_uri))

    async def handle_expired_access_token(self, stale_token: str | None = None) -> None:
        """Renew the token once for all tasks: the first caller starts the renewal, the others await
        it (at most ``refresh_token_wait_time`` seconds) and then use the new token."""
        stale = self.access_token if stale_token is None else stale_token
        await self._tokens.renew_async(stale, self._send, self.configuration)

    # -- calls --------------------------------------------------------------------------
    async def with_http_info(self, method: Callable[P, Awaitable[T]], *args: P.args,
                             **kwargs: P.kwargs) -> ApiResponse[T]:
        """Await an API method and return an :class:`ApiResponse` (data plus status, headers,
        correlation id and raw body): ``await client.with_http_info(users_api.get_user, user_id)``."""
        box: list[RESTResponse] = []
        token = _CAPTURE.set(box)
        try:
            data = await method(*args, **kwargs)
        finally:
            _CAPTURE.reset(token)
        if not box:
            raise RuntimeError("with_http_info needs a method of an async API class bound to this client")
        return ApiResponse(data, box[-1])

    def _invoke(self, op: Operation, args: tuple[Any, ...], options: dict[str, Any]) -> Awaitable[Any]:
        # Checked now, in the caller's frame (the sync method body), as the sync client does.
        if options and "callback" in options:
            raise TypeError(f"{op.name}(): callback= belongs to the sync client; await the call "
                            "(or asyncio.create_task it) instead")
        # frames above the warning: _prepare, _invoke, _call, the API method, the caller
        return self._execute(self._prepare(op, args, options, 6))

    async def call_api(self, resource_path: str, method: str, path_params: dict[str, Any] | None = None,
                       query_params: dict[str, Any] | None = None, header_params: dict[str, Any] | None = None,
                       body: Any = None, post_params: Any = None, files: Any = None,
                       response_type: str | None = None, auth_settings: list[str] | None = None) -> Any:
        """Generic call (the arguments of ``ApiClient.call_api`` without ``callback``)."""
        return await self._execute(generic_request(resource_path, method, path_params, query_params, header_params,
                                                   body, post_params, files, response_type, auth_settings))

    async def _execute(self, request: Request) -> Any:
        response = await self._send(request)
        box = _CAPTURE.get()
        if box is not None:
            box.append(response)
        if request.returns is None:
            return None
        return self._decode_body(response, request.returns)

    async def _send(self, request: Request) -> RESTResponse:
        """The driver loop, as ``ApiClient._send`` but awaited: the decisions are the pipeline's."""
        http = self.get_http_client()
        exchange = self._exchange(request, http)
        tokens, config = self._tokens, self.configuration
        limiter = self._limiter()
        while True:
            wait = exchange.begin()
            if wait:
                await asyncio.sleep(wait)
                continue
            if request.auth and tokens.renewal_due(config):  # renewed outside the slot: no task holds one waiting
                await self.handle_expired_access_token(tokens.access_token)
            try:
                await limiter.acquire(max(exchange.deadline_at - time.monotonic(), 0.0))
            except asyncio.TimeoutError:
                raise ApiDeadlineError(exchange.timeouts.deadline, exchange.url,
                                       during="waiting for a pooled connection") from None
            try:
                token = tokens.current(config) if request.auth else ""  # read as the request leaves
                try:
                    raw = await http.request(exchange.options(token))
                except ApiException as exc:
                    action, value = exchange.on_error(exc, token)
                else:
                    action, value = exchange.on_response(raw, token)
            finally:
                limiter.release()
            if action is Action.RETURN:
                return value  # type: ignore[no-any-return]
            if action is Action.RETRY:
                await asyncio.sleep(value)
            elif action is Action.RENEW:
                await self.handle_expired_access_token(value)
            else:
                raise value
