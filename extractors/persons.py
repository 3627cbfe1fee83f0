"""Persons and their offices: the `sentinella_persons` component.

Names (in `doc.spans[PERSONS]`, one span per mention, each with an `ActorInfo` that
carries the person's canonical name and offices):

1. a first name (data/first_names.txt) followed by a capitalised surname ("Gian Luca
   Vignale", "Anna Maria D’Angelo", "Paolo de Santis", "Mario ROSSETTI"); the NER's
   multi-word PER entities where no rule found anything;
2. a capitalised pair right after an office phrase ("il sindaco di Pavone Canavese,
   Endro Bevolo");
3. later mentions by surname alone ("Cirio"), and "la vicepresidente Chiorino".

Offices (see extractors/offices.py for how a phrase is read), each `Office` records the
rule that gave it:

- `office-before-name`: "la vicepresidente e assessora al Lavoro Elena Chiorino"; a
  plural office before several names gives each the singular, feminine for women;
- `apposition`: "Andrea Tragaioli, sindaco di Rivoli";
- `copula`: "Marco Rossi sarà assessore ai Lavori pubblici", "vicesindaco sarà Anna Neri";
- `presided-by`: "la Commissione Legalità, presieduta da Domenico Rossi";
- `role-of`: "lascia l’incarico di direttore generale".
An office phrase with no name becomes an office mention (`doc.spans[OFFICES]`) that the
resolution step links to the person holding that office ("l’assessore").

Names settle the overlaps with the other families: an organisation spanning wider than a
person wins ("Fondazione Giovanni Agnelli"); a person beats a shorter or crossing
organisation match, and an organisation pattern that ends with a person's name stops
before it; a municipality is not a person ("Romano Canavese"); a person inside a street
name is part of the street. Places inside organisations or persons are then dropped
(`resolve_places`), and organisations that are an office's portfolio ("assessore alla
Protezione civile") are not actors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from sentinella.extractors import lexicon
from sentinella.extractors.lexicon import text_of, tokens_of
from sentinella.extractors.offices import (
    LINKS,
    PREP_DI,
    Blocked,
    OfficePhrase,
    PhraseContext,
    join_words,
    office_table,
    read_office_phrase,
    role_text,
)
from sentinella.extractors.organizations import initials_match, norm
from sentinella.extractors.places import after_office, is_place, resolve_places
from sentinella.extractors.spans import (
    NER,
    OFFICES,
    ORGS,
    PERSONS,
    PLACES,
    RULE,
    ActorInfo,
    Office,
    group,
)

PRESIDED = frozenset(("presieduta", "presieduto", "guidata", "guidato", "coordinata", "coordinato"))
ORDINALS = frozenset(
    ("prima", "seconda", "terza", "quarta", "quinta", "sesta", "settima", "ottava")
)
ROLE_NOUNS = frozenset(("incarico", "qualità", "ruolo", "carica", "veste", "nomina"))
CLAUSE_OPENERS = frozenset((".", "!", "?", "«", "“", ":", ";", "\n", "\n\n", "(", "—", "–"))
LOWER_PARTICLES = frozenset(("di", "de", "da", "del", "della", "dal", "dalla"))
NOMINATED = frozenset(
    ("nominato", "nominata", "designato", "designata", "eletto", "eletta", "confermato")
) | {"confermata", "indicato", "indicata", "scelto", "scelta"}
BEFORE_OFFICE = frozenset(("nuovo", "nuova", "quale", "come", "a", "ad"))
COPULA = frozenset(("sarà", "è", "diventa", "resta", "rimane", "diventerà", "sarebbe"))
ORGAN_OF = re.compile(
    r"\b(?:Consiglio|Giunta|consiglio|giunta)\s+(?:comunale|provinciale|metropolitano)\s+"
    r"(?:di|della Città di|della città di)\s+[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*"
)


def female(first: str) -> bool | None:
    """Whether a first name is a woman's (Italian endings, with the lists' exceptions)."""
    if first in lexicon.words("male_names_in_a"):
        return False
    if first in lexicon.words("female_names_in_e"):
        return True
    if first.endswith("a"):
        return True
    if first[-1:] in ("o", "e", "i"):
        return False
    return None


def _cap(text: str) -> bool:
    return bool(text) and text[0].isupper() and any(ch.isalpha() for ch in text)


@dataclass
class Person:
    """A person while the component works (token offsets); written out as spans."""

    name: str
    surname: str
    female: bool | None
    source: str
    rule: str
    mentions: list[tuple[int, int]] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)


class People:
    """The persons of one Doc, by normalised name, and which token belongs to whom."""

    def __init__(self) -> None:
        self.persons: list[Person] = []
        self.by_key: dict[str, int] = {}
        self.at: dict[int, tuple[int, int]] = {}  # token -> mention covering it

    def add(self, doc: Doc, s: int, e: int, first_names, source=RULE, rule="first-name") -> int:
        toks = [t.text for t in doc[s:e]]
        k = 0
        while k < len(toks) - 1 and toks[k] in first_names:
            k += 1
        surname = " ".join(toks[k:]) if k else toks[-1]
        name = join_words(toks)
        key = norm(name)
        idx = self.by_key.get(key)
        if idx is None:
            idx = len(self.persons)
            self.by_key[key] = idx
            self.persons.append(Person(name, surname, female(toks[0]), source, rule))
        self.mention(idx, s, e)
        return idx

    def mention(self, idx: int, s: int, e: int) -> None:
        self.persons[idx].mentions.append((s, e))
        for k in range(s, e):
            self.at[k] = (s, e)

    def index_at(self, k: int) -> int | None:
        span = self.at.get(k)
        if span is None:
            return None
        for idx, p in enumerate(self.persons):
            if span in p.mentions:
                return idx
        return None


def add_office(p: Person, office: Office) -> None:
    """One office per office word (the fullest wording wins), kept in text order."""
    if not office.role:
        return
    for k, o in enumerate(p.offices):
        if o.key == office.key:
            if len(office.role) > len(o.role):
                p.offices[k] = replace(office, start=o.start, body=o.body or office.body)
            return
    p.offices.append(office)
    p.offices.sort(key=lambda o: o.start)


def split_chain(role: str, phrase: OfficePhrase, key: str) -> str:
    """'vicepresidente e assessora al lavoro' -> the part that belongs to one office."""
    links = phrase.chain
    if len(links) < 2:
        return role
    alt = "|".join(re.escape(link.words[0].lower()) for link in links[1:])
    parts = re.split(rf"\s+e(?:d)?\s+(?=(?:{alt})\b)", role)
    for link, part in zip(links, parts):
        if link.key == key:
            return part
    return role


class PersonsComponent:
    def __init__(self, nlp: Language, name: str, use_ner: bool):
        self.name = name
        self.use_ner = use_ner
        self.first_names = lexicon.first_names()
        self.function_caps = lexicon.words("function_caps")
        self.not_surnames = lexicon.words("not_surnames")
        self.particles = lexicon.words("surname_particles")
        self.suffixes = lexicon.words("company_suffixes")
        self.common = lexicon.common_words()
        self.table = office_table()
        self.org_starts: set[int] = set()
        self.ordinal_names = lexicon.words("ordinal_first_names")
        self.world_first_names = _gazetteer_first_names(nlp)
        self.months = lexicon.words("months")

    def __call__(self, doc: Doc) -> Doc:
        places = group(doc, PLACES)
        # an acronym-shaped word after a first name may be a surname ("Giuseppe MAZZONE")
        self.org_starts = {o.start for o in group(doc, ORGS) if o._.actor.rule != "acronym"}
        towns = [(p.start, p.end) for p in places if p.label_ in ("comune", "provincia")]
        people = People()
        for s, e in self.first_name_spans(doc):
            if not any(_town_not_surname(s, e, a, b) for a, b in towns):
                people.add(doc, s, e, self.first_names)
        orgs = settle_orgs(doc, group(doc, ORGS), people)
        self._ner_persons(doc, people, orgs, places)
        _drop_persons_in_streets(people, places)
        orgs = [o for o in orgs if not _ner_org_clash(o, people)]
        kept_places = resolve_places(doc, _blocking(doc, orgs, people))
        blocked = _blocked_map(orgs, kept_places)
        reading = OfficeReading(doc, self, people, blocked, orgs)
        portfolios = reading.run()
        # "la consigliera comunale di Torino Bellissima, Anna Maria D’Angelo": what the
        # NER read as a place inside an office phrase is the office's body (a list)
        kept_places = [
            pl
            for pl in kept_places
            if pl._.place.rule != "ner"
            or not any(a < pl.start and pl.end <= b for a, b in reading.phrase_spans)
        ]
        orgs = [o for o in orgs if (o.start, o.end) not in portfolios]
        kept_places = [pl for pl in kept_places if not _covered_by_person(pl, people)]
        doc.spans[ORGS] = orgs
        doc.spans[PLACES] = kept_places
        doc.spans[PERSONS] = _person_spans(doc, people)
        return doc

    # -- names ------------------------------------------------------------------------
    def first_name_spans(self, doc: Doc) -> list[tuple[int, int]]:
        """A first name + a capitalised surname (+ more first names, particles)."""
        spans = []
        texts = tokens_of(doc).text
        candidates = self.first_names | self.ordinal_names
        i, n = 0, len(doc)
        while i < n:
            maybe = texts[i] in candidates and self._first_name_at(doc, i)
            end = self._name_at(doc, i) if maybe else None
            if end is None:
                i += 1
                continue
            spans.append((i, end))
            i = end
        return spans

    def _first_name_at(self, doc: Doc, i: int) -> bool:
        text = doc[i].text
        if text in self.ordinal_names:
            return self._ordinal_name_at(doc, i)
        return text in self.first_names

    def _ordinal_name_at(self, doc: Doc, i: int) -> bool:
        """ "il sindaco Secondo Revello", but not "Secondo Confindustria, ..." (according
        to) nor "il Primo Maggio": inside a sentence, before a surname."""
        if i == 0 or doc[i].is_sent_start or doc[i - 1].text in CLAUSE_OPENERS:
            return False
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        return (
            nxt is not None
            and _cap(nxt.text)
            and nxt.text not in self.months
            and (i + 1) not in self.org_starts
        )

    def _name_at(self, doc: Doc, i: int) -> int | None:
        n = len(doc)
        if i + 1 >= n or not self._surname_like(doc, i + 1):
            return None
        if after_office(doc, i) and doc[i].text in lexicon.linkable_comuni():
            return None  # "la sindaca di Alba Carla Bosio": Alba is the town
        j = i + 1
        while j < n and doc[j].text in self.first_names and j + 1 < n and _cap(doc[j + 1].text):
            j += 1  # more first names: "Gian Luca Vignale"
        j = self._extend_surname(doc, j)
        if doc[j].text in self.function_caps:
            return None
        if _acronym(doc[j].text) and not self._capital_surname(doc, j):
            return None
        return j + 1

    def _surname_like(self, doc: Doc, k: int) -> bool:
        """A capitalised word, or a lower-case particle before a surname that is no place
        ("Angelo di Gregorio", but not "Giovanni di Torino")."""
        text = doc[k].text
        if _cap(text):
            return True
        if text not in LOWER_PARTICLES or k + 1 >= len(doc):
            return False
        if doc[k + 1].ent_type_ in ("LOC", "ORG"):
            return False  # "Vela Celeste di Scampia": the NER reads a place there
        nxt = doc[k + 1].text
        return _cap(nxt) and nxt not in self.function_caps and not is_place(nxt)

    def _extend_surname(self, doc: Doc, j: int) -> int:
        n = len(doc)
        text = doc[j].text
        if (text in self.particles or text[-1:] in ("’", "'")) and j + 1 < n:
            if _cap(doc[j + 1].text):
                return j + 1  # "De Santis", "di Gregorio", "D’Angelo"
        nxt = doc[j + 1].text if j + 1 < n else ""
        if (
            _cap(nxt)
            and nxt not in self.function_caps
            and not _acronym(nxt)
            and nxt not in self.first_names
            and not (j + 2 < n and _cap(doc[j + 2].text))
            and nxt not in lexicon.linkable_comuni()
            and nxt not in self.not_surnames
        ):
            return j + 1  # a second surname or a middle name: "Alessandro Ciro Sciretti"
        return j

    def _capital_surname(self, doc: Doc, j: int) -> bool:
        """ "Mario ROSSETTI": a surname in capitals, not an acronym of a body or a place."""
        text = doc[j].text
        return (
            text.isalpha()
            and len(text) >= 4
            and j not in self.org_starts
            and text not in lexicon.words("not_acronyms")
            and not is_place(text.title())
        )

    def _known_first_name(self, text: str) -> bool:
        """The rules' first names, or the pipeline gazetteer's (world names: "Moussa",
        "Efisio") when that one is no place and no ordinary word."""
        if text in self.first_names:
            return True
        return text in self.world_first_names and not (
            is_place(text) or text.lower() in self.common
        )

    def _ner_persons(self, doc: Doc, people: People, orgs: list[Span], places) -> None:
        """The NER's multi-word PER entities, where no rule found a name, an organisation
        or a place; not a company ("Meccanica Canavesana")."""
        if not self.use_ner:
            return
        taken = [(o.start, o.end) for o in orgs] + [(p.start, p.end) for p in places]
        taken += list(people.at.values())
        for ent in doc.ents:
            if ent.label_ != "PER" or len(ent) < 2 or not all(_cap(t.text) for t in ent):
                continue
            if any(a < ent.end and ent.start < b for a, b in taken):
                continue
            if not self._known_first_name(ent[0].text):
                continue  # "Kessler Antriebstechnik", "Cento Futura": not persons
            if ent[-1].text in self.suffixes:
                continue
            if any(t.text in self.function_caps or _acronym(t.text) for t in ent):
                continue
            people.add(doc, ent.start, ent.end, self.first_names, NER, "ner-per")
            taken.append((ent.start, ent.end))


def _gazetteer_first_names(nlp: Language) -> frozenset[str]:
    """One-word first names of the shipped pipeline's gazetteer component, if it has one."""
    if not nlp.has_pipe("sentinella_gazetteer"):
        return frozenset()
    entries = getattr(nlp.get_pipe("sentinella_gazetteer"), "entries", {})
    return frozenset(e for e in entries.get("First", ()) if "\t" not in e)


