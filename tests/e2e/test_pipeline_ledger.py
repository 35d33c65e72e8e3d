"""What the full-pipeline suite found about the ledger, pinned down without timing.

In ``test_pipeline_push`` a subscriber sent /stop the moment a push reached them: Telegram had
accepted the message, but the row was still ``pending`` (its outcome waits for the group
commit), /stop skipped it, and the late "sent" outcome then found no pending row.  The ledger
said ``skipped`` for a message the user had received (fixed in storage/deliveries.py: a
"sent" outcome wins).  This replays that order of events, without timing.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from storage import Database, chats, deliveries
from storage.articles import NewArticle, add_articles
from storage.deliveries import Outcome
from storage.sources import add_source
from storage.stories import add_story


async def test_a_message_telegram_accepted_stays_sent_when_the_chat_stops_meanwhile(
    db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    await chats.subscribe(db, 5002, "private", "Тарас", now)
    source_id = await add_source(db, "Тестові новини", "https://e.ua/rss", "config", now)
    (article_id,) = await add_articles(
        db,
        source_id,
        [NewArticle("guid:1", "https://e.ua/1", "Новина", now, None, "pending")],
        now,
    )
    assert article_id is not None
    story_id = await add_story(
        db, article_id, title="Новина", summary="", html="<b>Новина</b>", summariser="t", now=now
    )
    assert await deliveries.fan_out_story(db, story_id, now) == 1
    (row,) = await deliveries.due_deliveries(db, now, limit=10)

    # Telegram answers OK to the send; before the outcome is committed, the user sends /stop.
    await chats.set_status(db, 5002, "stopped", now + timedelta(milliseconds=1))
    await deliveries.record_outcomes(
        db, [Outcome(row.id, 5002, "sent", message_id=77)], now + timedelta(milliseconds=2)
    )

    (stored,) = await deliveries.deliveries_for_chat(db, 5002)
    assert (stored["status"], stored["message_id"]) == ("sent", 77)
