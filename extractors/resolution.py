"""Who is meant: the document-level `sentinella_resolution` component.

After names are settled it:

1. gives each organisation its canonical name (`group_organisations`);
2. builds the document's context (`extractors/context.py`): region, council, town;
3. links every word that stands for a named actor to that actor, as a span in
   `doc.spans[REFERENCES]` with a `Reference` that records the rule
   (data/reference_patterns.jsonl and the rules below):
   - `organ`: "la Giunta" -> the Regione (or the Comune in a municipal text), "il
     Consiglio comunale" -> the Comune, "l’aula", "la Commissione" -> the council;
   - `region`, `town`, `metro`: "la Regione", "il Comune", "la Città metropolitana";
   - `head-noun`: "la Fondazione" -> the one organisation of the text named Fondazione...;
   - `kind` / `kind-all`: "il sindacato" -> the one union of the text; "i sindacati",
     "le organizzazioni sindacali" -> every union it names;
   - `company`: "l’azienda", "la società", "la direzione" -> the company the text is about
     (its most mentioned organisation that is no institution, party or union);
   - `short-form`: "Telecontact" -> "Telecontact Italia" (a distinctive first word);
   - `office-holder`: "l’assessore" -> the person last named with that office.
   A reference that nothing resolves keeps an empty `actors`: the commitment step then
   knows the subject is someone unnamed and invents no actor;
4. gives each person the body of their office (`person_body`), recording the rule.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from sentinella.extractors import lexicon
from sentinella.extractors.context import build_context
from sentinella.extractors.lexicon import tokens_of
from sentinella.extractors.offices import office_table
from sentinella.extractors.organizations import entry_by_name, group_organisations, norm
from sentinella.extractors.patterns import Match, load_matcher
from sentinella.extractors.spans import (
    OFFICES,
    ORGS,
    PERSONS,
    PLACES,
    REFERENCES,
    ActorInfo,
    DocContext,
    Office,
    Reference,
    group,
)


def org_kind(span: Span) -> str:
    """ "union", "association" or "other", from the name and the gazetteer entry."""
    info = span._.actor
    words = set(re.findall(r"[a-z]+", norm(info.name)))
    entry = entry_by_name().get(info.rule.removeprefix("gazetteer:"))
    if (entry and entry.kind == "union") or words & lexicon.words("union_words"):
        return "union"
    first = norm(info.name).split()[0] if info.name else ""
    if (entry and entry.kind == "association") or first in _association_words():
        return "association"
    return "other"


@lru_cache(maxsize=1)
def _association_words() -> frozenset[str]:
    heads = {"associazione", "unione", "federazione", "confederazione", "ance"}
    return frozenset(w.lower() for w in lexicon.organizations()["prefixes"]["associations"]) | heads


def the_company(orgs: list[Span]) -> str | None:
    """The company a text is about: its most mentioned organisation that is no
    institution, party or union."""
    institution = lexicon.words("institution_words")
    counts: Counter = Counter()
    first: dict[str, int] = {}
    for o in orgs:
        name = o._.actor.name
        if org_kind(o) == "union":
            continue
        words = norm(name).split()
        if any(w in institution for w in words) or any(
            norm(name).startswith(w) for w in institution
        ):
            continue
        counts[name] += 1
        first.setdefault(name, o.start)
    if not counts:
        return None
    return max(counts, key=lambda n: (counts[n], -first[n]))


class Resolver:
    """The references of one Doc (see the module docstring)."""

    def __init__(self, doc: Doc, ctx: DocContext):
        self.doc, self.ctx = doc, ctx
        self.orgs = group(doc, ORGS)
        self.persons = group(doc, PERSONS)
        self.org_names = list(dict.fromkeys(o._.actor.name for o in self.orgs))
        self.kinds = {o._.actor.name: org_kind(o) for o in self.orgs}
        self.company = the_company(self.orgs)
        self.rules: dict[str, Callable[[Match], tuple[str, ...]]] = {
            "organ": self.organ,
            "region": lambda m: _one(ctx.region),
            "town": lambda m: _one(ctx.city),
            "metro": lambda m: _one(ctx.metro),
            "head-noun": self.head_noun,
            "kind": self.kind,
            "kind-all": self.kind_all,
            "company": self.company_noun,
        }

    def organ(self, m: Match) -> tuple[str, ...]:
        """An organ stands for its institution."""
        words = self.doc[m.start : m.end].text.lower()
        ctx = self.ctx
        if words.startswith("giunta"):
            return _one(self._executive(words))
        if "comunale" in words:
            return _one(ctx.city)
        if "metropolitano" in words:
            return _one(ctx.metro)
        if "amministrazione" in words or words == "cda":
            return ()  # a company's board: the company, named elsewhere
        # "l’aula", "l’Assemblea", "la Commissione": the council named in the text, else
        # the town's council in a municipal text, else the region's council
        if ctx.rules.get("council") == "named-in-text" or not ctx.city:
            return _one(ctx.council)
        return _one(ctx.city)

    def _executive(self, words: str) -> str | None:
        ctx = self.ctx
        if words == "giunta" and norm(ctx.publisher_body or "").startswith(EXECUTIVE_BODIES):
            return ctx.publisher_body  # "la Giunta" in a text of the body it governs
        if "metropolitana" in words:
            return ctx.metro
        if "comunale" in words:
            return ctx.city
        if "provinciale" in words:
            return next((n for n in self.org_names if norm(n).startswith("provincia")), None)
        if "regionale" in words or ctx.region_named or not ctx.city:
            return ctx.region
        return ctx.city  # "la Giunta" in a municipal text

    def company_noun(self, m: Match) -> tuple[str, ...]:
        """ "l’azienda": the one organisation named "Azienda ...", else the company the
        text is about."""
        noun = self.doc[m.start + 1].lower_ if m.end > m.start + 1 else ""
        named = [n for n in self.org_names if n.lower().startswith(noun)] if noun else []
        return (named[0],) if len(named) == 1 else _one(self.company)

    def head_noun(self, m: Match) -> tuple[str, ...]:
        head = self.doc[m.start].lower_
        named = [n for n in self.org_names if n.lower().startswith(head)]
        return (named[0],) if len(named) == 1 else ()

    def kind(self, m: Match) -> tuple[str, ...]:
        named = [n for n, k in self.kinds.items() if k == m.pattern.options["kind"]]
        return (named[0],) if len(named) == 1 else ()

    def kind_all(self, m: Match) -> tuple[str, ...]:
        return tuple(n for n, k in self.kinds.items() if k == m.pattern.options["kind"])

    def short_forms(self) -> list[Span]:
        """ "Telecontact" for "Telecontact Italia": the first word of a longer name, when it
        is distinctive and begins the name of only one organisation."""
        taken = {w.lower() for p in group(self.doc, PLACES) for w in p.text.split()}
        taken |= {w.lower() for p in self.persons for w in p._.actor.name.split()}
        not_short = lexicon.words("not_short_forms") | taken
        firsts: dict[str, set[str]] = {}
        for name in self.org_names:
            words = name.split()
            w = words[0] if len(words) >= 2 else ""
            if len(w) >= 4 and w[0].isupper() and w.lower() not in not_short:
                if re.fullmatch(r"[\wÀ-ÿ-]+", w):
                    firsts.setdefault(w, set()).add(name)
        if not firsts:
            return []
        covered = {k for s in (*self.orgs, *self.persons) for k in range(s.start, s.end)}
        out = []
        for k, text in enumerate(tokens_of(self.doc).text):
            names = firsts.get(text)
            if names and len(names) == 1 and k not in covered:
                out.append(_reference(self.doc, k, k + 1, "SHORT", tuple(names), "short-form"))
        return out

    def office_holders(self) -> list[Span]:
        """ "l’assessore" -> the person last named before it with that office."""
        out = []
        for om in group(self.doc, OFFICES):
            holders = [
                (p.start, p._.actor.name)
                for p in self.persons
                if any(o.key == om.label_ for o in p._.actor.offices)
            ]
            before = [h for h in holders if h[0] < om.start]
            names = list(dict.fromkeys(n for _, n in holders))
            if before:
                pick: tuple[str, ...] = (max(before)[1],)
            else:
                pick = (names[0],) if len(names) == 1 else ()
            out.append(_reference(self.doc, om.start, om.end, "OFFICE", pick, "office-holder"))
        return out


def _one(name: str | None) -> tuple[str, ...]:
    return (name,) if name else ()


def _reference(doc: Doc, s: int, e: int, label: str, actors: tuple, rule: str) -> Span:
    span = Span(doc, s, e, label=label)
    span._.refers = Reference(actors, rule)
    return span


def person_body(offices: tuple[Office, ...], ctx: DocContext) -> tuple[str | None, str | None]:
    """The body a person's office belongs to, and the rule that chose it."""
    roles = " ".join(o.role for o in offices)
    named = next((o.body for o in offices if o.body), None)
    municipal_publisher = ctx.publisher.startswith(("Comune di", "Città di")) and ctx.city
    if municipal_publisher and "regional" not in roles and not named:
        if any(o.key in ("assessore", "sindaco", "vicesindaco") for o in offices):
            return ctx.city, "publisher-town"
    if named:
        if named.startswith("site:"):
            return f"Comune di {named[5:]}", "town-named-in-phrase"
        return named, "named-in-phrase"
    table = office_table()
    for o in offices:
        body = _default_body(roles, table.body.get(o.key), ctx)
        if body is not None:
            return body
    return None, None


