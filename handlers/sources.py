"""STUB (foundation): filled in by the issue that owns these commands."""

from __future__ import annotations

from bot.config import Config
from bot.context import NewsApplication


def register(app: NewsApplication, config: Config) -> None:
    """Add this module's handlers to ``app``."""
