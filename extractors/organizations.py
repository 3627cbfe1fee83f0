"""Organisations (enti, sindacati, imprese): the `sentinella_orgs` component.

Mentions go into `doc.spans[ORGS]`, each with an `ActorInfo` whose `source` says where it
comes from (issue 11) and whose `rule` names the gazetteer entry or pattern id:

1. the gazetteer (data/organizations.json: institutions, ministries, agencies, unions,
   parties, companies with aliases and acronyms), source "gazetteer"; names of 5+
   characters match in any case, acronyms and short forms exactly;
2. the shapes of data/org_patterns.jsonl, read by one Matcher (source "rule"): "Comune di
   X", "ASL TO4", union names, an association + territory, legal forms, "Fondazione X",
   "<Name> Piemonte", companies named by their context ("la vertenza Electrolux"),
   acronyms. A territory after a union or association belongs to its name ("Confindustria
   Alto Piemonte Valsesia"); a company suffix extends a name ("Lear" + "Corporation");
3. the statistical NER's ORG entities that pass the filters of `ner_org_ok` (source "ner").

Overlaps between candidates are settled by a named filter from spaCy's registry
(`spans_filter` in the config, default `sentinella.prefer_longest_org.v1`): the longest
wins; among equals the gazetteer before rules before the NER. The canonical name of each
organisation is set later (`group_organisations`), once persons have claimed their names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from sentinella.extractors import lexicon
from sentinella.extractors.lexicon import text_of
from sentinella.extractors.offices import office_table
from sentinella.extractors.patterns import Match, load_matcher
from sentinella.extractors.places import gazetteer as place_gazetteer
from sentinella.extractors.places import is_place
from sentinella.extractors.spans import GAZETTEER, NER, ORGS, PLACES, RULE, ActorInfo, group

SOURCE_RANK = {GAZETTEER: 0, RULE: 1, NER: 2}
ARTICLES = frozenset(("il", "lo", "la", "l’", "l'", "i", "gli", "le"))
ARTICLED_PREPS = frozenset(
    [
        "al",
        "alla",
        "allo",
        "ai",
        "agli",
        "alle",
        "all’",
        "all'",
        "l’",
        "l'",
        "la",
        "le",
        "il",
        "lo",
        "i",
        "gli",
        "del",
        "della",
        "dello",
        "dei",
        "delle",
        "dal",
        "dalla",
        "nel",
        "nella",
        "sul",
        "sulla",
    ]
)


@lru_cache(maxsize=8192)
def norm(s: str) -> str:
    """Lower case, no accents, apostrophes as spaces, single spaces: a grouping key."""
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", s.replace("'", " ").lower()).strip()


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", norm(s)).strip("-")


def is_acronym(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return (
        len(letters) >= 3 and all(c.isupper() for c in letters) and t[0].isalpha() and len(t) <= 8
    )


@dataclass
class Candidate:
    """An organisation mention before overlaps are settled (token offsets)."""

    start: int
    end: int
    source: str  # GAZETTEER | RULE | NER
    rule: str  # "gazetteer:<entry name>" or the pattern id


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str | None
    forms: tuple[str, ...]


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """The gazetteer: data/organizations.json, and every region's institution and council
    as data/regions.json names them."""
    data = lexicon.organizations()["organizations"]
    out = [Entry(e["name"], e.get("kind"), (e["name"], *e.get("aliases", ()))) for e in data]
    for region in lexicon.regions()["regions"].values():
        for names in (region["institution_names"], region["council_names"]):
            if names:
                out.append(Entry(names[0], "institution", tuple(names)))
    return tuple(out)


@lru_cache(maxsize=1)
def entry_by_name() -> dict[str, Entry]:
    return {e.name: e for e in entries()}


@lru_cache(maxsize=1)
def generic_names() -> frozenset[str]:
    """Words that alone are generic references, not names ("Regione", "Governo")."""
    return frozenset(lexicon.organizations()["generic"])


def build_gazetteer_matchers(nlp: Language) -> tuple[PhraseMatcher, PhraseMatcher]:
    """(case-insensitive matcher for long names, exact matcher for acronyms and short forms)."""
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    for e in entries():
        longs = [f for f in e.forms if len(f) >= 5 and not is_acronym(f)]
        shorts = [f for f in e.forms if f not in longs]
        if longs:
            lower.add(e.name, [nlp.make_doc(f) for f in longs])
        if shorts:
            exact.add(e.name, [nlp.make_doc(f) for f in shorts])
    return lower, exact


@spacy.registry.misc("sentinella.prefer_longest_org.v1")
def make_prefer_longest() -> Callable[[list[Candidate]], list[Candidate]]:
    """The overlap filter: the longest candidate wins; among equals, the gazetteer before
    rules before the NER, then the earliest."""

    def prefer_longest(cands: list[Candidate]) -> list[Candidate]:
        keep: list[Candidate] = []
        order = sorted(cands, key=lambda c: (-(c.end - c.start), SOURCE_RANK[c.source], c.start))
        for c in order:
            if not any(k.start < c.end and c.start < k.end for k in keep):
                keep.append(c)
        return sorted(keep, key=lambda c: c.start)

    return prefer_longest


class OrganizationsComponent:
    def __init__(
        self,
        nlp: Language,
        name: str,
        patterns: str,
        spans_filter: str,
        home_region: str,
        use_ner: bool,
    ):
        self.name = name
        self.lower, self.exact = build_gazetteer_matchers(nlp)
        self.shapes = load_matcher(nlp, patterns)
        self.filter = spacy.registry.misc.get(spans_filter)()
        self.places = place_gazetteer(home_region)
        self.use_ner = use_ner
        self.function_caps = lexicon.words("function_caps")
        self.suffixes = lexicon.words("company_suffixes")
        self.not_acronyms = lexicon.words("not_acronyms")
        self.directions = lexicon.words("directions")
        self.descriptive = DescriptiveName()
        self.first_names = lexicon.first_names()
        self.common = lexicon.common_words()

    def __call__(self, doc: Doc) -> Doc:
        place_ends = _place_ends(doc)
        cands = self._gazetteer(doc) + _publisher_mentions(doc)
        found = self._shapes(doc, place_ends)
        cands += found + self._recurrences(doc, found)
        for c in cands:
            c.end = self._suffix_end(doc, c.end)
        if self.use_ner:
            cands += self._ner(doc, cands)
        doc.spans[ORGS] = [_span(doc, c) for c in self.filter(cands)]
        return doc

    # -- sources ----------------------------------------------------------------------
    def _gazetteer(self, doc: Doc) -> list[Candidate]:
        out = []
        for matcher in (self.lower, self.exact):
            for key, s, e in matcher(doc):
                first = doc[s].text[:1]
                if first.isupper() or first.isdigit() or first == "+":
                    out.append(Candidate(s, e, GAZETTEER, "gazetteer:" + doc.vocab.strings[key]))
        return out

    def _shapes(self, doc: Doc, place_ends: dict[int, int]) -> list[Candidate]:
        out = []
        for m in self.shapes(doc):
            c = self._shape(doc, m, place_ends)
            if c is not None:
                out.append(c)
        return out

    def _shape(self, doc: Doc, m: Match, place_ends: dict[int, int]) -> Candidate | None:
        """A pattern match as a candidate: its bounds settled, its options checked."""
        bounds = self._bounds(doc, m)
        if bounds is None:
            return None
        s, e = bounds
        end = self._extended_end(doc, m, s, e, place_ends)
        if end is None or not self._valid(doc, m, s, end):
            return None
        return Candidate(s, end, RULE, m.pattern.id)

    def _bounds(self, doc: Doc, m: Match) -> tuple[int, int] | None:
        opts = m.pattern.options
        s, e = m.start, m.end
        if opts.get("extend_left"):
            s = _extend_left(doc, s, opts["extend_left"])
            e = m.start if opts.get("left_only") else e
        if opts.get("context") and m.match_start < s and _capitalised_inside(doc, m.match_start):
            s = m.match_start  # "del Tubificio Narnese": the context word is part of the name
        if opts.get("trim_left") and s < e:
            s = self._trim_left(doc, s, e)
            if doc[s].text in opts.get("not_first", ()):
                return None
        e = _trim_number(doc, s, _trim_right(doc, s, e))
        if e - s < opts.get("min_tokens", 1):
            return None
        return s, e

    def _extended_end(
        self, doc: Doc, m: Match, s: int, e: int, place_ends: dict[int, int]
    ) -> int | None:
        opts = m.pattern.options
        if opts.get("extend") == "territory":
            e2 = self._territory_end(doc, e, place_ends)
            if e2 == e and opts.get("territory") == "required":
                return None
            return e2
        if opts.get("extend") == "descriptive":
            e2 = self.descriptive.end(doc, e)
            return e2 if e2 > e else None  # a bare head is no name
        return e

    def _valid(self, doc: Doc, m: Match, s: int, e: int) -> bool:
        opts = m.pattern.options
        if e <= s or (m.pattern.id == "acronym" and not self._acronym_ok(doc, s)):
            return False
        if opts.get("not_place") and is_place(doc[s:e].text):
            return False  # "Castelfranco Veneto" is a town
        return not (opts.get("context") and not self._context_name_ok(doc, s, e))

    def _trim_left(self, doc: Doc, s: int, e: int) -> int:
        while s < e - 1 and (doc[s].text in self.function_caps or doc[s].text in self.first_names):
            s += 1
        return s

    def _territory_end(self, doc: Doc, e: int, place_ends: dict[int, int]) -> int:
        """After a union or association name, the territory it covers is part of its name:
        places, areas and directions ("Alto Piemonte Valsesia", "Piemonte Nord"), with or
        without "di" ("Fiom Cgil di Pordenone", "Fistel Cisl dei Laghi")."""
        start, n = e, len(doc)
        while e < n:
            step = self._territory_step(doc, e, place_ends)
            if step is None and e == start and doc[e].lower_ in TERRITORY_DI and e + 1 < n:
                nxt = doc[e + 1]
                if nxt.text[:1].isupper() and nxt.is_alpha and nxt.text not in self.first_names:
                    step = self._territory_step(doc, e + 1, place_ends) or e + 2
            if step is None:
                break
            e = step
        return e

    def _territory_step(self, doc: Doc, e: int, place_ends: dict[int, int]) -> int | None:
        text = doc[e].text
        if e in place_ends and not self._name_follows(doc, e, place_ends[e]):
            return place_ends[e]
        if text in self.directions:
            return e + 1
        if text == "-" and e + 1 < len(doc) and doc[e + 1].text in self.directions:
            return e + 2
        if text[:1].isupper() and is_place(text) and not self._name_follows(doc, e, e + 1):
            return e + 1  # a town the place reader left out ("Vercelli Valsesia")
        return None

    def _name_follows(self, doc: Doc, s: int, e: int) -> bool:
        """ "ANCE Piemonte Paola Malabaila": a town that is also a first name, before a
        capitalised word, begins a person's name."""
        return doc[s].text in self.first_names and e < len(doc) and doc[e].text[:1].isupper()

    def _acronym_ok(self, doc: Doc, k: int) -> bool:
        word = doc[k].text
        if not is_acronym(word) or word in self.not_acronyms:
            return False
        if _in_dateline(doc, k):
            return False  # "SANT’ANTIOCO – ...", "L’AQUILA – ...": the dateline's town
        return not (k + 1 < len(doc) and doc[k + 1].text[:1].isdigit())  # "SP 460"

    def _context_name_ok(self, doc: Doc, s: int, e: int) -> bool:
        """A name found only through its context is no ordinary word, place or first name;
        a name of two words may begin with one ("Supermercati Aurora", "Valsesia Meccanica")."""
        first = doc[s].text
        if first in self.function_caps or first in self.first_names or is_place(doc[s:e].text):
            return False
        if s > 0 and doc[s - 1].lower_ == "ex":
            return False  # "l’ex Lanificio Trombetta": a former building, a place
        if e - s >= 2:
            return first not in self.places.italy  # "stabilimento di Narni Scalo": a place
        return not (first.lower() in self.common or is_place(first))

    def _recurrences(self, doc: Doc, found: list[Candidate]) -> list[Candidate]:
        """A name found once by its context is the same organisation wherever it recurs."""
        names = {
            doc[c.start : c.end].text: c.rule
            for c in found
            if self.shapes.by_id[c.rule].options.get("recur")
        }
        taken = {c.start for c in found}
        out = []
        for name, rule in names.items():
            if len(name) < 3:
                continue
            for m in re.finditer(r"(?<![\w’'])" + re.escape(name) + r"(?![\w’'])", text_of(doc)):
                span = doc.char_span(m.start(), m.end())
                if span is not None and span.start not in taken:
                    taken.add(span.start)
                    out.append(Candidate(span.start, span.end, RULE, rule))
        return out

    def _suffix_end(self, doc: Doc, e: int) -> int:
        """ "Lear" + "Corporation", "Konecta" + "Italia": a company suffix extends the name."""
        while e < len(doc) and doc[e].text in self.suffixes:
            e += 1
        return e

    # -- the statistical NER ----------------------------------------------------------
    def _ner(self, doc: Doc, cands: list[Candidate]) -> list[Candidate]:
        taken = [(c.start, c.end) for c in cands]
        taken += [(p.start, p.end) for p in group(doc, PLACES)]
        out = []
        for ent in doc.ents:
            if ent.label_ != "ORG":
                continue
            s = ent.start + 1 if ent[0].lower_ in ARTICLES else ent.start
            if s >= ent.end or any(a < ent.end and s < b for a, b in taken):
                continue
            if self.ner_org_ok(doc, s, ent.end):
                out.append(Candidate(s, ent.end, NER, "ner-org"))
        return out

    def ner_org_ok(self, doc: Doc, s: int, e: int) -> bool:
        """Filters on an ORG entity of the statistical NER that no rule found."""
        text = doc[s:e].text
        first = doc[s].text
        if (
            text in generic_names()
            or len(text) <= 2
            or not first[:1].isupper()
            or doc[s].is_sent_start
            or (first.lower() in lexicon.words("organ_words") and e - s <= 2)
        ):
            return False
        if e - s == 1 and s > 0 and doc[s - 1].lower_ in ARTICLED_PREPS:
            return False  # "del Palio", "la Granda": a nickname or an event, not a new body
        if s > 0 and doc[s - 1].lower_ in PLACE_CONTEXT:
            return False  # "quartiere Japigia", "a Agnona": a place the NER took for a body
        if s > 0 and is_place(doc[s - 1].text + text):
            return False  # "dell’Aquila", "Sant’Antioco": the end of a place's name
        if first.lower() in office_table().first_words:
            return False  # "Vicesindaca sarà ...": an office
        return not (
            first.lower() in self.common
            or first in self.places.comuni
            or first.upper() in self.not_acronyms
            or self.places.is_place(text)
            or self.places.is_place(first)
        )