def _default_body(roles: str, kind: str | None, ctx: DocContext) -> tuple | None:
    if "comunale" in roles:
        return ctx.city, "municipal-office"
    if "metropolitan" in roles:
        return ctx.metro, "metropolitan-office"
    if "consiglio regionale" in roles or "commissione" in roles:
        return ctx.council, "council-office"
    if kind == "region" or "regionale" in roles:
        return ctx.region, "regional-office"
    if kind == "council":
        return ctx.council, "council-office"
    if kind == "municipality":
        return ctx.city, "municipal-office"
    return None


class ResolutionComponent:
    def __init__(self, nlp: Language, name: str, home_region: str, patterns: str):
        self.name = name
        self.home_region = home_region
        self.matcher = load_matcher(nlp, patterns)

    def __call__(self, doc: Doc) -> Doc:
        organ_refs = _organ_entries(doc)
        group_organisations(doc)
        ctx = build_context(doc, self.home_region)
        doc._.context = ctx
        resolver = Resolver(doc, ctx)
        refs = organ_refs + _organs_of_named(doc, self._pattern_refs(doc, resolver))
        refs += resolver.short_forms() + resolver.office_holders()
        doc.spans[REFERENCES] = _without_overlaps(refs)
        self._person_bodies(doc, ctx)
        return doc

    def _pattern_refs(self, doc: Doc, resolver: Resolver) -> list[Span]:
        covered = {
            k for s in (*group(doc, ORGS), *group(doc, PERSONS)) for k in range(s.start, s.end)
        }
        out = []
        for m in self.matcher(doc):
            if any(k in covered for k in range(m.start, m.end)):
                continue
            rule = m.pattern.options["resolver"]
            actors = resolver.rules[rule](m)
            out.append(_reference(doc, m.start, m.end, m.pattern.label, actors, rule))
        return out

    def _person_bodies(self, doc: Doc, ctx: DocContext) -> None:
        canonical = {norm(o.text): o._.actor.name for o in group(doc, ORGS)}
        spans = group(doc, PERSONS)
        for span in spans:
            info: ActorInfo = span._.actor
            offices = tuple(
                replace(o, body=canonical.get(norm(o.body), o.body)) if o.body else o
                for o in info.offices
            )
            body, rule = person_body(offices, ctx) if offices else (None, None)
            span._.actor = replace(info, offices=offices, organization=body, body_rule=rule)


