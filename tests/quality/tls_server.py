"""An HTTPS server on 127.0.0.1 (trustme certificates) that records, per request, which client
certificate the client presented (None: none), for the TLS/mTLS behaviour tests of the
configuration and both transports.

Runs in a thread of the test process; the handshake happens in the connection's own thread, so
a client that fails its handshake never blocks the others.  ``handshake_failures`` counts them.
"""
from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

USER = {"id": "u1", "name": "TLS User", "state": "active"}
TOKEN = {"access_token": "tls-token", "token_type": "bearer", "expires_in": 86400}


@dataclass
class TlsSeen:
    method: str
    path: str
    client_identity: str | None  # the client certificate's first subjectAltName value, None without one
    headers: dict[str, str]


class Pki:
    """A server CA + server certificate for 127.0.0.1, and a client CA with two client certificates,
    written as PEM files in ``directory`` (``paths``) and kept as text (``pem``)."""

    def __init__(self, directory: Path) -> None:
        self.server_ca, self.client_ca = trustme.CA(), trustme.CA()
        self.server = self.server_ca.issue_cert("127.0.0.1", "localhost")
        self.clients = {name: self.client_ca.issue_cert(f"{name}.clients.test") for name in ("alice", "bob")}
        self.paths: dict[str, str] = {}
        self.pem: dict[str, str] = {}

        def put(name: str, blob: Any) -> None:
            path = directory / f"{name}.pem"
            blob.write_to_path(str(path))
            self.paths[name] = str(path)
            self.pem[name] = blob.bytes().decode()

        put("server_ca", self.server_ca.cert_pem)
        for name, cert in self.clients.items():
            put(name, cert.cert_chain_pems[0])
            put(f"{name}_key", cert.private_key_pem)


class TlsServer:
    """``with TlsServer(pki) as server:``; ``server.url`` is ``https://127.0.0.1:PORT``.

    The server asks for a client certificate signed by the client CA but does not require one
    (``require_client_cert=True`` makes a missing one fail the handshake)."""

    def __init__(self, pki: Pki, *, require_client_cert: bool = False) -> None:
        self.seen: list[TlsSeen] = []
        self.handshake_failures = 0
        self.lock = threading.Lock()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        pki.server.configure_cert(context)
        pki.client_ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
        outer = self

        class _Server(ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request: Any, client_address: Any) -> None:
                try:
                    tls = context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    with outer.lock:
                        outer.handshake_failures += 1
                    return
                try:
                    self.RequestHandlerClass(tls, client_address, self)
                finally:
                    tls.close()

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                peer = self.connection.getpeercert()  # type: ignore[attr-defined]
                identity = peer["subjectAltName"][0][1] if peer and peer.get("subjectAltName") else None
                with outer.lock:
                    outer.seen.append(TlsSeen(self.command, self.path, identity,
                                              {k.lower(): v for k, v in self.headers.items()}))
                body = json.dumps(TOKEN if self.path.startswith("/oauth/token") else USER).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="tls-server",
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def identities(self) -> list[str | None]:
        with self.lock:
            return [seen.client_identity for seen in self.seen]

    def __enter__(self) -> TlsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
