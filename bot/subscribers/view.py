"""/settings as the subscriber sees it (pure): the current settings in a few lines, the buttons
under them, the page of sources, and what a button's callback data asks for.

Buttons are ``(label, callback data)`` pairs in rows; the handler turns them into Telegram's
inline keyboard.  Callback data (at most 64 bytes, Telegram's limit):

- ``set:m:<mode>`` — choose a mode;
- ``set:q:<0|1>`` — quiet hours off / on;
- ``set:s:<page>`` — the sources, page ``page``; ``set:main`` — back to the settings;
- ``set:t:<page>:<source id>:<0|1>`` — switch a source off / on, then show that page.

A button says what it sets, not "toggle": pressing an old one twice sets the same thing twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot import texts
from bot.subscribers.times import DigestTimes, QuietHours
from storage.settings import MODES, ChatSettings, Mode

__all__ = [
    "PAGE_SIZE",
    "Button",
    "ShowMain",
    "ShowSources",
    "SourceChoice",
    "SwitchMode",
    "SwitchQuiet",
    "SwitchSource",
    "mode_line",
    "parse_callback",
    "settings_keyboard",
    "settings_text",
    "sources_keyboard",
    "sources_text",
]

PAGE_SIZE = 8  # sources per page, two a row
CALLBACK_PREFIX = "set:"
_CALLBACK = re.compile(
    r"set:(?:m:(?P<mode>[a-z]{1,10})|q:(?P<quiet>[01])|s:(?P<page>\d{1,4})|(?P<main>main)"
    r"|t:(?P<tpage>\d{1,4}):(?P<source>\d{1,18}):(?P<on>[01]))"
)

Button = tuple[str, str]


@dataclass(frozen=True, slots=True)
class SourceChoice:
    id: int
    name: str
    on: bool  # the chat receives this source's stories


@dataclass(frozen=True, slots=True)
class SwitchMode:
    mode: Mode


@dataclass(frozen=True, slots=True)
class SwitchQuiet:
    on: bool


@dataclass(frozen=True, slots=True)
class ShowSources:
    page: int


@dataclass(frozen=True, slots=True)
class SwitchSource:
    source_id: int
    on: bool
    page: int


@dataclass(frozen=True, slots=True)
class ShowMain:
    pass


Action = SwitchMode | SwitchQuiet | ShowSources | SwitchSource | ShowMain


def parse_callback(data: str) -> Action | None:
    """What a button asks for; None for data no button of ours carries (old or forged)."""
    m = _CALLBACK.fullmatch(data)
    if m is None:
        return None
    if m["mode"] is not None:
        mode = m["mode"]
        return SwitchMode(mode) if mode in MODES else None
    if m["quiet"] is not None:
        return SwitchQuiet(m["quiet"] == "1")
    if m["page"] is not None:
        return ShowSources(int(m["page"]))
    if m["main"] is not None:
        return ShowMain()
    return SwitchSource(int(m["source"]), m["on"] == "1", int(m["tpage"]))


def _times(times: DigestTimes) -> str:
    shown = [f"{t:%H:%M}" for t in times.times]
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])}{texts.DIGEST_TIMES_JOIN}{shown[-1]}"


def mode_line(mode: Mode, times: DigestTimes, template: str = texts.SETTINGS_MODE) -> str:
    """«Режим «Головне»: лише найважливіші новини …» (plain text)."""
    explained = texts.MODE_EXPLAINED[mode].format(times=_times(times))
    return template.format(mode=texts.MODE_LABELS[mode], explained=explained)


def _words(words: Sequence[str]) -> str:
    return ", ".join(escape(w) for w in words)


def settings_text(
    chat: ChatSettings,
    quiet: QuietHours,
    times: DigestTimes,
    sources: Sequence[SourceChoice],
    *,
    group: bool = False,
) -> str:
    """The settings message (HTML): a few lines, then the hint about /follow and /mute."""
    lines = [texts.SETTINGS_TITLE_HTML, escape(mode_line(chat.mode, times), quote=False)]
    window = str(quiet)
    lines.append((texts.SETTINGS_QUIET_ON if chat.quiet else texts.SETTINGS_QUIET_OFF).format(
        window=window
    ))  # fmt: skip
    if chat.follow:
        lines.append(texts.SETTINGS_FOLLOW.format(words=_words(chat.follow)))
    if chat.mute:
        lines.append(texts.SETTINGS_MUTE.format(words=_words(chat.mute)))
    off = [s.name for s in sources if not s.on]
    if off:
        lines.append(texts.SETTINGS_SOURCES_OFF.format(names=_words(off)))
    else:
        lines.append(texts.SETTINGS_SOURCES_ALL)
    lines += ["", texts.SETTINGS_WORDS_HINT]
    if group:
        lines.append(texts.SETTINGS_GROUP_NOTE)
    return "\n".join(lines)


def settings_keyboard(chat: ChatSettings) -> list[list[Button]]:
    modes = [
        (
            texts.SETTINGS_CURRENT.format(label=texts.MODE_LABELS[mode])
            if mode == chat.mode
            else texts.MODE_LABELS[mode],
            f"{CALLBACK_PREFIX}m:{mode}",
        )
        for mode in MODES
    ]
    quiet = (
        (texts.SETTINGS_QUIET_TURN_OFF, f"{CALLBACK_PREFIX}q:0")
        if chat.quiet
        else (texts.SETTINGS_QUIET_TURN_ON, f"{CALLBACK_PREFIX}q:1")
    )
    return [modes, [quiet], [(texts.SETTINGS_SOURCES_BUTTON, f"{CALLBACK_PREFIX}s:0")]]


def _pages(sources: Sequence[SourceChoice]) -> int:
    return max(1, -(-len(sources) // PAGE_SIZE))


def clamp_page(page: int, sources: Sequence[SourceChoice]) -> int:
    return min(max(page, 0), _pages(sources) - 1)


def sources_text(sources: Sequence[SourceChoice]) -> str:
    return texts.SOURCES_PAGE_HTML if sources else texts.SOURCES_PAGE_NONE


def sources_keyboard(sources: Sequence[SourceChoice], page: int) -> list[list[Button]]:
    """Page ``page`` of the sources (each button switches it the other way), the arrows
    between pages when there are several, and the way back."""
    page = clamp_page(page, sources)
    shown = sources[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [
        (
            (texts.SOURCE_ON if s.on else texts.SOURCE_OFF).format(name=s.name),
            f"{CALLBACK_PREFIX}t:{page}:{s.id}:{0 if s.on else 1}",
        )
        for s in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    arrows = []
    if page > 0:
        arrows.append((texts.SOURCES_PREVIOUS, f"{CALLBACK_PREFIX}s:{page - 1}"))
    if page < _pages(sources) - 1:
        arrows.append((texts.SOURCES_NEXT, f"{CALLBACK_PREFIX}s:{page + 1}"))
    if arrows:
        rows.append(arrows)
    rows.append([(texts.SOURCES_BACK, f"{CALLBACK_PREFIX}main")])
    return rows
