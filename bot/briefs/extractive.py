"""The default summariser: offline, deterministic, extractive.

Every eligible sentence of the article gets a score, a weighted sum of

* centrality — LexRank-like degree centrality: the mean cosine similarity of the sentence's
  lemma TF-IDF vector to the other sentences (what the article keeps coming back to), and the
  cosine to the article's TF-IDF centroid;
* title — the share of the title's lemmas the sentence repeats, and its TF-IDF cosine to the title;
* position — the news lead: early sentences say what happened;
* facts — who / what / where / when: names, places, dates and numbers the sentence carries
  (it decides between sentences whose centrality is close), and for an announcement the
  sentence that says when the event takes place;

and sentences are then picked greedily by score, each penalised by its similarity to the ones
already picked (redundancy removal; near-duplicates are never picked), until the target length
or sentence count is reached.  The summary lists the picked sentences in article order.

Sentences a reader would find odd out of context are never picked (:mod:`bot.briefs.standalone`):
fragments (no end punctuation, a lower-case start, a feed's "…" cut), unclosed quotations and
quotes without attribution, questions, the claim a later «Насправді…» refutes, captions,
«Читайте також» links, links and hashtags, very short sentences.  A sentence that leans on the
one before it («Він додав…», «За її словами…», «Однак…»; the lists are
:mod:`bot.briefs.openings` and :mod:`bot.briefs.references`) is picked only together with that
one (and that one with its own, if it leans too), as one pick worth the leaning sentence's
score.  A summary never holds more than three sentences as a reader counts them (a quotation
of two sentences counts two).

The weights come from a grid search on lines 1–200 of the Brown-UK lede set
(``benchmarks/summary_quality.py --tune``); noun-preferring lemmas beat pymorphy3's first
parse there by about 0.25 ROUGE-1 / 0.15 ROUGE-L.  With the pick rule above the grid finds
nothing better that holds out of fold (5-fold within lines 1–200: −0.48 ROUGE-1), so the
weights stay.

Everything here is pure and CPU-bound (callers use ``asyncio.to_thread``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from bot.briefs.lemmas import Lemmatizer
from bot.briefs.sentences import Sentence, clean_text, is_complete, split_sentences
from bot.briefs.standalone import announces, contradicted, facts, leans_back, stands_alone

__all__ = ["MAX_SENTENCES", "ExtractiveSummariser", "Summary", "SummaryParams"]


@dataclass(frozen=True, slots=True)
class SummaryParams:
    """Weights and limits of the extractive summariser (tuned on the development set only)."""

    centrality: float = 0.5
    centroid: float = 1.0
    position: float = 1.0
    title: float = 2.0
    title_cosine: float = 1.0
    length: float = 0.0
    facts: float = 0.5
    event: float = 1.25  # the sentence that says when an announced event takes place
    redundancy: float = 0.5
    pair_bonus: float = 0.0  # added to the value of a pick of several sentences
    max_similarity: float = 0.8  # a sentence this close to a picked one is never picked
    position_decay: float = 1.0  # position score = 1 / (1 + decay * index)
    target_chars: int = 400  # stop adding sentences once the summary is this long
    max_picks: int = 2  # a sentence, or one with the sentences it leans on, is one pick
    max_sentences: int = 3  # sentences picked (a quotation of several is one sentence here)
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
    facts: float  # names, places, dates, numbers (see bot.briefs.standalone.facts)
    event: float  # 1 when it says when an announced event takes place, else 0
    dependent: bool  # leans on the sentence before ("Він…", "Але…", "За її словами…", a dash)


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


_PUNCT_TAIL = ".!?… "
_FULL_SENTENCE = 250
_CUT_OFF = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])[\s\"»”)]*$")
_MAX_TEXT = 60_000  # characters of a very long article that are read at all
MAX_SENTENCES = 3  # what a reader counts, quoted sentences included; never more in a brief


class ExtractiveSummariser:
    """Pick whole sentences of an article (``max_picks``, 2 by default, a leaning sentence with
    the ones it leans on counting one; never more than :data:`MAX_SENTENCES`).  Safe for
    concurrent use from threads."""

    name = "extractive"

    def __init__(self, lemmatizer: Lemmatizer | None = None, params: SummaryParams | None = None):
        self._lemmatizer = lemmatizer or Lemmatizer()
        self.params = params or SummaryParams()

    def eligible(self, sentence: str, budget: int) -> bool:
        """Whether ``sentence`` may stand in a brief (on its own, or after the sentence it
        leans on)."""
        p = self.params
        return is_complete(sentence) and stands_alone(
            sentence, min_chars=p.min_chars, min_words=p.min_words, max_chars=budget
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
        refuted = contradicted(sentences)
        candidates = [
            i
            for i, s in enumerate(sentences)
            if s.parts <= MAX_SENTENCES and i not in refuted and self.eligible(s.text, budget)
        ]
        if not candidates:
            if not any(is_complete(s.text) for s in sentences):
                return "no complete sentence in the text"
            return "no sentence fit for a brief (too short, too long, or a caption)"
        vectors = self._vectors([clean_text(title), *(s.text for s in sentences)])
        title_vector, vectors = vectors[0], vectors[1:]
        title_lemmas = set(title_vector)
        # Cosines of unit vectors are dot products, so the sum of a sentence's cosines to all the
        # others is its dot product with the sum of all vectors, less its own (one pass, not n).
        total: dict[str, float] = {}
        for vector in vectors:
            for w, x in vector.items():
                total[w] = total.get(w, 0.0) + x
        norm = math.sqrt(sum(x * x for x in total.values())) or 1.0
        n = len(sentences)
        features: dict[int, Features] = {}
        for i in candidates:
            vi = vectors[i]
            to_all = _cosine(vi, total)
            degree = (to_all - sum(x * x for x in vi.values())) / max(1, n - 1)
            shared = len(title_lemmas.intersection(vi))
            overlap = shared / len(title_lemmas) if title_lemmas else 0.0
            features[i] = Features(
                degree=degree,
                centroid=to_all / norm,
                title_overlap=overlap,
                title_cosine=_cosine(vi, title_vector),
                length=min(1.0, len(sentences[i].text) / _FULL_SENTENCE),
                facts=facts(sentences[i].text),
                event=float(announces(sentences[i].text)),
                dependent=leans_back(sentences[i].text),
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
            + p.facts * f.facts
            + p.event * f.event
            + p.position / (1.0 + p.position_decay * index)
        )

    def select(self, sentences: list[Sentence], analysis: Analysis, budget: int) -> list[int]:
        """Greedy pick by score minus redundancy, up to the target length; article order.

        A pick is a sentence, or a sentence that leans on the one before it («Про це йдеться…»,
        «За її словами…») together with that one (and that one's own, if it leans too), the
        sentences it leans on first.  Such a pick is worth the score of the sentence it is taken
        for: the ones before it are there so that it can be read, and the best sentence of an
        article often leans on its predecessor, which then tells the news.  At most
        ``max_picks`` picks, ``max_sentences`` sentences, and never more than
        :data:`MAX_SENTENCES` sentences as a reader counts them (:attr:`Sentence.parts`).
        """
        p = self.params
        vectors = analysis.vectors
        features = analysis.features
        scores = {i: self.score(i, f) for i, f in features.items()}
        chosen: list[int] = []
        picks = 0
        length = 0
        count = 0
        pool = set(scores)

        def unit(i: int) -> tuple[int, ...] | None:
            """``i`` with the sentences it leans on, when all of them may still be picked."""
            first = i
            while features[first].dependent and (first - 1) not in chosen:
                first -= 1
                if first not in pool:
                    return None
            run = tuple(range(first, i + 1))
            if len(chosen) + len(run) > min(p.max_sentences, MAX_SENTENCES):
                return None
            return run if count + sum(sentences[j].parts for j in run) <= MAX_SENTENCES else None

        while pool and picks < p.max_picks and length < p.target_chars:
            best: tuple[int, ...] = ()
            best_value = -math.inf
            for i in sorted(pool):
                run = unit(i)
                if run is None:
                    continue
                redundancy = max(
                    (_cosine(vectors[a], vectors[b]) for a in run for b in chosen), default=0.0
                )
                if redundancy > p.max_similarity:
                    continue
                value = scores[i] - p.redundancy * redundancy
                if len(run) > 1:
                    value += p.pair_bonus
                if value > best_value:
                    best, best_value = run, value
            if not best:  # nothing left that may stand here without repeating a pick
                break
            extra = sum(len(sentences[i].text) + 1 for i in best) - (0 if chosen else 1)
            if length + extra > budget:
                pool.discard(best[-1])  # of a pair, the first sentence may still fit alone
                continue
            pool.difference_update(best)
            chosen.extend(best)
            picks += 1
            length += extra
            count += sum(sentences[i].parts for i in best)
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
