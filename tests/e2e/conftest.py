"""Fixtures for the end-to-end suite; the harness itself lives in e2e_harness.py."""

from e2e_harness import bot_config, news, start_bot, telegram

__all__ = ["bot_config", "news", "start_bot", "telegram"]
