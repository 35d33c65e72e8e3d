"""How many subscribers one bot can serve in each mode: the arithmetic behind the capacity
table of benchmarks/README.md (pure; the figures it is fed are measured or stated there).

Telegram lets a bot send about 30 messages a second in all.  A mode that sends ``m`` messages
per subscriber per day keeps the delivery queue from growing without end up to

    audience ≤ rate × 86 400 × share / m

subscribers (``share``: the part of the budget left for pushes after command replies and
broadcasts).  That bound says nothing about lateness: at the bound, the last subscriber gets
each message just before the next one is due.  So the table also gives the audience one
message reaches within a deadline — ``rate × deadline`` — which is the same for every mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["SECONDS_PER_DAY", "ModeCapacity", "capacity", "reach_within"]

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class ModeCapacity:
    mode: str
    messages_per_subscriber_per_day: float
    largest_audience: int  # the queue keeps up with the day's messages
    seconds_to_everyone: float  # one message to that whole audience


def capacity(
    mode: str, messages_per_day: float, *, rate: float = 30.0, share: float = 1.0
) -> ModeCapacity:
    """The largest audience for ``messages_per_day`` per subscriber at ``rate`` messages/s,
    and how long one message to all of them takes."""
    if messages_per_day <= 0 or rate <= 0 or not 0 < share <= 1:
        raise ValueError("messages_per_day and rate must be positive, share in (0, 1]")
    audience = math.floor(rate * SECONDS_PER_DAY * share / messages_per_day)
    return ModeCapacity(mode, messages_per_day, audience, audience / (rate * share))


def reach_within(seconds: float, *, rate: float = 30.0) -> int:
    """How many subscribers one message reaches within ``seconds`` at ``rate`` messages/s."""
    return math.floor(rate * seconds)