PLACE_CONTEXT = frozenset(
    ("a", "ad", "in", "quartiere", "frazione", "località", "zona", "area", "rione", "borgata")
) | {"valle", "territorio", "comune", "paese", "città", "provincia", "regione"}
TERRITORY_DI = frozenset(("di", "del", "della", "dei", "delle", "dell’", "dell'"))
DESCRIPTIVE_PREPS = frozenset(
    ("di", "del", "della", "dello", "dei", "degli", "delle", "dell’", "dell'", "d’", "d'")
) | {"per", "sul", "sulla", "sui", "sulle", "sull’", "sull'", "sullo"}
A_PREPS = frozenset(("a", "al", "alla", "allo", "ai", "agli", "alle", "all’", "all'"))
MAX_DESCRIPTIVE = 14  # tokens


class DescriptiveName:
    """Reads an official name that goes on in lower case after its head word:
    "Ispettorato territoriale del lavoro", "Autorità di sistema portuale del Mar Tirreno
    settentrionale", "Azienda lombarda per l’edilizia residenziale di Bergamo, Lecco e
    Sondrio". Grammar: HEAD ADJ* (PREP ART? (NOUN | NAME) ADJ*)*, where an adjective is
    a word with an adjective ending (data/words.json), a noun is any word after a
    preposition, and a name is a run of capitalised words (a list of places included)."""

    def __init__(self) -> None:
        self.endings = tuple(lexicon.words("adjective_endings"))
        self.stops = lexicon.words("name_stops")

    def end(self, doc: Doc, e: int) -> int:
        """The end of the name whose head ends at e; e itself when nothing describes it.
        One bare complement is not enough ("il Comitato per il lavoro svolto"): a name
        needs an adjective, a capitalised name or two complements."""
        k, last, after_prep, after_noun = e, e, False, False
        weight = 0  # adjectives and names count 2, a noun after a preposition 1
        while k < len(doc) and k - e < MAX_DESCRIPTIVE:
            t = doc[k]
            low = t.lower_
            # "per il diritto allo studio": "a" joins a complement only after its noun
            if low in DESCRIPTIVE_PREPS or (after_prep and low in ARTICLES):
                after_prep = True
            elif after_noun and low in A_PREPS:
                after_prep, after_noun = True, False
            elif t.text[:1].isupper() and t.is_alpha:
                last, after_prep, weight = self._name_run(doc, k), False, weight + 2
                k = last
                continue
            elif t.is_lower and t.is_alpha and low not in self.stops:
                if after_prep and low.endswith(("are", "ere", "ire")):
                    break  # "per chiedere": a purpose, not a name
                if not (after_prep or low.endswith(self.endings)):
                    break
                weight += 1 if after_prep else 2
                last, after_noun, after_prep = k + 1, after_prep, False
            else:
                break
            k += 1
        return last if weight >= 2 else e

    @staticmethod
    def _name_run(doc: Doc, k: int) -> int:
        """Capitalised words, and a list of places ("di Bergamo, Lecco e Sondrio")."""
        n = len(doc)
        while k < n and doc[k].text[:1].isupper() and doc[k].is_alpha:
            k += 1
            link = doc[k].lower_ if k < n else ""
            if link in (",", "e") and k + 1 < n and is_place(doc[k + 1].text):
                k += 1
        return k


