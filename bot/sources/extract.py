"""Article text: the body of a news page (trafilatura) or of a feed's HTML, minus boilerplate.

Everything here is pure and CPU-bound; callers in async code run it via ``asyncio.to_thread``.
``trafilatura`` is imported lazily (it is slow to import and pulls in lxml's cleaner, which
lives in the separate ``lxml_html_clean`` package).
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

__all__ = ["Extracted", "extract_article", "html_to_text", "strip_boilerplate"]


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str
    text: str


# A line that is nothing but outlet furniture is dropped whole.  Patterns are matched against a
# stripped line, case-insensitively, at its start ("Читайте також: <headline>").
_DROP_LINE = re.compile(
    r"""^(?:
        (?:читайте\s+(?:також|більше|нас|на|у|в)|також\s+читайте|дивіться\s+(?:також|відео)|
           читайте\s+также|смотрите\s+также|также\s+читайте|раніше\s+ми\s+писали\s*:)\b.*
      | (?:підписуйтесь|підписуйтеся|підпишіться|приєднуйтесь|приєднуйтеся|долучайтеся|
           долучайтесь|слідкуйте\s+за|стежте\s+за|підписуйся|подписывайтесь|подпишитесь|
           присоединяйтесь|следите\s+за)\b.*
      | (?:більше\s+(?:новин|важливих\s+новин)|усі\s+новини|все\s+новости)\b.*
           (?:telegram|телеграм|viber|вайбер|youtube|facebook|instagram|whatsapp|google).*
      | як\s+читати\s+.{0,40}\s+на\s+(?:тимчасово\s+)?окупованих\s+територіях.*
      | (?:фото|ілюстрація|колаж|скриншот|джерело\s+фото|автор\s+фото|фото\s+і\s+відео|
           відео|фото/відео|фотографія)\s*(?::|—|–|\||©)\s*.{0,80}
      | (?:фото\s+ілюстративне|ілюстративне\s+фото|фото|відео)\.?
      | (?:реклама|поділитися|поширити|share|новини\s+партнерів|по\s+темі|на\s+цю\s+тему)\s*:?
      | читати
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Boilerplate that a page capture glues onto the end of the last paragraph.
_TRAILING = re.compile(
    r"\s*(?:Як\s+читати\s+.{0,40}\s+на\s+(?:тимчасово\s+)?окупованих\s+територіях(?:\s+Читати)?"
    r"|Читайте\s+(?:нас\s+)?(?:також\s+)?(?:у|в)\s+(?:Telegram|Телеграм)\S*)\s*$",
    re.IGNORECASE,
)
# The loss-counter widget some outlets (gordonua) put above the article: a heading followed by
# lines of bare numbers and upper-case captions.
_WIDGET_HEAD = re.compile(r"^втрати\s+російських\s+окупантів$", re.IGNORECASE)
_WIDGET_LINE = re.compile(r"^[\d\s\u00a0+]+$|^[A-ZА-ЯІЇЄҐЁ'’ \-]+$")
_BLANKS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u200b]+")
_MAX_FURNITURE = 300  # a longer line is a paragraph of the article, whatever its start


def strip_boilerplate(text: str) -> str:
    """Drop outlet furniture (read-also links, subscription calls, photo credits, the
    "how to read us in occupied territories" footer, a loss-counter widget) from article text.

    Works line by line, so it is safe on both extracted page text and feed bodies; the
    paragraph structure (blank lines) is kept.
    """
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _WIDGET_HEAD.match(line):
            i += 1
            while i < len(lines) and (not lines[i] or _WIDGET_LINE.match(lines[i])):
                i += 1
            continue
        i += 1
        if line and len(line) <= _MAX_FURNITURE and _DROP_LINE.match(line):
            continue
        line = _TRAILING.sub("", line)
        out.append(line)
    joined = "\n".join(out).strip()
    return _BLANKS.sub("\n\n", joined)


_BLOCK_TAGS = re.compile(
    r"<\s*(?:br|/p|/div|/h[1-6]|/li|/blockquote|/tr|/figure|/figcaption|p|li|h[1-6])\b[^>]*>",
    re.IGNORECASE,
)
_DROP_ELEMENTS = re.compile(
    r"<\s*(script|style|noscript|iframe|figure|figcaption)\b.*?<\s*/\s*\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(fragment: str) -> str:
    """Plain text of a feed's HTML body (``content:encoded``, ``yandex:full-text``).

    Unescapes until no markup-looking entities remain, so a body escaped twice (as
    ``yandex:full-text`` often is: ``&amp;lt;p&amp;gt;``) comes out as text, not as ``<p>``.
    """
    text = fragment
    for _ in range(3):  # at most three layers of escaping in practice
        if "<" in text or not re.search(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);", text, re.I):
            break
        text = html_lib.unescape(text)
    text = _DROP_ELEMENTS.sub(" ", text)
    text = _BLOCK_TAGS.sub("\n", text)
    text = _TAG.sub("", text)
    text = html_lib.unescape(text)
    return strip_boilerplate(text)


def extract_article(html: str | bytes, url: str | None = None) -> Extracted | None:
    """The title and main text of an article page, boilerplate stripped; None when the page
    has no recognisable article text (a front page, an error page, an empty document)."""
    if not html.strip():
        return None
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=True,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
        )
    except Exception:  # trafilatura/lxml raise a zoo of errors on broken markup
        return None
    if doc is None:
        return None
    title = _SPACES.sub(" ", html_lib.unescape(str(getattr(doc, "title", None) or ""))).strip()
    raw = str(getattr(doc, "text", None) or "")
    text = strip_boilerplate(raw)
    if title and text.startswith(title):  # some pages repeat the headline as the first line
        text = text[len(title) :].lstrip()
    if not text:
        return None
    return Extracted(title=title, text=text)
