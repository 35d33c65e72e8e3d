"""The limits' arithmetic: sliding windows and the budget in force (pure; no clock, no I/O).

:class:`~bot.delivery.ratelimit.TelegramLimiter` applies them; see there for why windows and
not leaky buckets.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)

FREE_OVERALL = 30.0  # what Telegram allows without allow_paid_broadcast
PAID_OVERALL = 1000.0


class SlidingWindow:
    """At most ``count`` events in any window of ``count / rate`` seconds (pure; no clock)."""

    __slots__ = ("count", "span", "times")

    def __init__(self, rate: float, period: float = 1.0) -> None:
        per_second = rate / period
        self.count = max(1, round(rate))
        self.span = self.count / per_second
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0.0 when it fits now)."""
        times = self.times
        while times and times[0] <= now - self.span:
            times.popleft()
        if len(times) < self.count:
            return 0.0
        return times[0] + self.span - now

    def record(self, now: float) -> None:
        self.times.append(now)

    def idle_since(self, now: float) -> bool:
        """True when no recorded event is still inside the window (the window can be dropped)."""
        return not self.times or self.times[-1] <= now - self.span


@dataclass(frozen=True, slots=True)
class Budget:
    """The limits in force, derived from the delivery config."""

    overall_per_second: float = FREE_OVERALL
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    enabled: bool = True

    @classmethod
    def from_config(
        cls,
        overall_per_second: float,
        per_chat_per_second: float,
        group_per_minute: float,
        allow_paid_broadcast: bool,
        enabled: bool = True,
    ) -> Budget:
        """Cap the overall rate at what Telegram allows (30/s, or 1000/s when paid)."""
        cap = PAID_OVERALL if allow_paid_broadcast else FREE_OVERALL
        if overall_per_second > cap:
            log.warning(
                "delivery.overall_per_second=%s exceeds Telegram's %s/s%s; using %s",
                overall_per_second,
                cap,
                "" if allow_paid_broadcast else " (set allow_paid_broadcast for more)",
                cap,
            )
        return cls(min(overall_per_second, cap), per_chat_per_second, group_per_minute, enabled)
