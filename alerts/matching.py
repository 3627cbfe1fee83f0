"""Does a watch match a statement, and which facts made it match. Pure functions.

Conditions combine with AND; the values of one condition with OR. How each reads a
statement (names compare as whole words, case and accents ignored):

publisher, source   the document's publisher (words) and source name (exact)
keyword             title and text, as whole words ("call center" finds "Call-center")
actor, organization a named actor (organisation: also the body an office belongs to)
office              an actor's office; gender and number ignored ("assessore" = "assessora")
site                a place named in it (the whole name: "Asti" is not "Costigliole d'Asti")
province, region    a place within it: any municipality of the province, or the province
min_amount          an amount in euro at least this large
verb                a commitment whose verb is this one ("stanziare" finds "ha stanziato")

With `commitments_only = true` a statement matches only through one commitment that meets
actor, organization, office, places, amount and verb together; a commitment that names no
place is placed where its statement is. Either way the commitments that meet the watch are
the alert's evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sentinella.alerts import places
from sentinella.alerts.statement import Statement
from sentinella.alerts.text import fold, has_phrase, stem_words
from sentinella.alerts.watches import Watch
from sentinella.facts import Amount, Commitment


@dataclass(frozen=True)
class Match:
    """Why a statement matched: the evidence an alert shows."""

    commitments: tuple[Commitment, ...] = ()
    amounts: tuple[Amount, ...] = ()  # the amounts at least `min_amount`, when it is set
    keywords: tuple[str, ...] = ()  # the keywords found


def match(watch: Watch, st: Statement) -> Match | None:
    """The match of `watch` on `st`, or None."""
    if watch.publisher and not any(has_phrase(st.publisher or "", p) for p in watch.publisher):
        return None
    if watch.source and fold(st.source) not in {fold(s) for s in watch.source}:
        return None
    keywords = tuple(k for k in watch.keyword if has_phrase(f"{st.title or ''}\n{st.text}", k))
    if watch.keyword and not keywords:
        return None
    commitments = tuple(c for c in st.commitments if commitment_matches(watch, st, c))
    if watch.commitments_only:
        if not commitments:
            return None
    elif not facts_match(watch, st):
        return None
    amounts: tuple[Amount, ...] = ()
    if watch.min_amount is not None:
        amounts = tuple(a for a in st.amounts if _in_euro(a) and a.value >= watch.min_amount)
    return Match(commitments=commitments, amounts=amounts, keywords=keywords)


def facts_match(watch: Watch, st: Statement) -> bool:
    """The fact conditions, each met anywhere in the statement."""
    if watch.actor and not _any_name(_actor_names(st), watch.actor):
        return False
    if watch.organization and not _any_name(_organization_names(st), watch.organization):
        return False
    if watch.office and not any(_office_matches(a.role, watch.office) for a in st.actors):
        return False
    if not _places_match(watch, st, _site_names(st)):
        return False
    if watch.min_amount is not None:
        values = [a.value for a in st.amounts if _in_euro(a)]
        values += [c.amount for c in st.commitments if c.amount is not None]
        if not any(v >= watch.min_amount for v in values):
            return False
    return not watch.verb or any(
        verb_matches(c.verb, v) for c in st.commitments for v in watch.verb
    )


def commitment_matches(watch: Watch, st: Statement, c: Commitment) -> bool:
    """The fact conditions, all met by one commitment."""
    if watch.actor and not _any_name([c.actor], watch.actor):
        return False
    if watch.organization and not _any_name([c.actor, c.organization or ""], watch.organization):
        return False
    if watch.office:
        roles = [a.role for a in st.actors if a.name == c.actor]
        if not any(_office_matches(r, watch.office) for r in roles):
            return False
    if not _places_match(watch, st, list(c.sites) or _site_names(st)):
        return False
    if watch.min_amount is not None and (c.amount is None or c.amount < watch.min_amount):
        return False
    return not watch.verb or any(verb_matches(c.verb, v) for v in watch.verb)


def _places_match(watch: Watch, st: Statement, names: list[str]) -> bool:
    if watch.site and not {fold(n) for n in names} & {fold(s) for s in watch.site}:
        return False
    if not (watch.province or watch.region):
        return True
    located = [_locate(st, n) for n in names]
    if watch.province:
        codes = {places.province_code(p) for p in watch.province}
        if not any(p.province in codes for p in located if p.province):
            return False
    if watch.region:
        regions = {places.region_name(r) for r in watch.region}
        if not any(p.region in regions for p in located if p.region):
            return False
    return True


def _locate(st: Statement, name: str) -> places.Place:
    """Where a named place lies: the statement's own site fact first, else a municipality."""
    for s in st.sites:
        if s.name == name:
            return places.locate(s.name, s.type, s.istat)
    return places.locate(name)


def _site_names(st: Statement) -> list[str]:
    return list(
        dict.fromkeys([s.name for s in st.sites] + [n for c in st.commitments for n in c.sites])
    )


def _actor_names(st: Statement) -> list[str]:
    return [a.name for a in st.actors] + [c.actor for c in st.commitments]


def _organization_names(st: Statement) -> list[str]:
    names = [a.name for a in st.actors if a.kind == "organization"]
    names += [a.organization for a in st.actors if a.organization]
    names += [c.organization for c in st.commitments if c.organization]
    return names


def _any_name(names: Iterable[str], wanted: Iterable[str]) -> bool:
    return any(has_phrase(n, w) for n in names for w in wanted)


def _office_matches(role: str | None, offices: Iterable[str]) -> bool:
    if not role:
        return False
    stems = f" {stem_words(role)} "
    return any(f" {stem_words(o)} " in stems for o in offices)


def _in_euro(amount: Amount) -> bool:
    return (amount.currency or "EUR") == "EUR"


def verb_matches(form: str | None, lemma: str) -> bool:
    """Whether a commitment's verb as extracted ("ha stanziato", "convocherà") is `lemma`.

    The extractor keeps the verb as written; a regular form shares the infinitive's stem
    (c/g take an h before e/i: convocare → convocherà), irregular ones come from the
    extractor's commitment lexicon (decidere → deciso).
    """
    if not form:
        return False
    if has_phrase(form, lemma):
        return True
    words = fold(form).split()
    stems, irregular = _forms(fold(lemma))
    return any(w in irregular or any(w.startswith(s) for s in stems) for w in words)


@lru_cache(maxsize=256)
def _forms(lemma: str) -> tuple[tuple[str, ...], frozenset[str]]:
    stem = lemma
    for ending in ("rre", "are", "ere", "ire"):
        if lemma.endswith(ending) and len(lemma) - len(ending) >= 3:
            stem = lemma[: -len(ending)]
            break
    stems = (stem, stem + "h") if stem.endswith(("c", "g")) else (stem,)
    return stems, frozenset(fold(f) for f in _irregular_forms().get(lemma, ()))


@lru_cache(maxsize=1)
def _irregular_forms() -> dict[str, tuple[str, ...]]:
    from sentinella.extractors import lexicon

    data = lexicon.commitment_lexicon()
    out: dict[str, tuple[str, ...]] = {}
    for lemma, participle in data.get("participles", {}).items():
        out[lemma] = (participle,)
    for lemma, found in data.get("irregular_forms", {}).items():
        out[lemma] = (*out.get(lemma, ()), *found)
    return out
