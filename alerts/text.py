"""Italian-aware comparison of short texts: case, accents and punctuation ignored."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """ "Città di Ivrea" → "citta di ivrea"; "l'assessore" → "l assessore"."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def has_phrase(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words (after folding both)."""
    needle = fold(phrase)
    return bool(needle) and f" {needle} " in f" {fold(text)} "


def stem_words(text: str) -> str:
    """Each folded word without its final vowel: "assessora al lavoro" → "assessor al lavor".

    Enough for offices, whose forms differ by gender and number (sindaco, sindaca, sindaci).
    """
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "aeio" else w for w in fold(text).split())
