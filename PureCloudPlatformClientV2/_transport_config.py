"""Transport configuration in one place: the SSL context, the proxy, the timeouts, the query string.

Every transport (urllib3, aiohttp, the notifications WebSocket) takes its settings from here,
so they cannot drift apart:

- :func:`ssl_context_for` builds a new context per call from the configuration's TLS settings;
  a context the user supplied (``configuration.ssl_context``) is used as given, never modified.
- :func:`proxy_for` gives the proxy URL and its ``Proxy-Authorization`` header.
- :func:`resolve_timeouts` settles (connect, read, deadline) seconds once per call, in the order
  call options -> the client's transport (``set_timeout``) / client setting -> configuration,
  before any transport is called.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

if TYPE_CHECKING:
    import ssl

DEFAULT_DEADLINE = 120.0  # seconds for a whole call: attempts, waits and body reading
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024  # per response body, before and after decompression


class Timeouts(NamedTuple):
    """Final seconds for one call: ``connect`` and ``read`` per attempt, ``deadline`` for all of it."""

    connect: float
    read: float
    deadline: float


def resolve_timeouts(call_timeouts: tuple[float, float] | None, call_deadline: float | None,
                     transport_seconds: float | None, client_deadline: float | None,
                     configuration: Any) -> Timeouts:
    """Per call (``_request_timeout``, ``_deadline``) -> per client (``http_client.set_timeout``,
    ``ApiClient.deadline``) -> configuration (``connect_timeout``, ``read_timeout``, ``deadline``)."""
    if call_timeouts is not None:
        connect, read = call_timeouts
    elif transport_seconds is not None:
        connect = read = transport_seconds
    else:
        connect, read = float(configuration.connect_timeout), float(configuration.read_timeout)
    deadline = call_deadline or client_deadline or getattr(configuration, "deadline", None) or DEFAULT_DEADLINE
    return Timeouts(connect, read, float(deadline))


def ssl_context_for(configuration: Any) -> ssl.SSLContext:
    """A new SSLContext for ``configuration``: the CA bundle (``ssl_ca_cert`` or certifi), the client
    certificate (``cert_file``/``key_file``), verification off only when ``verify_ssl`` is false.

    A context the user set (``configuration.ssl_context``, also what ``set_mtls_contents`` stores)
    is returned as it is and never modified: it decides its own verification, so ``verify_ssl``
    does not apply to it (a warning says so when it is false).
    """
    import ssl
    supplied = getattr(configuration, "ssl_context", None)
    if supplied is not None:
        if not configuration.verify_ssl:
            import logging
            logging.getLogger("PureCloudPlatformClientV2").warning(
                "verify_ssl=False does not apply to a supplied ssl_context; it is used as given")
        return supplied  # type: ignore[no-any-return]
    if configuration.verify_ssl:
        cafile = configuration.ssl_ca_cert
        if not cafile:
            import certifi
            cafile = certifi.where()
        context = ssl.create_default_context(cafile=cafile)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, configuration.key_file or None)
    return context


class ProxySettings(NamedTuple):
    url: str
    headers: dict[str, str] | None  # Proxy-Authorization; never logged


def proxy_for(configuration: Any) -> ProxySettings | None:
    """The proxy of ``configuration`` (None: connect directly)."""
    url = getattr(configuration, "proxy", None)
    if not url:
        return None
    headers = None
    if configuration.proxy_username or configuration.proxy_password:
        import base64
        pair = f"{configuration.proxy_username or ''}:{configuration.proxy_password or ''}".encode()
        headers = {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    return ProxySettings(url, headers)


def url_with_query(url: str, query: Any) -> str:
    """``url`` plus the encoded query (a dict or a list of pairs), encoded the same for every transport."""
    if not query:
        return url
    pairs = list(query.items()) if isinstance(query, dict) else list(query)
    return url + ("&" if "?" in url else "?") + urlencode(pairs)


_LOOPBACK = ("127.", "localhost", "[::1]")


@lru_cache(maxsize=64)
def accept_encoding_for(url: str) -> str:
    """``gzip`` where compression pays (a real network), ``identity`` over loopback, where it
    would only cost CPU on both ends.  Inflation is bounded by the response size limit."""
    host = url.split("://", 1)[-1]
    return "identity" if host.startswith(_LOOPBACK) else "gzip"
