"""Ukrainian presentation of loss snapshots (pure functions; ``now`` is always passed in).

The words are in :mod:`bot.texts`: category names as the General Staff's daily report writes
them, its opening («Загальні бойові втрати противника з … по … орієнтовно склали:») and its
closing «Дані уточнюються.».  A category without built-in wording is shown under the API's
own Ukrainian title when one is passed in (``titles``, see :mod:`bot.losses.terms`), else
under a readable form of its key ("ground_robotic_systems" → "Ground robotic systems") —
never dropped.

:func:`counter_line` returns plain text (the caller escapes it once); :func:`table_html` and
:func:`chart_caption_html` return Telegram HTML and escape everything they insert.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape

from bot import texts
from bot.clock import KYIV
from bot.losses.model import PERSONNEL, WAR_START, Snapshot
from bot.uk import (
    Forms,
    agree,
    counted,
    format_date,
    format_numeric_date,
    group_digits,
    kyiv_today,
    signed_increase,
)

STALE_AFTER = timedelta(hours=36)


@dataclass(frozen=True, slots=True)
class Category:
    label: str  # as the General Staff writes it, capitalised for the start of a line
    forms: Forms | None = None  # the noun after a number (counter line)


CATEGORIES: dict[str, Category] = {
    key: Category(label, forms) for key, (label, forms) in texts.LOSS_CATEGORIES.items()
}

COUNTER_KEYS = (PERSONNEL, "tanks", "planes", "helicopters")  # the four figures briefs carry


def _dated_pattern(template: str) -> str:
    return re.escape(template).replace(re.escape("{date}"), r"[^:]{1,40}")


# A counter paragraph in a stored brief, in today's wording or an earlier one ("Втрати
# ворога: 912 490 …", "Втрати ворога станом на 27 березня 2025: …").
_COUNTER_PARAGRAPH = re.compile(
    re.escape(texts.COUNTER.partition("{dated}")[0])
    + f"(?:{_dated_pattern(texts.COUNTER_ON)}|{_dated_pattern(texts.COUNTER_AS_OF)})?"
    + re.escape(texts.COUNTER.partition("{dated}")[2].partition("{figures}")[0])
    + "[0-9]"
)


def category_label(key: str, titles: Mapping[str, str] | None = None) -> str:
    """The table label of a category: built-in wording, else ``titles[key]``, else the key
    as readable words."""
    known = CATEGORIES.get(key)
    if known is not None:
        return known.label
    title = (titles or {}).get(key)
    if title:
        return title
    words = " ".join(key.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words else key


def ordered_keys(snapshot: Snapshot) -> list[str]:
    """Known categories in the General Staff's order, then new ones in the source's order."""
    known = [key for key in CATEGORIES if key in snapshot.stats]
    return known + [key for key in snapshot.stats if key not in CATEGORIES]


def war_day_text(number: int) -> str:
    """1130 -> '1130-й день війни' (the ordinal is '-й' for every number in Ukrainian)."""
    return texts.LOSSES_WAR_DAY.format(number=number)


def report_moment(day: date) -> datetime:
    """When a report dated ``day`` starts to describe the past: midnight of that day in Kyiv."""
    return datetime.combine(day, time(0), tzinfo=KYIV)


def is_stale(snapshot: Snapshot, now: datetime) -> bool:
    """Older than 36 h: everything showing it then says "станом на <date>"."""
    return now - report_moment(snapshot.day) > STALE_AFTER


def _increase(snapshot: Snapshot, key: str) -> str:
    value = snapshot.increase.get(key)
    return f" ({signed_increase(value)})" if value else ""


def dated_prefix(snapshot: Snapshot, now: datetime) -> str:
    """'' for today's report, ' на 28 березня 2025', or ' станом на 27 березня 2025' if stale."""
    if snapshot.day == kyiv_today(now):
        return ""
    template = texts.COUNTER_AS_OF if is_stale(snapshot, now) else texts.COUNTER_ON
    return template.format(date=format_date(snapshot.day))


def counter_line(snapshot: Snapshot | None, now: datetime) -> str | None:
    """The compact line every brief carries (plain text), or None with no snapshot at all.

    "Втрати ворога: 912 490 осіб (+1 740) · 10 478 танків · 370 літаків · 335 гелікоптерів"
    """
    if snapshot is None:
        return None
    parts = []
    for key in COUNTER_KEYS:
        value = snapshot.stats.get(key)
        forms = CATEGORIES[key].forms
        if value is None or forms is None:
            continue
        text = counted(value, forms)
        if key == PERSONNEL:
            text += _increase(snapshot, key)
        parts.append(text)
    figures = texts.COUNTER_SEPARATOR.join(parts)
    return texts.COUNTER.format(dated=dated_prefix(snapshot, now), figures=figures)


def is_counter_line(paragraph: str) -> bool:
    """Whether ``paragraph`` (of a brief, plain or escaped) is a counter line: it starts as
    one does and, unlike a summary sentence that starts with the same words, has no final
    punctuation."""
    text = paragraph.rstrip()
    return _COUNTER_PARAGRAPH.match(text) is not None and not text.endswith(_SENTENCE_END)


_SENTENCE_END = (".", "!", "?", "…", "»", '"')


def source_text(snapshot: Snapshot) -> str:
    if snapshot.source == "minfin":
        return texts.LOSSES_SOURCE_MINFIN
    return texts.LOSSES_SOURCE_API


def _row_html(snapshot: Snapshot, key: str, titles: Mapping[str, str] | None) -> str:
    label = escape(category_label(key, titles))
    total = snapshot.stats[key]
    increase = escape(_increase(snapshot, key))
    if key == PERSONNEL:  # «особового складу ‒ близько 912 490 (+1 740) осіб»
        return texts.LOSSES_PERSONNEL_ROW_HTML.format(
            label=label,
            value=group_digits(total),
            increase=increase,
            noun=agree(total, texts.PERSON_ABOUT),
        )
    return texts.LOSSES_ROW_HTML.format(label=label, value=group_digits(total), increase=increase)


def table_html(
    snapshot: Snapshot,
    now: datetime,
    *,
    latest: bool = True,
    titles: Mapping[str, str] | None = None,
) -> str:
    """The full /losses message, as the General Staff's daily post reads: the opening with
    the period, every category with its increase, the war day, «Дані уточнюються.» and the
    source.

    ``latest`` says this is the newest report we have; a stale one then says so plainly.
    ``titles`` names categories without built-in wording (see :func:`category_label`).
    """
    opening = texts.LOSSES_OPENING_HTML.format(
        start=format_numeric_date(WAR_START), day=format_numeric_date(snapshot.day)
    )
    lines = [opening, ""]
    lines += [_row_html(snapshot, key, titles) for key in ordered_keys(snapshot)]
    lines += ["", escape(war_day_text(snapshot.war_day)) + "."]
    if latest and is_stale(snapshot, now):
        lines.append(escape(texts.LOSSES_STALE.format(date=format_date(snapshot.day))))
    lines.append(escape(texts.LOSSES_CLARIFIED))
    lines.append(f"<i>{escape(source_text(snapshot))}</i>")
    return "\n".join(lines)


def chart_caption_html(last: Snapshot, days: int) -> str:
    return texts.CHART_CAPTION_HTML.format(
        title=escape(texts.CHART_TITLE),
        period=escape(counted(days, texts.DAY)),
        date=escape(format_date(last.day)),
        average=escape(texts.CHART_AVERAGE),
    )


UNAVAILABLE = texts.LOSSES_UNAVAILABLE
