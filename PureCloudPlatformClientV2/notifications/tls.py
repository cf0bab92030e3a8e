"""The TLS setting of the notifications WebSocket: the same SSL context factory as the REST
transports (``_transport_config.ssl_context_for``), so ``verify_ssl``, the CA bundle and client
certificates mean the same thing everywhere and no shared context is ever modified."""
from __future__ import annotations

import ssl
from typing import Any


def websocket_ssl(config: Any) -> ssl.SSLContext:
    """The ``ssl=`` argument for aiohttp's ``ws_connect``: a context built for ``config``."""
    from .._transport_config import ssl_context_for
    return ssl_context_for(config)
