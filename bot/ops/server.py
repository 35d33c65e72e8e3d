"""The ops HTTP server: ``GET /metrics`` (Prometheus text) and ``GET /healthz`` (JSON).

It is a tornado server (tornado comes with python-telegram-bot's ``webhooks`` extra) running
on the bot's own event loop: started in ``post_init``, stopped in ``post_shutdown``.  If its
address cannot be bound at start (the port is taken), the bot runs on without it and a
supervising task tries again every ``retry_seconds`` — the failure is logged once, and so is
the recovery.  Requests are not logged (a scraper calls every few seconds).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpserver
import tornado.web
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.config import parse_listen
from bot.ops.health import HealthChecker
from bot.ops.metrics import Metrics, StorageGauges

__all__ = ["OpsServer"]

log = logging.getLogger(__name__)

ReadStorage = Callable[[], Awaitable[StorageGauges]]


class _MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, ops: OpsServer) -> None:
        self.ops = ops

    async def get(self) -> None:
        body = await self.ops.metrics_text()
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(body)


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, ops: OpsServer) -> None:
        self.ops = ops

    async def get(self) -> None:
        report = await self.ops.health.check()
        self.set_status(200 if report.ok else 503)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(report.as_json(), ensure_ascii=False))


def _listening_socket(host: str, port: int) -> socket.socket:
    """One listening socket (closed again if binding fails: tornado's bind_sockets leaks it)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Tornado logs every request at INFO by default; scrapes are not events worth a line."""


class OpsServer:
    def __init__(
        self,
        listen: str,
        metrics: Metrics,
        health: HealthChecker,
        read_storage: ReadStorage,
        *,
        retry_seconds: float = 30.0,
    ) -> None:
        self._host, self._requested_port = parse_listen(listen, key="ops.listen")
        self.metrics, self.health = metrics, health
        self._read_storage = read_storage
        self._retry_seconds = retry_seconds
        routes: list[Any] = [
            (r"/metrics", _MetricsHandler, {"ops": self}),
            (r"/healthz", _HealthHandler, {"ops": self}),
        ]
        self._app = tornado.web.Application(routes, log_function=_no_access_log)
        self._http: tornado.httpserver.HTTPServer | None = None
        self._retry: asyncio.Task[None] | None = None
        self._storage_error: str | None = None
        self.port = 0

    @property
    def listening(self) -> bool:
        return self._http is not None

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Listen now if the address is free; otherwise keep trying in the background."""
        try:
            self._bind()
        except OSError as exc:
            log.warning(
                "ops server cannot listen on %s:%d (%s); /metrics and /healthz are "
                "unavailable, retrying every %g s",
                self._host,
                self._requested_port,
                exc.strerror or exc,
                self._retry_seconds,
            )
            self._retry = asyncio.create_task(self._keep_trying(), name="ops-server-bind")

    async def stop(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            await asyncio.gather(self._retry, return_exceptions=True)
            self._retry = None
        http, self._http = self._http, None
        if http is not None:
            http.stop()
            await http.close_all_connections()
        await self.health.close()

    async def metrics_text(self) -> bytes:
        """The metrics, with the database figures read now (left out if it cannot be read)."""
        try:
            gauges: StorageGauges | None = await self._read_storage()
        except Exception as exc:
            gauges = None
            if self._storage_error is None:
                log.warning("metrics: cannot read the database figures: %s", exc)
            self._storage_error = str(exc)
        else:
            if self._storage_error is not None:
                log.info("metrics: the database figures can be read again")
            self._storage_error = None
        self.metrics.set_storage(gauges)
        return self.metrics.render()

    def _bind(self) -> None:
        sock = _listening_socket(self._host, self._requested_port)
        http = tornado.httpserver.HTTPServer(self._app)
        http.add_sockets([sock])
        self._http = http
        self.port = int(sock.getsockname()[1])
        log.info("ops server listening on %s (/metrics, /healthz)", self.url)

    async def _keep_trying(self) -> None:
        while True:
            await asyncio.sleep(self._retry_seconds)
            try:
                self._bind()
            except OSError:
                continue
            return
