"""bot/texts.py, the one place for what the bot says: plural agreement of every counted word,
typography, and that no user-facing string lives anywhere else."""

from __future__ import annotations

import ast
import functools
import json
import re
from pathlib import Path

import pymorphy3
import pytest

from bot import texts
from bot.uk import NBSP, Forms, agree, counted

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = (1, 2, 5, 11, 21, 22, 25, 101, 111)
# Which of the three forms each number takes, written out (not computed by bot.uk.plural).
SLOT = {1: "one", 2: "few", 5: "many", 11: "many", 21: "one", 22: "few", 25: "many",
        101: "one", 111: "many"}  # fmt: skip
# The case and number each form must have, by what governs it (see bot.uk.Forms).
GRAMMAR = {
    "number": {"one": ("nomn", "sing"), "few": ("nomn", "plur"), "many": ("gent", "plur")},
    "about": {"one": ("gent", "sing"), "few": ("gent", "plur"), "many": ("gent", "plur")},
    "every": {"one": ("accs", "sing"), "few": ("accs", "plur"), "many": ("gent", "plur")},
    "verb": {"one": (None, "sing"), "few": (None, "plur"), "many": (None, "plur")},
}
_ABBREVIATION = re.compile(r"^[А-ЯІЇЄҐA-Z][А-ЯІЇЄҐA-Zа-яіїєґ]*[А-ЯІЇЄҐA-Z]+$")


@functools.cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="uk")


def _has(word: str, case: str | None, number: str, pos_modifier: bool) -> bool:
    """Whether some reading of ``word`` is in ``case`` and ``number``.

    The dictionary marks the singular by gender (no "sing"), and leaves the case off a few
    dictionary forms ("особа"): those count as nominative.
    """
    for parse in _morph().parse(word):
        tag = parse.tag
        if number == "plur" and "plur" not in tag:
            continue
        if number == "sing" and "plur" in tag:
            continue
        if case is None:
            return "3per" in tag
        wanted = case
        if pos_modifier and case == "gent" and tag.POS in ("NPRO", "ADJF"):
            wanted = "accs"  # «кожні 5 хвилин»: the modifier stays accusative
        if tag.case == wanted or (tag.case is None and wanted == "nomn"):
            return True
    return False


def _words(form: str) -> list[str]:
    return [w for w in form.split() if w != "/"]


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("name", sorted(texts.COUNTED))
def test_every_counted_word_agrees_with_the_number(name: str, number: int) -> None:
    forms = texts.COUNTED[name]
    slot = SLOT[number]
    form = agree(number, forms)
    assert form == getattr(forms, slot), (name, number)
    case, grammatical_number = GRAMMAR[forms.after][slot]
    words = _words(form)
    for index, word in enumerate(words):
        if _ABBREVIATION.match(word):  # РСЗВ, ППО, БпЛА do not inflect
            assert all(_words(getattr(forms, s))[index] == word for s in ("one", "few", "many"))
            continue
        assert _has(word, case, grammatical_number, forms.after == "every"), (
            f"{name}: «{word}» in «{counted(number, forms)}» is not {case} {grammatical_number}"
        )


@pytest.mark.parametrize(
    ("forms", "phrases"),
    [
        (texts.PERSON, "1 особа, 2 особи, 5 осіб, 11 осіб, 21 особа, 22 особи, 25 осіб, "
                       "101 особа, 111 осіб"),
        (texts.PERSON_ABOUT, "1 особи, 2 осіб, 5 осіб, 11 осіб, 21 особи, 22 осіб, 25 осіб, "
                             "101 особи, 111 осіб"),
        (texts.AFV, "1 бойова броньована машина, 2 бойові броньовані машини, "
                    "5 бойових броньованих машин, 11 бойових броньованих машин, "
                    "21 бойова броньована машина, 22 бойові броньовані машини, "
                    "25 бойових броньованих машин, 101 бойова броньована машина, "
                    "111 бойових броньованих машин"),
        (texts.MINUTES, "1 хвилину, 2 хвилини, 5 хвилин, 11 хвилин, 21 хвилину, 22 хвилини, "
                        "25 хвилин, 101 хвилину, 111 хвилин"),
    ],
)  # fmt: skip
def test_counted_phrases_read_as_written(forms: Forms, phrases: str) -> None:
    made = ", ".join(counted(n, forms) for n in NUMBERS).replace(NBSP, " ")
    assert made == phrases


