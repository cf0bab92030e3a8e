"""What the sync and asyncio facades share, with no I/O: host, gateway, headers, token state,
the rate-limit pacer and how a call's :class:`~._pipeline.Exchange` is set up."""
from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any

from ._auth import TokenState
from ._pipeline import Exchange, PacingStats, RatePacer
from ._request import (
    SDK_VERSION,
    Request,
    apply_call_options,
    check_header,
    check_option_names,
    select_header_accept,
    select_header_content_type,
)
from ._response import as_rest_response, decode_body
from ._serde import to_wire
from ._transport_config import resolve_timeouts
from .configuration import Configuration
from .gateway_configuration import GatewayConfiguration
from .purecloud_region_hosts import PureCloudRegionHosts, login_host_for

if TYPE_CHECKING:
    from ._api import Operation
    from .rest import RESTResponse


class ClientBase:
    """Host, region, gateway, default headers, cookie, token and settings of one client."""

    def __init__(self, host: str | None = None, header_name: str | None = None, header_value: str | None = None,
                 cookie: str | None = None, *, configuration: Configuration | None = None,
                 region: PureCloudRegionHosts | str | None = None) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.default_headers: dict[str, str] = {}
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        if region is not None:
            host = (region if isinstance(region, PureCloudRegionHosts) else PureCloudRegionHosts[region]).value
        self.host = host if host is not None else self.configuration.host
        self.cookie = cookie
        self.user_agent = f"PureCloudPlatformClientV2/{SDK_VERSION} (fast; python/{sys.version.split()[0]})"
        self._tokens = TokenState()
        self._pacer = RatePacer()
        self.deadline: float | None = None  # seconds per call; None: configuration.deadline
        self.rate_limit_pacing: bool | None = None  # None: configuration.rate_limit_pacing
        self.gateway_configuration: GatewayConfiguration | None = self.configuration.gateway_configuration
        self.last_response: RESTResponse | None = None
        self.configuration.start_config_watcher()

    # -- token state (the official attribute names) ---------------------------------------
    @property
    def access_token(self) -> str:
        return self._tokens.access_token

    @access_token.setter
    def access_token(self, value: str) -> None:
        self._tokens.access_token = value

    @property
    def refresh_token(self) -> str:
        return self._tokens.refresh_token

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self._tokens.refresh_token = value

    @property
    def client_id(self) -> str:
        return self._tokens.client_id

    @client_id.setter
    def client_id(self, value: str) -> None:
        self._tokens.client_id = value

    @property
    def client_secret(self) -> str:
        return self._tokens.client_secret

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self._tokens.client_secret = value

    @property
    def token_expires_at(self) -> float | None:
        """``time.monotonic()`` seconds at which the token expires (None: unknown)."""
        return self._tokens.expires_at

    @token_expires_at.setter
    def token_expires_at(self, value: float | None) -> None:
        self._tokens.expires_at = value

    @property
    def token_renewals(self) -> int:
        """Token requests this client made to renew an expired or expiring token."""
        return self._tokens.renewals

    @property
    def rate_limit_stats(self) -> PacingStats:
        """What rate-limit pacing saw and did (responses with headers, calls held back, seconds waited)."""
        return self._pacer.stats

    # -- official helpers -----------------------------------------------------------------
    @property
    def user_agent(self) -> str:
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        check_header("User-Agent", value)
        self.default_headers["User-Agent"] = value

    def set_default_header(self, header_name: str, header_value: str) -> None:
        check_header(header_name, header_value)
        self.default_headers[header_name] = header_value

    def _set_gateway(self, host: str | None, protocol: str | None, port: int | None, path_params_login: str | None,
                     path_params_api: str | None, hostname: str | None, scheme: str | None,
                     login_path: str | None, api_path: str | None) -> None:
        self.gateway_configuration = GatewayConfiguration(
            host=hostname or host, protocol=scheme or protocol, port=port,
            path_params_login=login_path if login_path is not None else path_params_login,
            path_params_api=api_path if api_path is not None else path_params_api)

    def get_conf_url(self, path_type: str, base_path: str) -> str:
        """Base URL for ``'login'`` or ``'api'`` requests, honouring the gateway."""
        gateway = self.gateway_configuration
        if gateway is not None and gateway.host:
            return gateway.base_url("login" if path_type == "login" else "api")
        base = base_path.rstrip("/")
        return login_host_for(base) if path_type == "login" else base

    def select_header_accept(self, accepts: list[str]) -> str | None:
        return select_header_accept(accepts)

    def select_header_content_type(self, content_types: list[str]) -> str:
        return select_header_content_type(content_types)

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """A JSON-ready copy of a model/list/dict as it is sent (wire names, None stripped)."""
        return to_wire(obj)

    def deserialize(self, response: Any, response_type: str) -> Any:
        """Decode an HTTP response (any client's) as ``response_type`` (e.g. ``'User'``)."""
        return self._decode_body(as_rest_response(response), response_type)

    def _decode_body(self, response: RESTResponse, returns: str) -> Any:
        return decode_body(response, returns, self.configuration.temp_folder_path)

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

    # -- one call ------------------------------------------------------------------------
    def _prepare(self, op: Operation, args: tuple[Any, ...], options: dict[str, Any], stacklevel: int) -> Request:
        """Check the call options and bind the arguments (``stacklevel``: the caller's frame, for
        the deprecation warning)."""
        if options:
            check_option_names(op.name, options)
        if op.deprecated:
            warnings.warn(f"{op.name} is deprecated", DeprecationWarning, stacklevel=stacklevel)
        request = op.build_request(args)
        if options:
            apply_call_options(request, options)
        return request

    def _grant_request(self, grant: str, client_id: str, client_secret: str = "", **values: str) -> Request:
        return self._tokens.grant_request(grant, client_id, client_secret, retry=self.configuration.retry, **values)

    def _record(self, response: RESTResponse) -> None:
        self.last_response = response

    def _exchange(self, request: Request, transport: Any) -> Exchange:
        """Set up one call: its final timeouts (per call -> per client -> configuration) and its
        decisions (``_pipeline.Exchange``)."""
        config = self.configuration
        timeouts = resolve_timeouts(request.timeouts, request.deadline, getattr(transport, "timeout_seconds", None),
                                    self.deadline, config)
        pacing = self.rate_limit_pacing if self.rate_limit_pacing is not None else config.rate_limit_pacing
        return Exchange(request, self.get_conf_url(request.kind, self.host), self.default_headers, self.cookie,
                        config, timeouts, tokens=self._tokens, pacer=self._pacer if pacing else None,
                        record=self._record)
