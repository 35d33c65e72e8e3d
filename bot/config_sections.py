"""The configuration's sections as typed, frozen dataclasses with their defaults.

:mod:`bot.config` validates a TOML document into these (and re-exports them, so
``from bot.config import DeliveryConfig`` keeps working); this module only says what the
sections hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.subscribers.times import DigestTimes, QuietHours

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_LOSSES_URL = "https://russianwarship.rip/api/v2/statistics/latest"
DEFAULT_MINFIN_URL = "https://index.minfin.com.ua/ua/russian-invading/casualties/"
DEFAULT_OPS_LISTEN = "127.0.0.1:9108"


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    url: str
    top: bool = False  # an editor-curated feed («Головне»): its stories are top stories


DEFAULT_SOURCES: tuple[SourceConfig, ...] = (
    SourceConfig("ГОРДОН", "https://gordonua.com/ukr/xml/rss_category/top.html"),
    SourceConfig("Українська правда", "https://www.pravda.com.ua/rss/view_news/"),
    SourceConfig("Укрінформ", "https://www.ukrinform.ua/rss/block-lastnews"),
    SourceConfig("УНІАН", "https://rss.unian.net/site/news_ukr.rss"),
    SourceConfig("Суспільне", "https://suspilne.media/rss/all.rss"),
    SourceConfig("РБК-Україна", "https://www.rbc.ua/static/rss/all.ukr.rss.xml"),
    SourceConfig("NV", "https://nv.ua/ukr/rss/all.xml"),
)


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    admins: tuple[int, ...] = ()
    mode: str = "polling"  # "polling" or "webhook"
    webhook_url: str = ""  # the public https URL Telegram posts updates to (webhook mode)
    listen: str = "127.0.0.1:8443"  # where the webhook server listens (address:port)
    secret_token: str = field(default="", repr=False)  # X-Telegram-Bot-Api-Secret-Token


@dataclass(frozen=True, slots=True)
class StorageConfig:
    database: str = "newsbot.db"
    keep_days: int = 30  # finished deliveries, stories, articles … older than this are pruned


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    poll_seconds: int = 300
    losses_seconds: int = 3600
    jitter_seconds: int = 30


def effective_jitter(schedule: ScheduleConfig) -> float:
    """The random delay actually applied to a poll: ``jitter_seconds``, but at most a tenth of
    ``poll_seconds`` (a 30 s jitter on a 2 s interval would hold every item back up to 30 s)."""
    return max(0.0, min(float(schedule.jitter_seconds), schedule.poll_seconds / 10))


@dataclass(frozen=True, slots=True)
class LossesConfig:
    url: str = DEFAULT_LOSSES_URL
    fallback_url: str = DEFAULT_MINFIN_URL
    backfill_days: int = 90
    timeout_seconds: float = 30.0  # one request's whole fetch (connect, reads, body)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    concurrency: int = 8
    max_body_bytes: int = 5_000_000
    max_pushes_per_poll: int = 10
    max_age_hours: int = 24
    allow_private_sources: bool = False
    user_agent: str = "newsbot/0.1 (+Telegram news bot)"
    browser_user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/124.0 Safari/537.36"
    )
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    source_timeout: float = 30.0  # one source's whole fetch (redirects and body included)
    max_redirects: int = 5
    first_poll_briefs: int = 3  # newest items briefed on a source's first poll; others recorded
    min_full_text_chars: int = 400  # a feed body shorter than this means: fetch the page


@dataclass(frozen=True, slots=True)
class BriefsConfig:
    summariser: str = "extractive"  # "extractive" or "llm"
    budget_chars: int = 450
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout_seconds: float = 30.0
    llm_concurrency: int = 2


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: int = 20
    allow_paid_broadcast: bool = False
    concurrency: int = 16
    max_attempts: int = 5
    limits_enabled: bool = True  # false only against a fake Telegram (benchmarks)
    progress_seconds: float = 5.0  # how often a broadcast's progress message is edited
    expire_hours: float = 6.0  # a story still unsent after this is news no longer: never sent


@dataclass(frozen=True, slots=True)
class StoriesConfig:
    window_hours: float = 12.0  # reports of one event within this window join one story
    top_min_sources: int = 3  # distinct sources that make a story top (fewer enabled: all)


@dataclass(frozen=True, slots=True)
class SubscribersConfig:
    default_mode: str = "top"  # a new subscriber's mode: "all", "top" or "digest"
    quiet_hours: str = "23:00-08:00"  # Kyiv time, may cross midnight; each chat opts in

    @property
    def quiet_window(self) -> QuietHours:
        return QuietHours.parse(self.quiet_hours)


@dataclass(frozen=True, slots=True)
class DigestConfig:
    times: tuple[str, ...] = ("09:00", "19:00")  # Kyiv times of the digests

    @property
    def schedule(self) -> DigestTimes:
        return DigestTimes.parse(self.times)


@dataclass(frozen=True, slots=True)
class OpsConfig:
    listen: str = DEFAULT_OPS_LISTEN  # /metrics and /healthz; "" turns the server off


ChannelMode = str  # "all" | "top" | "digest": the same meanings as a subscriber's mode
DEFAULT_CHANNEL_MODE = "top"


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """A Telegram channel the bot posts to, as an administrator allowed to post."""

    chat: int | str  # "@name" (a public channel) or the numeric id (-100…)
    mode: ChannelMode = DEFAULT_CHANNEL_MODE
    losses_daily: bool = False  # a daily post of the loss counter with the 30-day chart

    @property
    def name(self) -> str:
        """How logs and /stats name the channel: as the config wrote it."""
        return self.chat if isinstance(self.chat, str) else str(self.chat)


@dataclass(frozen=True, slots=True)
class Config:
    telegram: TelegramConfig
    storage: StorageConfig = StorageConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    losses: LossesConfig = LossesConfig()
    fetch: FetchConfig = FetchConfig()
    briefs: BriefsConfig = BriefsConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    stories: StoriesConfig = StoriesConfig()
    subscribers: SubscribersConfig = SubscribersConfig()
    digest: DigestConfig = DigestConfig()
    ops: OpsConfig = OpsConfig()
    sources: tuple[SourceConfig, ...] = DEFAULT_SOURCES
    channels: tuple[ChannelConfig, ...] = ()
