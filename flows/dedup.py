"""Near-duplicates: the same statement republished by another publisher, with edits.

A 64-bit SimHash over word 3-shingles: texts that share most shingles differ in few
bits, so a republished release lands within a small Hamming distance of the original.
"""
from __future__ import annotations

import hashlib
import re
from typing import Iterable, Optional

BITS = 64
MAX_DISTANCE = 6  # bits out of 64; measured on the sample corpus: distinct releases are > 20 apart


def _shingles(text: str, size: int = 3) -> list[str]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)]


def simhash(text: str) -> str:
    """The fingerprint as 16 hex digits (stored as text: SQLite integers are signed)."""
    weights = [0] * BITS
    for shingle in _shingles(text):
        h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(BITS):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(BITS) if weights[bit] > 0)
    return f"{value:016x}"


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def find_duplicate(fingerprint: str, known: Iterable[tuple[int, str, str]],
                   exclude_url: Optional[str] = None) -> Optional[int]:
    """Id of the closest known document within MAX_DISTANCE, other than the same URL."""
    best = None
    for doc_id, url, other in known:
        if url == exclude_url or not other:
            continue
        d = distance(fingerprint, other)
        if d <= MAX_DISTANCE and (best is None or d < best[0]):
            best = (d, doc_id)
    return best[1] if best else None
