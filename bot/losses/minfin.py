"""The fallback source: the Minfin casualties page, parsed by label rather than by position.

index.minfin.com.ua/ua/russian-invading/casualties/ lists daily blocks, newest first::

    <li class='gold'><span class='black'>03.04.2022</span><div class='casualties'>
      <div><ul><li>Танки&nbsp;&mdash; 644</li> … <li>Особовий склад&nbsp;&mdash; близько
      18000 осіб, 460 полонених</li></ul></div> …

Later versions add the increase, "Танки — 3580 (+6)", and rename or merge categories
("Автомобілі" + "Цистерни з ППМ" became "Автомобілі та автоцистерни").  Each line is matched
by its label, so the order of the list does not matter and an unknown label is kept under its
own name.  Parsing is CPU work on a large page: call :func:`parse_minfin` via a thread.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser

from bot.losses.model import PERSONNEL, BadPayload, Snapshot

log = logging.getLogger(__name__)

SOURCE = "minfin"

# (label pattern, category key); matched in order against the lower-cased label.
_LABELS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"особовий склад.*|особового складу", PERSONNEL),
        (r"танки", "tanks"),
        (r"ббм|бойові броньовані машини.*", "armoured_fighting_vehicles"),
        (r"гармати|артилерійські системи", "artillery_systems"),
        (r"рсзв", "mlrs"),
        (r"засоби ппо|ппо", "aa_warfare_systems"),
        (r"літаки", "planes"),
        (r"гелікоптери|вертольоти", "helicopters"),
        (r"бпла.*", "uav_systems"),
        (r"крилаті ракети", "cruise_missiles"),
        (r"кораблі.*катери.*", "warships_cutters"),
        (r"підводні човни", "submarines"),
        (r"автомобіл\w* (та|і) автоцистерни|автомобільна техніка.*", "vehicles_fuel_tanks"),
        (r"автомобілі|цистерни з ппм|автоцистерни", "vehicles_fuel_tanks"),  # older split
        (r"спеціальна техніка", "special_military_equip"),
        (r"пускові установки отрк.*|отрк.*", "atgm_srbm_systems"),
    )
)
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_LINE = re.compile(r"^(?P<label>.+?)\s*[—–]\s*(?P<rest>.+)$|^(?P<label2>.+?)\s+-\s+(?P<rest2>.+)$")
_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f]\d{3})*")
_INCREASE = re.compile(r"\(\s*([+\-−]?)\s*(\d+(?:[ \u00a0\u202f]\d{3})*)\s*\)")


def category_for(label: str) -> str:
    """The category key of a Minfin label; an unknown label is its own key."""
    norm = " ".join(label.lower().replace("\u00a0", " ").split()).strip(" :.")
    for pattern, key in _LABELS:
        if pattern.fullmatch(norm):
            return key
    return " ".join(label.replace("\u00a0", " ").split()).strip(" :.")


def _int(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@dataclass(slots=True)
class _Block:
    day: date
    lines: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects each dated block's list lines (text of ``li`` inside ``div.casualties``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._date_text: list[str] | None = None
        self._day: date | None = None
        self._div_depth = 0
        self._block_depth: int | None = None
        self._line: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k == "class").split()
        if tag == "span" and "black" in classes:
            self._date_text = []
        elif tag == "div":
            self._div_depth += 1
            if "casualties" in classes and self._block_depth is None and self._day is not None:
                self._block_depth = self._div_depth
                self.blocks.append(_Block(self._day))
        elif tag == "li" and self._block_depth is not None:
            self._line = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._date_text is not None:
            match = _DATE.search("".join(self._date_text))
            self._date_text = None
            if match:
                d, m, y = (int(g) for g in match.groups())
                try:
                    self._day = date(y, m, d)
                except ValueError:
                    self._day = None
        elif tag == "div":
            if self._block_depth == self._div_depth:
                self._block_depth = None
                self._day = None
            self._div_depth -= 1
        elif tag == "li" and self._line is not None:
            text = " ".join("".join(self._line).replace("\u00a0", " ").split())
            if text and self.blocks:
                self.blocks[-1].lines.append(text)
            self._line = None

    def handle_data(self, data: str) -> None:
        if self._date_text is not None:
            self._date_text.append(data)
        if self._line is not None:
            self._line.append(data)


def _parse_block(block: _Block, fetched_at: datetime) -> Snapshot:
    stats: dict[str, int] = {}
    increase: dict[str, int] = {}
    for line in block.lines:
        match = _LINE.match(line)
        if not match:
            continue
        label = match.group("label") or match.group("label2")
        rest = match.group("rest") or match.group("rest2")
        key = category_for(label)
        number = _NUMBER.search(_INCREASE.sub("", rest))
        if number is None:
            if key == PERSONNEL:
                raise BadPayload(f"minfin: personnel line without a number: {line!r}")
            log.warning("minfin: no number in %r", line)
            continue
        # "Автомобілі" and "Цистерни з ППМ" were listed apart until mid-2022: one category now.
        stats[key] = stats.get(key, 0) + _int(number.group())
        inc = _INCREASE.search(rest)
        if inc:
            sign = -1 if inc.group(1) in ("-", "−") else 1
            increase[key] = increase.get(key, 0) + sign * _int(inc.group(2))
    if PERSONNEL not in stats:
        raise BadPayload(f"minfin: no personnel line for {block.day.isoformat()}")
    return Snapshot(
        day=block.day, stats=stats, increase=increase, source=SOURCE, fetched_at=fetched_at
    )


def decode_page(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1251", errors="replace")


def parse_minfin(page: str, *, fetched_at: datetime) -> Snapshot:
    """The newest dated block of the page as a snapshot (``BadPayload`` if there is none)."""
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    blocks = [b for b in parser.blocks if b.lines]
    if not blocks:
        raise BadPayload("minfin: no dated casualties block on the page")
    newest = max(blocks, key=lambda b: b.day)
    return _parse_block(newest, fetched_at)
