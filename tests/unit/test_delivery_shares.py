"""The dispatcher's read-ahead: kinds share the sends by weighted round-robin."""

from __future__ import annotations

import pytest

from bot.delivery.queue import KindQueues
from storage.deliveries import PRIORITY_BROADCAST, PRIORITY_STORY, PendingDelivery

B, C = PRIORITY_STORY, PRIORITY_BROADCAST


def _rows(kind: int, chats: range, first_id: int = 1) -> list[PendingDelivery]:
    return [
        PendingDelivery(first_id + i, chat, "story", 0, kind, 0, None, None)
        for i, chat in enumerate(chats)
    ]


def _drain(q: KindQueues) -> list[int]:
    out = []
    while (row := q.take(lambda _: True)) is not None:
        out.append(row.priority)
    return out


def test_two_briefs_for_each_broadcast_message_while_both_wait() -> None:
    q = KindQueues()
    q.fill({B: _rows(B, range(1, 7)), C: _rows(C, range(1, 7), 100)})
    assert _drain(q) == [B, C, B, B, C, B, B, C, B, C, C, C]


def test_a_kind_alone_gets_every_send_and_no_saved_up_burst_later() -> None:
    q = KindQueues()
    q.fill({C: _rows(C, range(1, 5))})
    assert _drain(q) == [C, C, C, C]
    q.fill({B: _rows(B, range(1, 4)), C: _rows(C, range(1, 4), 100)})
    assert _drain(q)[:3] == [B, C, B]


def test_a_kind_that_runs_dry_asks_for_a_new_read() -> None:
    q = KindQueues()
    q.fill({B: _rows(B, range(1, 2)), C: _rows(C, range(1, 5), 100)})
    assert not q.ran_dry()
    assert q.take(lambda _: True) is not None  # the only brief
    assert q.ran_dry()  # more briefs may wait in the ledger: read again, keep the share
    q.clear()
    assert not q.ran_dry() and q.take(lambda _: True) is None


def test_one_row_per_chat_and_kind_and_unusable_rows_are_dropped() -> None:
    q = KindQueues()
    briefs = [*_rows(B, range(1, 3)), *_rows(B, range(1, 3), 10)]  # chats 1, 2, then 1, 2 again
    q.fill({B: briefs, C: _rows(C, range(1, 3), 100)})
    taken = []
    while (row := q.take(lambda r: r.chat_id != 2)) is not None:
        taken.append((row.priority, row.chat_id, row.id))
    assert taken == [(B, 1, 1), (C, 1, 100)]


def test_every_kind_needs_a_share() -> None:
    with pytest.raises(ValueError, match="share"):
        KindQueues({B: 1, C: 0})
