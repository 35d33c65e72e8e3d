"""Telegram's limits counted in UTF-16 code units, and the one message splitter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram_text import MAX_TEXT, pack, split_lines, truncate, utf16_len


def test_utf16_len_counts_as_telegram_does() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("Київ") == 4
    assert utf16_len("🔥") == 2  # outside the BMP: a surrogate pair
    assert utf16_len("🇺🇦") == 4  # a flag is two regional indicators
    assert utf16_len("\u00a0") == 1


def test_truncate_never_splits_a_surrogate_pair() -> None:
    assert truncate("коротко", 10) == "коротко"
    assert truncate("🔥🔥🔥", 6) == "🔥🔥🔥"
    assert truncate("🔥🔥🔥", 5) == "🔥🔥…"  # 4 units of emoji + 1 for the ellipsis
    assert truncate("🔥🔥🔥", 4) == "🔥…"
    assert truncate("🔥", 1) == ""


def test_pack_counts_emoji_as_two() -> None:
    """By len() these two blocks (2 × 1 500 characters + separator) fit 4 096; Telegram
    counts 6 002 units, so they must go in two messages."""
    block = "🔥" * 1500
    assert len(f"{block}\n\n{block}") <= MAX_TEXT < utf16_len(f"{block}\n\n{block}")
    assert pack([block, block]) == [block, block]


def test_pack_keeps_order_and_fills_messages() -> None:
    blocks = [f"<b>{i}</b> " + "x" * 1000 for i in range(10)]
    messages = pack(blocks)
    assert "\n\n".join(messages) == "\n\n".join(blocks)
    assert len(messages) == 3


def test_split_lines_splits_between_lines_and_drops_empty_edges() -> None:
    text = "\n".join(["<b>Заголовок</b>", "", *[f"рядок {i} " + "🔥" * 100 for i in range(40)]])
    parts = split_lines(text)
    assert len(parts) > 1
    assert all(utf16_len(p) <= MAX_TEXT and p == p.strip("\n") for p in parts)
    assert [line for p in parts for line in p.split("\n") if line] == [
        line for line in text.split("\n") if line
    ]


@given(st.lists(st.text(min_size=1, max_size=150), max_size=40), st.integers(300, 5000))
def test_pack_fits_every_message_it_can(blocks: list[str], limit: int) -> None:
    messages = pack(blocks, limit)
    assert "\n\n".join(messages) == "\n\n".join(blocks)
    assert all(utf16_len(m) <= limit for m in messages)
