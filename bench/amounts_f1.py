"""Measure `extractors.money.find_amounts` against the press-dev gold amounts.

Scoring (as in ../../shared/extraction-format.md): per document, predicted and gold
amounts are matched as multisets on currency and value (within 0.5%); micro precision,
recall and F1 over all documents.  Misses and false positives are listed with their
context so that errors can be fixed by class.

    .venv/bin/python bench/amounts_f1.py [gold.jsonl] [-q]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sentinella.extractors.money import find_amounts

DEFAULT_GOLD = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "press-dev" / "gold.jsonl"
)
TOLERANCE = 0.005


def same(value: float, gold: float) -> bool:
    return abs(value - gold) <= TOLERANCE * abs(gold)


def match(pred: list[tuple[float, str]], gold: list[tuple[float, str]]):
    """Greedy multiset matching; returns (matched, unmatched_pred, unmatched_gold)."""
    left = list(gold)
    fps = []
    hits = 0
    for value, cur in pred:
        for i, (gv, gc) in enumerate(left):
            if gc == cur and same(value, gv):
                del left[i]
                hits += 1
                break
        else:
            fps.append((value, cur))
    return hits, fps, left


def context(text: str, start: int, end: int, width: int = 50) -> str:
    return (
        text[max(0, start - width) : start] + "[" + text[start:end] + "]" + text[end : end + width]
    ).replace("\n", " ")


def main(argv: list[str]) -> int:
    quiet = "-q" in argv
    args = [a for a in argv if a != "-q"]
    gold_path = Path(args[0]) if args else DEFAULT_GOLD
    tp = n_pred = n_gold = 0
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        text = doc["text"]
        amounts = find_amounts(text)
        for a in amounts:
            assert text[a.start : a.end] == a.text, (doc["id"], a)
        pred = [(a.value, a.currency) for a in amounts]
        gold = [(float(g["value"]), g["currency"]) for g in doc.get("amounts", [])]
        hits, fps, misses = match(pred, gold)
        tp += hits
        n_pred += len(pred)
        n_gold += len(gold)
        if quiet or not (fps or misses):
            continue
        print(f"== {doc['id']}")
        for value, cur in misses:
            texts = [
                g["text"]
                for g in doc["amounts"]
                if g["currency"] == cur and same(value, g["value"])
            ]
            print(f"  MISS {value:,.2f} {cur}  {texts[:1]}")
        for value, cur in fps:
            for a in amounts:
                if a.value == value and a.currency == cur:
                    print(f"  FP   {value:,.2f} {cur}  {context(text, a.start, a.end)}")
                    break
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"amounts: gold={n_gold} pred={n_pred} tp={tp}  P={p:.3f} R={r:.3f} F1={f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
