# newsbot: the bot with its SQLite database on a volume.
#   docker build -t newsbot .
#   docker run -d --name newsbot -v newsbot-data:/data -p 127.0.0.1:9108:9108 \
#       -e NEWSBOT_TELEGRAM_TOKEN=123456:ABC newsbot
FROM python:3.11-slim

# The ops server (/metrics, /healthz) listens on all of the container's interfaces: its
# 127.0.0.1 is the container's own loopback, which neither a published port (-p) nor
# Prometheus in another container can reach.  Nothing is reachable from outside the container
# network unless the port is published; publish it on the host's loopback as above.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NEWSBOT_STORAGE_DATABASE=/data/newsbot.db \
    NEWSBOT_OPS_LISTEN=0.0.0.0:9108

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install . \
    && useradd --create-home --uid 10001 newsbot \
    && mkdir -p /data /etc/newsbot \
    && chown newsbot:newsbot /data
COPY config.example.toml /etc/newsbot/config.toml

USER newsbot
VOLUME ["/data"]
EXPOSE 9108
# Healthy while /healthz answers 200 (delivery worker alive, database writable, a source polled
# within three poll intervals); its JSON body shows in `docker inspect`.  No curl in slim.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.error, urllib.request\nport = os.environ.get('NEWSBOT_OPS_LISTEN', '').rpartition(':')[2] or '9108'\ntry:\n    answer = urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=8)\nexcept urllib.error.HTTPError as failing:\n    answer = failing\nexcept OSError as exc:\n    sys.exit(f'no answer from the ops server: {exc}')\nprint(answer.read().decode())\nsys.exit(answer.status != 200)\n"]
ENTRYPOINT ["newsbot", "run", "--config", "/etc/newsbot/config.toml"]