def _in_dateline(doc: Doc, k: int) -> bool:
    """Whether token k is in the capitals that open an article before a dash."""
    for j in range(min(len(doc), 8)):
        if doc[j].text in ("–", "—", "-"):
            return k < j
        if not doc[j].is_upper and doc[j].is_alpha:
            return False
    return False


def _extend_left(doc: Doc, s: int, most: int) -> int:
    """Up to `most` capitalised words before token s, within its sentence."""
    k = s
    while k > 0 and s - k < most and not doc[k].is_sent_start:
        prev = doc[k - 1]
        if not (prev.text[:1].isupper() and (prev.is_alpha or prev.text[-1:] in "’'")):
            break
        k -= 1
    return k


def _capitalised_inside(doc: Doc, k: int) -> bool:
    return doc[k].text[:1].isupper() and not doc[k].is_sent_start


def initials_match(name: str, acronym: str) -> bool:
    """ "Azienda sanitaria universitaria Giuliano Isontina" and "ASUGI": the acronym spells
    the initials of the name's words (prepositions and articles left out)."""
    words = [w for w in re.split(r"[\s’'\-]+", name) if w and w.lower() not in _NOT_INITIALS]
    letters = "".join(w[0] for w in words).upper()
    acro = re.sub(r"[^A-Za-z]", "", acronym).upper()
    return len(acro) >= 2 and letters.startswith(acro)


