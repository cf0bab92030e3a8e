"""Bounded reading of a response body (``_body.BodyReader``): the limits on bytes received and
bytes after decompression, and the deadline while reading.

``BodyReader`` does no I/O (the transports feed it what they read), so it is tested directly;
``tests/pipeline/test_limits.py`` checks the same limits end to end over HTTP.
"""
from __future__ import annotations

import gzip
import zlib
from typing import Any

import pytest

from PureCloudPlatformClientV2 import _body
from PureCloudPlatformClientV2._body import BodyReader
from PureCloudPlatformClientV2.rest import ApiDeadlineError, ApiResponseError, ResponseTooLargeError

URL = "http://127.0.0.1:9/api/v2/x"


def deflated(data: bytes) -> bytes:
    return zlib.compress(data)


def read(reader: BodyReader, data: bytes, size: int = 7) -> bytes:
    for start in range(0, len(data), size):
        reader.feed(data[start:start + size])
    return reader.finish()


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", " GZip ", "deflate", "Deflate"])
def test_compressed_bodies_are_inflated(encoding: str) -> None:
    body = b'{"entities": []}' * 20
    packed = gzip.compress(body) if "gzip" in encoding.lower() else deflated(body)
    reader = BodyReader(10_000, encoding, URL, 200)
    assert read(reader, packed) == body
    assert reader.received == len(packed) and reader.produced == len(body)


@pytest.mark.parametrize("encoding", [None, "", "identity", "br"])
def test_other_encodings_are_passed_through(encoding: str | None) -> None:
    reader = BodyReader(100, encoding, URL, 200)
    assert reader.inflater is None
    assert read(reader, b"0123456789" * 3) == b"0123456789" * 3
    assert reader.produced == 0


def test_one_chunk_is_returned_as_is_and_nothing_is_empty() -> None:
    reader = BodyReader(100, None, URL, 200)
    chunk = b"abc"
    reader.feed(chunk)
    assert reader.finish() is chunk
    assert BodyReader(100, None, URL, 200).finish() == b""


def test_received_bytes_are_bounded() -> None:
    reader = BodyReader(10, None, URL, 200)
    reader.feed(b"12345")
    reader.feed(b"67890")  # exactly the limit
    with pytest.raises(ResponseTooLargeError) as caught:
        reader.feed(b"!")
    error = caught.value
    assert (error.limit, error.stage, error.url, error.status) == (10, "received", URL, 200)


def test_announced_length_is_checked_before_reading() -> None:
    reader = BodyReader(10, None, URL, 206)
    for fine in (None, "", "10", "0", "abc", "-5"):
        reader.check_length(fine)
    with pytest.raises(ResponseTooLargeError) as caught:
        reader.check_length("11")
    assert caught.value.stage == "received" and caught.value.status == 206


def test_decompressed_bytes_are_bounded_in_steps() -> None:
    bomb = gzip.compress(b"\0" * 1_000_000)
    reader = BodyReader(5000, "gzip", URL, 200)
    assert len(bomb) < 5000
    with pytest.raises(ResponseTooLargeError) as caught:
        read(reader, bomb, size=len(bomb))
    assert caught.value.stage == "decompressed" and caught.value.limit == 5000
    assert reader.produced <= 5000  # never inflated past the limit


def test_decompressed_bytes_exactly_at_the_limit_pass() -> None:
    body = bytes(range(256)) * 4
    packed = gzip.compress(body)
    assert read(BodyReader(len(body), "gzip", URL, 200), packed) == body
    with pytest.raises(ResponseTooLargeError):
        read(BodyReader(len(body) - 1, "gzip", URL, 200), packed)


def test_the_limit_counts_what_is_already_produced() -> None:
    body = bytes(range(256)) * 8  # 2048 bytes, barely compressible
    packed = deflated(body)
    reader = BodyReader(max(len(packed), 2000), "deflate", URL, 200)
    with pytest.raises(ResponseTooLargeError) as caught:
        read(reader, packed, size=64)
    assert caught.value.stage == "decompressed"


def test_flush_output_counts_against_the_limit() -> None:
    body = b"x" * 500
    reader = BodyReader(499, "deflate", URL, 200)
    reader.produced = 0
    packed = deflated(body)
    reader.inflater = _TailInflater(packed)
    reader.feed(packed)
    with pytest.raises(ResponseTooLargeError) as caught:
        reader.finish()
    assert caught.value.stage == "decompressed"
    fitting = BodyReader(500, "deflate", URL, 200)
    fitting.inflater = _TailInflater(packed)
    fitting.feed(packed)
    assert fitting.finish() == body


