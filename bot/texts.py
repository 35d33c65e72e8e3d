"""Every word the bot says to its readers and admins, in one place, to be read as a whole.

House style (checked by tests/unit/test_texts.py):
- the apostrophe is ’ (U+2019): «з’являться», never ' or ʼ;
- quotes are «…», a dash between words is « — »;
- numbers are grouped with a no-break space (912 490, :func:`bot.uk.group_digits`), and every
  noun after a number agrees with it through one of the :class:`~bot.uk.Forms` below (all of
  them are listed in :data:`COUNTED`);
- the loss counter speaks as the General Staff does («Загальні бойові втрати противника …»).

Placeholders are ``str.format`` fields; callers escape what they insert into HTML.  Texts
that are Telegram HTML say so in their name (``…_HTML``).  Error reasons that the fetcher
and the feed parser produce (shown to admins in /sources and /addsource) are written where
they are detected, in bot/sources/.
"""

from __future__ import annotations

from bot.uk import Forms

# -- words counted by a number (every one is checked for 1, 2, 5, 11, 21, 22, 25, 101, 111) ----

PERSON = Forms("особа", "особи", "осіб")
PERSON_ABOUT = Forms("особи", "осіб", "осіб", after="about")  # «близько 912 491 особи»
TANK = Forms("танк", "танки", "танків")
AFV = Forms("бойова броньована машина", "бойові броньовані машини", "бойових броньованих машин")
ARTILLERY = Forms("артилерійська система", "артилерійські системи", "артилерійських систем")
MLRS = Forms("РСЗВ", "РСЗВ", "РСЗВ")
AIR_DEFENCE = Forms("засіб ППО", "засоби ППО", "засобів ППО")
PLANE = Forms("літак", "літаки", "літаків")
HELICOPTER = Forms("гелікоптер", "гелікоптери", "гелікоптерів")
UAV = Forms("БпЛА", "БпЛА", "БпЛА")
CRUISE_MISSILE = Forms("крилата ракета", "крилаті ракети", "крилатих ракет")
WARSHIP = Forms("корабель / катер", "кораблі / катери", "кораблів / катерів")
SUBMARINE = Forms("підводний човен", "підводні човни", "підводних човнів")
DAY = Forms("день", "дні", "днів")
SUBSCRIBER = Forms("підписник", "підписники", "підписників")
CHARACTER = Forms("символ", "символи", "символів")
ERROR = Forms("помилка", "помилки", "помилок")
FAILURE = Forms("невдача", "невдачі", "невдач")
RECORD = Forms("запис", "записи", "записів")
SOURCE = Forms("джерело", "джерела", "джерел")
NEW_ITEM = Forms("новий матеріал", "нові матеріали", "нових матеріалів")
STORY = Forms("історія", "історії", "історій")
TOP_STORY = Forms("головна", "головні", "головних")  # «з них 21 головна»
EVERY = Forms("кожну", "кожні", "кожні", after="every")  # «кожну 21 хвилину», «кожні 2 хвилини»
HOURS = Forms("годину", "години", "годин", after="every")
MINUTES = Forms("хвилину", "хвилини", "хвилин", after="every")
SECONDS = Forms("секунду", "секунди", "секунд", after="every")
WILL_RECEIVE = Forms("отримає", "отримають", "отримають", after="verb")  # «її отримає 21 …»
WORD = Forms("слово", "слова", "слів")