_NOT_INITIALS = frozenset(
    ("di", "del", "della", "dello", "dei", "degli", "delle", "dell", "d", "per", "e", "il")
) | {"la", "lo", "le", "i", "gli", "l", "sul", "sulla", "a", "al", "alla"}


def _trim_number(doc: Doc, s: int, e: int) -> int:
    """A number ends a name only as a year after a capitalised word ("Fondazione 8
    Settembre 1943"), never as a figure that follows it ("della Romagna 4,5")."""
    while e > s + 1 and doc[e - 1].like_num:
        year = len(doc[e - 1].text) == 4 and doc[e - 2].text[:1].isupper()
        if year:
            break
        e -= 1
    return e


_LEGAL_TAIL = re.compile(r"\s+(?:S\.p\.A\.|S\.r\.l\.|SpA|Srl|S\.p\.a\.|s\.r\.l\.)$")


def _publisher_mentions(doc: Doc) -> list[Candidate]:
    """The publisher is an organisation: where the text writes its name ("Alpenergia"
    in a release of "Alpenergia S.p.A."), that is a mention (rule `publisher`)."""
    meta = doc._.meta or {}
    name = _LEGAL_TAIL.sub("", str(meta.get("source") or "").split(" - ")[0].strip())
    words = name.split()
    if not words or not words[0][:1].isupper() or words[0] in ("Notizie", "Redazione"):
        return []
    n, out = len(words), []
    for k in range(len(doc) - n + 1):
        if doc[k].text == words[0] and [t.text for t in doc[k : k + n]] == words:
            out.append(Candidate(k, k + n, RULE, "publisher"))
    return out


