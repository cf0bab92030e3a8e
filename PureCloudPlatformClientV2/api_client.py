"""``ApiClient``: authentication, the request pipeline and response handling.

One pipeline serves every operation: a generated method hands its operation
descriptor and arguments to :meth:`ApiClient._invoke`, which builds the request
(URL from host/region/gateway, path/query/header encoding, body), adds the
token, sends it through the HTTP client with the retry policy, renews tokens
on expiry and decodes the response into the declared model.
"""
from __future__ import annotations

import re
import threading
import time
import warnings
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar
from urllib.parse import quote

from . import _json
from ._official_api_client import OfficialHelpers
from ._serde import decode, to_wire
from .abstract_http_client import AbstractHttpClient
from .configuration import Configuration
from .gateway_configuration import GatewayConfiguration
from .http_request_options import HttpRequestOptions
from .purecloud_region_hosts import PureCloudRegionHosts, login_host_for
from .rest import ApiConnectionError, ApiException, ApiResponseError, RateLimitError, RESTResponse

if TYPE_CHECKING:
    from typing_extensions import ParamSpec

    from ._api import Operation
    from .retry import RetryConfiguration

    P = ParamSpec("P")

T = TypeVar("T")
SDK_VERSION = "269.0.0"
CALL_OPTIONS = frozenset({"callback", "_request_timeout", "_retry", "_headers"})
_HEADER_BAD = re.compile(r"[\r\n\x00]")


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


class CallbackThread(threading.Thread):
    """The thread a ``callback=`` call runs on; ``result``/``exception`` once joined."""

    result: Any = None
    exception: BaseException | None = None


class _Request:
    __slots__ = ("method", "path", "query", "headers", "body", "encoded", "post_params", "auth", "returns",
                 "name", "timeouts", "retry", "kind")

    def __init__(self, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
                 headers: dict[str, str] | None = None, body: Any = None, encoded: bytes | None = None,
                 post_params: Any = None, auth: bool = True, returns: str | None = None, name: str = "",
                 kind: str = "api") -> None:
        self.method = method
        self.path = path
        self.query = query or []
        self.headers = headers or {}
        self.body = body
        self.encoded = encoded
        self.post_params = post_params
        self.auth = auth
        self.returns = returns
        self.name = name
        self.timeouts: tuple[float, float] | None = None
        self.retry: RetryConfiguration | None = None
        self.kind = kind


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (str, int, float)):
        return str(value.value)  # enum members
    return str(value)