COUNTED: dict[str, Forms] = {
    "PERSON": PERSON, "PERSON_ABOUT": PERSON_ABOUT, "TANK": TANK, "AFV": AFV,
    "ARTILLERY": ARTILLERY, "MLRS": MLRS, "AIR_DEFENCE": AIR_DEFENCE, "PLANE": PLANE,
    "HELICOPTER": HELICOPTER, "UAV": UAV, "CRUISE_MISSILE": CRUISE_MISSILE,
    "WARSHIP": WARSHIP, "SUBMARINE": SUBMARINE, "DAY": DAY, "SUBSCRIBER": SUBSCRIBER,
    "CHARACTER": CHARACTER, "ERROR": ERROR, "FAILURE": FAILURE, "RECORD": RECORD,
    "SOURCE": SOURCE, "NEW_ITEM": NEW_ITEM, "STORY": STORY, "TOP_STORY": TOP_STORY,
    "EVERY": EVERY, "HOURS": HOURS, "MINUTES": MINUTES, "SECONDS": SECONDS,
    "WILL_RECEIVE": WILL_RECEIVE, "WORD": WORD,
}  # fmt: skip

# -- the loss counter -----------------------------------------------------------------------

# Category names as the General Staff writes them (capitalised: each starts a /losses line),
# and the noun that follows a number in the compact counter line.  Keyed by the
# russianwarship.rip v2 names; a key not listed is shown under the API's own title.
LOSS_CATEGORIES: dict[str, tuple[str, Forms | None]] = {
    "personnel_units": ("Особовий склад", PERSON),
    "tanks": ("Танки", TANK),
    "armoured_fighting_vehicles": ("Бойові броньовані машини", AFV),
    "artillery_systems": ("Артилерійські системи", ARTILLERY),
    "mlrs": ("РСЗВ", MLRS),
    "aa_warfare_systems": ("Засоби ППО", AIR_DEFENCE),
    "planes": ("Літаки", PLANE),
    "helicopters": ("Гелікоптери", HELICOPTER),
    "uav_systems": ("БпЛА оперативно-тактичного рівня", UAV),
    "cruise_missiles": ("Крилаті ракети", CRUISE_MISSILE),
    "warships_cutters": ("Кораблі / катери", WARSHIP),
    "submarines": ("Підводні човни", SUBMARINE),
    "vehicles_fuel_tanks": ("Автомобільна техніка та автоцистерни", None),
    "special_military_equip": ("Спеціальна техніка", None),
    "atgm_srbm_systems": ("Пускові установки ОТРК/ТРК", None),
}

# «Втрати ворога: 912 490 осіб (+1 740) · 10 478 танків · 370 літаків · 335 гелікоптерів»
COUNTER = "Втрати ворога{dated}: {figures}"
COUNTER_ON = " на {date}"  # yesterday's report
COUNTER_AS_OF = " станом на {date}"  # older than 36 hours
COUNTER_SEPARATOR = " · "

# /losses, worded as the General Staff's daily post.
LOSSES_OPENING_HTML = (
    "<b>Загальні бойові втрати противника з {start} по {day} орієнтовно склали:</b>"
)
LOSSES_PERSONNEL_ROW_HTML = "{label} — близько <b>{value}</b>{increase} {noun}"
LOSSES_ROW_HTML = "{label} — <b>{value}</b>{increase}"
LOSSES_WAR_DAY = "{number}-й день війни"
LOSSES_STALE = "Станом на {date}: новіших даних поки немає, покажу їх, щойно з’являться."
LOSSES_CLARIFIED = "Дані уточнюються."
LOSSES_SOURCE_API = "Дані Генштабу ЗСУ, за russianwarship.rip"
LOSSES_SOURCE_MINFIN = "Дані Генштабу ЗСУ, за index.minfin.com.ua"
LOSSES_UNAVAILABLE = "Дані про втрати ворога тимчасово недоступні. Спробуйте трохи згодом."
LOSSES_FUTURE = "Ця дата ще не настала."
LOSSES_BEFORE_WAR = "Генштаб публікує втрати ворога з 25 лютого 2022 року."
LOSSES_NO_DAY = "Немає даних про втрати за {date}."
LOSSES_UNCLEAR = (
    "Не розумію дату «{text}». Напишіть її так: /losses 29.03.2025; графік — /losses графік."
)
CHART_BUTTON = "Графік"
CHART_TOO_SHORT = "Для графіка поки замало даних. Спробуйте трохи згодом."
CHART_TITLE = "Втрати особового складу ворога за добу"  # on the picture and in its caption
CHART_BARS = "за добу"
CHART_AVERAGE = "середнє за 7 днів"
CHART_UNIT = "осіб"
CHART_CAPTION_HTML = "<b>{title}</b>\nЗа {period} до {date}. Лінія — {average}."