def _place_ends(doc: Doc) -> dict[int, int]:
    """Token start -> end of the longest place candidate starting there."""
    out: dict[int, int] = {}
    for p in group(doc, PLACES):
        out[p.start] = max(out.get(p.start, 0), p.end)
    return out


_TRAILING = frozenset(
    ("di", "del", "della", "dell’", "dell'", "dei", "degli", "delle", "d’", "d'", "dello")
) | {"e", "ed", ",", "-", "per", "in", "la", "il", "le", "lo", "i", "gli", "’", "'"}


def _trim_right(doc: Doc, s: int, e: int) -> int:
    while e > s + 1 and doc[e - 1].lower_ in _TRAILING:
        e -= 1
    return e


def _span(doc: Doc, c: Candidate) -> Span:
    span = Span(doc, c.start, c.end, label="ORG")
    span._.actor = ActorInfo(name=span.text, kind="organization", source=c.source, rule=c.rule)
    return span


@Language.factory(
    "sentinella_orgs",
    requires=["span._.place"],
    assigns=["doc.spans", "span._.actor"],
    default_config={
        "patterns": "org_patterns.jsonl",
        "spans_filter": "sentinella.prefer_longest_org.v1",
        "home_region": "Piemonte",
        "use_ner": True,
    },
)
def make_orgs(
    nlp: Language,
    name: str,
    patterns: str,
    spans_filter: str,
    home_region: str,
    use_ner: bool,
) -> OrganizationsComponent:
    return OrganizationsComponent(nlp, name, patterns, spans_filter, home_region, use_ner)


