"""Ukrainian presentation of loss snapshots (pure functions; ``now`` is always passed in).

Category names follow the General Staff's daily report.  A category this module does not
know is shown under the API's own Ukrainian title when one is passed in (``titles``, see
:mod:`bot.losses.terms`), else under a readable form of its key ("ground_robotic_systems" →
"Ground robotic systems") — never dropped.

:func:`counter_line` returns plain text (the caller escapes it once); :func:`table_html` and
:func:`chart_caption_html` return Telegram HTML and escape everything they insert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape

from bot.clock import KYIV
from bot.losses.model import PERSONNEL, Snapshot
from bot.uk import count, format_date, group_digits, kyiv_today, signed_increase

STALE_AFTER = timedelta(hours=36)


@dataclass(frozen=True, slots=True)
class Category:
    label: str  # as the General Staff writes it, capitalised for the start of a line
    forms: tuple[str, str, str] | None = None  # noun after a number: 1 / 2 / 5 (counter line)


CATEGORIES: dict[str, Category] = {
    PERSONNEL: Category("Особовий склад"),
    "tanks": Category("Танки", ("танк", "танки", "танків")),
    "armoured_fighting_vehicles": Category(
        "Бойові броньовані машини",
        ("бойова броньована машина", "бойові броньовані машини", "бойових броньованих машин"),
    ),
    "artillery_systems": Category(
        "Артилерійські системи",
        ("артилерійська система", "артилерійські системи", "артилерійських систем"),
    ),
    "mlrs": Category("РСЗВ", ("РСЗВ", "РСЗВ", "РСЗВ")),
    "aa_warfare_systems": Category("Засоби ППО", ("засіб ППО", "засоби ППО", "засобів ППО")),
    "planes": Category("Літаки", ("літак", "літаки", "літаків")),
    "helicopters": Category("Гелікоптери", ("гелікоптер", "гелікоптери", "гелікоптерів")),
    "uav_systems": Category("БпЛА оперативно-тактичного рівня", ("БпЛА", "БпЛА", "БпЛА")),
    "cruise_missiles": Category(
        "Крилаті ракети", ("крилата ракета", "крилаті ракети", "крилатих ракет")
    ),
    "warships_cutters": Category(
        "Кораблі / катери", ("корабель / катер", "кораблі / катери", "кораблів / катерів")
    ),
    "submarines": Category(
        "Підводні човни", ("підводний човен", "підводні човни", "підводних човнів")
    ),
    "vehicles_fuel_tanks": Category("Автомобільна техніка та автоцистерни"),
    "special_military_equip": Category("Спеціальна техніка"),
    "atgm_srbm_systems": Category("Пускові установки ОТРК/ТРК"),
}

COUNTER_KEYS = (PERSONNEL, "tanks", "planes", "helicopters")  # the four figures briefs carry


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
    return f"{number}-й день війни"


def report_moment(day: date) -> datetime:
    """When a report dated ``day`` starts to describe the past: midnight of that day in Kyiv."""
    return datetime.combine(day, time(0), tzinfo=KYIV)


def is_stale(snapshot: Snapshot, now: datetime) -> bool:
    """Older than 36 h: everything showing it then says "станом на <date>"."""
    return now - report_moment(snapshot.day) > STALE_AFTER


def _increase(snapshot: Snapshot, key: str) -> str:
    value = snapshot.increase.get(key)
    return f" ({signed_increase(value)})" if value else ""


def _counted(key: str, value: int) -> str:
    if key == PERSONNEL:
        return f"{group_digits(value)} особового складу"
    forms = CATEGORIES[key].forms
    assert forms is not None
    return count(value, *forms)


def dated_prefix(snapshot: Snapshot, now: datetime) -> str:
    """'' for today's report, ' на 28 березня 2025', or ' станом на 27 березня 2025' if stale."""
    if snapshot.day == kyiv_today(now):
        return ""
    if is_stale(snapshot, now):
        return f" станом на {format_date(snapshot.day)}"
    return f" на {format_date(snapshot.day)}"


def counter_line(snapshot: Snapshot | None, now: datetime) -> str | None:
    """The compact line every brief carries (plain text), or None with no snapshot at all.

    "Втрати ворога: 912 490 особового складу (+1 740) · 10 478 танків · 370 літаків · …"
    """
    if snapshot is None:
        return None
    parts = []
    for key in COUNTER_KEYS:
        value = snapshot.stats.get(key)
        if value is None:
            continue
        text = _counted(key, value)
        if key == PERSONNEL:
            text += _increase(snapshot, key)
        parts.append(text)
    return f"Втрати ворога{dated_prefix(snapshot, now)}: " + " · ".join(parts)


def source_text(snapshot: Snapshot) -> str:
    if snapshot.source == "minfin":
        return "Дані Генштабу ЗСУ, за index.minfin.com.ua"
    return "Дані Генштабу ЗСУ, за russianwarship.rip"


def table_html(
    snapshot: Snapshot,
    now: datetime,
    *,
    latest: bool = True,
    titles: Mapping[str, str] | None = None,
) -> str:
    """The full /losses message: every category with its increase, the date and war day.

    ``latest`` says this is the newest report we have; a stale one then says so plainly.
    ``titles`` names categories without built-in wording (see :func:`category_label`).
    """
    lines = [
        "<b>Втрати російських окупантів</b>",
        escape(f"{format_date(snapshot.day)} · {war_day_text(snapshot.war_day)}"),
        "",
    ]
    for key in ordered_keys(snapshot):
        label = escape(category_label(key, titles))
        value = group_digits(snapshot.stats[key])
        lines.append(f"{label} — <b>{value}</b>{escape(_increase(snapshot, key))}")
    lines.append("")
    if latest and is_stale(snapshot, now):
        lines.append(
            escape(
                f"Станом на {format_date(snapshot.day)}: новіших даних поки немає, "
                "покажу їх, щойно з'являться."
            )
        )
    lines.append(f"<i>{escape(source_text(snapshot))}</i>")
    return "\n".join(lines)


def chart_caption_html(last: Snapshot, days: int) -> str:
    period = count(days, "день", "дні", "днів")
    return (
        f"<b>Втрати особового складу ворога за добу</b>\n"
        f"За {escape(period)} до {escape(format_date(last.day))}. "
        "Лінія — середнє за 7 днів."
    )


UNAVAILABLE = "Дані про втрати ворога тимчасово недоступні. Спробуйте трохи згодом."
