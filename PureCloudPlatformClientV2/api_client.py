"""``ApiClient``: the official-compatible facade, driving the call pipeline with blocking I/O.

Every operation goes one way: a generated method hands its operation descriptor and
arguments to :meth:`ApiClient._invoke`; request building (``_request``) binds them; the
pipeline (``_pipeline.Exchange``) decides each step (pace, attach the token, retry, renew,
return or fail, within the call's deadline); :meth:`ApiClient._send` only performs what it
decides: the transport call, the sleeps and the token renewal (``_auth``); ``_response``
decodes the body.  The asyncio client (``aio/client.py``) drives the same parts.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ._client_base import ClientBase
from ._official_api_client import OfficialHelpers
from ._pipeline import Action
from ._request import CALL_OPTIONS, SDK_VERSION, Request, generic_request
from ._request import param_text as param_text
from ._request import quote_path_segment as quote_path_segment
from ._response import ApiResponse
from .abstract_http_client import AbstractHttpClient
from .configuration import Configuration
from .rest import ApiException, RESTResponse

if TYPE_CHECKING:
    from typing_extensions import ParamSpec

    from ._api import Operation
    from .purecloud_region_hosts import PureCloudRegionHosts

    P = ParamSpec("P")

T = TypeVar("T")
__all__ = ["ApiClient", "ApiResponse", "CallbackThread", "CALL_OPTIONS", "SDK_VERSION"]


class CallbackThread(threading.Thread):
    """The thread a ``callback=`` call runs on; ``result``/``exception`` once joined."""

    result: Any = None
    exception: BaseException | None = None


class ApiClient(ClientBase, OfficialHelpers):
    """Holds the host, token and HTTP client; every API class sends its calls through one.

    ``ApiClient(host=None, header_name=None, header_value=None, cookie=None, *, configuration=None)``:
    ``configuration`` defaults to the shared ``PureCloudPlatformClientV2.configuration``; give
    ``Configuration.new(...)`` for a client whose proxy, TLS, logging and retry settings are its own.
    ``deadline`` (seconds per call) and ``rate_limit_pacing`` override the configuration's for this client.
    """

    def __init__(self, host: str | None = None, header_name: str | None = None, header_value: str | None = None,
                 cookie: str | None = None, *, configuration: Configuration | None = None,
                 region: PureCloudRegionHosts | str | None = None) -> None:
        self.http_client: AbstractHttpClient | None = None
        super().__init__(host, header_name, header_value, cookie, configuration=configuration, region=region)
        self._capture = threading.local()

    @property
    def refresh_in_progress(self) -> bool:
        return self._tokens.refreshing

    def set_gateway(self, host: str | None = None, protocol: str | None = None, port: int | None = -1,
                    path_params_login: str | None = None, path_params_api: str | None = None, *,
                    hostname: str | None = None, scheme: str | None = None, login_path: str | None = None,
                    api_path: str | None = None) -> ApiClient:
        """Send login and API requests through a gateway.  Accepts the official positional form
        ``(host, protocol, port, path_params_login, path_params_api)`` and the keywords
        ``hostname``, ``scheme``, ``port``, ``login_path``, ``api_path``."""
        self._set_gateway(host, protocol, port, path_params_login, path_params_api, hostname, scheme, login_path,
                          api_path)
        return self

    def get_http_client(self) -> AbstractHttpClient:
        if self.http_client is None:
            from .default_http_client import DefaultHttpClient
            self.http_client = DefaultHttpClient(configuration=self.configuration)
        return self.http_client

    def set_http_client(self, http_client: AbstractHttpClient) -> None:
        if http_client is None:
            raise ValueError("http_client cannot be None")
        if not isinstance(http_client, AbstractHttpClient):
            raise ValueError("http_client must be an instance of AbstractHttpClient")
        self.http_client = http_client

    # -- authentication -----------------------------------------------------------------
    def _token_request(self, request: Request) -> dict[str, Any]:
        return self._tokens.store(self._send(request))

    def get_client_credentials_token(self, client_id: str, client_secret: str) -> ApiClient:
        """Log in with the client credentials grant; returns this client."""
        self._token_request(self._grant_request("client_credentials", client_id, client_secret))
        return self

    def get_saml2bearer_token(self, client_id: str, client_secret: str, org_name: str, assertion: str) -> ApiClient:
        """Log in with a SAML2 bearer assertion (base64); returns this client."""
        self._token_request(self._grant_request("saml2bearer", client_id, client_secret, org_name=org_name,
                                                assertion=assertion))
        return self

    def get_code_authorization_token(self, client_id: str, client_secret: str, auth_code: str,
                                     redirect_uri: str) -> tuple[ApiClient, dict[str, Any]]:
        """Exchange an authorization code; returns ``(api_client, token_response)``."""
        return self, self._token_request(self._grant_request("authorization_code", client_id, client_secret,
                                                             code=auth_code, redirect_uri=redirect_uri))

    def refresh_code_authorization_token(self, client_id: str, client_secret: str,
                                         refresh_token: str) -> tuple[ApiClient, dict[str, Any]]:
        """Use a refresh token; returns ``(api_client, token_response)``."""
        return self, self._token_request(self._grant_request("refresh_token", client_id, client_secret,
                                                             refresh_token=refresh_token))

    def get_pkce_token(self, client_id: str, code_verifier: str, auth_code: str,
                       redirect_uri: str) -> tuple[ApiClient, dict[str, Any]]:
        """Exchange an authorization code with its PKCE verifier; returns ``(api_client, token_response)``."""
        return self, self._token_request(self._grant_request("pkce", client_id, code=auth_code,
                                                             code_verifier=code_verifier, redirect_uri=redirect_uri))

    def handle_expired_access_token(self, stale_token: str | None = None) -> None:
        """Renew the token once for all threads: the first caller renews, the others wait on a
        condition (at most ``refresh_token_wait_time`` seconds) and then use the new token."""
        stale = self.access_token if stale_token is None else stale_token
        self._tokens.renew(stale, self._send, self.configuration)

    def _token_for_request(self) -> str:
        tokens, config = self._tokens, self.configuration
        if tokens.renewal_due(config):
            tokens.renew(tokens.access_token, self._send, config)
        return tokens.current(config)

    # -- calls ------------------------------------------------------------------------------
    def with_http_info(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> ApiResponse[T]:
        """Call an API method and return an :class:`ApiResponse` (data plus status, headers,
        correlation id and raw body), e.g. ``client.with_http_info(users_api.get_user, user_id)``."""
        self._capture.response = None
        data = method(*args, **kwargs)
        response = self._capture.response
        self._capture.response = None
        if response is None:
            raise RuntimeError("with_http_info needs a method of an API class bound to this ApiClient")
        return ApiResponse(data, response)

    def _invoke(self, op: Operation, args: tuple[Any, ...], options: dict[str, Any]) -> Any:
        # frames above the warning: _prepare, _invoke, BaseApi._call, the API method, the caller
        request = self._prepare(op, args, options, 5)
        callback = options.get("callback") if options else None
        if callback is not None:
            return self._in_thread(request, callback)
        return self._execute(request)

    def _in_thread(self, request: Request, callback: Callable[..., Any]) -> CallbackThread:
        two_args = _takes_error(callback)

        def run() -> None:
            try:
                thread.result = self._execute(request)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, never lost
                thread.exception = exc
                if two_args:
                    callback(None, exc)
                else:
                    import logging
                    logging.getLogger("PureCloudPlatformClientV2").error(
                        "%s failed in its callback thread: %r", request.name, exc)
                return
            if two_args:
                callback(thread.result, None)
            else:
                callback(thread.result)

        thread = CallbackThread(target=run, name=f"genesys-{request.name}", daemon=True)
        thread.start()
        return thread

    def call_api(self, resource_path: str, method: str, path_params: dict[str, Any] | None = None,
                 query_params: dict[str, Any] | None = None, header_params: dict[str, Any] | None = None,
                 body: Any = None, post_params: Any = None, files: Any = None, response_type: str | None = None,
                 auth_settings: list[str] | None = None, callback: Callable[[Any], Any] | None = None) -> Any:
        """Generic call (the official signature), for endpoints without a generated method."""
        request = generic_request(resource_path, method, path_params, query_params, header_params, body,
                                  post_params, files, response_type, auth_settings)
        if callback is not None:
            return self._in_thread(request, callback)
        return self._execute(request)

    def _execute(self, request: Request) -> Any:
        response = self._send(request)
        capture = self._capture
        if hasattr(capture, "response"):
            capture.response = response
        if request.returns is None:
            return None
        return self._decode_body(response, request.returns)

    def _send(self, request: Request) -> RESTResponse:
        """The driver loop: perform what the pipeline decides; return a 2xx response or raise."""
        http = self.get_http_client()
        exchange = self._exchange(request, http)
        while True:
            wait = exchange.begin()
            if wait:
                time.sleep(wait)
                continue
            token = self._token_for_request() if request.auth else ""
            try:
                raw = http.request(exchange.options(token))
            except ApiException as exc:
                action, value = exchange.on_error(exc, token)
            else:
                action, value = exchange.on_response(raw, token)
            if action is Action.RETURN:
                return value  # type: ignore[no-any-return]
            if action is Action.RETRY:
                time.sleep(value)
            elif action is Action.RENEW:
                self.handle_expired_access_token(value)
            else:
                raise value


def _takes_error(callback: Callable[..., Any]) -> bool:
    """True for ``callback(result, error)``: it then receives failures too; one-argument
    callbacks get results only and failures are logged (and kept on ``thread.exception``)."""
    import inspect
    try:
        signature = inspect.signature(callback)
    except (TypeError, ValueError):
        return False
    try:
        signature.bind(None)
    except TypeError:
        try:
            signature.bind(None, None)
            return True
        except TypeError:
            return False
    return False