# -- when things go wrong ------------------------------------------------------------------

# On stderr when Telegram refuses the configured token (newsbot run exits with status 2).
TOKEN_REJECTED = "Telegram не прийняв токен: перевірте NEWSBOT_TELEGRAM_TOKEN"

# -- commands everyone can use --------------------------------------------------------------

# (Telegram's command menu, /help lines: "<arguments> — what it does").
MENU: dict[str, tuple[str, tuple[str, ...]]] = {
    "start": ("Підписатися на новини", (" — підписатися на новини",)),
    "latest": (
        "Останні новини",
        (" [N] — останні N новин (за замовчуванням 5, щонайбільше 10)",),
    ),
    "losses": (
        "Втрати російських окупантів",
        (
            " — втрати російських окупантів",
            " 29.03.2025 — втрати на певну дату",
            " графік — добові втрати особового складу за 30 днів",
        ),
    ),
    "settings": ("Налаштування: режим, тихі години, джерела", (" — режим, тихі години, джерела",)),
    "follow": (
        "Стежити за словом",
        (" СЛОВО — новини з цим словом одразу, хай який режим", " — слова, за якими ви стежите"),
    ),
    "unfollow": ("Більше не стежити за словом", (" СЛОВО — більше не стежити за словом",)),
    "mute": (
        "Приховати новини зі словом",
        (" СЛОВО — ніколи не надсилати новини з цим словом", " — приховані слова"),
    ),
    "unmute": ("Більше не приховувати слово", (" СЛОВО — знову надсилати новини з цим словом",)),
    "stop": ("Відписатися", (" — відписатися",)),
    "help": ("Що вміє бот", (" — ця довідка",)),
    "broadcast": (
        "Розсилка всім підписникам",
        (" ТЕКСТ — розсилка всім підписникам (спершу попередній перегляд)",),
    ),
    "stats": ("Статистика бота", (" — підписники, черга, джерела, лічильник",)),
    "sources": ("Джерела новин і їхній стан", (" — джерела новин і їхній стан",)),
    "addsource": ("Додати джерело новин", (" URL [назва] — додати джерело",)),
    "delsource": ("Вилучити джерело новин", (" ID — вилучити джерело",)),
}
HELP_TITLE = "Що я вмію:"
ADMIN_HELP_TITLE = "Для адміністраторів:"

WELCOME = (
    "Вітаю! Відтепер я надсилатиму сюди короткі новини з українських джерел: перевіряю їх "
    "{how_often}. У кожній новині — лічильник втрат російських окупантів."
)
WELCOME_MODE = "Режим «{mode}»: {explained}. Змінити режим, тихі години й джерела — /settings."
EVERY_HOUR = "щогодини"
EVERY_MINUTE = "щохвилини"
COMMANDS_HINT = "/latest — останні новини\n/losses — втрати ворога\n/help — усі команди"
STOP_HINT = "Відписатися можна будь-коли командою /stop."
ALREADY_SUBSCRIBED = "Ви вже підписані: новини й далі надходитимуть сюди. Відписатися — /stop."
STOPPED = "Ви відписалися: новин більше не надсилатиму. Повернутися — /start."
NOT_SUBSCRIBED = "Ви не підписані. Підписатися — /start."
UNKNOWN_COMMAND = "Не знаю такої команди. Усі команди — /help."
PLAIN_TEXT = "Я відповідаю лише на команди. Останні новини — /latest, усі команди — /help."