def _town_not_surname(s: int, e: int, a: int, b: int) -> bool:
    """ "Romano Canavese", "Santo Stefano Belbo": a municipality's name that holds or
    crosses what looked like a person's (a town inside a name is a surname: "Mario Asti")."""
    return a < e and s < b and not (s <= a and b <= e and (s, e) != (a, b))


def _acronym(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters) and t[0].isalpha()


def settle_orgs(doc: Doc, orgs: list[Span], people: People) -> list[Span]:
    """Persons against rule organisations (see the module docstring)."""
    kept = [_stop_before_person(doc, o, people) for o in orgs]
    for p in people.persons:
        p.mentions = [
            (s, e)
            for s, e in p.mentions
            if not any(
                o._.actor.source != NER and o.start <= s and e <= o.end and len(o) > e - s
                for o in kept
            )
        ]
    people.persons = [p for p in people.persons if p.mentions]
    people.at = {k: m for p in people.persons for m in p.mentions for k in range(*m)}
    spans = [m for p in people.persons for m in p.mentions]
    return [
        o
        for o in kept
        if not any(
            o.start < e and s < o.end and not (o.start <= s and e <= o.end and len(o) > e - s)
            for s, e in spans
        )
    ]


def _stop_before_person(doc: Doc, o: Span, people: People) -> Span:
    """ "Associazione Imprese del Canavese Giuseppe Chiantore": the organisation ends
    before the name that closes the pattern match."""
    if o._.actor.source == NER or o._.actor.rule.startswith("gazetteer:"):
        return o
    if _spelled_by_acronym(doc, o):
        return o  # "... Giuliano Isontina (ASUGI)": the name that looked like a person's is in it
    for s, e in list(people.at.values()):
        if o.start < s and e == o.end:
            end = s
            while end > o.start + 1 and doc[end - 1].lower_ in LINKS:
                end -= 1
            span = Span(doc, o.start, end, label="ORG")
            span._.actor = replace(o._.actor, name=span.text)
            return span
    return o