class _TailInflater:
    """An inflater that gives its whole output at flush (as zlib may, for a last block)."""

    def __init__(self, packed: bytes) -> None:
        self.data = zlib.decompress(packed)
        self.unconsumed_tail = b""

    def decompress(self, chunk: bytes, max_length: int) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self.data


def test_corrupt_compressed_bodies_are_response_errors() -> None:
    reader = BodyReader(1000, "gzip", URL, 200)
    with pytest.raises(ApiResponseError, match="could not decompress the body") as caught:
        reader.feed(b"this is not gzip at all")
    assert caught.value.status == 200 and caught.value.__cause__ is None
    assert not isinstance(caught.value, ResponseTooLargeError)


def test_a_truncated_compressed_body_ends_short_or_fails_at_flush() -> None:
    class Broken:
        unconsumed_tail = b""

        def decompress(self, chunk: bytes, max_length: int) -> bytes:
            return chunk

        def flush(self) -> bytes:
            raise zlib.error("incomplete stream")

    reader = BodyReader(1000, "gzip", URL, 502)
    reader.inflater = Broken()
    reader.feed(b"abc")
    with pytest.raises(ApiResponseError, match="could not decompress the body: incomplete stream") as caught:
        reader.finish()
    assert caught.value.status == 502


def test_reading_stops_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    class Clock:
        now = 100.0

        def monotonic(self) -> float:
            return self.now

    clock = Clock()
    monkeypatch.setattr(_body, "time", clock)
    reader = BodyReader(1000, None, URL, 200, deadline_at=101.0, deadline=30.0)
    reader.feed(b"a")
    clock.now = 101.0  # at the deadline: still fine
    reader.feed(b"b")
    clock.now = 101.001
    with pytest.raises(ApiDeadlineError) as caught:
        reader.feed(b"c")
    assert caught.value.during == "reading the response body" and caught.value.seconds == 30.0
    assert caught.value.url == URL
    without = BodyReader(1000, None, URL, 200)  # no deadline given: never checked
    without.feed(b"d")
    assert without.finish() == b"d"


class _Recording:
    """A real inflater that records the ``max_length`` of each step."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.steps: list[int] = []

    @property
    def unconsumed_tail(self) -> bytes:
        return self.inner.unconsumed_tail

    def decompress(self, chunk: bytes, max_length: int) -> bytes:
        self.steps.append(max_length)
        return self.inner.decompress(chunk, max_length)

    def flush(self) -> bytes:
        return self.inner.flush()


def test_each_inflation_step_is_bounded_by_what_is_left_plus_one() -> None:
    body = bytes(range(256)) * 4
    packed = deflated(body)
    reader = BodyReader(len(body), "deflate", URL, 200)
    recording = reader.inflater = _Recording(reader.inflater)
    half = len(packed) // 2
    reader.feed(packed[:half])
    produced = reader.produced
    reader.feed(packed[half:])
    assert recording.steps == [len(body) + 1, len(body) - produced + 1]  # never 0, which zlib reads as unbounded
    assert reader.finish() == body


def test_one_byte_too_many_fails_while_reading_not_at_the_end() -> None:
    body = bytes(range(256)) * 4
    reader = BodyReader(len(body) - 1, "deflate", URL, 200)
    with pytest.raises(ResponseTooLargeError) as caught:
        reader.feed(deflated(body))
    assert caught.value.stage == "decompressed" and reader.chunks == []


def test_gzip_means_gzip_not_a_zlib_stream() -> None:
    reader = BodyReader(10_000, "gzip", URL, 200)
    with pytest.raises(ApiResponseError, match="could not decompress the body"):
        read(reader, deflated(b'{"a": 1}' * 10))


def test_gzip_uses_the_full_32k_window() -> None:
    import random
    block = random.Random(7).randbytes(20_000)  # incompressible: the repeat is a reference 20 kB back
    body = block + block
    packed = gzip.compress(body)
    assert len(packed) < 30_000  # the second copy was encoded as a back-reference
    assert read(BodyReader(100_000, "gzip", URL, 200), packed, size=4096) == body


def test_gzip_uses_the_full_32k_window_when_the_body_arrives_in_one_piece() -> None:
    """A smaller window fails on a reference 20 kB back when the body is inflated in one call
    (fed in small steps, zlib happens to accept it: see the test above)."""
    import random
    block = random.Random(7).randbytes(20_000)
    body = block + block
    packed = gzip.compress(body)
    reader = BodyReader(100_000, "gzip", URL, 200)
    reader.feed(packed)
    assert reader.finish() == body
