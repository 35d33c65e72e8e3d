"""Item identity: how the bot knows it has seen a feed item before (pure functions).

Identity is persisted and never inferred from dates: the item's guid when it has one, else its
canonical link, else a hash of title and link.  A guid that is itself a URL is canonicalised
like a link, so ``?utm_source=…`` variants of one permalink are one item.  Separately, a
normalised *content* hash (title + summary) catches the same article re-published under a new
guid or link.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonical_url", "content_hash", "item_identity"]

# Query parameters that only say where a click came from.
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "itm_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "ysclid", "msclkid",
        "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "ref", "ref_src", "cmpid", "xtor",
        "ocid", "ncid", "s_cid",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MIN_CONTENT_CHARS = 40  # below this a title+summary is too generic to mark a re-publication


def _is_tracking(name: str) -> bool:
    lower = name.lower()
    return lower in _TRACKING_NAMES or lower.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str | None:
    """The link with scheme and host lower-cased, default port, fragment and tracking
    parameters removed; None when ``url`` is not an absolute http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host or any(c.isspace() for c in url.strip()):
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]" if port in (None, _DEFAULT_PORTS[scheme]) else f"[{host}]:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept, doseq=True)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def item_identity(guid: str | None, link: str | None, title: str) -> str:
    """``guid:…`` | ``link:<canonical>`` | ``hash:…`` — the first the item allows."""
    guid = (guid or "").strip()
    if guid:
        as_url = canonical_url(guid) if guid.lower().startswith(("http://", "https://")) else None
        return f"link:{as_url}" if as_url else f"guid:{guid}"
    canonical = canonical_url(link) if link else None
    if canonical:
        return f"link:{canonical}"
    return "hash:" + _sha(f"{_normalise(title)}\n{(link or '').strip()}")


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _normalise(text: str) -> str:
    """Case, accents, quotes, dashes and spacing ironed out: «Київ» == "київ"."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _NON_WORD.sub(" ", text).strip()


def content_hash(title: str, summary: str) -> str | None:
    """A hash of the normalised title and summary; None when there is too little to go on."""
    normalised = f"{_normalise(title)} | {_normalise(summary)[:500]}"
    if len(normalised.replace(" ", "").replace("|", "")) < _MIN_CONTENT_CHARS:
        return None
    return _sha(normalised)
