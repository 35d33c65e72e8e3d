"""The default summariser: offline, deterministic, extractive.

Every eligible sentence of the article gets a score, a weighted sum of

* centrality — LexRank-like degree centrality: the mean cosine similarity of the sentence's
  lemma TF-IDF vector to the other sentences (what the article keeps coming back to), and the
  cosine to the article's TF-IDF centroid;
* title — the share of the title's lemmas the sentence repeats, and its TF-IDF cosine to the title;
* position — the news lead: early sentences say what happened;

and sentences are then picked greedily by score, each penalised by its similarity to the ones
already picked (redundancy removal; near-duplicates are never picked), until the target length
or sentence count is reached.  The summary lists the picked sentences in article order.

Sentences a reader would find odd out of context are never picked: fragments (no end
punctuation, a lower-case start, a feed's "…" cut), quotes without attribution, captions,
«Читайте також» links, links and hashtags, very short sentences.  A sentence that leans on the
one before it («Він додав…», «Про це йдеться…») is picked only together with that one.

The weights come from a grid search on lines 1–200 of the Brown-UK lede set
(``benchmarks/summary_quality.py --tune``); noun-preferring lemmas beat pymorphy3's first
parse there by about 0.25 ROUGE-1 / 0.15 ROUGE-L.

Everything here is pure and CPU-bound (callers use ``asyncio.to_thread``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from bot.briefs.lemmas import Lemmatizer
from bot.briefs.sentences import Sentence, clean_text, is_complete, split_sentences

__all__ = ["ExtractiveSummariser", "Summary", "SummaryParams"]


@dataclass(frozen=True, slots=True)
class SummaryParams:
    """Weights and limits of the extractive summariser (tuned on the development set only)."""

    centrality: float = 0.5
    centroid: float = 1.0
    position: float = 1.0
    title: float = 2.0
    title_cosine: float = 1.0
    length: float = 0.0
    redundancy: float = 0.5
    pair_bonus: float = 0.0  # added to the value of a (sentence, dependent sentence) pair
    max_similarity: float = 0.8  # a sentence this close to a picked one is never picked
    position_decay: float = 1.0  # position score = 1 / (1 + decay * index)
    target_chars: int = 400  # stop adding sentences once the summary is this long
    max_sentences: int = 2
    min_chars: int = 40
    min_words: int = 5
    max_scored: int = 120  # sentences beyond this are not considered (very long articles)


@dataclass(slots=True)
class Features:
    """What the score of one sentence is made of (each roughly in 0..1)."""

    degree: float  # LexRank-like degree centrality, scaled so the article's top sentence is 1
    centroid: float  # cosine to the article's TF-IDF centroid
    title_overlap: float  # share of the title's lemmas present in the sentence
    title_cosine: float  # TF-IDF cosine to the title
    length: float  # the sentence's length relative to a full-sized one (capped at 1)
    dependent: bool  # starts with a word that points back ("Він", "Але", "Це", a dash)


@dataclass(frozen=True, slots=True)
class Analysis:
    features: dict[int, Features]  # eligible sentence index -> features
    vectors: list[dict[str, float]]  # unit TF-IDF vector of every sentence


@dataclass(frozen=True, slots=True)
class Summary:
    """The chosen sentences in article order; when there are none, ``reason`` says why."""

    sentences: tuple[str, ...]
    reason: str | None = None

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


_BOILERPLATE = re.compile(
    r"^(?:читайте|дивіться|слухайте|підписуйтес[ья]|підпишіться|приєднуйтес[ья]|стежте|"
    r"слідкуйте|фото|відео|джерело|ілюстрац|реклама|теги|теґи|автор|коментар|оновлено|"
    r"по темі|на цю тему|також читайте|раніше ми писали|нагадаємо, що раніше)\b",
    re.IGNORECASE,
)
_LINKISH = re.compile(r"https?://|www\.|@\w{3,}|#\w{3,}")
_OPENING = re.compile(r"^[\"«“„'(]*[\w—–-]", re.UNICODE)
_QUOTE_OPEN = '"«“„'
_QUOTE_CLOSE = '"»”“'
_PUNCT_TAIL = ".!?… "
_FULL_SENTENCE = 250
_CUT_OFF = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])[\s\"»”)]*$")
_MAX_TEXT = 60_000  # characters of a very long article that are read at all
_DEPENDENT_WORDS = (
    "але а і й та проте однак утім втім тож тому отже відтак адже бо зате натомість водночас "
    "причому також ще зокрема він вона воно вони його її їх їм їхній їхня їхні це цей ця ці цим "
    "цими такий така таке такі таким так там тоді потім згодом нагадаємо крім окрім саме тут "
    "звідти "
)
_DEPENDENT_OPENERS = frozenset(_DEPENDENT_WORDS.split())
_PREPOSITION_WORDS = "про при після у в з із до на за через для від крім окрім як "
_PREPOSITIONS = frozenset(_PREPOSITION_WORDS.split())
_BACK_REFERENCE_WORDS = (
    "це цього цьому цим цій цієї ці цих цими того тому тим той те та ті тих нього неї них ньому "
    "ній ним нею ними "
)
_BACK_REFERENCES = frozenset(_BACK_REFERENCE_WORDS.split())


def _quote_only(text: str) -> bool:
    """Quoted speech with no attribution: «…», "…".  Out of context it reads as nobody's words."""
    if text[0] not in _QUOTE_OPEN:
        return False
    body = text.rstrip(_PUNCT_TAIL)
    return bool(body) and body[-1] in _QUOTE_CLOSE


