"""The loss history ``newsbot demo`` serves, in the russianwarship.rip v2 shape.

``bot/demo_data/losses_history.csv`` holds the General Staff's daily totals from 25 February
2022 (its first report), one line a day, derived from PetroIvaniuk/2022-Ukraine-Russia-War-Dataset
(MIT; see ``NOTICE.txt`` beside it) by :func:`derive_csv`.  Each day's increase is computed from
the day before.  The file ends on the day its source ended; for the days after that, up to the
demo's today, :func:`continued` continues the totals by replaying the increases of the last
:data:`REPLAY_DAYS` real days, so that the counter is current whatever the date the demo runs
(those days are made up, and the served payloads say so in ``message``).

Regenerate the file (from a checkout with ../shared/data)::

    python -m bot.demo_losses ../shared/data/losses > bot/demo_data/losses_history.csv
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from bot.losses.model import war_day

HISTORY_FILE = "losses_history.csv"
REPLAY_DAYS = 28
ORIGIN_REAL = (
    "newsbot demo: General Staff figures, via PetroIvaniuk/2022-Ukraine-Russia-War-Dataset"
)
ORIGIN_MADE_UP = "newsbot demo: made up, continuing the public history past its end"

# v2 key -> the dataset's key (personnel is in a file of its own).  Until 30 April 2022 the
# dataset counts "military auto" and "fuel tank" apart; the v2 API's vehicles_fuel_tanks for
# those days is "military auto" alone (see its 2022-04-14 answer), and so is this file.
_EQUIPMENT: dict[str, tuple[str, ...]] = {
    "tanks": ("tank",),
    "armoured_fighting_vehicles": ("APC",),
    "artillery_systems": ("field artillery",),
    "mlrs": ("MRL",),
    "aa_warfare_systems": ("anti-aircraft warfare",),
    "planes": ("aircraft",),
    "helicopters": ("helicopter",),
    "uav_systems": ("drone",),
    "cruise_missiles": ("cruise missiles",),
    "warships_cutters": ("naval ship",),
    "submarines": ("submarines",),
    "vehicles_fuel_tanks": ("vehicles and fuel tanks", "military auto"),
    "special_military_equip": ("special equipment",),
    "atgm_srbm_systems": ("mobile SRBM system",),
    "ground_robotic_systems": ("ground robotic systems",),
}
COLUMNS = ("date", "personnel_units", *_EQUIPMENT)


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    stats: Mapping[str, int]
    real: bool = True


def derive_csv(
    equipment: Sequence[Mapping[str, Any]], personnel: Sequence[Mapping[str, Any]]
) -> str:
    """The compact history: one line a day, the totals only (an absent category is empty)."""
    people = {row["date"]: row["personnel"] for row in personnel}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in equipment:
        values: list[object] = [row["date"], people[row["date"]]]
        for names in _EQUIPMENT.values():
            values.append(next((row[name] for name in names if name in row), ""))
        writer.writerow(values)
    return out.getvalue()


def parse_history(text: str) -> list[Day]:
    """The CSV as days, oldest first."""
    rows = csv.DictReader(io.StringIO(text))
    return [
        Day(
            date.fromisoformat(row["date"]),
            {key: int(value) for key, value in row.items() if key != "date" and value},
        )
        for row in rows
    ]


def load_history() -> list[Day]:
    text = resources.files("bot.demo_data").joinpath(HISTORY_FILE).read_text("utf-8")
    return parse_history(text)


def _increase(day: Day, previous: Day | None) -> dict[str, int]:
    if previous is None:
        return {}
    return {k: v - previous.stats[k] for k, v in day.stats.items() if k in previous.stats}


def continued(history: Sequence[Day], today: date) -> list[Day]:
    """``history`` up to ``today``, continued past its end by replaying its last increases."""
    days = [d for d in history if d.day <= today]
    if not days or days[-1].day == today or len(history) <= REPLAY_DAYS:
        return days
    pattern = [
        _increase(history[i], history[i - 1])
        for i in range(len(history) - REPLAY_DAYS, len(history))
    ]
    last = days[-1]
    for k in range((today - last.day).days):
        step = pattern[k % REPLAY_DAYS]
        stats = {key: value + step.get(key, 0) for key, value in last.stats.items()}
        last = Day(last.day + timedelta(days=1), stats, real=False)
        days.append(last)
    return days


def v2_record(day: Day, previous: Day | None) -> dict[str, Any]:
    """One day as a russianwarship.rip v2 record (``date, day, stats, increase``)."""
    return {
        "date": day.day.isoformat(),
        "day": war_day(day.day),
        "resource": None,
        "stats": dict(day.stats),
        "increase": _increase(day, previous),
    }


def v2_answer(day: Day, previous: Day | None) -> dict[str, Any]:
    """The ``/statistics/{date}`` (or ``/latest``) answer for ``day``."""
    origin = ORIGIN_REAL if day.real else ORIGIN_MADE_UP
    return {"message": origin, "data": v2_record(day, previous)}


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.demo_losses DIR_WITH_PETROIVANIUK_JSON", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    equipment = json.loads((folder / "petroivaniuk_russia_losses_equipment.json").read_bytes())
    personnel = json.loads((folder / "petroivaniuk_russia_losses_personnel.json").read_bytes())
    sys.stdout.write(derive_csv(equipment, personnel))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
