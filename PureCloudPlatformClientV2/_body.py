"""Bounded reading of a response body, for the transports (no I/O: they feed it what they read).

At most ``limit`` bytes received and at most ``limit`` bytes after decompression (gzip and
deflate are inflated here, in bounded steps, so a small compressed body cannot expand to
gigabytes), and nothing after the call's deadline.
"""
from __future__ import annotations

import time
import zlib
from typing import Any

from .rest import ApiDeadlineError, ApiResponseError, ResponseTooLargeError


class BodyReader:
    """Collects a response body chunk by chunk: at most ``limit`` bytes received and at most
    ``limit`` bytes after decompression (gzip/deflate are inflated here, in bounded steps), and
    nothing after ``deadline_at``.  Transports feed it what they read; it raises the typed error."""

    __slots__ = ("limit", "url", "status", "deadline_at", "deadline", "chunks", "received", "produced", "inflater")

    def __init__(self, limit: int, content_encoding: str | None, url: str, status: int,
                 deadline_at: float | None = None, deadline: float | None = None) -> None:
        self.limit = limit
        self.url = url
        self.status = status
        self.deadline_at = deadline_at
        self.deadline = deadline
        self.chunks: list[bytes] = []
        self.received = self.produced = 0
        encoding = (content_encoding or "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self.inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.inflater = zlib.decompressobj()
        else:
            self.inflater = None

    def check_length(self, content_length: str | None) -> None:
        """Fail before reading when the announced length is already too large."""
        if content_length and content_length.isdigit() and int(content_length) > self.limit:
            raise ResponseTooLargeError(self.limit, "received", self.url, self.status)

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        limit = self.limit
        if self.received > limit:
            raise ResponseTooLargeError(limit, "received", self.url, self.status)
        inflater = self.inflater
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, limit - self.produced + 1)
            except zlib.error as exc:
                raise ApiResponseError(status=self.status, reason=f"could not decompress the body: {exc}") from None
            if inflater.unconsumed_tail or self.produced + len(chunk) > limit:
                raise ResponseTooLargeError(limit, "decompressed", self.url, self.status)
            self.produced += len(chunk)
        self.chunks.append(chunk)
        if self.deadline_at is not None and time.monotonic() > self.deadline_at:
            raise ApiDeadlineError(self.deadline, self.url, during="reading the response body")

    def finish(self) -> bytes:
        if self.inflater is not None:
            try:
                tail = self.inflater.flush()
            except zlib.error as exc:
                raise ApiResponseError(status=self.status, reason=f"could not decompress the body: {exc}") from None
            if self.produced + len(tail) > self.limit:
                raise ResponseTooLargeError(self.limit, "decompressed", self.url, self.status)
            self.chunks.append(tail)
        chunks = self.chunks
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
