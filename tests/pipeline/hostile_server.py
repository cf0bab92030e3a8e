"""A deliberately hostile HTTP server for the pipeline's limits, run as a subprocess.

``python hostile_server.py [BOMB_MB]`` prints ``{"port": N}`` and serves until stdin closes.
The last path segment picks the behaviour:

- ``stall``: reads the request and never answers;
- ``drip``: 200 with a JSON Content-Length of 1 MB, then one byte every 0.2 s;
- ``endless``: 200 without Content-Length, 64 KiB chunks until the client goes away;
- ``big``: 200 with ``Content-Length`` of 2 GiB (a few bytes sent);
- ``bomb``: 200 ``Content-Encoding: gzip``, BOMB_MB (default 64) MiB of zeros compressed;
- ``gzip-ok``: a small gzip-compressed JSON user (sent although the client asked for identity);
- ``echo-encoding``: the request's Accept-Encoding as JSON;
- ``download-<name>``: 200 with ``Content-Disposition: attachment; filename="<name, percent-decoded>"``.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import sys
import threading
import zlib
from urllib.parse import unquote

USER = b'{"id": "u1", "name": "Hostile Server User"}'


def make_bomb(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(megabytes)]
    parts.append(packer.flush())
    return b"".join(parts)


class Hostile:
    def __init__(self, bomb_mb: int = 64) -> None:
        self.bomb = make_bomb(bomb_mb)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                target = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                name = target.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
                if not await self.behave(name, headers, writer):
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def behave(self, name: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> bool:
        def send(body: bytes, extra: str = "", content_type: str = "application/json") -> None:
            writer.write((f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                          f"{extra}\r\n").encode() + body)

        if name == "stall":
            await asyncio.sleep(3600)
            return False
        if name == "drip":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n")
            while True:
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.2)
        if name == "endless":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
            chunk = b"[" + b"0," * 32767 + b"0"
            while True:
                writer.write(chunk)
                await writer.drain()
        if name == "big":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n[")
            await writer.drain()
            await asyncio.sleep(3600)
            return False
        if name == "bomb":
            send(self.bomb, "Content-Encoding: gzip\r\n")
        elif name == "gzip-ok":
            send(gzip.compress(USER), "Content-Encoding: gzip\r\n")
        elif name == "echo-encoding":
            send(json.dumps({"name": headers.get("accept-encoding", "")}).encode())
        elif name.startswith("download-"):
            filename = unquote(name[len("download-"):])
            send(b"file body", f'Content-Disposition: attachment; filename="{filename}"\r\n',
                 "application/octet-stream")
        else:
            send(USER)
        await writer.drain()
        return True


async def serve(bomb_mb: int) -> None:
    hostile = Hostile(bomb_mb)
    server = await asyncio.start_server(hostile.handle, "127.0.0.1", 0)
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)), daemon=True).start()
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]) if len(sys.argv) > 1 else 64))
