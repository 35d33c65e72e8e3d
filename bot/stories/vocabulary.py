"""Small word lists that let reworded reports of one event meet: numerals and synonyms.

Outlets write «троє поранених», «3 поранені» and «поранено трьох» for the same fact, and call
the same weapon «дрон», «БпЛА» or «шахед».  Numeral words become digits (so they also count for
the number guard); synonyms of frequent news words become one lemma.  Both lists are short on
purpose: a synonym that merges two *different* facts costs precision.
"""

from __future__ import annotations

__all__ = ["NUMERAL_WORDS", "SYNONYMS"]


def _numerals(table: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in table.strip().splitlines():
        digit, *forms = line.split()
        out.update(dict.fromkeys(forms, digit))
    return out


_UK_NUMERALS = """
2 два дві двоє двох двом двома
3 три троє трьох трьом трьома
4 чотири четверо чотирьох чотирьом
5 п'ять п'ятеро п'ятьох п'яти
6 шість шестеро шістьох шести
7 сім семеро сімох семи
8 вісім восьмеро восьми
9 дев'ять дев'ятеро дев'яти
10 десять десятеро десяти десятьох
11 одинадцять одинадцяти
12 дванадцять дванадцяти
15 п'ятнадцять п'ятнадцяти
20 двадцять двадцяти
30 тридцять тридцяти
40 сорок сорока
50 п'ятдесят п'ятдесяти
100 сто сотні
"""
_RU_NUMERALS = """
2 два две двое двух двум двумя
3 три трое троих трех трём трем тремя
4 четыре четверо четырех четырём четырем
5 пять пятеро пяти пятерых
6 шесть шестеро шести шестерых
7 семь семеро семи семерых
8 восемь восьмеро восьми
9 девять девяти
10 десять десятеро десяти
11 одиннадцать одиннадцати
12 двенадцать двенадцати
15 пятнадцать пятнадцати
20 двадцать двадцати
30 тридцать тридцати
40 сорок сорока
50 пятьдесят пятидесяти
100 сто
"""
NUMERAL_WORDS: dict[str, dict[str, str]] = {
    "uk": _numerals(_UK_NUMERALS),
    "ru": _numerals(_RU_NUMERALS),
}

# lemma -> the lemma it stands for (per language of the article).
SYNONYMS: dict[str, dict[str, str]] = {
    "uk": {
        "безпілотник": "дрон",
        "бпла": "дрон",
        "шахед": "дрон",
        "шахедіва": "дрон",
        "поранити": "поранений",
        "поранення": "поранений",
        "загиблий": "загинути",
        "загибель": "загинути",
        "нардеп": "депутат",
        "кабмін": "уряд",
        "нацбанк": "нбу",
        "евакуйований": "евакуювати",
    },
    "ru": {
        "беспилотник": "дрон",
        "бпла": "дрон",
        "бпнуть": "дрон",
        "шахед": "дрон",
        "нардеп": "депутат",
        "кабмин": "правительство",
        "нацбанк": "нбу",
    },
}
