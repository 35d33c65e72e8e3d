"""A tiny asyncio HTTP/1.1 server on loopback, built on h11, for the fakes.

It keeps connections alive, serves many connections concurrently, and lets a handler
stream a response body, hang, or reset the connection. It is deliberately small: one
handler coroutine per request, no routing, no TLS.

Nothing is started at import; a :class:`LoopbackServer` listens only between
:meth:`LoopbackServer.start` and :meth:`LoopbackServer.close`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import unquote

import h11

__all__ = ["Abort", "Handler", "LoopbackServer", "Request", "Response"]

log = logging.getLogger(__name__)

_READ_SIZE = 65536


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed HTTP request (the whole body is read before the handler runs)."""

    method: str
    target: str  # raw request target, e.g. "/feed.xml?x=1"
    path: str  # percent-decoded path without the query
    query: str  # raw query string without "?"
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass(slots=True)
class Response:
    """A response: either ``body`` or, when ``stream`` is set, the chunks it yields.

    With ``stream`` and no Content-Length among ``headers`` the body is sent chunked.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None


class Abort(Exception):
    """Raise from a handler to close the connection abruptly (TCP RST), answering nothing."""


Handler = Callable[[Request], Awaitable[Response]]


class LoopbackFake:
    """The lifecycle every fake shares: ``async with Fake() as fake:`` serves on 127.0.0.1
    (``self._server``, set by the subclass) between enter and exit."""

    _server: LoopbackServer

    async def start(self) -> Self:
        await self._server.start()
        return self

    async def close(self) -> None:
        await self._server.close()

    async def serve_forever(self) -> None:
        """Start (if needed) and serve until :meth:`close` is called."""
        await self._server.serve_forever()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class LoopbackServer:
    """Serve ``handler`` on ``host:port`` (port 0 picks a free one) until :meth:`close`."""

    def __init__(self, handler: Handler, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._requested_port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = asyncio.Event()
        self.port = 0

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server is not started")
        return f"http://{self._host}:{self.port}"

    async def start(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._on_connect, self._host, self._requested_port, backlog=1024
        )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def serve_forever(self) -> None:
        """Start (if needed) and wait until :meth:`close` is called from elsewhere."""
        await self.start()
        await self._closed.wait()

    async def close(self) -> None:
        """Stop listening, cut every open connection (hanging handlers included), wait."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
        self._closed.set()

    # -- connections -------------------------------------------------------------------------

    def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(self._serve_connection(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        conn = h11.Connection(h11.SERVER)
        reset = False
        try:
            while True:
                request = await _read_request(conn, reader)
                if request is None:
                    break
                try:
                    response = await self._handler(request)
                except Abort:
                    reset = True
                    break
                except Exception:
                    log.exception("fake server handler failed for %s", request.path)
                    response = Response(500, [("Content-Type", "text/plain")], b"handler error")
                await _send_response(conn, writer, response, head=request.method == "HEAD")
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    break
                conn.start_next_cycle()
        except h11.RemoteProtocolError:
            with contextlib.suppress(Exception):
                writer.write(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
        except (ConnectionError, h11.LocalProtocolError, asyncio.CancelledError):
            pass
        finally:
            if reset:
                _abort(writer)
            else:
                writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()


async def _read_request(conn: h11.Connection, reader: asyncio.StreamReader) -> Request | None:
    head: h11.Request | None = None
    chunks: list[bytes] = []
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(_READ_SIZE))
        elif isinstance(event, h11.Request):
            head = event
        elif isinstance(event, h11.Data):
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            assert head is not None
            return _build_request(head, b"".join(chunks))
        else:  # ConnectionClosed (or PAUSED, which cannot happen between cycles)
            return None


def _build_request(head: h11.Request, body: bytes) -> Request:
    headers: dict[str, str] = {}
    for raw_name, raw_value in head.headers:
        name = raw_name.decode("latin-1")  # h11 lower-cases names already
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    target = head.target.decode("latin-1")
    path, _, query = target.partition("?")
    return Request(
        method=head.method.decode("ascii"),
        target=target,
        path=unquote(path),
        query=query,
        headers=headers,
        body=body,
    )


async def _send_response(
    conn: h11.Connection, writer: asyncio.StreamWriter, response: Response, *, head: bool
) -> None:
    headers = list(response.headers)
    names = {name.lower() for name, _ in headers}
    bodiless = response.status < 200 or response.status in (204, 304)
    if response.stream is None and "content-length" not in names and not bodiless:
        headers.append(("Content-Length", str(len(response.body))))
    start = conn.send(h11.Response(status_code=response.status, headers=headers))
    assert start is not None
    if response.stream is None:
        parts = [start]
        if response.body and not head:
            parts.append(conn.send(h11.Data(data=response.body)) or b"")
        parts.append(conn.send(h11.EndOfMessage()) or b"")
        writer.write(b"".join(parts))  # one write, so usually one send() per response
        await writer.drain()
        return
    writer.write(start)
    try:
        async for chunk in response.stream:
            if chunk and not head:
                writer.write(conn.send(h11.Data(data=chunk)) or b"")
                await writer.drain()
    finally:
        aclose = getattr(response.stream, "aclose", None)
        if aclose is not None:
            await aclose()
    writer.write(conn.send(h11.EndOfMessage()) or b"")
    await writer.drain()


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0, so the peer sees a TCP reset rather than a clean FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
