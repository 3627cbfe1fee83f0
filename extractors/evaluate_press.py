"""Score extraction against hand-made press gold (see ../shared/extraction-format.md).

`evaluate_press(gold_path, nlp)` runs the extraction on each gold `text` (with the gold's
id/source/url/title/published as metadata) and scores:

- persons, organisations: set match on the normalised name (case, accents, leading
  articles, apostrophe style and extra spaces ignored);
- roles: for each matched person, whether the gold role's main office word (its first
  word) is a word of the extracted role;
- sites: set match on the normalised name;
- amounts: value within 0.5% and same currency, as a multiset;
- commitments: a prediction matches a gold commitment when its sentence overlaps the gold
  sentence by at least half of the gold sentence and the actors' normalised names match.

`format_press_table(scores)` prints the table; `press_errors(gold_path, nlp)` lists the
misses and false positives per document, for development.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language

from sentinella.facts import Extraction

_ARTICLES = re.compile(r"^(?:il|lo|la|i|gli|le|l|un|una|uno)\s+")
_APOS = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def normalise(name: str) -> str:
    """'L’ASL  TO4' -> 'asl to4': case, accents, leading article, spacing ignored."""
    s = (name or "").translate(_APOS)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii").lower().strip()
    s = re.sub(r"^l'\s*", "", s)
    s = _ARTICLES.sub("", s)
    s = re.sub(r"\s+", " ", s).strip(" .,;:")
    return s


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "tp": tp, "fp": fp, "fn": fn}


def read_gold(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _run(gold: list[dict], nlp: Language) -> list[Extraction]:
    from sentinella.extractors.extract import extract_many

    keys = ("id", "source", "url", "title", "published")
    items = [(g["text"], {k: g[k] for k in keys if k in g}) for g in gold]
    return list(extract_many(items, nlp=nlp))


def _set_match(gold_names: Iterable[str], pred_names: Iterable[str]):
    g = {normalise(n) for n in gold_names if n}
    p = {normalise(n) for n in pred_names if n}
    return g & p, p - g, g - p


def _main_office(role: str | None) -> str | None:
    if not role:
        return None
    first = normalise(role.split(";")[0])
    return first.split()[0] if first else None


def _amount_match(gold: list[dict], pred: list) -> tuple[int, list, list]:
    left = list(pred)
    tp, missed = 0, []
    for g in gold:
        hit = None
        for i, a in enumerate(left):
            tol = 0.005 * abs(g["value"])
            if a.currency == g.get("currency", "EUR") and abs(a.value - g["value"]) <= tol:
                hit = i
                break
        if hit is None:
            missed.append(g)
        else:
            tp += 1
            left.pop(hit)
    return tp, left, missed


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _commitment_match(doc: dict, ext: Extraction):
    text = doc["text"]
    golds = []
    for c in doc.get("commitments", []):
        start = text.find(c["sentence"])
        if start < 0:  # tolerate whitespace differences
            start = text.find(c["sentence"][:40])
        golds.append((c, start, start + len(c["sentence"])))
    used, tp, missed = set(), 0, []
    preds = list(ext.commitments)
    for c, g0, g1 in golds:
        hit = None
        for i, p in enumerate(preds):
            if i in used or g0 < 0:
                continue
            if _overlap(p.start, p.end, g0, g1) * 2 >= (g1 - g0) and normalise(
                p.actor
            ) == normalise(c["actor"]):
                hit = i
                break
        if hit is None:
            missed.append(c)
        else:
            used.add(hit)
            tp += 1
    fps = [p for i, p in enumerate(preds) if i not in used]
    return tp, fps, missed


def _score_doc(doc: dict, ext: Extraction) -> dict:
    """Counts and error lists for one document."""
    out = {}
    gp = [a for a in doc.get("actors", []) if a["kind"] == "person"]
    go = [a for a in doc.get("actors", []) if a["kind"] == "organization"]
    pp = [a for a in ext.actors if a.kind == "person"]
    po = [a for a in ext.actors if a.kind == "organization"]
    out["persons"] = _set_match([a["name"] for a in gp], [a.name for a in pp])
    out["organizations"] = _set_match([a["name"] for a in go], [a.name for a in po])
    pred_roles = {normalise(a.name): a.role for a in pp}
    roles = []
    for a in gp:
        key = normalise(a["name"])
        if key in pred_roles and a.get("role"):
            office = _main_office(a["role"])
            got = normalise(pred_roles[key] or "")
            ok = bool(office) and re.search(rf"\b{re.escape(office)}\b", got) is not None
            roles.append((a["name"], a["role"], pred_roles[key], ok))
    out["roles"] = roles
    out["sites"] = _set_match(
        [s["name"] for s in doc.get("sites", [])], [s.name for s in ext.sites]
    )
    out["amounts"] = _amount_match(doc.get("amounts", []), list(ext.amounts))
    out["commitments"] = _commitment_match(doc, ext)
    return out


def evaluate_press(gold_path, nlp: Language | None = None) -> dict:
    """Scores of the extraction on a gold JSONL file (see module docstring)."""
    from sentinella.extractors.pipeline import load_pipeline

    nlp = nlp or load_pipeline()
    gold = read_gold(gold_path)
    exts = _run(gold, nlp)
    totals = {k: [0, 0, 0] for k in ("persons", "organizations", "sites", "amounts", "commitments")}
    correct = total = 0
    for doc, ext in zip(gold, exts):
        s = _score_doc(doc, ext)
        for k in ("persons", "organizations", "sites"):
            tp, fp, fn = s[k]
            totals[k][0] += len(tp)
            totals[k][1] += len(fp)
            totals[k][2] += len(fn)
        for k in ("amounts", "commitments"):
            tp, fp, fn = s[k]
            totals[k][0] += tp
            totals[k][1] += len(fp)
            totals[k][2] += len(fn)
        total += len(s["roles"])
        correct += sum(1 for r in s["roles"] if r[3])
    scores = {k: _prf(*v) for k, v in totals.items()}
    scores["roles"] = {
        "accuracy": correct / total if total else 0.0,
        "correct": correct,
        "total": total,
    }
    scores["documents"] = len(gold)
    scores["pipeline"] = exts[0].pipeline if exts else ""
    return {
        k: scores[k]
        for k in (
            "persons",
            "organizations",
            "roles",
            "sites",
            "amounts",
            "commitments",
            "documents",
            "pipeline",
        )
    }


def format_press_table(scores: dict) -> str:
    lines = [f"{'':<15}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]
    for k in ("persons", "organizations", "sites", "amounts", "commitments"):
        s = scores[k]
        lines.append(
            f"{k:<15}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}"
        )
    r = scores["roles"]
    lines.append(f"{'roles':<15}{'accuracy':>14} {r['accuracy']:.3f} ({r['correct']}/{r['total']})")
    tail = f"{scores['documents']} documents"
    if scores.get("pipeline"):
        tail += f", pipeline {scores['pipeline']}"
    lines.append(tail)
    return "\n".join(lines)


def press_errors(gold_path, nlp: Language | None = None, only: set | None = None) -> str:  # noqa: C901 - a development report, one branch per fact family
    """Misses (-) and false positives (+) per document: a development aid."""
    from sentinella.extractors.pipeline import load_pipeline

    nlp = nlp or load_pipeline()
    gold = read_gold(gold_path)
    out = []
    for doc, ext in zip(gold, _run(gold, nlp)):
        s = _score_doc(doc, ext)
        lines = []
        for k in ("persons", "organizations", "sites"):
            if only and k not in only:
                continue
            _, fp, fn = s[k]
            if fp or fn:
                lines.append(f"  {k}: -{sorted(fn)} +{sorted(fp)}")
        if not only or "roles" in only:
            for name, grole, prole, ok in s["roles"]:
                if not ok:
                    lines.append(f"  role {name}: gold={grole!r} got={prole!r}")
        if not only or "amounts" in only:
            _, fp, fn = s["amounts"]
            if fp or fn:
                lines.append(f"  amounts: -{[g['text'] for g in fn]} +{[a.text for a in fp]}")
        if not only or "commitments" in only:
            _, fp, fn = s["commitments"]
            for c in fn:
                lines.append(f"  commit MISS [{c['actor']}] {c['sentence'][:110]}")
            for c in fp:
                lines.append(f"  commit FP   [{c.actor}] {c.sentence[:110]}")
        if lines:
            out.append(f"{doc.get('id')}:\n" + "\n".join(lines))
    return "\n".join(out)


if __name__ == "__main__":  # python -m extractors.evaluate_press GOLD [--verbose] [--json]
    import sys

    path = Path(sys.argv[1])
    if "--verbose" in sys.argv:
        print(press_errors(path))
    result = evaluate_press(path)
    print(json.dumps(result, indent=2) if "--json" in sys.argv else format_press_table(result))
