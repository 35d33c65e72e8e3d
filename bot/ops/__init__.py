"""Operations: Prometheus metrics, the /metrics + /healthz server, health checks, webhook mode.

:class:`~bot.ops.metrics.Metrics` is built once by the composition root (bot/app.py) and
handed to what counts; :class:`~bot.ops.server.OpsServer` runs on the bot's event loop
between ``post_init`` and ``post_shutdown``.
"""
