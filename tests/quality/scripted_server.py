"""A scripted HTTP/1.1 server on 127.0.0.1 that counts what reaches it.

The emulator answers like the platform; this server answers what a test scripts, and
counts server-side what the client really did: requests (method, path, headers, body),
connections opened and the peak of connections open at once. A test gives a function
``handler(seen) -> Reply``; the handler may block (on a ``threading.Event``) to hold a
response until the test says so. ``Reply(drop=True)`` closes the connection with a TCP
reset instead of answering (a connection error for the client).

Runs in a thread of the test process (the API host and the login host are the same
server: the client derives ``http://127.0.0.1:PORT`` for both).
"""
from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    connection: int  # which connection (1-based, in order of acceptance) carried it

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def token(self) -> str:
        auth = self.headers.get("authorization", "")
        return auth[len("Bearer "):] if auth.startswith("Bearer ") else ""


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # bytes, str, or anything JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # reset the connection instead of answering

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Handler = Callable[[Seen], Reply]


class ScriptedServer:
    """``with ScriptedServer(handler) as server:``; ``server.url`` is the host to give the client."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Seen] = []
        self.connections_opened = 0
        self.open_connections = 0
        self.peak_open_connections = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.lock = threading.RLock()  # predicates given to wait_for may call count()
        self.changed = threading.Condition(self.lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="scripted-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    # -- counts --------------------------------------------------------------------------
    def count(self, path_prefix: str = "", method: str | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.requests
                       if r.path.startswith(path_prefix) and (method is None or r.method == method))

    def token_requests(self) -> int:
        return self.count("/oauth/token")

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        """Wait (on the server's own condition, no polling) until ``predicate()`` holds."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    # -- the request handler ------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def setup(self) -> None:
                super().setup()
                with server.changed:
                    server.connections_opened += 1
                    self.connection_number = server.connections_opened
                    server.open_connections += 1
                    server.peak_open_connections = max(server.peak_open_connections, server.open_connections)
                    server.changed.notify_all()

            def finish(self) -> None:
                try:
                    super().finish()
                finally:
                    with server.changed:
                        server.open_connections -= 1
                        server.changed.notify_all()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(self.command, parts.path, parse_qsl(parts.query, keep_blank_values=True),
                            {k.lower(): v for k, v in self.headers.items()}, body, self.connection_number)
                with server.changed:
                    server.requests.append(seen)
                    server.in_flight += 1
                    server.peak_in_flight = max(server.peak_in_flight, server.in_flight)
                    server.changed.notify_all()
                try:
                    reply = server.handler(seen)
                finally:
                    with server.changed:
                        server.in_flight -= 1
                        server.changed.notify_all()
                if reply.drop:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                payload = reply.encoded()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        return _Handler


# -- common scripts ----------------------------------------------------------------------------
def token_reply(value: str = "token-1", expires_in: int = 86400) -> Reply:
    return Reply(200, {"access_token": value, "token_type": "bearer", "expires_in": expires_in})


def error_reply(status: int, message: str = "scripted failure", headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"message": message, "code": f"scripted.{status}", "status": status}, headers or {})


USER = {"id": "u1", "name": "Scripted User", "state": "active"}
