"""Text helpers of the knowledge base: name keys, Italian stems, sentences, marked matches.

Names are compared by key (lower case, accents and punctuation gone: "Città di Ivrea" →
"citta di ivrea"), so filters match whole names however they were written. Search uses
Snowball's Italian stemmer (PyStemmer): "assunzioni" and "assunzione" share the stem
"assunzion", "lavoratori" and "lavoratore" the stem "lavor".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! ? ; followed by space and a capital, a digit or a quote, or at a
# blank line; "S.p.A." and "n. 23" stay inside (a lower-case letter or a digit follows).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[«\"“A-ZÀ-Ý])|\n\s*\n")


def key(name: str | None) -> str:
    """The comparison key of a name: lower case, no accents, words joined by one space."""
    if not name:
        return ""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(_WORD.findall(name.lower().replace("_", " ")))


# Italian accented letters → plain (faster than NFKD for the stems of whole documents).
_PLAIN = str.maketrans("àáâèéêìíîòóôùúûç", "aaaeeeiiiooouuuc")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("italian")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def stems(text: str) -> list[str]:
    """Italian stems of the words of `text`, lower case and without accents."""
    out = _stemmer().stemWords(words(text.lower()))
    return [s if s.isascii() else key(s.translate(_PLAIN)) for s in out]


def stem_text(text: str) -> str:
    """The stems of `text` joined by spaces: what the stem full-text indexes hold."""
    return " ".join(stems(text))


def fts_query(text: str) -> str:
    """An FTS5 query matching every stem of `text` (each quoted: user text is not syntax)."""
    return " ".join(f'"{s}"' for s in dict.fromkeys(stems(text)) if s)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace trimmed."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        if chunk.strip():
            out.append((s + lead, s + len(chunk.rstrip())))
    return out


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (or sentences) of `text` around the span start..end."""
    spans = sentences(text)
    inside = [(s, e) for s, e in spans if s < max(end, start + 1) and e > start]
    if not inside:
        return text[start:end]
    return text[inside[0][0] : inside[-1][1]]


def mark(sentence: str, query: str, left: str = "**", right: str = "**") -> str:
    """`sentence` with each word whose stem is a stem of `query` wrapped in left/right."""
    wanted = set(stems(query))
    if not wanted:
        return sentence
    return _WORD.sub(
        lambda m: f"{left}{m.group()}{right}" if stems(m.group())[0] in wanted else m.group(),
        sentence,
    )


def best_sentence(text: str, query: str) -> str | None:
    """The sentence of `text` holding the most distinct stems of `query` (first on ties)."""
    wanted = set(stems(query))
    best, best_hits = None, 0
    for s, e in sentences(text):
        hits = len(wanted & set(stems(text[s:e])))
        if hits > best_hits:
            best, best_hits = text[s:e], hits
            if hits == len(wanted):
                break
    return best
