"""The /losses chart: daily personnel losses with a 7-day average, as a PNG for phones.

Rendering uses matplotlib's object API with the Agg canvas (no pyplot, no global figure
state), so it is safe to run in a worker thread: call :func:`render_personnel_chart` through
``asyncio.to_thread``.  The data preparation, :func:`daily_series`, is pure.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot import texts
from bot.losses.model import PERSONNEL, Snapshot
from bot.uk import MONTHS_GENITIVE, format_date, group_digits

AVERAGE_DAYS = 7


@dataclass(frozen=True, slots=True)
class DailySeries:
    days: tuple[date, ...]
    losses: tuple[int | None, ...]  # None: no report for that day
    average: tuple[float | None, ...]  # trailing mean over the last 7 days with data


def daily_series(history: Sequence[Snapshot], last: date, days: int) -> DailySeries:
    """Daily personnel losses for the ``days`` days ending at ``last``.

    A day's figure is the report's personnel increase, or the difference to the previous
    day's total when the increase is missing.  ``history`` should reach 6 days further back,
    so the average is a full 7-day mean from the first bar on.
    """
    by_day = {s.day: s for s in history}
    first = last - timedelta(days=days - 1)
    span = [first + timedelta(days=i) for i in range(-(AVERAGE_DAYS - 1), days)]

    def loss(day: date) -> int | None:
        snap = by_day.get(day)
        if snap is None:
            return None
        if PERSONNEL in snap.increase:
            return snap.increase[PERSONNEL]
        before = by_day.get(day - timedelta(days=1))
        return snap.personnel - before.personnel if before else None

    values = [loss(day) for day in span]
    averages: list[float | None] = []
    for i in range(AVERAGE_DAYS - 1, len(span)):
        window = [v for v in values[i - AVERAGE_DAYS + 1 : i + 1] if v is not None]
        averages.append(sum(window) / len(window) if len(window) >= 4 else None)
    shown = values[AVERAGE_DAYS - 1 :]
    return DailySeries(tuple(span[AVERAGE_DAYS - 1 :]), tuple(shown), tuple(averages))


def render_personnel_chart(series: DailySeries) -> bytes:
    """A 1200x800 PNG: bars per day, the 7-day average as a line, Ukrainian labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(8, 5.33), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(series.days)))
    bars = [v if v is not None else 0 for v in series.losses]
    colours = ["#e6a298"] * len(xs)
    if colours:
        colours[-1] = "#c0392b"  # the newest report stands out
    ax.bar(xs, bars, color=colours, width=0.8, label=texts.CHART_BARS)
    if series.losses and series.losses[-1] is not None:
        ax.annotate(
            group_digits(series.losses[-1]),
            (xs[-1], bars[-1]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=12,
            fontweight="bold",
            color="#c0392b",
        )
    avg_x = [x for x, a in zip(xs, series.average, strict=True) if a is not None]
    avg_y = [a for a in series.average if a is not None]
    ax.plot(avg_x, avg_y, color="#1f3a93", linewidth=3, label=texts.CHART_AVERAGE)

    if series.days:
        first, last = series.days[0], series.days[-1]
        fig.suptitle(texts.CHART_TITLE, fontsize=16, fontweight="bold", y=0.98)
        ax.set_title(f"{_short(first)} – {format_date(last)}", fontsize=12, color="#444")
    step = max(1, len(xs) // 6)
    ticks = xs[::-1][::step][::-1]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{series.days[i]:%d.%m}" for i in ticks], fontsize=12)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: group_digits(int(v))))
    ax.tick_params(axis="y", labelsize=12)
    ax.set_ylabel(texts.CHART_UNIT, fontsize=13)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=12, loc="upper left", frameon=False)
    if avg_y or any(bars):
        ax.set_ylim(0, max([*bars, *avg_y]) * 1.18)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _short(day: date) -> str:
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"
