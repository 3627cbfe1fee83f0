"""Publication dates on htmldate's own evaluation set: Sentinella's reader against htmldate.

    pip download --no-deps --no-binary :all: htmldate==1.4.0 -d /tmp/hd
    tar xzf /tmp/hd/htmldate-1.4.0.tar.gz -C /tmp/hd
    .venv/bin/python bench/bench_dates.py --pages /tmp/hd/htmldate-1.4.0/tests/cache

The gold dates (bench/data/htmldate_eval_subset.tsv) are the entries of htmldate's
tests/eval_default.json whose page ships in its sdist (55 of them; the other pages of the
745-page set live only in its repository). Each page is read with its URL, as the flow does.
Precision = right / answered, accuracy = right / all pages. Prints the figures and ends
with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from htmldate import find_date
from htmldate.utils import decode_file

from sentinella.ingest.dates import publication_date

GOLD = Path(__file__).resolve().parent / "data" / "htmldate_eval_subset.tsv"


def load(pages: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        url, name, gold = line.split("\t")
        if (pages / name).is_file():
            rows.append((url, decode_file((pages / name).read_bytes()), gold))
    return rows


def score(rows, read) -> dict:
    right = wrong = silent = 0
    started = time.perf_counter()
    for url, html, gold in rows:
        found = read(html, url)
        if found is None:
            silent += 1
        elif found == gold:
            right += 1
        else:
            wrong += 1
    answered = right + wrong
    return {
        "pages": len(rows),
        "right": right,
        "wrong": wrong,
        "silent": silent,
        "precision": round(right / answered, 3) if answered else None,
        "accuracy": round(right / len(rows), 3) if rows else None,
        "seconds": round(time.perf_counter() - started, 2),
    }


READERS = {
    "sentinella": lambda html, url: publication_date(html, url=url).published,
    "htmldate_extensive": lambda html, url: find_date(
        html, url=url, original_date=True, extensive_search=True
    ),
    "htmldate_fast": lambda html, url: find_date(
        html, url=url, original_date=True, extensive_search=False
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, required=True, help="htmldate's tests/cache")
    args = parser.parse_args()
    rows = load(args.pages)
    if not rows:
        raise SystemExit(f"no page of {GOLD.name} found in {args.pages}")
    figures = {name: score(rows, read) for name, read in READERS.items()}
    for name, f in figures.items():
        print(
            f"{name:<20} pages {f['pages']}  right {f['right']}  wrong {f['wrong']}  "
            f"silent {f['silent']}  precision {f['precision']}  accuracy {f['accuracy']}  "
            f"({f['seconds']} s)"
        )
    print(json.dumps({"benchmark": "dates", **figures}))


if __name__ == "__main__":
    main()