def _spelled_by_acronym(doc: Doc, o: Span) -> bool:
    e = o.end
    if e + 2 < len(doc) and doc[e].text == "(" and doc[e + 2].text == ")":
        return initials_match(o.text, doc[e + 1].text)
    return False


def _ner_org_clash(o: Span, people: People) -> bool:
    """An ORG entity of the NER that overlaps a person or starts with a person's surname."""
    if o._.actor.source != NER:
        return False
    if any(k in people.at for k in range(o.start, o.end)):
        return True
    return o[0].text in {p.surname.split()[-1] for p in people.persons}


def _drop_persons_in_streets(people: People, places: list[Span]) -> None:
    """ "piazza Vittorio Emanuele II": a person inside a street or building name."""
    streets = [(p.start, p.end) for p in places if p.label_ == "altro" and p._.place.priority >= 1]
    for p in people.persons:
        p.mentions = [
            (s, e) for s, e in p.mentions if not any(a < s and e <= b for a, b in streets)
        ]
    people.persons = [p for p in people.persons if p.mentions]
    people.at = {k: m for p in people.persons for m in p.mentions for k in range(*m)}


def _covered_by_person(place: Span, people: People) -> bool:
    """A place under a person's name: the first mention for gazetteer and shape places
    (a town can be a surname elsewhere), any mention for the NER's places."""
    upto = None if place._.place.rule == "ner" else 1
    spans = [m for p in people.persons for m in p.mentions[:upto]]
    return any(a < place.end and place.start < b for a, b in spans)


