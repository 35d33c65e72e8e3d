"""The ``newsbot`` command: ``run``, ``demo``, ``preview``, ``cluster`` and ``backup``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from signal import SIGINT, SIGTERM

from bot.config import Config, ConfigError, load_config
from bot.logging_setup import setup_logging

EXIT_CONFIG = 2
log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Telegram bot: short Ukrainian news briefs with the counter of Russian losses.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (long polling)", description="Run the bot.")
    run.add_argument("--config", required=True, metavar="PATH", help="TOML config file")

    demo = sub.add_parser(
        "demo",
        help="the whole pipeline offline, no token needed",
        description="Run the real bot against a local fake Telegram and local sample sources, "
        "and show what a subscriber receives.",
    )
    demo.add_argument("--script", metavar="FILE", help="commands to send, one per line")

    preview = sub.add_parser(
        "preview",
        help="print the brief for articles (URL or FILE)",
        description="Print the brief for each article: a URL, an HTML page, or plain text "
        "(first line = title, the rest = text).",
    )
    preview.add_argument("inputs", nargs="+", metavar="URL|FILE")
    preview.add_argument("--summariser", choices=("extractive", "llm"), default="extractive")
    preview.add_argument(
        "--config", metavar="PATH", help="config for the LLM summariser and the loss counter"
    )
    preview.add_argument("--json", action="store_true", help="one JSON object per line")
    preview.add_argument(
        "--counter",
        metavar="live|FILE.json",
        help="add the loss-counter line: 'live' asks losses.url (of --config, or the default); "
        "a FILE is a saved russianwarship.rip v2 answer",
    )
    preview.add_argument(
        "--source", metavar="NAME", help="the source name the brief shows (e.g. for a .txt file)"
    )

    backup = sub.add_parser(
        "backup",
        help="copy the database, safely while the bot runs",
        description="Make a consistent copy of the bot's SQLite database with SQLite's online "
        "backup API; safe while the bot is running and writing.",
    )
    backup.add_argument("--config", required=True, metavar="CONFIG", help="TOML config file")
    backup.add_argument("path", metavar="PATH", help="the file to write the copy to")
    backup.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    cluster = sub.add_parser(
        "cluster",
        help="group news items into stories (JSONL in, one {id, story} line out per item)",
        description="Assign each item of FILE (one JSON object per line: id, title, text, "
        "source, optional published ISO time) to a story, in the order given, as the bot does.",
    )
    cluster.add_argument("file", metavar="FILE.jsonl")
    cluster.add_argument("--window-hours", type=float, default=12.0, metavar="H")
    cluster.add_argument("--explain", action="store_true", help="why, one line per item on stderr")
    return parser


def _load_config(path: str) -> Config | None:
    """The config at ``path``, or None after printing the one-line error."""
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"newsbot: config error: {exc}", file=sys.stderr)
        return None


def _run(args: argparse.Namespace) -> int:
    config = _load_config(args.config)
    if config is None:
        return EXIT_CONFIG
    setup_logging(
        [config.telegram.token, config.briefs.llm_api_key, config.telegram.secret_token],
        level=logging.DEBUG if args.verbose else logging.INFO,
    )
    from telegram.error import InvalidToken, NetworkError  # imported late: PTB is not free

    from bot.app import build_application, run_until_stopped
    from bot.startup import TOKEN_REJECTED, quiet_startup_failures

    quiet_startup_failures()
    try:
        while True:
            status = _wait_for_telegram(config)
            if status is not None:
                return status
            app = build_application(config)
            try:
                run_until_stopped(app, config)
            except InvalidToken:
                print(TOKEN_REJECTED, file=sys.stderr)
                return EXIT_CONFIG
            except NetworkError as exc:  # Telegram went away between getMe and serving
                log.warning("Telegram could not be reached while starting (%s)", exc.message)
                continue
            return 0
    except KeyboardInterrupt:  # Ctrl+C in the instant between two phases
        return 130


def _wait_for_telegram(config: Config) -> int | None:
    """Wait (on a fresh event loop, which run_polling then uses) until Telegram answers
    getMe; None when it does, else the exit status (token rejected, or stopped meanwhile)."""
    from bot.startup import TOKEN_REJECTED, TokenRejected, wait_until_reachable

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    waiting = loop.create_task(wait_until_reachable(config.telegram))
    for signal in (SIGINT, SIGTERM):
        loop.add_signal_handler(signal, waiting.cancel)
    try:
        loop.run_until_complete(waiting)
        return None
    except TokenRejected:
        print(TOKEN_REJECTED, file=sys.stderr)
        status = EXIT_CONFIG
    except asyncio.CancelledError:
        log.info("stopped while waiting for Telegram")
        status = 0
    finally:
        for signal in (SIGINT, SIGTERM):
            loop.remove_signal_handler(signal)
    loop.close()
    return status


def _backup(args: argparse.Namespace) -> int:
    from storage.backup import BackupError, backup_database

    config = _load_config(args.config)
    if config is None:
        return EXIT_CONFIG
    try:
        result = backup_database(config.storage.database, args.path, force=args.force)
    except BackupError as exc:
        print(f"newsbot: backup failed: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    mib = result.bytes / (1 << 20)
    print(
        f"backup of {config.storage.database} written to {result.path.resolve()}: "
        f"{result.bytes} bytes ({mib:.1f} MiB), {result.pages} pages, "
        f"in {result.seconds:.1f} s"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to PTB 22's timedelta values (RetryAfter.retry_after ...) instead of a
    # deprecation warning on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "backup":
        return _backup(args)
    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(args)
    if args.command == "cluster":
        from bot.stories.cluster import run_cluster

        return run_cluster(args)
    from bot.briefs.preview import run_preview

    return run_preview(args, os.environ)