def group_organisations(doc: Doc) -> None:
    """Give every organisation mention its canonical name: the form first used in the text.

    Mentions are one organisation when they come from one gazetteer entry (aliases and
    acronyms), when they are written the same way, or when a later mention begins an
    earlier name ("Konecta Italia" ... "Konecta") or extends it with more than a territory
    ("Vertiv" ... "Vertiv Italia"; but "Fiom Cgil" and "Fiom Cgil Piemonte" are two bodies).
    """
    groups: list[str] = []  # canonical names
    by_key: dict[str, int] = {}
    spans = group(doc, ORGS)
    alias_of = _parenthesised_aliases(doc, spans)
    group_at: dict[int, int] = {}  # span start -> group
    for span in spans:
        info = span._.actor
        surface = span.text
        key = info.rule if info.rule.startswith("gazetteer:") else "p:" + norm(surface)
        idx = by_key.get(key, by_key.get("p:" + norm(surface)))
        if idx is None and span.start in alias_of:
            idx = group_at.get(alias_of[span.start])
        if idx is None:
            idx = _prefix_group(groups, surface)
        if idx is None:
            idx = len(groups)
            groups.append(surface)
            if info.rule.startswith("gazetteer:"):
                entry = entry_by_name().get(info.rule.removeprefix("gazetteer:"))
                for form in entry.forms if entry else ():
                    by_key.setdefault("p:" + norm(form), idx)
        by_key[key] = idx
        by_key.setdefault("p:" + norm(surface), idx)
        group_at[span.start] = idx
        span._.actor = replace(info, name=groups[idx])


def _parenthesised_aliases(doc: Doc, spans: list[Span]) -> dict[int, int]:
    """ "Azienda sanitaria universitaria Giuliano Isontina (ASUGI)": the name in brackets
    right after another is the same body. Returns alias start -> start of the full name."""
    starts = {s.start: s for s in spans}
    out = {}
    for s in spans:
        inner = starts.get(s.end + 1)
        if inner is not None and doc[s.end].text == "(" and inner.end < len(doc):
            if doc[inner.end].text == ")":
                out[inner.start] = s.start
    return out


def _prefix_group(groups: list[str], surface: str) -> int | None:
    ns = norm(surface)
    for idx, name in enumerate(groups):
        gn = norm(name)
        if gn.startswith(ns + " "):
            return idx
        if ns.startswith(gn + " ") and not _territory_only(surface[len(name) :]):
            return idx
    return None


def _territory_only(words: str) -> bool:
    """ "Piemonte", "Alto Piemonte", "Torino e Provincia": a tail that only adds a territory."""
    directions = lexicon.words("directions")
    toks = [w for w in re.split(r"[\s\-]+", words.strip()) if w and w != "e"]
    return bool(toks) and all(w in directions or is_place(w) for w in toks)