NO_NEWS = "Новин ще немає: я щойно почав стежити за джерелами. Зазирніть трохи згодом."
BAD_COUNT = "Вкажіть число від 1 до 10, наприклад: /latest 3"
LATEST_SOURCES_HTML = "\n<i>{sources}</i>"  # under each story of /latest: «3 джерела»

# -- access ---------------------------------------------------------------------------------

ADMIN_ONLY = "Ця команда доступна лише адміністраторам бота."
GROUP_ADMINS_ONLY = "Змінювати підписку групи можуть лише її адміністратори."
NOT_VERIFIED = "Не вдалося перевірити, чи ви адміністратор групи. Спробуйте за хвилину."

# -- /broadcast -----------------------------------------------------------------------------

BROADCAST_USAGE = (
    "Напишіть текст після команди, наприклад:\n/broadcast Завтра бот оновлюватиметься.\n"
    "Спершу я покажу попередній перегляд із кнопками «Надіслати всім» і «Скасувати»."
)
BROADCAST_TOO_LONG = "Текст задовгий: {length}, а Telegram дозволяє щонайбільше 4\u00a0096."
EMOJI_COUNT_TWICE = " Емодзі Telegram рахує за два символи."
BROADCAST_PREVIEW_HTML = "<b>Попередній перегляд розсилки</b> — її {verb} {who}:\n\n{body}"
BROADCAST_SEND = "Надіслати всім"
BROADCAST_CANCEL = "Скасувати"
BROADCAST_CANCELLED = "Розсилку скасовано. Нічого не надіслано."
BROADCAST_STARTED = "Розсилку розпочато."
BROADCAST_NOT_A_DRAFT = "Цю розсилку вже надіслано або скасовано."
# the progress and the summary say «Надіслано: N з M» alike
BROADCAST_SENT = "Надіслано: {sent} з {total}"
BROADCAST_IN_PROGRESS = "Розсилка триває…"
BROADCAST_DONE = "Розсилку завершено."
BROADCAST_SKIPPED = "Заблокували бота або недоступні: {skipped}"
BROADCAST_FAILED = "Не вдалося надіслати: {failed}"
BROADCAST_UNKNOWN = "Telegram не відповів, чи доставлено: {unknown}"

# -- /stats ---------------------------------------------------------------------------------

STATS_TITLE_HTML = "<b>Статистика бота</b>"
STATS_SUBSCRIBERS = (
    "Підписники: активні — {active}, відписалися — {stopped}, заблокували бота — {blocked}, "
    "недоступні — {gone}"
)
STATS_TODAY = "Сьогодні: {items}, {stories}, з них {top}"
STATS_PENDING = "У черзі на надсилання: {n}"
STATS_PAUSED = "⚠️ Надсилання призупинено: база даних недоступна для запису"
STATS_UNDELIVERED = (
    "Не доставлено: застарілі новини — {expired}, "
    "без відповіді Telegram (повторно не надсилали) — {unknown}"
)
STATS_SOURCES_HTML = "<b>Джерела</b>"
STATS_NO_SOURCES = "джерел немає"
STATS_NO_COUNTER = "Лічильник втрат: даних ще немає"
STATS_COUNTER = "Лічильник втрат: дані за {date} ({freshness}), отримано {fetched}"
STATS_COUNTER_FRESH = "актуальні"
STATS_COUNTER_STALE = "застарілі на {age}"
STATS_SOURCE_OFF = "⏸ {name} — вимкнено"
STATS_SOURCE_OK = "✅ {name} — востаннє {time}"
STATS_SOURCE_NEW = "⏳ {name} — ще не опитувалося"
STATS_SOURCE_FAILING = "⚠️ {name} — {failures} поспіль: {error}"
UNKNOWN_ERROR = "невідома помилка"

# -- /sources, /addsource, /delsource -------------------------------------------------------