def param_text(value: Any) -> str:
    """A path/query/header argument as text: lists comma-joined, booleans lower case, dates ISO 8601."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_scalar(v) for v in value)
    return _scalar(value)


def quote_path_segment(value: Any) -> str:
    """Encode a path argument so it stays one path segment ('/', '?', '#', '..' cannot escape it)."""
    text = quote(param_text(value), safe="")
    if not text:
        raise ValueError("a path parameter must not be empty (it would address a different resource)")
    if text in (".", ".."):
        text = text.replace(".", "%2E")
    return text


def _timeouts(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value), float(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in value):
        return float(value[0]), float(value[1])
    raise ValueError(f"_request_timeout must be seconds (a positive number) or (connect, read), got {value!r}")


def _as_rest_response(response: Any) -> RESTResponse:
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


class ApiClient(OfficialHelpers):
    """Holds the host, token and HTTP client; every API class sends its calls through one.

    ``ApiClient(host=None, header_name=None, header_value=None, cookie=None, *, configuration=None)``:
    ``configuration`` defaults to the shared ``PureCloudPlatformClientV2.configuration``; give
    ``Configuration.new(...)`` for a client whose proxy, TLS, logging and retry settings are its own.
    """

    def __init__(self, host: str | None = None, header_name: str | None = None, header_value: str | None = None,
                 cookie: str | None = None, *, configuration: Configuration | None = None,
                 region: PureCloudRegionHosts | str | None = None) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.http_client: AbstractHttpClient | None = None
        self.default_headers: dict[str, str] = {}
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        if region is not None:
            host = (region if isinstance(region, PureCloudRegionHosts) else PureCloudRegionHosts[region]).value
        self.host = host if host is not None else self.configuration.host
        self.cookie = cookie
        import sys
        self.user_agent = f"PureCloudPlatformClientV2/{SDK_VERSION} (fast; python/{sys.version.split()[0]})"
        self.client_id = ""
        self.client_secret = ""
        self.access_token = ""
        self.refresh_token = ""
        self.token_expires_at: float | None = None
        self._grant: str | None = None  # how the current token was obtained: renewal needs it
        self._token_cond = threading.Condition(threading.Lock())
        self._refreshing = False
        self.refresh_in_progress = False
        self.gateway_configuration: GatewayConfiguration | None = self.configuration.gateway_configuration
        self.last_response: RESTResponse | None = None
        self._capture = threading.local()
        self.configuration.start_config_watcher()

    # -- official helpers ---------------------------------------------------------
    @property
    def user_agent(self) -> str:
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        _check_header("User-Agent", value)
        self.default_headers["User-Agent"] = value

    def set_default_header(self, header_name: str, header_value: str) -> None:
        _check_header(header_name, header_value)
        self.default_headers[header_name] = header_value

    def set_gateway(self, host: str | None = None, protocol: str | None = None, port: int | None = -1,
                    path_params_login: str | None = None, path_params_api: str | None = None, *,
                    hostname: str | None = None, scheme: str | None = None, login_path: str | None = None,
                    api_path: str | None = None) -> ApiClient:
        """Send login and API requests through a gateway.  Accepts the official positional form
        ``(host, protocol, port, path_params_login, path_params_api)`` and the keywords
        ``hostname``, ``scheme``, ``port``, ``login_path``, ``api_path``."""
        self.gateway_configuration = GatewayConfiguration(
            host=hostname or host, protocol=scheme or protocol, port=port,
            path_params_login=login_path if login_path is not None else path_params_login,
            path_params_api=api_path if api_path is not None else path_params_api)
        return self

    def get_conf_url(self, path_type: str, base_path: str) -> str:
        """Base URL for ``'login'`` or ``'api'`` requests, honouring the gateway."""
        gateway = self.gateway_configuration
        if gateway is not None and gateway.host:
            return gateway.base_url("login" if path_type == "login" else "api")
        base = base_path.rstrip("/")
        return login_host_for(base) if path_type == "login" else base

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

    def select_header_accept(self, accepts: list[str]) -> str | None:
        if not accepts:
            return None
        lowered = [a.lower() for a in accepts]
        return "application/json" if "application/json" in lowered else ", ".join(lowered)

    def select_header_content_type(self, content_types: list[str]) -> str:
        if not content_types:
            return "application/json"
        lowered = [c.lower() for c in content_types]
        return "application/json" if "application/json" in lowered else lowered[0]

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """A JSON-ready copy of a model/list/dict as it is sent (wire names, None stripped)."""
        return to_wire(obj)

    def deserialize(self, response: Any, response_type: str) -> Any:
        """Decode an HTTP response (any client's) as ``response_type`` (e.g. ``'User'``)."""
        return self._decode_body(_as_rest_response(response), response_type)

    # -- authentication -----------------------------------------------------------------
    # Sans-I/O halves shared with the asyncio client: ``_grant_request`` remembers the
    # credentials and builds the token request, ``_store_token`` reads the answer.
    def _grant_request(self, grant: str, client_id: str, client_secret: str = "", **values: str) -> _Request:
        """The token request of ``grant`` ('client_credentials', 'saml2bearer', 'authorization_code',
        'refresh_token' or 'pkce'), remembering what renewal needs."""
        self.client_id = client_id
        basic: tuple[str, str] | None = (client_id, client_secret)
        if grant == "pkce":
            basic = None
            form = {"grant_type": "authorization_code", "code": values["code"],
                    "code_verifier": values["code_verifier"], "client_id": client_id,
                    "redirect_uri": values["redirect_uri"]}
        else:
            self.client_secret = client_secret
            if grant == "client_credentials":
                form = {"grant_type": "client_credentials"}
            elif grant == "saml2bearer":
                form = {"grant_type": "urn:ietf:params:oauth:grant-type:saml2-bearer",
                        "orgName": values["org_name"], "assertion": values["assertion"]}
            elif grant == "authorization_code":
                form = {"grant_type": "authorization_code", "code": values["code"],
                        "redirect_uri": values["redirect_uri"]}
            elif grant == "refresh_token":
                form = {"grant_type": "refresh_token", "refresh_token": values["refresh_token"]}
            else:
                raise ValueError(f"unknown grant {grant!r}")
        if grant != "refresh_token":
            self._grant = grant
        from urllib.parse import urlencode
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if basic is not None:
            import base64
            headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        request = _Request("POST", "/oauth/token", headers=headers, encoded=urlencode(form).encode(),
                           auth=False, name="oauth_token", kind="login")
        request.retry = self.configuration.retry.copy(retry_non_idempotent=True)
        return request

    def _renewal_request(self) -> _Request:
        if self.refresh_token and self.client_id:
            return self._grant_request("refresh_token", self.client_id, self.client_secret,
                                       refresh_token=self.refresh_token)
        return self._grant_request("client_credentials", self.client_id, self.client_secret)

    def _store_token(self, response: RESTResponse) -> dict[str, Any]:
        try:
            data = _json.loads(response.content)
            token = data["access_token"]
        except (ValueError, KeyError, TypeError):
            raise ApiResponseError(http_resp=response) from None
        with self._token_cond:
            self.access_token = token
            if data.get("refresh_token"):
                self.refresh_token = data["refresh_token"]
            expires = data.get("expires_in")
            self.token_expires_at = time.monotonic() + float(expires) if isinstance(expires, (int, float)) else None
        return data  # type: ignore[no-any-return]

    def _token_request(self, request: _Request) -> dict[str, Any]:
        return self._store_token(self._send(request))

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

    def generate_pkce_code_verifier(self, length: int) -> str:
        """A PKCE code verifier of ``length`` (43-128) unreserved characters, from ``secrets``."""
        if not isinstance(length, int) or isinstance(length, bool) or not 43 <= length <= 128:
            raise ValueError("PKCE code verifier length must be between 43 and 128")
        import secrets
        import string
        alphabet = string.ascii_letters + string.digits + "-._~"
        return "".join(secrets.choice(alphabet) for _ in range(length))

    def compute_pkce_code_challenge(self, code: str) -> str:
        """RFC 7636 S256 challenge: BASE64URL(SHA256(verifier)) without padding."""
        if not 43 <= len(code) <= 128:
            raise ValueError("PKCE code verifier length must be between 43 and 128")
        import base64
        import hashlib
        return base64.urlsafe_b64encode(hashlib.sha256(code.encode("ascii")).digest()).decode("ascii").rstrip("=")

    def get_pkce_token(self, client_id: str, code_verifier: str, auth_code: str,
                       redirect_uri: str) -> tuple[ApiClient, dict[str, Any]]:
        """Exchange an authorization code with its PKCE verifier; returns ``(api_client, token_response)``."""
        return self, self._token_request(self._grant_request("pkce", client_id, code=auth_code,
                                                             code_verifier=code_verifier, redirect_uri=redirect_uri))

    # -- token renewal --------------------------------------------------------------------
    def _can_renew(self) -> bool:
        if not self.configuration.should_refresh_access_token:
            return False
        return bool(self.refresh_token and self.client_id) or (
            self._grant == "client_credentials" and bool(self.client_id))

    def _renew(self) -> None:
        self._token_request(self._renewal_request())

    def _renewal_due(self) -> bool:
        """Renew ahead of expiry (less than 30 s left) rather than eat a 401."""
        expires = self.token_expires_at
        return (expires is not None and bool(self.access_token) and expires - time.monotonic() < 30.0
                and self._can_renew())

    def handle_expired_access_token(self, stale_token: str | None = None) -> None:
        """Renew the token once for all threads: the first caller renews, the others wait on a
        condition (at most ``refresh_token_wait_time`` seconds) and then use the new token."""
        stale = self.access_token if stale_token is None else stale_token
        cond = self._token_cond
        with cond:
            if self.access_token != stale:
                return  # another thread already renewed it
            if self._refreshing:
                deadline = time.monotonic() + float(self.configuration.refresh_token_wait_time)
                while self._refreshing:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise ApiException(status=0, reason=(
                            f"Token refresh took longer than {self.configuration.refresh_token_wait_time} seconds"))
                    cond.wait(remaining)
                return
            self._refreshing = self.refresh_in_progress = True
        try:
            self._renew()
        finally:
            with cond:
                self._refreshing = self.refresh_in_progress = False
                cond.notify_all()

    def _token_for_request(self) -> str:
        if self._renewal_due():
            self.handle_expired_access_token(self.access_token)
        return self.access_token or self.configuration.access_token

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
        request = self._prepare(op, args, options, 4)
        callback = options.get("callback") if options else None
        if callback is not None:
            return self._in_thread(request, callback)
        return self._execute(request)

    def _prepare(self, op: Operation, args: tuple[Any, ...], options: dict[str, Any],
                 stacklevel: int) -> _Request:
        """Check the call options and bind the arguments (``stacklevel``: the caller's frame, for warnings)."""
        if options:
            unknown = set(options) - CALL_OPTIONS
            if unknown:
                raise TypeError(f"{op.name}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
        if op.deprecated:
            warnings.warn(f"{op.name} is deprecated", DeprecationWarning, stacklevel=stacklevel)
        request = op.build_request(args, self)
        if options:
            request.timeouts = _timeouts(options.get("_request_timeout"))
            retry = options.get("_retry")
            if retry is not None:
                from .retry import NO_RETRY, RetryConfiguration
                if retry is False:
                    retry = NO_RETRY
                elif not isinstance(retry, RetryConfiguration):
                    raise TypeError("_retry must be a RetryConfiguration or False")
                request.retry = retry
            for name, value in (options.get("_headers") or {}).items():
                _check_header(name, value)
                request.headers[name] = value
        return request

    def _in_thread(self, request: _Request, callback: Callable[..., Any]) -> CallbackThread:
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
        request = self._generic_request(resource_path, method, path_params, query_params, header_params, body,
                                        post_params, files, response_type, auth_settings)
        if callback is not None:
            return self._in_thread(request, callback)
        return self._execute(request)

    def _generic_request(self, resource_path: str, method: str, path_params: dict[str, Any] | None,
                         query_params: dict[str, Any] | None, header_params: dict[str, Any] | None, body: Any,
                         post_params: Any, files: Any, response_type: str | None,
                         auth_settings: list[str] | None) -> _Request:
        path = resource_path
        for name, value in (path_params or {}).items():
            if value is not None:
                path = path.replace("{" + name + "}", quote_path_segment(value))
        query = [(k, param_text(v)) for k, v in (query_params or {}).items() if v is not None]
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        for k, v in (header_params or {}).items():
            if v is not None:
                _check_header(k, param_text(v))
                headers[k] = param_text(v)
        form = dict(post_params or {})
        for field_name, file_value in (files or {}).items():
            form[field_name] = _file_field(file_value)
        explicit_type = any(k.lower() == "content-type" for k in (header_params or {}))
        if files:
            headers["Content-Type"] = "multipart/form-data"
        elif form and not explicit_type:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return _Request(method.upper(), path, query=query, headers=headers, body=body,
                        post_params=form or None, auth=auth_settings is None or bool(auth_settings),
                        returns=response_type, name=f"{method} {resource_path}")

    def _execute(self, request: _Request) -> Any:
        response = self._send(request)
        capture = self._capture
        if hasattr(capture, "response"):
            capture.response = response
        if request.returns is None:
            return None
        return self._decode_body(response, request.returns)

    def _decode_body(self, response: RESTResponse, returns: str) -> Any:
        if returns == "file":
            return self._save_file(response)
        content = response.content
        if not content:
            return None
        content_type = (response.getheader("Content-Type") or "").lower()
        if content_type.startswith("text/") and returns == "str":
            return response.data
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

    def _save_file(self, response: RESTResponse) -> str:
        import os
        import tempfile
        folder = self.configuration.temp_folder_path or tempfile.gettempdir()
        name = None
        disposition = response.getheader("Content-Disposition")
        if disposition:
            match = re.search(r'filename=["\']?([^"\';\s]+)', disposition)
            if match:
                name = os.path.basename(match.group(1))
        if not name:
            fd, path = tempfile.mkstemp(dir=folder)
            os.close(fd)
        else:
            path = os.path.join(folder, name)
        with open(path, "wb") as handle:
            handle.write(response.content)
        return path

    def _send(self, request: _Request) -> RESTResponse:
        """Send with auth, retries and token renewal; return a 2xx response or raise."""
        exchange = _Exchange(self, request)
        http = self.get_http_client()
        while True:
            token = self._token_for_request() if request.auth else ""
            options = exchange.options(token)
            try:
                raw = http.request(options)
            except ApiException as exc:
                action, value = exchange.on_error(exc, token)
            else:
                action, value = exchange.on_response(raw, token)
            if action == RETURN:
                return value  # type: ignore[no-any-return]
            if action == RENEW:
                self.handle_expired_access_token(token)
            else:
                time.sleep(value)


RETURN, RENEW, RETRY = 0, 1, 2


class _Exchange:
    """One call on the wire: the prepared request and the decision after each attempt.

    The sync and asyncio clients share it; their loops only do the I/O, the
    waiting and the token renewal: ``on_response``/``on_error`` return
    ``(RETURN, response)``, ``(RENEW, None)`` or ``(RETRY, seconds)``, or raise the
    final, typed error.
    """

    __slots__ = ("client", "request", "url", "headers", "encoded", "wire_body", "state", "renewed", "logger",
                 "secret")

    def __init__(self, client: ApiClient, request: _Request) -> None:
        from .retry import RetryState
        config = client.configuration
        self.client = client
        self.request = request
        self.url = client.get_conf_url(request.kind, client.host) + request.path
        headers = dict(client.default_headers)
        headers.update(request.headers)
        headers["purecloud-sdk"] = SDK_VERSION
        if client.cookie:
            _check_header("Cookie", client.cookie)
            headers["Cookie"] = client.cookie
        self.headers = headers
        encoded = request.encoded
        wire_body = None
        if encoded is None and request.body is not None and not request.post_params:
            body = request.body
            if isinstance(body, (bytes, bytearray)):
                encoded = bytes(body)
            elif isinstance(body, str) and not headers.get("Content-Type", "").endswith("json"):
                encoded = body.encode("utf-8")
            else:
                # Custom HTTP clients see the JSON-ready body (as the official SDK hands them).
                wire_body = to_wire(body)
                encoded = _json.dumps(wire_body)
        self.encoded = encoded
        self.wire_body = wire_body if wire_body is not None else request.body
        self.state = RetryState(request.retry or config.retry, request.method)
        self.renewed = False
        self.logger = config.logger
        self.secret = request.kind == "login"  # token requests: never log their bodies

    def options(self, token: str) -> HttpRequestOptions:
        if token:
            if _HEADER_BAD.search(token):
                raise ValueError("the access token contains CR, LF or NUL characters; refusing to send it")
            self.headers["Authorization"] = "Bearer " + token
        request = self.request
        return HttpRequestOptions(url=self.url, method=request.method, headers=self.headers,
                                  query_params=request.query, post_params=request.post_params,
                                  body=self.wire_body if request.post_params is None else None,
                                  encoded_body=self.encoded, timeouts=request.timeouts)

    def _renewable(self, status: int) -> bool:
        if status == 401 and self.request.auth and not self.renewed and self.client._can_renew():
            self.renewed = True
            self.logger.message(10, "401 on %s %s: renewing the access token and replaying",
                                self.request.method, self.url)
            return True
        return False

    def on_error(self, exc: ApiException, token: str) -> tuple[int, Any]:
        """A transport error (connection, timeout, TLS) or a custom client's raised ApiException."""
        if isinstance(exc, ApiConnectionError):
            wait, why = self.state.for_connection_error()
            if wait is None:
                self.logger.log_call(self.request.method, self.url, self.headers, self.encoded, None, failed=True,
                                     secret_bodies=self.secret, query=self.request.query)
                raise exc
            self.logger.message(10, "retrying %s %s in %.2fs (attempt %d): %s: %s", self.request.method, self.url,
                                wait, self.state.retries + 2, why, exc.reason)
            self.state.retries += 1
            return RETRY, wait
        if self._renewable(exc.status):
            return RENEW, None
        raise exc

    def on_response(self, raw: Any, token: str) -> tuple[int, Any]:
        response = _as_rest_response(raw)
        status = response.status
        logger = self.logger
        self.client.last_response = response
        if 200 <= status < 300:
            if logger.enabled(10):
                logger.log_call(self.request.method, self.url, self.headers, self.encoded, status, response.headers,
                                response.content, secret_bodies=self.secret, query=self.request.query)
            return RETURN, response
        if self._renewable(status):
            return RENEW, None
        wait, why = self.state.for_status(status, response.getheader("Retry-After"))
        if wait is not None:
            logger.message(10, "retrying %s %s in %.2fs (attempt %d): %s", self.request.method, self.url, wait,
                           self.state.retries + 2, why)
            self.state.retries += 1
            return RETRY, wait
        logger.log_call(self.request.method, self.url, self.headers, self.encoded, status, response.headers,
                        response.content, failed=True, secret_bodies=self.secret, query=self.request.query)
        if status == 429:
            from .retry import parse_retry_after
            raise RateLimitError(response, parse_retry_after(response.getheader("Retry-After")),
                                 why if self.state.retries or "budget" in why else "")
        raise ApiException(http_resp=response)


def _check_header(name: str, value: Any) -> None:
    if _HEADER_BAD.search(str(name)) or _HEADER_BAD.search(str(value)):
        raise ValueError(f"header {name!r} contains CR, LF or NUL characters, which are not allowed")


def _file_field(value: Any) -> Any:
    if isinstance(value, str):
        import os
        with open(value, "rb") as handle:
            return (os.path.basename(value), handle.read())
    return value


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
