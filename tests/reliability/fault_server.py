"""Purpose-built misbehaving HTTP(S) servers for the fault matrix, run as a subprocess.

Run ``python fault_server.py CERT_DIR``; it prints one JSON line with its ports, then serves
until stdin closes.  Running apart from the test process keeps the test's counts of threads
and sockets about the client alone.

Plain HTTP port ``plain``: the behaviour is the last path segment (``/api/v2/users/<behaviour>``):
``ok``, ``reset-before-headers``, ``reset-after-headers``, ``reset-mid-body``, ``close-mid-body``,
``truncated-json``, ``invalid-json``, ``text-plain``, ``html-502``, ``stall-headers``,
``stall-body``, ``drip`` (the status line one byte per 0.1 s, then a stall), ``redirect-other-host``.
Port ``other`` answers 200 to anything and counts what it received;
``GET /__hits`` on ``plain`` returns what ``other`` saw; ``GET /__seen`` how many requests
``plain`` received per behaviour (so tests count attempts server-side).
TLS ports ``expired``, ``wrong_host``, ``untrusted``, ``mtls``, ``good`` serve ``/api/v2/users/<id>``
with certificates from CERT_DIR (see ``reliability_helpers.TlsMaterial``).
"""
from __future__ import annotations

import asyncio
import json
import socket
import ssl
import struct
import sys
from pathlib import Path

OTHER_HITS: list[dict[str, str]] = []
SEEN: dict[str, int] = {}
PORTS: dict[str, int] = {}
USER = b'{"id": "%s", "name": "Fault Server User", "state": "active"}'


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if length:
        await reader.readexactly(length)
    return method, target, headers


def rst(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (linger 0) rather than a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def response(status: str, body: bytes, content_type: str = "application/json", extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"{extra}Connection: keep-alive\r\n\r\n").encode() + body


HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


async def behave(name: str, writer: asyncio.StreamWriter) -> bool:
    """Act out one behaviour; True when the connection may serve another request."""
    if name == "reset-before-headers":
        rst(writer)
        return False
    if name == "reset-after-headers":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.05)
        rst(writer)
        return False
    if name in ("reset-mid-body", "close-mid-body"):
        body = USER % b"mid-body"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body[: len(body) // 2])
        await writer.drain()
        await asyncio.sleep(0.05)
        if name == "reset-mid-body":
            rst(writer)
        else:
            writer.close()
        return False
    if name == "truncated-json":
        writer.write(response("200 OK", b'{"id": "truncated", "name": "Trunc'))
    elif name == "invalid-json":
        writer.write(response("200 OK", b'{"id": nope, "name": }'))
    elif name == "text-plain":
        writer.write(response("200 OK", b"all good, no JSON here", "text/plain"))
    elif name == "html-502":
        writer.write(response("502 Bad Gateway", HTML_502, "text/html"))
    elif name == "stall-headers":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: appl")
        await writer.drain()
        await asyncio.sleep(3600)
    elif name == "stall-body":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\"")
        await writer.drain()
        await asyncio.sleep(3600)
    elif name == "drip":
        for byte in b"HTTP/1.1 200 O":
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.1)
        await asyncio.sleep(3600)
    elif name == "redirect-other-host":
        location = f"http://127.0.0.1:{PORTS['other']}/api/v2/users/stolen"
        writer.write(response("302 Found", b"", extra=f"Location: {location}\r\n"))
    else:
        writer.write(response("200 OK", USER % name.encode()))
    await writer.drain()
    return True


async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await read_request(reader)
            if request is None:
                break
            _, target, _ = request
            if target == "/__hits":
                writer.write(response("200 OK", json.dumps(OTHER_HITS).encode()))
                await writer.drain()
                continue
            if target == "/__seen":
                writer.write(response("200 OK", json.dumps(SEEN).encode()))
                await writer.drain()
                continue
            name = target.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            SEEN[name] = SEEN.get(name, 0) + 1
            if not await behave(name, writer):
                return
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def other(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await read_request(reader)
            if request is None:
                break
            method, target, headers = request
            OTHER_HITS.append({"method": method, "target": target, "authorization": headers.get("authorization", "")})
            writer.write(response("200 OK", USER % b"other-host"))
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def tls_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await read_request(reader)
            if request is None:
                break
            writer.write(response("200 OK", USER % request[1].rsplit("/", 1)[-1].encode()))
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


def server_context(directory: Path, cert: str, client_ca: str | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(directory / f"{cert}.pem"), str(directory / f"{cert}.key"))
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(str(directory / client_ca))
    return context


async def main(directory: Path) -> None:
    servers = {
        "plain": await asyncio.start_server(plain, "127.0.0.1", 0),
        "other": await asyncio.start_server(other, "127.0.0.1", 0),
    }
    tls = {"good": ("good", None), "expired": ("expired", None), "wrong_host": ("wrong_host", None),
           "untrusted": ("untrusted", None), "mtls": ("good", "client_ca.pem")}
    for name, (cert, client_ca) in tls.items():
        servers[name] = await asyncio.start_server(tls_ok, "127.0.0.1", 0,
                                                   ssl=server_context(directory, cert, client_ca))
    for name, server in servers.items():
        PORTS[name] = server.sockets[0].getsockname()[1]
    print(json.dumps(PORTS), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our stdin


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