SOURCES_EMPTY = "Джерел новин немає. Додати — /addsource URL [назва]."
SOURCES_HEADER_HTML = "<b>Джерела новин</b> — {total}, без помилок — {healthy}"
SOURCES_FOOTER = "Вилучити — /delsource ID, додати — /addsource URL [назва]"
SOURCE_ADDED_BY_ADMIN = " · додано адміном"
SOURCE_DISABLED = "вимкнено (немає в конфігурації)"
SOURCE_FAILING = "помилка: {error} — {failures} поспіль"
SOURCE_NEXT_TRY = "; наступна спроба {time}"
SOURCE_NEVER_POLLED = "ще не опитувалося"
SOURCE_UPDATED = "оновлено {time}"
SOURCE_ITEMS = " · у стрічці {items}"
SOURCE_WARNING = "\nзауваження: {warning}"
ADD_SOURCE_USAGE = (
    "Як додати джерело: /addsource URL [назва]\n"
    "Наприклад: /addsource https://nv.ua/ukr/rss/all.xml NV"
)
DEL_SOURCE_USAGE = "Як вилучити джерело: /delsource ID (номер зі списку /sources)"
NOT_HTTP = "Потрібна адреса стрічки, що починається з http:// або https://."
SOURCE_EXISTS = "Це джерело вже є: #{id} «{name}»."
SOURCE_CHECKING = "Перевіряю стрічку {url} …"
SOURCE_NOT_ADDED = "Не вдалося додати джерело: {reason}."
SOURCE_ADDED = (
    "Додано джерело #{id}: у стрічці {items}. Під час першого опитування їх буде записано "
    "без розсилки, а все нове надходитиме підписникам."
)
SOURCE_ADDED_WARNING = "\nЗауваження: {warning}."
SOURCE_MISSING = "Джерела #{id} немає. Список — /sources."
SOURCE_DELETED = (
    "Джерело #{id} «{name}» вилучено: його більше не опитуватиму, а вже надіслані новини "
    "лишаються в історії."
)

# -- stories ----------------------------------------------------------------------------------

SOURCES_PREFIX = "Про це пишуть: "  # «Про це пишуть: Українська правда, Укрінформ, УНІАН»
MORE_SOURCES = " та ще {sources}"  # the sources that did not fit: « та ще 2 джерела»

# -- what each subscriber chooses: modes, quiet hours, words, sources ------------------------

MODE_LABELS = {"all": "Усі новини", "top": "Головне", "digest": "Дайджест"}  # the buttons too
MODE_EXPLAINED = {
    "all": "кожна новина, щойно вона з’являється",
    "top": "лише найважливіші новини — про які пишуть кілька джерел або термінові",
    "digest": "добірка головного о {times} за Києвом, без інших повідомлень",
}
DIGEST_TIMES_JOIN = " і "  # «о 09:00 і 19:00»

SETTINGS_TITLE_HTML = "<b>Налаштування</b>"
SETTINGS_MODE = "Режим «{mode}»: {explained}."
SETTINGS_QUIET_ON = (
    "Тихі години {window} за Києвом: новини надходять без звуку, нічого не затримую."
)
SETTINGS_QUIET_OFF = "Тихі години ({window} за Києвом) вимкнено: новини надходять зі звуком."
SETTINGS_FOLLOW = "Стежу за словами: {words} — такі новини надсилаю одразу, хай який режим."
SETTINGS_MUTE = "Приховую новини зі словами: {words}."
SETTINGS_SOURCES_ALL = "Джерела: усі."
SETTINGS_SOURCES_OFF = "Вимкнені джерела: {names}."
SETTINGS_WORDS_HINT = (
    "/follow СЛОВО — надсилати новини з цим словом одразу, /mute СЛОВО — ніколи не надсилати."
)
SETTINGS_CURRENT = "✓ {label}"  # the chosen mode's button
SETTINGS_QUIET_TURN_ON = "Увімкнути тихі години"
SETTINGS_QUIET_TURN_OFF = "Вимкнути тихі години"
SETTINGS_SOURCES_BUTTON = "Джерела"
SETTINGS_GROUP_NOTE = "Змінювати налаштування групи можуть її адміністратори."