def _dependent(text: str) -> bool:
    """Whether the sentence leans on the one before it: a pronoun or connective opener
    ("Він…", "Але…", "Про це…", "При цьому…") or a dialogue dash."""
    if text[0] in "—–-":
        return True
    head = [w.strip(',:;«»"').lower() for w in text.split(maxsplit=2)[:2]]
    if head[0] in _DEPENDENT_OPENERS:
        return True
    if len(head) < 2:
        return False
    return (head[0] in _PREPOSITIONS and head[1] in _BACK_REFERENCES) or head == ["цього", "разу"]


def _starts_well(text: str) -> bool:
    """A sentence starts with a capital letter, a digit, a quote or a bracket — not mid-word."""
    head = text.lstrip("\"«“„'(—–- ")
    return bool(head) and (head[0].isupper() or head[0].isdigit()) and bool(_OPENING.match(text))


class ExtractiveSummariser:
    """Pick whole sentences of an article (``max_sentences``, 2 by default, at most 3 make
    sense for a brief).  Safe for concurrent use from threads."""

    name = "extractive"

    def __init__(self, lemmatizer: Lemmatizer | None = None, params: SummaryParams | None = None):
        self._lemmatizer = lemmatizer or Lemmatizer()
        self.params = params or SummaryParams()

    def eligible(self, sentence: str, budget: int) -> bool:
        """Whether ``sentence`` may stand in a brief on its own."""
        p = self.params
        return (
            p.min_chars <= len(sentence) <= budget
            and is_complete(sentence)
            and _starts_well(sentence)
            and not _BOILERPLATE.match(sentence)
            and not _LINKISH.search(sentence)
            and not _quote_only(sentence)
            and len(sentence.split()) >= p.min_words
        )

    def sentences(self, text: str) -> list[Sentence]:
        """The article's sentences; only its beginning is read when it is very long (the
        summary comes from the first ``max_scored`` sentences anyway)."""
        text = clean_text(text)
        if len(text) > _MAX_TEXT:
            cut = text[:_MAX_TEXT]
            end = max(cut.rfind("\n"), cut.rfind(". "))
            text = cut[: end + 1] if end > 0 else cut
        return split_sentences(text, limit=2 * self.params.max_scored)

    def summarise(self, title: str, text: str, budget: int) -> Summary:
        """The summary of ``text`` in at most ``budget`` characters (sentences joined by spaces)."""
        sentences = self.sentences(text)
        if not sentences:
            return Summary((), "the article has no text")
        return self.summarise_sentences(title, sentences, budget)

    def summarise_sentences(self, title: str, sentences: list[Sentence], budget: int) -> Summary:
        """The summary chosen from already split ``sentences``.

        A text that ends in an ellipsis was usually cut by the feed ("…заявив під час онлайн...");
        its last sentence is a fragment and is left out.
        """
        if sentences and _CUT_OFF.search(sentences[-1].text):
            sentences = sentences[:-1]
        sentences = sentences[: self.params.max_scored]
        analysis = self.analyse(title, sentences, budget)
        if isinstance(analysis, str):
            return Summary((), analysis)
        picked = self.select(sentences, analysis, budget)
        if not picked:
            return Summary((), "no sentence that stands on its own within the budget")
        return Summary(tuple(sentences[i].text for i in picked))

    def analyse(self, title: str, sentences: list[Sentence], budget: int) -> Analysis | str:
        """Per-sentence features of the eligible sentences, or the reason there are none."""
        candidates = [i for i, s in enumerate(sentences) if self.eligible(s.text, budget)]
        if not candidates:
            if not any(is_complete(s.text) for s in sentences):
                return "no complete sentence in the text"
            return "no sentence fit for a brief (too short, too long, or a caption)"
        vectors = self._vectors([clean_text(title), *(s.text for s in sentences)])
        title_vector, vectors = vectors[0], vectors[1:]
        title_lemmas = set(title_vector)
        centroid: dict[str, float] = {}
        for vector in vectors:
            for w, x in vector.items():
                centroid[w] = centroid.get(w, 0.0) + x
        norm = math.sqrt(sum(x * x for x in centroid.values())) or 1.0
        centroid = {w: x / norm for w, x in centroid.items()}
        n = len(sentences)
        features: dict[int, Features] = {}
        for i in candidates:
            vi = vectors[i]
            degree = sum(_cosine(vi, vectors[j]) for j in range(n) if j != i) / max(1, n - 1)
            shared = len(title_lemmas.intersection(vi))
            overlap = shared / len(title_lemmas) if title_lemmas else 0.0
            features[i] = Features(
                degree=degree,
                centroid=_cosine(vi, centroid),
                title_overlap=overlap,
                title_cosine=_cosine(vi, title_vector),
                length=min(1.0, len(sentences[i].text) / _FULL_SENTENCE),
                dependent=_dependent(sentences[i].text),
            )
        top = max(f.degree for f in features.values()) or 1.0
        for f in features.values():
            f.degree /= top
        return Analysis(features, vectors)

    def score(self, index: int, f: Features) -> float:
        p = self.params
        return (
            p.centrality * f.degree
            + p.centroid * f.centroid
            + p.title * f.title_overlap
            + p.title_cosine * f.title_cosine
            + p.length * f.length
            + p.position / (1.0 + p.position_decay * index)
        )

    def select(self, sentences: list[Sentence], analysis: Analysis, budget: int) -> list[int]:
        """Greedy pick by score minus redundancy, up to the target length; article order.

        A sentence that leans on the one before it ("Про це йдеться…") is picked only together
        with that one — as a pair worth the mean of the two scores — never on its own.
        """
        p = self.params
        vectors = analysis.vectors
        features = analysis.features
        scores = {i: self.score(i, f) for i, f in features.items()}
        chosen: list[int] = []
        length = 0
        pool = set(scores)

        def units() -> list[tuple[int, ...]]:
            out: list[tuple[int, ...]] = []
            for i in sorted(pool):
                if not features[i].dependent or (i - 1) in chosen:
                    out.append((i,))
                elif (
                    (i - 1) in pool
                    and (not features[i - 1].dependent or (i - 2) in chosen)
                    and len(chosen) + 2 <= p.max_sentences
                ):
                    out.append((i - 1, i))
            return out

        while pool and len(chosen) < p.max_sentences and length < p.target_chars:
            best: tuple[int, ...] = ()
            best_value = -math.inf
            for unit in units():
                redundancy = max(
                    (_cosine(vectors[i], vectors[j]) for i in unit for j in chosen), default=0.0
                )
                if redundancy > p.max_similarity:
                    continue
                value = sum(scores[i] for i in unit) / len(unit) - p.redundancy * redundancy
                if len(unit) == 2:
                    value += p.pair_bonus
                if value > best_value:
                    best, best_value = unit, value
            if not best:  # nothing left that may stand here without repeating a pick
                break
            extra = sum(len(sentences[i].text) + 1 for i in best) - (0 if chosen else 1)
            if length + extra > budget:
                pool.discard(best[-1])  # of a pair, the first sentence may still fit alone
                continue
            pool.difference_update(best)
            chosen.extend(best)
            length += extra
        return sorted(chosen)

    def _vectors(self, texts: list[str]) -> list[dict[str, float]]:
        """Unit-length lemma TF-IDF vectors, IDF taken over the article's own sentences."""
        bags = [Counter(self._lemmatizer.lemmas(t)) for t in texts]
        df: Counter[str] = Counter()
        for bag in bags:
            df.update(bag.keys())
        n = len(bags)
        idf = {w: math.log(n / d) + 1.0 for w, d in df.items()}
        vectors = []
        for bag in bags:
            vec = {w: (1.0 + math.log(c)) * idf[w] for w, c in bag.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            vectors.append({w: v / norm for w, v in vec.items()})
        return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())
