"""Reading an HTTP response body under a size cap that holds *after* decompression.

httpx decodes gzip/deflate one network chunk at a time with no output limit, so a 64 KiB
chunk of a gzip bomb becomes ~67 MB in memory before any cap can look at it.  Here the raw
bytes are decoded incrementally, at most :data:`PIECE` bytes of output at a time, and the
cap is checked after every piece: peak memory stays within the cap plus a few pieces.

Only the codings we ask for (:data:`ACCEPT_ENCODING`) are decoded; a server that answers
with another one is refused rather than trusted.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator

import httpx

ACCEPT_ENCODING = "gzip, deflate"
PIECE = 16 * 1024  # most decoded bytes produced from the input at a time


class BodyTooLarge(Exception):
    """The body is larger than the cap (``declared``: its Content-Length already said so)."""

    def __init__(self, limit: int, *, declared: bool) -> None:
        super().__init__(f"body larger than {limit} bytes")
        self.limit = limit
        self.declared = declared


class BodyDecodeError(Exception):
    """The body's Content-Encoding is unknown or its compressed data is corrupt."""


class _Inflate:
    """One gzip or deflate layer, producing at most :data:`PIECE` bytes per step.

    gzip may hold several members one after another; "deflate" is meant to be zlib-wrapped
    but some servers send it raw, so a failure on the very first bytes retries raw.
    """

    def __init__(self, coding: str) -> None:
        self._gzip = coding in ("gzip", "x-gzip")
        self._started = False
        self._z = self._new()

    def _new(self, *, raw: bool = False) -> zlib._Decompress:
        wbits = -zlib.MAX_WBITS if raw else zlib.MAX_WBITS | (16 if self._gzip else 0)
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._z.decompress(data, PIECE)
            except zlib.error as exc:
                if self._gzip or self._started:
                    raise BodyDecodeError(f"corrupt compressed data ({exc})") from None
                self._started = True
                self._z = self._new(raw=True)
                continue
            self._started = True
            if out:
                yield out
            data = self._z.unconsumed_tail
            if self._z.eof and self._z.unused_data:
                if not self._gzip:
                    return  # trailing bytes after a deflate stream: ignored, as httpx does
                data = self._z.unused_data
                self._z = self._new()
                continue
            if not data and len(out) < PIECE:
                return


def _layers(response: httpx.Response) -> list[_Inflate]:
    """The decoders for the response's Content-Encoding, in the order they apply."""
    header = response.headers.get("content-encoding", "")
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    layers: list[_Inflate] = []
    for coding in reversed(codings):  # the last coding applied is undone first
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise BodyDecodeError(f"unsupported content encoding {coding!r}")
        layers.append(_Inflate(coding))
    return layers


def _decode(layers: list[_Inflate], data: bytes) -> Iterator[bytes]:
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data):
        yield from _decode(layers[1:], piece)


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The decoded body of ``response`` (opened with ``stream``), at most ``limit`` bytes.

    Raises :class:`BodyTooLarge` or :class:`BodyDecodeError`; network errors are httpx's.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit, declared=True)
    if response.is_stream_consumed:  # built in memory (an in-process transport): already read
        if len(response.content) > limit:
            raise BodyTooLarge(limit, declared=False)
        return response.content
    layers = _layers(response)
    buffer = io.BytesIO()  # getvalue() hands over its buffer without a copy
    if declared.isdigit() and not layers and int(declared) > 1:
        _reserve(buffer, int(declared))
    size = 0
    async for raw in response.aiter_raw():
        for piece in _decode(layers, raw):
            size += len(piece)
            if size > limit:
                raise BodyTooLarge(limit, declared=False)
            buffer.write(piece)
    buffer.truncate(size)
    return buffer.getvalue()


def _reserve(buffer: io.BytesIO, size: int) -> None:
    """Make ``buffer`` allocate exactly ``size`` bytes at once (one jump this large is not
    over-allocated, unlike growth by small writes, which adds up to an eighth)."""
    buffer.seek(size - 1)
    buffer.write(b"\0")
    buffer.seek(0)