EXECUTIVE_BODIES = ("regione", "provincia", "comune", "citta")
ORGAN_OF_PREPS = frozenset(("di", "del", "della", "dello", "dell’", "dell'", "dei", "delle"))


def _organs_of_named(doc: Doc, refs: list[Span]) -> list[Span]:
    """ "la Giunta della Regione Marche", "il consiglio di amministrazione dell’Università
    X", "la direzione aziendale del Tubificio Y": an organ of a body the text names stands
    for that body (rule `organ-of`), whatever the context would say."""
    org_at = {o.start: o._.actor.name for o in group(doc, ORGS)}
    out = []
    for ref in refs:
        k = ref.end
        if k < len(doc) and doc[k].lower_ in ("aziendale", "generale", "provinciale"):
            k += 1
        name = None
        if ref.label_ in ("ORGAN", "GENERIC") and k + 1 < len(doc):
            name = org_at.get(k + 1) if doc[k].lower_ in ORGAN_OF_PREPS else None
        if name is None:
            out.append(ref)
        else:
            out.append(_reference(doc, ref.start, ref.end, ref.label_, (name,), "organ-of"))
    return out


def _organ_entries(doc: Doc) -> list[Span]:
    """Gazetteer organs ("Giunta regionale del Piemonte") stand for their institution:
    they become references and leave the organisations."""
    keep, refs = [], []
    for o in group(doc, ORGS):
        entry = entry_by_name().get(o._.actor.rule.removeprefix("gazetteer:"))
        stands_for = lexicon.stands_for().get(entry.name) if entry else None
        if stands_for:
            refs.append(_reference(doc, o.start, o.end, "ORGAN", (stands_for,), "organ"))
        else:
            keep.append(o)
    doc.spans[ORGS] = keep
    return refs


def _without_overlaps(refs: list[Span]) -> list[Span]:
    """One reference per token: the first found (organs and patterns before short forms),
    a resolved one before an unresolved one."""
    keep: list[Span] = []
    for r in sorted(refs, key=lambda r: not r._.refers.actors):
        if not any(k.start < r.end and r.start < k.end for k in keep):
            keep.append(r)
    return sorted(keep, key=lambda r: r.start)


@Language.factory(
    "sentinella_resolution",
    requires=["span._.actor", "span._.office"],
    assigns=["doc.spans", "span._.refers", "span._.actor", "doc._.context"],
    default_config={"home_region": "Piemonte", "patterns": "reference_patterns.jsonl"},
)
def make_resolution(
    nlp: Language, name: str, home_region: str, patterns: str
) -> ResolutionComponent:
    return ResolutionComponent(nlp, name, home_region, patterns)
