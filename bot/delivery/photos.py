"""Ledger rows sent as a photo with a caption: the channels' daily loss-counter post.

The picture is made once and uploaded once: :class:`PhotoPost` keeps the PNG, and after the
first upload Telegram's ``file_id`` for it, which every later send passes instead of the
bytes.  Who makes the posts (:class:`PhotoPosts`) lives in the domain
(:mod:`bot.losses.daily`); the engine only asks for one by the row's kind and ref.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from bot.telegram_text import MAX_CAPTION, utf16_len

__all__ = ["PHOTO_KINDS", "PhotoPost", "PhotoPosts"]

PHOTO_KINDS = frozenset({"losses"})  # ledger kinds whose rows are photos


@dataclass(slots=True)
class PhotoPost:
    """A picture and its caption (Telegram HTML, at most 1 024 UTF-16 units).

    ``png`` None: there is no picture (too little history for a chart); the caption is then
    sent as a text message.
    """

    png: bytes | None
    caption_html: str
    file_id: str | None = None  # Telegram's id of the uploaded picture, once there is one
    uploading: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.png is not None and utf16_len(self.caption_html) > MAX_CAPTION:
            raise ValueError("a photo caption is at most 1024 UTF-16 units")


class PhotoPosts(Protocol):
    async def photo_post(self, kind: str, ref: int) -> PhotoPost | None:
        """The post a ledger row of ``kind`` and ``ref`` sends; None when there is none."""
        ...
