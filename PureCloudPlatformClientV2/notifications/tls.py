"""The TLS setting of the notifications WebSocket, in one function so that one SSL context
factory for every transport can replace it."""
from __future__ import annotations

from typing import Any


def websocket_ssl(config: Any) -> Any:
    """The ``ssl=`` argument for aiohttp's ``ws_connect`` from a Configuration: the mTLS/CA
    context when there is one, ``False`` (no verification) when ``verify_ssl`` is off, else
    certifi's CA bundle (as the REST client)."""
    import ssl

    context = config.create_mtls_or_ssl_context() if hasattr(config, "create_mtls_or_ssl_context") else None
    if context is not None:
        if not config.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context
    if not config.verify_ssl:
        return False
    if config.ssl_ca_cert:
        return ssl.create_default_context(cafile=config.ssl_ca_cert)
    import certifi
    return ssl.create_default_context(cafile=certifi.where())
