"""Property tests: whatever the text, the brief is valid Telegram HTML within the limits and its
summary consists of whole sentences of the source."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.briefs.extractive import MAX_SENTENCES, ExtractiveSummariser
from bot.briefs.quotes import balanced
from bot.briefs.render import CAPTION_LIMIT, compose_brief, visible_length
from bot.briefs.sentences import clean_text, count_sentences, split_sentences
from bot.briefs.typography import typeset
from bot.fakes.telegram import check_telegram_html

SUMMARISER = ExtractiveSummariser()
SETTINGS = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

WORDS = st.sampled_from(
    [
        "Київ", "у", "Києві", "війна", "року", "ЗСУ", "заявив", "що", "м.", "р.", "тис.",
        "2,5", "912 490", "В.", "Зеленський", "ISW", "Russia", "drone", "😀", "🇺🇦", "<b>",
        "</i>", "&amp;", "&", "<", ">", '"', "«", "»", "—", "-", "...", "НОВИНА", "ТЕРМІНОВО",
        "https://example.com", "#теги", "@канал", "Фото:", "Читайте", "також:", "\u200b",
        "\u00a0", "\t", "мʼясо", "обʼєкт", "п'ять", "Він", "Але", "(", ")", ";", ":",
    ]
)  # fmt: skip
PUNCT = st.sampled_from([".", "!", "?", "…", "", ",", ".»", '."', ":"])


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORDS, min_size=1, max_size=25))
    text = " ".join(words) + draw(PUNCT)
    if draw(st.booleans()):
        text = text.upper()
    return text[:1].upper() + text[1:]


@st.composite
def articles(draw: st.DrawFn) -> str:
    paragraphs = draw(
        st.lists(st.lists(sentences(), min_size=1, max_size=5), min_size=0, max_size=8)
    )
    text = "\n".join(" ".join(p) for p in paragraphs)
    if draw(st.booleans()):
        text += draw(st.text(max_size=300))
    return text


TITLES = st.one_of(st.text(max_size=300), sentences())
BUDGETS = st.integers(min_value=40, max_value=1200)


TYPESET = {'"': "«»„“", "-": "—", "–": "—", "'": "’", "ʼ": "’", "`": "’", " ": "\u00a0"}
TYPESET.update(dict.fromkeys("«»„“”", "«»„“"))


def only_typeset(source: str, shown: str) -> bool:
    """``shown`` is ``source`` with nothing changed but quotes, dashes, apostrophes and
    number-group spaces, one character for one."""
    return len(source) == len(shown) and all(
        a == b or b in TYPESET.get(a, "") for a, b in zip(source, shown, strict=True)
    )


def check_brief(title: str, text: str, counter: str, budget: int) -> None:
    summary = SUMMARISER.summarise(title, text, budget)
    source = {s.text for s in split_sentences(clean_text(text))}
    assert set(summary.sentences) <= source
    assert len(summary.text) <= budget
    assert (summary.reason is None) == bool(summary.sentences)
    assert balanced(summary.text) and all(balanced(s) for s in summary.sentences)
    assert sum(count_sentences(s) for s in summary.sentences) <= MAX_SENTENCES
    rendered = compose_brief(title or "Без заголовка", summary.sentences, counter, "Джерело",
                             "https://example.com/a?b=1&c=2", budget=budget)  # fmt: skip
    visible = check_telegram_html(rendered.html)
    assert visible_length(visible) <= CAPTION_LIMIT
    assert len(rendered.sentences) <= len(summary.sentences)
    for shown, picked in zip(rendered.sentences, summary.sentences, strict=False):
        assert only_typeset(picked, shown)
    assert typeset(rendered.title) == rendered.title


@SETTINGS
@given(title=TITLES, text=articles(), budget=BUDGETS)
def test_structured_articles(title: str, text: str, budget: int) -> None:
    check_brief(title, text, "Втрати ворога: 912\u00a0490 (+1\u00a0530)", budget)


@SETTINGS
@given(title=st.text(max_size=2000), text=st.text(max_size=3000), counter=st.text(max_size=400))
def test_arbitrary_text(title: str, text: str, counter: str) -> None:
    check_brief(title, text, counter, 450)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(sentence=sentences(), repeat=st.integers(min_value=50, max_value=400))
def test_long_articles(sentence: str, repeat: int) -> None:
    check_brief("Заголовок", (sentence + " ") * repeat, "", 450)
