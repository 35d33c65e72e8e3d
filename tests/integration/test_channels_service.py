"""ChannelService against the fake Telegram and a real database: the start-up check, one log
line per channel naming it, "@name" resolved to the id, failures that stop nothing and are
checked again, and channels leaving the config."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import cast

import pytest
from telegram import Bot

from bot.app import _check_channels_at_start
from bot.channels.check import Problem
from bot.channels.service import ChannelService
from bot.clock import ManualClock
from bot.config import ChannelConfig
from bot.fakes.telegram import FakeTelegram, Limits
from bot.services import Services
from storage import Database, StorageUnavailable, channels, chats, deliveries
from tests.integration.delivery_support import make_brief

PUBLIC, PRIVATE, GROUP = -1001000000001, -1001000000002, -1001000000003


@dataclass
class Rig:
    db: Database
    clock: ManualClock
    tg: FakeTelegram
    bot: Bot

    def service(self, *configured: ChannelConfig) -> ChannelService:
        return ChannelService(self.db, self.bot, self.clock, configured)

    async def row(self, chat_id: int) -> tuple[str, str, str, str] | None:
        """(type, status, mode, settings) of a chat."""
        async with self.db.conn.execute(
            "SELECT type, status, mode, settings FROM chats WHERE id = ?", (chat_id,)
        ) as cur:
            r = await cur.fetchone()
        return None if r is None else (r[0], r[1], r[2], r[3])


@pytest.fixture
async def rig(db: Database, clock: ManualClock) -> AsyncIterator[Rig]:
    async with FakeTelegram(limits=Limits(enabled=False)) as tg:
        bot = Bot(tg.token, base_url=tg.base_url)
        async with bot:
            yield Rig(db, clock, tg, bot)


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.channels.service"]


async def test_a_channel_the_bot_may_post_in_becomes_a_chat_with_its_mode(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rig.tg.add_channel(PUBLIC, username="novyny_test", title="Новини")
    rig.tg.add_channel(PRIVATE, title="Приватний")
    service = rig.service(
        ChannelConfig("@novyny_test", "all", losses_daily=True), ChannelConfig(PRIVATE, "digest")
    )

    states = await service.check_all()

    assert [(s.name, s.chat_id, s.problem) for s in states] == [
        ("@novyny_test", PUBLIC, None),
        (str(PRIVATE), PRIVATE, None),
    ]
    assert await rig.row(PUBLIC) == (
        "channel",
        "active",
        "all",
        '{"channel": "@novyny_test", "losses_daily": true}',
    )
    assert (await rig.row(PRIVATE) or ())[:3] == ("channel", "active", "digest")
    assert _lines(caplog) == [
        f"channel @novyny_test ('Новини', id {PUBLIC}): posting there, mode all, daily loss post",
        f"channel {PRIVATE} ('Приватний', id {PRIVATE}): posting there, mode digest",
    ]
    # Channels are not subscribers: /stats and the broadcast preview count them apart.
    assert (await chats.count_by_status(rig.db))["active"] == 0
    assert (await channels.channel_counts(rig.db)).active == 2
    await service.check_all()  # nothing changed: nothing more said
    assert len(_lines(caplog)) == 2


@pytest.mark.parametrize(
    ("setup", "configured", "problem", "said"),
    [
        ({"bot_status": "left"}, "@novyny_test", Problem.NOT_ADMIN, "not an administrator"),
        ({"can_post_messages": False}, "@novyny_test", Problem.CANNOT_POST, "'Post messages'"),
        ({}, "@nobody_here", Problem.NOT_FOUND, "Telegram does not know it"),
        ({"bot_status": "left", "username": None}, PUBLIC, Problem.NOT_FOUND, "does not know"),
    ],
)
async def test_a_channel_the_bot_may_not_post_in_is_reported_in_one_line(
    rig: Rig,
    caplog: pytest.LogCaptureFixture,
    setup: dict[str, object],
    configured: str | int,
    problem: Problem,
    said: str,
) -> None:
    options = {"username": "novyny_test", **setup}
    rig.tg.add_channel(PUBLIC, title="Новини", **options)  # type: ignore[arg-type]
    service = rig.service(ChannelConfig(configured, "top"))

    (state,) = await service.check_all()

    assert state.problem is problem
    (line,) = _lines(caplog)
    assert line.startswith(f"channel {configured}: not posting there: ")
    assert said in line and line.endswith("will check again in 10 min")
    assert await rig.row(PUBLIC) is None
    await service.check_all()  # the same problem again: said once
    assert len(_lines(caplog)) == 1


async def test_a_group_is_not_a_channel(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    rig.tg.user_message(GROUP, "/start", chat_type="supergroup", user_id=5)  # the fake knows it
    (state,) = await rig.service(ChannelConfig(GROUP, "top")).check_all()
    assert state.problem is Problem.NOT_CHANNEL
    assert _lines(caplog) == [
        f"channel {GROUP}: not posting there: it is a supergroup, not a channel; "
        "will check again in 10 min"
    ]


async def test_a_channel_that_loses_the_right_to_post_gets_nothing_until_it_is_back(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    channel = rig.tg.add_channel(PUBLIC, username="novyny_test", title="Новини")
    service = rig.service(ChannelConfig("@novyny_test", "all"))
    await service.check_all()
    story = await make_brief(rig.db, rig.clock)
    assert await deliveries.fan_out_story(rig.db, story, rig.clock.now()) == 1

    channel.can_post_messages = False
    await service.check_all()  # the next check
    assert (await rig.row(PUBLIC) or ())[1] == "blocked"
    (row,) = await deliveries.deliveries_for_chat(rig.db, PUBLIC)
    assert row["status"] == "skipped" and "right to post" in row["last_error"]

    channel.bot_status = "left"  # now even getChat fails for a private channel…
    channel.username = None
    await service.check_all()  # … and the stored row is found by its config name
    assert (await rig.row(PUBLIC) or ())[1] == "blocked"

    channel.bot_status, channel.can_post_messages, channel.username = (
        "administrator",
        True,
        "novyny_test",
    )
    await service.check_all()
    assert (await rig.row(PUBLIC) or ())[1] == "active"
    said = _lines(caplog)
    assert said[0].startswith("channel @novyny_test ('Новини'") and said[-1] == said[0]
    assert "right to post" in said[1] and "does not know it" in said[2]


async def test_no_answer_changes_nothing_and_is_said_once(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    rig.tg.add_channel(PUBLIC, username="novyny_test")
    service = rig.service(ChannelConfig("@novyny_test", "top"))
    await service.check_all()
    rig.tg.fail_next("getChat", 502, count=2)
    await service.check_all()
    await service.check_all()
    assert (await rig.row(PUBLIC) or ())[1] == "active"
    (state,) = service.states()
    assert state.ok
    warnings = [line for line in _lines(caplog) if "could not be checked" in line]
    assert len(warnings) == 1 and warnings[0].startswith("channel @novyny_test: ")


async def test_a_channel_removed_from_the_config_stops_receiving(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rig.tg.add_channel(PUBLIC, username="novyny_test")
    rig.tg.add_channel(PRIVATE)
    both = rig.service(ChannelConfig("@novyny_test", "all"), ChannelConfig(PRIVATE, "all"))
    await both.check_all()
    story = await make_brief(rig.db, rig.clock)
    assert await deliveries.fan_out_story(rig.db, story, rig.clock.now()) == 2

    await rig.service(ChannelConfig(PRIVATE, "all")).check_all()  # @novyny_test left the config

    assert (await rig.row(PUBLIC) or ())[1] == "stopped"  # kept, not deleted
    assert (await rig.row(PRIVATE) or ())[1] == "active"
    (row,) = await deliveries.deliveries_for_chat(rig.db, PUBLIC)
    assert row["status"] == "skipped"
    assert _lines(caplog)[-1] == (
        "channel @novyny_test is no longer in the config: nothing more is posted there"
    )
    await rig.service().check_all()  # no channels at all: the last one stops too
    assert (await rig.row(PRIVATE) or ())[1] == "stopped"


async def test_an_unwritable_database_stops_nothing_and_the_next_check_catches_up(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    rig.tg.add_channel(PUBLIC, username="novyny_test")
    service = rig.service(ChannelConfig("@novyny_test", "all"))
    services = cast(Services, SimpleNamespace(channels=service))
    await rig.db.conn.execute("PRAGMA query_only = ON")  # a read-only volume
    with pytest.raises(StorageUnavailable):
        await service.check_all()
    await _check_channels_at_start(services)  # at start: one plain line, the bot goes on
    (said,) = [r for r in caplog.records if r.name == "bot.app"]
    assert said.getMessage().startswith("channels not checked, the database is not writable")
    assert said.exc_info is None
    assert await rig.row(PUBLIC) is None

    await rig.db.conn.execute("PRAGMA query_only = OFF")
    await service.check_all()  # the next check
    assert (await rig.row(PUBLIC) or ())[1] == "active"


async def test_a_change_of_rights_rechecks_only_that_configured_channel(rig: Rig) -> None:
    closed = rig.tg.add_channel(PUBLIC, username="novyny_test", bot_status="left")
    rig.tg.add_channel(PRIVATE)
    service = rig.service(ChannelConfig("@novyny_test", "all"), ChannelConfig(PRIVATE, "top"))
    await service.check_all()
    assert await rig.row(PUBLIC) is None
    checks = len(rig.tg.calls_of("getChat"))

    closed.bot_status, closed.can_post_messages = "administrator", True
    assert await service.recheck(PUBLIC, "Novyny_Test")  # Telegram said: now an administrator
    assert (await rig.row(PUBLIC) or ())[1] == "active"
    assert len(rig.tg.calls_of("getChat")) == checks + 1  # that channel only
    assert not await service.recheck(-1009999, "someone_elses")  # not configured: nothing
    assert len(rig.tg.calls_of("getChat")) == checks + 1


async def test_a_channel_that_refused_a_post_is_posted_to_again_once_it_passes(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rig.tg.add_channel(PUBLIC, username="novyny_test")
    service = rig.service(ChannelConfig("@novyny_test", "all"))
    await service.check_all()
    await chats.mark_blocked(rig.db, PUBLIC, rig.clock.now())  # a 403 to a post, say
    await service.check_all()
    assert (await rig.row(PUBLIC) or ())[1] == "active"
    assert _lines(caplog)[-1] == "channel @novyny_test: posting there again (it had refused a post)"
