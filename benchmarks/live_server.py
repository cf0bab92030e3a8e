"""A tiny HTTP/1.1 server for the live-call scenario (standard library only).

``python live_server.py FIXTURE.json`` listens on 127.0.0.1 (a free port), prints the port on
its first stdout line, and answers ``GET /api/v2/users/me`` with the fixture's bytes and every
other path with 404. Keep-alive is honoured, so clients can pool connections. It is built on
asyncio streams because the stdlib ``http.server`` parses headers slowly enough to become the
bottleneck of a fast client.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path


def make_handler(body: bytes):
    ok_head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               b"inin-correlation-id: bench-live\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    not_found = b'{"status":404,"code":"not.found","message":"no such path"}'
    nf_head = (b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
               + str(len(not_found)).encode() + b"\r\n\r\n")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                method, target = lines[0].split(b" ")[:2]
                length, close = 0, False
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                if length:
                    await reader.readexactly(length)
                path = target.split(b"?", 1)[0]
                if method == b"GET" and path == b"/api/v2/users/me":
                    writer.write(ok_head + body)
                else:
                    writer.write(nf_head + not_found)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


async def serve(body: bytes) -> None:
    server = await asyncio.start_server(make_handler(body), "127.0.0.1", 0, backlog=256)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1]).read_bytes()))
