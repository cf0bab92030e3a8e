"""A raw TCP server on 127.0.0.1 for responses no well-behaved HTTP server sends: a body cut
short, a body that drips and then stalls, a body without a length.  Each connection reads the
request head, writes ``script``'s bytes, then holds the connection open until the server is
closed (or closes it at once with ``close_after=True``).  ``requests`` counts request heads.
"""
from __future__ import annotations

import socket
import threading
from typing import Any


class RawServer:
    def __init__(self, response: bytes, *, close_after: bool = False) -> None:
        self.response = response
        self.close_after = close_after
        self.requests = 0
        self._release = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="raw-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._one, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _one(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    return
                head += data
            self.requests += 1
            conn.sendall(self.response)
            if not self.close_after:
                self._release.wait(60)

    def __enter__(self) -> RawServer:
        self._accept.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._release.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._listener.close()
        for thread in self._threads:
            thread.join(10)
        self._accept.join(10)


class ConnectProxy:
    """A forward proxy for HTTPS targets (CONNECT only): records each CONNECT's head, answers
    200 and pipes bytes both ways.  ``url`` is the proxy; ``connects`` the heads it received."""

    def __init__(self) -> None:
        self.connects: list[bytes] = []
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._accept = threading.Thread(target=self._serve, name="connect-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(65536)
            if not data:
                conn.close()
                return
            head += data
        head, rest = head.split(b"\r\n\r\n", 1)
        self.connects.append(head)
        host, port = head.split(b" ", 2)[1].decode().rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            upstream.sendall(rest)

        def pipe(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (src, dst):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)
        conn.close()
        upstream.close()

    def __enter__(self) -> ConnectProxy:
        self._accept.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._accept.join(10)