def test_the_table_lists_every_counted_word_in_texts() -> None:
    defined = {name for name, value in vars(texts).items() if isinstance(value, Forms)}
    assert defined == set(texts.COUNTED)
    assert all(texts.COUNTED[name] is getattr(texts, name) for name in defined)
    loss_forms = {forms for _, forms in texts.LOSS_CATEGORIES.values() if forms is not None}
    assert loss_forms <= set(texts.COUNTED.values())


def _string_constants(tree: ast.AST) -> list[ast.Constant]:
    """Every str constant of a module except docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_BAD_APOSTROPHE = re.compile(r"(?<=[\u0400-\u04ff])['\u02bc](?=[\u0400-\u04ff])")

# Modules whose Cyrillic strings are not the bot's wording: language data and input patterns,
# error reasons written where they are detected, sample content and the demo's narration.
NOT_WORDING = {
    "bot/texts.py": "the place itself",
    "bot/uk.py": "month names and the letters that tell Ukrainian from Russian",
    "bot/config.py": "the default sources' names",
    "bot/demo.py": "the demo's narration in the terminal and its sample site",
    "bot/losses/minfin.py": "patterns of the Minfin page it parses",
    "bot/losses/query.py": "words /losses accepts (графік …)",
    "bot/sources/extract.py": "boilerplate patterns of article pages",
    "bot/sources/identity.py": "text normalisation",
    "bot/sources/addresses.py": "error reasons (shown to admins in /addsource, /sources)",
    "bot/sources/fetch.py": "error reasons (shown to admins in /addsource, /sources)",
    "bot/sources/feeds.py": "error reasons (shown to admins in /addsource, /sources)",
    "bot/sources/service.py": "error reasons (shown to admins in /addsource, /sources)",
    "bot/stories/crosslang.py": "Ukrainian/Russian word pairs and letters for story matching",
    "bot/stories/features.py": "patterns and filler words of news titles for story matching",
    "bot/stories/vocabulary.py": "numerals and synonyms for story matching",
    "bot/stories/similarity.py": "country names too common to tell stories apart",
    "bot/stories/importance.py": "breaking-news markers read in titles",
}
NOT_WORDING_DIRS = {
    "bot/briefs/": "the summariser's language rules and the LLM prompt (bot/briefs/ is another "
    "engineer's area; render.py's «Читати повністю» moves here with it)",
    "bot/fakes/": "test doubles",
}


def _modules() -> list[Path]:
    return sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")])


def test_user_facing_strings_live_in_texts() -> None:
    found = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel in NOT_WORDING or any(rel.startswith(d) for d in NOT_WORDING_DIRS):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        found += [
            f"{rel}:{node.lineno}: {node.value!r}"
            for node in _string_constants(tree)
            if _CYRILLIC.search(node.value)
        ]
    assert not found, "move these to bot/texts.py:\n" + "\n".join(found)


def test_counted_words_come_from_the_table() -> None:
    """No ``count(n, "танк", "танки", "танків")`` outside bot/uk.py: the forms are in texts."""
    found = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "bot/uk.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else ""
            if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "uk":
                name = func.attr  # uk.count(…), not str.count(…)
            literal = any(
                isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args
            )
            if name in ("count", "plural") and literal:
                found.append(f"{rel}:{node.lineno}")
    assert not found, "use bot.uk.counted/agree with a Forms of bot.texts: " + ", ".join(found)


def _texts_strings() -> list[str]:
    tree = ast.parse((ROOT / "bot" / "texts.py").read_text("utf-8"))
    return [node.value for node in _string_constants(tree)]


def test_apostrophe_is_the_typographic_one() -> None:
    strings = _texts_strings()
    for name in ("articles.json", "new_article.json", "losses_terms_uk.json"):
        strings.append((ROOT / "bot" / "demo_data" / name).read_text("utf-8"))
    bad = [s for s in strings if _BAD_APOSTROPHE.search(s)]
    assert not bad
    assert any("з’являться" in s for s in strings)  # the rule has something to check


def test_quotes_are_guillemets_and_numbers_keep_together() -> None:
    for text in _texts_strings():
        assert '"' not in text and "„" not in text, text
        assert not re.search(r"\d \d{3}\b", text), text  # a thousands space must not break


def test_no_calques_or_tautologies_the_issue_named() -> None:
    joined = "\n".join(_texts_strings())
    for phrase in ("нові новини", "типово", "від 25 лютого", "особового складу (", "щойно вони"):
        assert phrase not in joined


def test_demo_sample_texts_are_ukrainian_newsroom_style() -> None:
    article = json.loads((ROOT / "bot" / "demo_data" / "new_article.json").read_text("utf-8"))
    assert article["paragraphs"][0].startswith("Минулої ночі ")
    assert "У ніч проти сьогодні" not in json.dumps(article, ensure_ascii=False)
