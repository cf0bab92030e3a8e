"""``AsyncApiClient``: the asyncio twin of :class:`~PureCloudPlatformClientV2.api_client.ApiClient`.

It owns no second copy of the pipeline.  A sync ``ApiClient`` (``core``) holds the host,
gateway, headers, configuration and token state and does every non-I/O step: binding
arguments (``_prepare``), building token requests (``_grant_request``), the per-attempt
decisions of ``_Exchange`` (retry, renew, return, raise, logging), storing tokens and
decoding bodies.  This class only awaits: the transport, ``asyncio.sleep`` between retries,
and one token renewal shared by every task that needs it.
"""
from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar, overload

from ..api_client import RENEW, RETURN, ApiClient, ApiResponse, _Exchange, _Request
from ..rest import ApiException, RESTResponse
from .http_client import AbstractAsyncHttpClient

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from typing_extensions import ParamSpec, Self

    from .._api import Operation
    from ..configuration import Configuration
    from ..gateway_configuration import GatewayConfiguration
    from ..purecloud_region_hosts import PureCloudRegionHosts

    P = ParamSpec("P")

T = TypeVar("T")
V = TypeVar("V")
_CAPTURE: ContextVar[list[RESTResponse] | None] = ContextVar("genesys_capture", default=None)


class _Shared(Generic[V]):
    """An attribute kept on the core ``ApiClient`` (token state, host, headers ...)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Shared[V]: ...

    @overload
    def __get__(self, obj: AsyncApiClient, owner: type | None = None) -> V: ...

    def __get__(self, obj: AsyncApiClient | None, owner: type | None = None) -> V | _Shared[V]:
        if obj is None:
            return self
        return getattr(obj.core, self.name)  # type: ignore[no-any-return]

    def __set__(self, obj: AsyncApiClient, value: V) -> None:
        setattr(obj.core, self.name, value)


class AsyncApiClient:
    """Holds the host, token and connection pool; every ``<Name>Async`` class sends its calls through one.

    ``AsyncApiClient(host=None, header_name=None, header_value=None, cookie=None, *, configuration=None,
    region=None, pool_limit=None, http_client=None)``: the arguments of ``ApiClient`` plus the
    connection limit (default ``configuration.pool_maxsize``) and a custom
    :class:`AbstractAsyncHttpClient`.  Use ``async with`` (or ``await client.close()``).
    """

    host: _Shared[str] = _Shared()
    cookie: _Shared[str | None] = _Shared()
    access_token: _Shared[str] = _Shared()
    refresh_token: _Shared[str] = _Shared()
    token_expires_at: _Shared[float | None] = _Shared()
    client_id: _Shared[str] = _Shared()
    client_secret: _Shared[str] = _Shared()
    gateway_configuration: _Shared[GatewayConfiguration | None] = _Shared()
    user_agent: _Shared[str] = _Shared()

    def __init__(self, host: str | None = None, header_name: str | None = None, header_value: str | None = None,
                 cookie: str | None = None, *, configuration: Configuration | None = None,
                 region: PureCloudRegionHosts | str | None = None, pool_limit: int | None = None,
                 http_client: AbstractAsyncHttpClient | None = None) -> None:
        self.core = ApiClient(host, header_name, header_value, cookie, configuration=configuration, region=region)
        self.http_client: AbstractAsyncHttpClient | None = None
        if http_client is not None:
            self.set_http_client(http_client)
        self.pool_limit = pool_limit
        self._renewal: asyncio.Future[Any] | None = None

    def __repr__(self) -> str:
        return f"<AsyncApiClient host={self.host!r}>"

    # -- shared with the sync client --------------------------------------------------
    @property
    def configuration(self) -> Configuration:
        return self.core.configuration

    @property
    def default_headers(self) -> dict[str, str]:
        return self.core.default_headers

    @property
    def last_response(self) -> RESTResponse | None:
        return self.core.last_response

    @property
    def refresh_in_progress(self) -> bool:
        return self._renewal is not None

    def set_default_header(self, header_name: str, header_value: str) -> None:
        self.core.set_default_header(header_name, header_value)

    def set_gateway(self, host: str | None = None, protocol: str | None = None, port: int | None = -1,
                    path_params_login: str | None = None, path_params_api: str | None = None, *,
                    hostname: str | None = None, scheme: str | None = None, login_path: str | None = None,
                    api_path: str | None = None) -> Self:
        """Send login and API requests through a gateway (the arguments of ``ApiClient.set_gateway``)."""
        self.core.set_gateway(host, protocol, port, path_params_login, path_params_api, hostname=hostname,
                              scheme=scheme, login_path=login_path, api_path=api_path)
        return self

    def get_conf_url(self, path_type: str, base_path: str) -> str:
        return self.core.get_conf_url(path_type, base_path)

    def sanitize_for_serialization(self, obj: Any) -> Any:
        return self.core.sanitize_for_serialization(obj)

    def deserialize(self, response: Any, response_type: str) -> Any:
        return self.core.deserialize(response, response_type)

    def generate_pkce_code_verifier(self, length: int) -> str:
        return self.core.generate_pkce_code_verifier(length)

    def compute_pkce_code_challenge(self, code: str) -> str:
        return self.core.compute_pkce_code_challenge(code)

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

    async def close(self) -> None:
        """Close the connection pool (the client can be used again afterwards: it reconnects)."""
        if self.http_client is not None:
            await self.http_client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- authentication -----------------------------------------------------------------
    async def _token_request(self, request: _Request) -> dict[str, Any]:
        return self.core._store_token(await self._send(request))

    async def get_client_credentials_token(self, client_id: str, client_secret: str) -> Self:
        """Log in with the client credentials grant; returns this client."""
        await self._token_request(self.core._grant_request("client_credentials", client_id, client_secret))
        return self

    async def get_saml2bearer_token(self, client_id: str, client_secret: str, org_name: str, assertion: str) -> Self:
        """Log in with a SAML2 bearer assertion (base64); returns this client."""
        await self._token_request(self.core._grant_request("saml2bearer", client_id, client_secret,
                                                           org_name=org_name, assertion=assertion))
        return self

    async def get_code_authorization_token(self, client_id: str, client_secret: str, auth_code: str,
                                           redirect_uri: str) -> tuple[Self, dict[str, Any]]:
        """Exchange an authorization code; returns ``(client, token_response)``."""
        return self, await self._token_request(self.core._grant_request(
            "authorization_code", client_id, client_secret, code=auth_code, redirect_uri=redirect_uri))

    async def refresh_code_authorization_token(self, client_id: str, client_secret: str,
                                               refresh_token: str) -> tuple[Self, dict[str, Any]]:
        """Use a refresh token; returns ``(client, token_response)``."""
        return self, await self._token_request(self.core._grant_request(
            "refresh_token", client_id, client_secret, refresh_token=refresh_token))

    async def get_pkce_token(self, client_id: str, code_verifier: str, auth_code: str,
                             redirect_uri: str) -> tuple[Self, dict[str, Any]]:
        """Exchange an authorization code with its PKCE verifier; returns ``(client, token_response)``."""
        return self, await self._token_request(self.core._grant_request(
            "pkce", client_id, code=auth_code, code_verifier=code_verifier, redirect_uri=redirect_uri))

    async def handle_expired_access_token(self, stale_token: str | None = None) -> None:
        """Renew the token once for all tasks: the first caller starts the renewal, the others await
        it (at most ``refresh_token_wait_time`` seconds) and then use the new token."""
        core = self.core
        stale = core.access_token if stale_token is None else stale_token
        if core.access_token != stale:
            return  # another task already renewed it
        renewal = self._renewal
        if renewal is None:
            # A task of its own: cancelling the caller that started it does not cancel it for the others.
            renewal = self._renewal = asyncio.ensure_future(self._token_request(core._renewal_request()))
            renewal.add_done_callback(self._renewal_done)
            await asyncio.shield(renewal)  # the starter sees the failure, if any
            return
        wait = float(core.configuration.refresh_token_wait_time)
        try:
            await asyncio.wait_for(asyncio.shield(renewal), wait)
        except asyncio.TimeoutError:
            raise ApiException(status=0, reason=f"Token refresh took longer than {wait:g} seconds") from None
        except ApiException:
            return  # as in the sync client: the starter reports the failure, the others replay and see theirs

    def _renewal_done(self, renewal: asyncio.Future[Any]) -> None:
        self._renewal = None
        if not renewal.cancelled():
            renewal.exception()  # retrieved here; awaited by the starter when it is still waiting

    async def _token_for_request(self) -> str:
        core = self.core
        if core._renewal_due():
            await self.handle_expired_access_token(core.access_token)
        return core.access_token or core.configuration.access_token

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

    async def _invoke(self, op: Operation, args: tuple[Any, ...], options: dict[str, Any]) -> Any:
        if options and "callback" in options:
            raise TypeError(f"{op.name}(): callback= belongs to the sync client; await the call "
                            "(or asyncio.create_task it) instead")
        return await self._execute(self.core._prepare(op, args, options, 4))

    async def call_api(self, resource_path: str, method: str, path_params: dict[str, Any] | None = None,
                       query_params: dict[str, Any] | None = None, header_params: dict[str, Any] | None = None,
                       body: Any = None, post_params: Any = None, files: Any = None,
                       response_type: str | None = None, auth_settings: list[str] | None = None) -> Any:
        """Generic call (the arguments of ``ApiClient.call_api`` without ``callback``)."""
        return await self._execute(self.core._generic_request(
            resource_path, method, path_params, query_params, header_params, body, post_params, files,
            response_type, auth_settings))

    async def _execute(self, request: _Request) -> Any:
        response = await self._send(request)
        box = _CAPTURE.get()
        if box is not None:
            box.append(response)
        if request.returns is None:
            return None
        return self.core._decode_body(response, request.returns)

    async def _send(self, request: _Request) -> RESTResponse:
        """The sync ``ApiClient._send`` loop, awaited: the decisions are ``_Exchange``'s."""
        exchange = _Exchange(self.core, request)
        http = self.get_http_client()
        while True:
            token = await self._token_for_request() if request.auth else ""
            options = exchange.options(token)
            try:
                raw = await http.request(options)
            except ApiException as exc:
                action, value = exchange.on_error(exc, token)
            else:
                action, value = exchange.on_response(raw, token)
            if action == RETURN:
                return value  # type: ignore[no-any-return]
            if action == RENEW:
                await self.handle_expired_access_token(token)
            else:
                await asyncio.sleep(value)

