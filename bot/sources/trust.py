"""Which sources the operator vouched for, and the one-line report of those that cannot work.

Sources written in the config's ``[[sources]]`` are trusted: their feed — and article pages
on the same host — may live on a private or loopback address (a bot next to its own RSSHub
or RSS-Bridge is a common setup).  The private-address guard is for sources admins add from
Telegram with /addsource; ``fetch.allow_private_sources`` lifts it for those too.  A redirect
or a page on another host gets the guard as usual.

A config source that is refused anyway (an invalid URL, a redirect to a non-http(s) URL or
to a private address on another host) is logged once per run, in one line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.config import SourceConfig
from bot.sources.fetch import Fetcher, FetchError, host_of

log = logging.getLogger(__name__)


class ConfigTrust:
    def __init__(self, config_sources: Sequence[SourceConfig]) -> None:
        self._sources = tuple(config_sources)
        self._urls = frozenset(s.url for s in config_sources)
        self._reported: set[str] = set()  # URLs of config sources (bounded by the config)

    def trusted_host(self, url: str) -> str | None:
        """The host exempt from the private-address guard for the source at ``url``: its own
        host when the operator wrote it in the config, else None."""
        return host_of(url) if url in self._urls else None

    def report_refusal(self, name: str, url: str, reason: str) -> None:
        """Log that config source ``name`` is refused — once per run and source."""
        if url not in self._reported:
            self._reported.add(url)
            log.warning("config source %r (%s) is refused: %s", name, url, reason)

    async def check_at_start(self, fetcher: Fetcher) -> None:
        """Report the config sources the fetcher refuses before any request (no network)."""
        for source in self._sources:
            try:
                await fetcher.check_url(source.url, trusted_host=self.trusted_host(source.url))
            except FetchError as exc:
                self.report_refusal(source.name, source.url, str(exc))