def _blocking(doc: Doc, orgs: list[Span], people: People) -> list[tuple[int, int]]:
    """Token ranges where no place stands: organisations, persons, organs of a town
    ("Consiglio comunale di Vercelli")."""
    out = [(o.start, o.end) for o in orgs] + [m for p in people.persons for m in p.mentions]
    for m in ORGAN_OF.finditer(text_of(doc)):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            out.append((span.start, span.end))
    return out


def _blocked_map(orgs: list[Span], places: list[Span]) -> dict[int, Blocked]:
    blocked: dict[int, Blocked] = {}
    for o in orgs:
        for k in range(o.start, o.end):
            blocked[k] = Blocked(o.start, o.end, "org")
    for p in places:
        if p._.place.rule == "ner":
            continue  # the NER's places give way to names ("Chiavarino" is a surname)
        for k in range(p.start, p.end):
            blocked.setdefault(k, Blocked(p.start, p.end, "site"))
    return blocked


def _body_name(doc: Doc, b: Blocked | None, orgs_at: dict[int, str]) -> str | None:
    if b is None:
        return None
    if b.kind == "org":
        return orgs_at.get(b.start, doc[b.start : b.end].text)
    return "site:" + doc[b.start : b.end].text


class OfficeReading:
    """The offices of one Doc: read every office phrase and give it to its holder."""

    def __init__(self, doc: Doc, comp: PersonsComponent, people: People, blocked, orgs):
        self.doc, self.comp, self.people, self.blocked = doc, comp, people, blocked
        self.sent_end = _sentence_ends(doc)
        self.ctx = PhraseContext(
            table=comp.table,
            blocked=blocked,
            person_at=people.at,
            function_caps=comp.function_caps,
            organ_words=lexicon.words("organ_words"),
            generic=frozenset(lexicon.organizations()["generic"]),
            not_domain=lexicon.words("not_domain"),
        )
        self.mentions: list[tuple[int, int, str]] = []  # office mentions with no name
        self.phrase_spans: list[tuple[int, int]] = []  # every office phrase read
        self.orgs_at = {o.start: o.text for o in orgs}

    def run(self) -> set[tuple[int, int]]:
        """Offices to persons; returns the portfolios (organisations that are not actors)."""
        portfolios: set[tuple[int, int]] = set()
        for phrase in self._phrases():
            portfolios.update((b.start, b.end) for b in phrase.portfolios)
            self.phrase_spans.append((phrase.start, phrase.end))
            self._give(phrase)
        for idx in range(len(self.people.persons)):
            self._after_name(idx)
        self._surname_mentions()
        self._write_office_mentions()
        return portfolios

    def _phrases(self) -> list[OfficePhrase]:
        doc, out, i, n = self.doc, [], 0, len(self.doc)
        first_words = self.comp.table.first_words
        lower = tokens_of(doc).lower
        while i < n:
            if lower[i] not in first_words or i in self.blocked or i in self.people.at:
                i += 1
                continue
            phrase = read_office_phrase(doc, i, self.sent_end[i], self.ctx)
            if phrase is None:
                i += 1
                continue
            out.append(phrase)
            i = max(phrase.end, i + 1)
        return out

    # -- office before the name ------------------------------------------------------
    def _give(self, phrase: OfficePhrase) -> None:
        targets = self._holders(phrase)
        if not targets:
            self.mentions.append((phrase.start, phrase.end, phrase.chain[0].key))
            return
        name_tokens = {
            k for idx in targets for s, e in self.people.persons[idx].mentions for k in range(s, e)
        }
        for idx in targets:
            self._assign(idx, phrase, name_tokens, "office-before-name")

    def _assign(self, idx: int, phrase: OfficePhrase, name_tokens: set[int], rule: str) -> None:
        p = self.people.persons[idx]
        table = self.comp.table
        body = _body_name(self.doc, phrase.body, self.orgs_at)
        role = role_text(self.doc, phrase, name_tokens)
        for link in phrase.chain:
            text = split_chain(role, phrase, link.key)
            if link.plural:
                word = table.feminine[link.key] if p.female else table.masculine[link.key]
                text = word + text[len(link.words[0]) :]
            start = self.doc[phrase.start].idx
            end = self.doc[phrase.end - 1].idx + len(self.doc[phrase.end - 1].text)
            add_office(p, Office(link.key, text, start, body, rule, end))

    def _holders(self, phrase: OfficePhrase) -> list[int]:
        """Who the phrase names: the known person that ends it (all of them for a plural
        office), a capitalised pair that ends it, or a known surname."""
        if not phrase.runs:
            return self._named_after_copula(phrase)
        last = phrase.runs[-1]
        people = self.people
        if last[0] in people.at:
            found = [people.index_at(last[0])]
            if phrase.chain[-1].plural:
                found = [people.index_at(r[0]) for r in phrase.runs if r[0] in people.at]
            return [i for i in found if i is not None]
        if len(last) >= 2 and (last[-1] == phrase.end - 1 or self._pause_after(last[-1])):
            return self._new_holder(last)
        if len(last) == 1 and last[0] == phrase.end - 1:
            return self._surname_holder(last[0])
        return []

    def _named_after_copula(self, phrase: OfficePhrase) -> list[int]:
        """ "Vicesindaca sarà Elisa Balboni": the person after the copula holds the office."""
        k = phrase.end
        if k + 1 < len(self.doc) and self.doc[k].lower_ in COPULA:
            found = self.people.index_at(k + 1)
            return [found] if found is not None else []
        return []

    def _pause_after(self, k: int) -> bool:
        return k + 1 < len(self.doc) and self.doc[k + 1].text in (",", "(")

    def _new_holder(self, run: list[int]) -> list[int]:
        """ "il sindaco di Pavone Canavese, Endro Bevolo": a capitalised pair is a name."""
        doc = self.doc
        if len(run) == 2 and doc[run[0] - 1].lower_ in PREP_DI:
            return []  # "i sindaci dell’Alta Brianza": a body after "di", not a holder
        k = len(run) - 2
        while k - 1 >= 1 and doc[run[k - 1]].text in self.comp.first_names:
            k -= 1
        if k == 0 and len(run) > 2:
            k = 1
        s, e = run[k], run[-1] + 1
        if any(doc[x].text in self.comp.function_caps for x in range(s, e)):
            return []
        return [self.people.add(doc, s, e, self.comp.first_names, RULE, "after-office")]

    def _surname_holder(self, k: int) -> list[int]:
        """ "la vicepresidente Chiorino": the person named before with that surname."""
        tok = self.doc[k].text
        for idx, p in enumerate(self.people.persons):
            if p.surname == tok:
                self.people.mention(idx, k, k + 1)
                return [idx]
        return []

    # -- offices after the name --------------------------------------------------------
    def _after_name(self, idx: int) -> None:
        for s, e in list(self.people.persons[idx].mentions):
            self._apposition(idx, e)
            self._presided_by(idx, s)
            self._role_of(idx, e)
            self._copula(idx, s, e)

    def _read_free(self, k: int) -> OfficePhrase | None:
        """An office phrase at k that names nobody else."""
        if k >= len(self.doc) or k in self.blocked:
            return None
        phrase = read_office_phrase(self.doc, k, self.sent_end[k], self.ctx)
        if phrase is None or any(x in self.people.at for r in phrase.runs for x in r):
            return None
        return phrase

    def _apposition(self, idx: int, e: int) -> None:
        """ "Elena Chiorino, assessora al Lavoro", "Andrea Tragaioli, sindaco di Rivoli"."""
        doc, k = self.doc, e
        if k >= len(doc) or doc[k].text != ",":
            return
        k += 1
        if k < len(doc) and doc[k].lower_ in ("il", "lo", "la", "l’", "l'", "i", "gli", "le"):
            k += 1
        phrase = self._read_free(k)
        if phrase is not None:
            self._assign(idx, phrase, set(), "apposition")

    def _copula(self, idx: int, s: int, e: int) -> None:
        """ "Marco Rossi sarà assessore ai Lavori pubblici", "ha nominato Carmine Rossi
        nuovo direttore dell’Agenzia": the office after a copula, or after a name that a
        nomination verb governs."""
        doc = self.doc
        if e >= len(doc):
            return
        if doc[e].lower_ in COPULA:
            k, rule = e + 1, "copula"
        elif s > 0 and doc[s - 1].lower_ in NOMINATED:
            k, rule = e, "nominated"
        else:
            return
        if k < len(doc) and doc[k].lower_ in BEFORE_OFFICE:
            k += 1
        if k >= len(doc) or k in self.blocked:
            return
        phrase = read_office_phrase(doc, k, self.sent_end[k], self.ctx)
        if phrase is not None:
            others = {x for r in phrase.runs for x in r if x in self.people.at}
            self._assign(idx, phrase, others, rule)

    def _presided_by(self, idx: int, s: int) -> None:
        """ "la Commissione Legalità, presieduta da Domenico Rossi"."""
        doc = self.doc
        if s < 2 or doc[s - 1].lower_ not in ("da", "dal", "dalla"):
            return
        if doc[s - 2].lower_ not in PRESIDED:
            return
        organ = ""
        for k in range(s - 3, max(s - 12, 0) - 1, -1):
            if doc[k].lower_ == "commissione":
                stop = k + 1
                while stop < s - 2 and _cap(doc[stop].text) and stop not in self.blocked:
                    stop += 1
                start = k - 1 if k > 0 and doc[k - 1].lower_ in ORDINALS else k
                organ = " " + ("della " + join_words(t.text for t in doc[start:stop])).lower()
                break
        p = self.people.persons[idx]
        add_office(
            p, Office("presidente", "presidente" + organ, doc[s - 2].idx, None, "presided-by")
        )

    def _role_of(self, idx: int, e: int) -> None:
        """ "Stefano Scarpetta, che lascia l’incarico di direttore generale dell’ASL"."""
        doc = self.doc
        end = min(e + 10, self.sent_end[e - 1] - 1)
        for k in range(e, end):
            follows = ("di", "a", "ad") if doc[k].lower_ == "nomina" else ("di",)
            if doc[k].lower_ in ROLE_NOUNS and doc[k + 1].lower_ in follows:
                phrase = self._read_free(k + 2)
                if phrase is not None and not phrase.runs:
                    self._assign(idx, phrase, set(), "role-of")
                return

    # -- later mentions -------------------------------------------------------------------
    def _surname_mentions(self) -> None:
        surnames: dict[str, int] = {}
        for idx, p in enumerate(self.people.persons):
            surnames.setdefault(p.surname, idx)
        for k, text in enumerate(tokens_of(self.doc).text):
            holder = surnames.get(text)
            if holder is not None and k not in self.people.at and k not in self.blocked:
                self.people.mention(holder, k, k + 1)

    def _write_office_mentions(self) -> None:
        spans = []
        for s, _e, key in self.mentions:
            span = Span(self.doc, s, s + 1, label=key)  # the office word ("l’assessore")
            span._.office = Office(key, key, self.doc[s].idx, None, "office-mention")
            spans.append(span)
        self.doc.spans[OFFICES] = spans


def _sentence_ends(doc: Doc) -> list[int]:
    """For each token, the index of the token that ends its sentence (exclusive)."""
    return tokens_of(doc).sent_end


def _person_spans(doc: Doc, people: People) -> list[Span]:
    out = []
    for p in people.persons:
        info = ActorInfo(p.name, "person", p.source, p.rule, offices=tuple(p.offices))
        for s, e in sorted(set(p.mentions)):
            span = Span(doc, s, e, label="PER")
            span._.actor = info
            out.append(span)
    return sorted(out, key=lambda sp: (sp.start, sp.end))


@Language.factory(
    "sentinella_persons",
    requires=["span._.place", "span._.actor"],
    assigns=["doc.spans", "span._.actor", "span._.office"],
    default_config={"use_ner": True},
)
def make_persons(nlp: Language, name: str, use_ner: bool) -> PersonsComponent:
    return PersonsComponent(nlp, name, use_ner)
