"""What keeps a running emulator safe to leave on: the control-API secret, Host/Origin checks
against DNS rebinding and cross-site requests, redirect-URI rules, and bounded request input.

All of it is decided here so the server only asks yes/no questions per request.
"""
from __future__ import annotations

import json
import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import ApiError, bad_request

if TYPE_CHECKING:  # aiohttp is imported by the server; the runner imports this module without it
    from aiohttp import web

log = logging.getLogger("PureCloudPlatformClientV2.emulator")

#: Header carrying the per-emulator control secret on ``/__emulator/admin/*`` requests.
CONTROL_HEADER = "X-Emulator-Control-Secret"
#: A subprocess/CLI emulator takes its control secret from this variable (not argv: ps shows argv).
CONTROL_SECRET_ENV = "GENESYS_EMULATOR_CONTROL_SECRET"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "localhost.localdomain"})
#: Where clients registered without redirect URIs (the default client included) may be sent by
#: ``/oauth/authorize``; as for native apps (RFC 8252 section 7.3) any port is accepted on loopback.
DEFAULT_REDIRECT_URIS = ("http://localhost/callback", "http://127.0.0.1/callback")
#: Deepest JSON nesting accepted in a request body; the platform's models nest far less.
MAX_JSON_DEPTH = 64
#: Default request body limit (bytes); ``max_body_size`` / ``--max-body-size`` change it.
DEFAULT_MAX_BODY = 16 * 1024 * 1024


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    return host.strip("[]").lower() in LOOPBACK_NAMES or host.startswith("127.")


def _hostname(value: str) -> str:
    """``host`` of a Host header value ``host[:port]`` / ``[v6]:port``, lower-cased."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


class Guard:
    """Per-request checks; built once from the settings."""

    def __init__(self, bind_host: str, control_secret: str, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.control_secret = control_secret
        self.names = frozenset({*LOOPBACK_NAMES, _hostname(bind_host), *(h.lower() for h in allowed_hosts)})
        # Bound to loopback, every request must name us in Host: a DNS-rebound name does not.
        # Bound to another interface the user chose to be reachable, so only the control API insists.
        self.check_all_hosts = is_loopback(bind_host)

    def host_ok(self, request: web.Request) -> bool:
        host = request.headers.get("Host")
        return host is not None and _hostname(host) in self.names

    def origin_ok(self, request: web.Request) -> bool:
        """No Origin (non-browser clients), one on a name we answer to, or the request's own
        host (same-origin; with DNS rebinding that host is refused by the Host check instead)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        try:
            name = (urlsplit(origin).hostname or "").lower()
        except ValueError:
            return False
        return name in self.names or name == _hostname(request.headers.get("Host", ""))

    def check_request(self, request: web.Request) -> None:
        """Every request: refuse a foreign Origin, and a foreign Host when bound to loopback."""
        if self.check_all_hosts and not self.host_ok(request):
            raise ApiError(403, "forbidden", "The Host header does not name this emulator (DNS rebinding "
                                             "protection); use 127.0.0.1/localhost or start it with --allow-host.")
        if not self.origin_ok(request):
            raise ApiError(403, "forbidden", "Cross-origin requests from this Origin are not accepted.")

    def check_control(self, request: web.Request) -> None:
        """The control API: own Host, no foreign Origin, JSON only, and the control secret."""
        if not self.host_ok(request):
            raise ApiError(403, "forbidden", "The control API answers only to its own host name.")
        if request.headers.get("Origin") is not None and not self.origin_ok(request):
            raise ApiError(403, "forbidden", "The control API does not accept cross-origin requests.")
        if request.content_type != "application/json":
            raise ApiError(415, "unsupported.media.type", "The control API accepts application/json only.")
        sent = request.headers.get(CONTROL_HEADER, "")
        if not sent or not secrets.compare_digest(sent.encode(), self.control_secret.encode()):
            raise ApiError(401, "authentication.required",
                           f"The control API requires the emulator's control secret in the {CONTROL_HEADER} "
                           "header (Emulator.control_secret; printed by the command line).")


def redirect_allowed(registered: tuple[str, ...], uri: str) -> bool:
    """Exact match with a registered URI, or a loopback URI that differs only in port."""
    allowed = registered or DEFAULT_REDIRECT_URIS
    if uri in allowed:
        return True
    try:
        got = urlsplit(uri)
        got_host = got.hostname
    except ValueError:
        return False
    if got_host is None or not is_loopback(got_host) or got.scheme != "http":
        return False
    for candidate in allowed:
        want = urlsplit(candidate)
        if (want.scheme, want.hostname, want.path, want.query) == (got.scheme, got_host, got.path, got.query):
            return True
    return False


async def read_body(request: web.Request, limit: int) -> bytes:
    """The raw body, or a 413 in the platform's shape when it is larger than ``limit``."""
    length = request.content_length
    if length is not None and length > limit:
        raise too_large(length, limit)
    from aiohttp.web import HTTPRequestEntityTooLarge
    try:
        return await request.read()
    except HTTPRequestEntityTooLarge:
        raise too_large(None, limit) from None


def too_large(length: int | None, limit: int) -> ApiError:
    size = f"{length} bytes" if length is not None else "more than the limit"
    log.info("emulator: request body of %s refused (limit %d bytes)", size, limit)
    return ApiError(413, "request.entity.too.large",
                    f"The request body ({size}) exceeds the emulator's limit of {limit} bytes "
                    "(max_body_size / --max-body-size).")


def parse_json(raw: bytes, field: str = "body") -> Any:
    """JSON with bounded nesting; anything else is a 400 that says what is wrong."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise bad_request(f"The JSON request body nests deeper than {MAX_JSON_DEPTH} levels.", field) from None
    except ValueError as exc:
        raise bad_request(f"Unable to parse the request body as JSON: {exc}", field) from None
    if isinstance(value, (dict, list)) and _too_deep(value):
        raise bad_request(f"The JSON request body nests deeper than {MAX_JSON_DEPTH} levels.", field)
    return value


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, (dict, list)) and child:
                stack.append((child, depth + 1))
    return False
