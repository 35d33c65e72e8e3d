# newsbot: the bot with its SQLite database on a volume.
#   docker build -t newsbot .
#   docker run -d --name newsbot -v newsbot-data:/data \
#       -e NEWSBOT_TELEGRAM_TOKEN=123456:ABC newsbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NEWSBOT_STORAGE_DATABASE=/data/newsbot.db

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
ENTRYPOINT ["newsbot", "run", "--config", "/etc/newsbot/config.toml"]