SOURCES_PAGE_HTML = (
    "<b>Джерела</b>\nНатисніть на джерело, щоб вимкнути або ввімкнути його. Новину лише з "
    "вимкнених джерел я не надішлю."
)
SOURCES_PAGE_NONE = "<b>Джерела</b>\nДжерел поки немає."
SOURCE_ON = "✓ {name}"
SOURCE_OFF = "✗ {name}"
SOURCES_PREVIOUS = "‹ Попередні"
SOURCES_NEXT = "Наступні ›"
SOURCES_BACK = "« Налаштування"

SETTINGS_SAVED = "Збережено."
BUTTON_STALE = "Ця кнопка вже не діє."
SETTINGS_STALE = "Ця кнопка вже не діє. Відкрийте /settings ще раз."
SETTINGS_SOURCE_GONE = "Цього джерела вже немає. Відкрийте /settings ще раз."
SETTINGS_GROUP_ADMINS_ONLY = "Змінювати налаштування групи можуть лише її адміністратори."
SETTINGS_NOT_SUBSCRIBED = "Спершу підпишіться — /start, а тоді налаштуйте — /settings."

FOLLOW_NONE = (
    "Ви ще не стежите за жодним словом. Додати: /follow СЛОВО — новини з ним надходитимуть "
    "одразу, хай який режим."
)
FOLLOW_LIST = "Стежу за словами: {words}.\nДодати — /follow СЛОВО, прибрати — /unfollow СЛОВО."
MUTE_NONE = "Ви не приховуєте жодного слова. Додати: /mute СЛОВО — новини з ним не надходитимуть."
MUTE_LIST = "Приховую новини зі словами: {words}.\nДодати — /mute СЛОВО, прибрати — /unmute СЛОВО."
FOLLOW_ADDED = "Стежу за словом «{word}»: новини з ним надходитимуть одразу, хай який режим."
MUTE_ADDED = "Приховую новини зі словом «{word}»: їх я не надсилатиму."
FOLLOW_MOVED = " Приховувати його я перестав."
MUTE_MOVED = " Стежити за ним я перестав."
FOLLOW_ALREADY = "Ви вже стежите за словом «{word}»."
MUTE_ALREADY = "Слово «{word}» уже приховано."
FOLLOW_FULL = "Список повний: {count}, більше не можна. Приберіть якесь — /unfollow СЛОВО."
MUTE_FULL = "Список повний: {count}, більше не можна. Приберіть якесь — /unmute СЛОВО."
UNFOLLOWED = "Більше не стежу за словом «{word}»."
UNMUTED = "Більше не приховую новини зі словом «{word}»."
NOT_FOLLOWED = "Ви не стежите за словом «{word}». Ваші слова — /follow."
NOT_MUTED = "Слово «{word}» не приховано. Приховані слова — /mute."
WORD_EMPTY = "Напишіть слово після команди, наприклад: /{command} Харків"
WORD_TOO_LONG = "Задовге слово: щонайбільше {count}."
WORD_NOT_A_WORD = "Це не слово. Напишіть слово з літер, наприклад: /{command} Харків"
WORD_SEVERAL = (
    "Одне слово за раз, наприклад: /{command} Харків. Форма не важлива: «Харків» знайде "
    "й «у Харкові»."
)
WORD_TOO_COMMON = "Слово «{word}» надто загальне: воно є майже в кожній новині. Спробуйте інше."

# «Головне за 29 березня, 09:00–19:00»: the digest a chat in mode «Дайджест» gets.
DIGEST_TITLE_HTML = "<b>Головне за {period}</b>"
DIGEST_ITEM_HTML = "{number}. {title} — {sources}"  # the title is a link to the best report

# -- trouble ----------------------------------------------------------------------------------

STORAGE_TROUBLE = "Тимчасова технічна проблема, спробуйте за кілька хвилин."  # disk full …
