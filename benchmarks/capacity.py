"""How many subscribers one bot serves in each mode at Telegram's 30 messages/s.

    .venv/bin/python benchmarks/capacity.py [--stories 1400] [--top 50] [--digests 2] [--json]

Arithmetic, not a measurement (see :mod:`bot.subscribers.capacity`): the inputs are the story
rates of benchmarks/README.md (issue 11's 1 500–2 000 items a day from the 7 default outlets
→ about 1 360–1 490 stories a day at the matcher's recall) and an estimate of top stories a
day, with the range it is uncertain over.  Prints, per mode, messages per subscriber per day,
the largest audience whose queue keeps up over a day, and how long one message to all of them
takes; then what a mix of modes allows, and how many one message reaches within 10 minutes
and within an hour whatever the mode.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.subscribers.capacity import capacity, reach_within  # noqa: E402

MIX = {"all": 0.2, "top": 0.6, "digest": 0.2}  # an audience after the upgrade, say


def table(stories: float, top: float, digests: float, rate: float) -> dict[str, Any]:
    modes = {"all": stories, "top": top, "digest": digests}
    rows = [capacity(mode, per_day, rate=rate) for mode, per_day in modes.items()]
    mixed = sum(MIX[mode] * per_day for mode, per_day in modes.items())
    ranges = {
        "all": [capacity("all", m, rate=rate).largest_audience for m in (1360, 1490)],
        "top": [capacity("top", m, rate=rate).largest_audience for m in (100, 30)],
    }
    return {
        "rate": rate,
        "modes": [
            {
                "mode": r.mode,
                "messages_per_subscriber_per_day": r.messages_per_subscriber_per_day,
                "largest_audience": r.largest_audience,
                "hours_to_everyone": round(r.seconds_to_everyone / 3600, 2),
            }
            for r in rows
        ],
        "ranges": ranges,
        "mix": {
            "shares": MIX,
            "messages_per_subscriber_per_day": round(mixed, 1),
            "largest_audience": capacity("mix", mixed, rate=rate).largest_audience,
        },
        "reach_10_min": reach_within(600, rate=rate),
        "reach_1_hour": reach_within(3600, rate=rate),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stories", type=float, default=1400.0, help="stories a day ('all')")
    parser.add_argument("--top", type=float, default=50.0, help="top stories a day ('top')")
    parser.add_argument("--digests", type=float, default=2.0, help="digests a day ('digest')")
    parser.add_argument("--rate", type=float, default=30.0, help="messages a second")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = table(args.stories, args.top, args.digests, args.rate)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"at {args.rate:g} messages/s:")
    print(f"{'mode':<8}{'msgs/sub/day':>14}{'largest audience':>18}{'one msg to all, h':>19}")
    for r in result["modes"]:
        print(
            f"{r['mode']:<8}{r['messages_per_subscriber_per_day']:>14g}"
            f"{r['largest_audience']:>18,}{r['hours_to_everyone']:>19}"
        )
    print(f"'all' at 1 360–1 490 stories/day: {result['ranges']['all']}")
    print(f"'top' at 100–30 top stories/day: {result['ranges']['top']}")
    mix = result["mix"]
    print(
        f"mix {mix['shares']}: {mix['messages_per_subscriber_per_day']} msgs/sub/day,"
        f" largest audience {mix['largest_audience']:,}"
    )
    print(
        f"one message reaches {result['reach_10_min']:,} in 10 min,"
        f" {result['reach_1_hour']:,} in an hour"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
