"""Made-up word forms for the tests of bounded caches (a news stream keeps bringing new ones)."""

from __future__ import annotations


def distinct_words(count: int) -> list[str]:
    """``count`` Cyrillic word forms, all different (at most 1 000)."""
    stems = ["бер", "вод", "гор", "дуб", "лис", "мор", "річ", "сел", "хат", "жаб"]
    endings = ["ові", "ами", "ою", "ину", "ища", "ики", "ець", "ість", "ення", "ати"]
    forms = [a + b + e for a in stems for b in stems for e in endings]
    assert len(set(forms)) >= count
    return forms[:count]
