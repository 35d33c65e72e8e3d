"""The dispatcher's read-ahead: ledger rows per kind, taken by weighted round-robin.

Strict priority let a steady stream of briefs starve a broadcast for hours.  Instead every kind
with rows waiting gets its share of the sends: with weights brief 2 : broadcast 1, two briefs
go out for each broadcast message while both wait, and either kind alone gets everything.
Replies to commands are not ledger rows; they still go first in the rate limiter.

Smooth weighted round-robin (as in nginx): each pick adds every waiting kind's weight to its
credit, takes the kind with the most credit and charges it the sum of the weights in play, so
the kinds interleave (b, b, c, b, b, c …) instead of coming in bursts.  Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping

from storage.deliveries import PRIORITY_BROADCAST, PRIORITY_STORY, PendingDelivery

#: kind (the ledger's ``priority`` column) → its share of the sends while several kinds wait.
SHARES: Mapping[int, int] = {PRIORITY_STORY: 2, PRIORITY_BROADCAST: 1}


class KindQueues:
    """Rows read from the ledger, one queue per kind (see module doc)."""

    def __init__(self, shares: Mapping[int, int] = SHARES) -> None:
        if not shares or min(shares.values()) < 1:
            raise ValueError("every kind needs a share of at least 1")
        self._shares = dict(shares)
        self._queues: dict[int, deque[PendingDelivery]] = {k: deque() for k in shares}
        self._credit: dict[int, int] = dict.fromkeys(shares, 0)
        self._filled: set[int] = set()  # kinds that had rows at the last fill

    @property
    def kinds(self) -> tuple[int, ...]:
        return tuple(self._shares)

    def fill(self, rows: Mapping[int, list[PendingDelivery]]) -> None:
        """Replace the contents with ``rows`` (per kind, in ledger order), one row per chat
        and kind: the chat's next rows of the kind wait their turn, so they keep their order.

        The kinds are not deduplicated against each other (a broadcast and the briefs go to
        the same chats); the dispatcher's ``usable`` check keeps one send per chat in flight.
        """
        self.clear()
        for kind, queue in self._queues.items():
            seen: set[int] = set()
            for row in rows.get(kind, ()):
                if row.chat_id not in seen:
                    seen.add(row.chat_id)
                    queue.append(row)
            if queue:
                self._filled.add(kind)

    def clear(self) -> None:
        for queue in self._queues.values():
            queue.clear()
        self._filled.clear()

    def ran_dry(self) -> bool:
        """A kind that had rows has none left: read the ledger again, or its share is lost."""
        return any(not self._queues[kind] for kind in self._filled)

    def take(self, usable: Callable[[PendingDelivery], bool]) -> PendingDelivery | None:
        """The next row by weighted round-robin; rows ``usable`` rejects are dropped."""
        while True:
            waiting = [k for k, q in self._queues.items() if q]
            if not waiting:
                return None
            for kind, queue in self._queues.items():
                # A kind out of play starts afresh when it comes back (no saved-up burst).
                self._credit[kind] = self._credit[kind] + self._shares[kind] if queue else 0
            kind = max(waiting, key=self._credit.__getitem__)
            self._credit[kind] -= sum(self._shares[k] for k in waiting)
            queue = self._queues[kind]
            while queue:
                row = queue.popleft()
                if usable(row):
                    return row
