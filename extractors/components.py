"""Sentinella's own spaCy components, added on top of whichever Italian pipeline loaded.

- `sentinella_actors_sites` (factory): organisations, persons with offices, organs and
  places linked to ISTAT codes, from gazetteers (PhraseMatcher), shape patterns and the
  statistical NER's entities when the pipeline has an `ner`. Results on `doc._.sentinella`.
- `sentinella_money` (component): money amounts (`extractors.money.find_amounts`).
- `sentinella_commitments` (factory): commitments (impegni) from the verb lexicon.

`customize(nlp)` adds them idempotently, after the statistical components.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from sentinella.extractors import actors as A
from sentinella.extractors import sites as S
from sentinella.extractors.lexicon import text_of, token_range, tokens_of

COMPONENTS = ("sentinella_actors_sites", "sentinella_money", "sentinella_commitments")

if not Doc.has_extension("sentinella"):
    Doc.set_extension("sentinella", default=None)

ORGAN_RE = re.compile(
    r"\b(?:[Gg]iunta(?:\s+(?:regionale|comunale|metropolitana|provinciale))?|"
    r"Consiglio\s+(?:comunale|metropolitano|provinciale)|consiglio\s+(?:comunale|metropolitano)|"
    r"[Aa]ula|Assemblea(?:\s+legislativa)?|[Cc]ommissione(?:\s+(?:{C}|consiliare|regionale))?|"
    r"[Cc]onsiglio\s+di\s+amministrazione|[Cc]da)\b".replace("{C}", r"[A-Z][\w’'-]*")
)


ORGAN_OF_RE = re.compile(
    r"\b(?:Consiglio|Giunta|consiglio|giunta)\s+(?:comunale|provinciale|metropolitano)\s+"
    r"(?:di|della Città di|della città di)\s+[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*"
)


class FactsComponent:
    """Actors and sites of a document (see extractors/actors.py and extractors/sites.py)."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.finder = A.ActorFinder(nlp)
        self.site_matcher = S.build_matcher(nlp)

    def __call__(self, doc: Doc) -> Doc:
        doc._.sentinella = analyse(doc, self.finder, self.site_matcher)
        return doc


def analyse(doc: Doc, finder: A.ActorFinder, site_matcher) -> dict:
    n = len(doc)
    tt = tokens_of(doc)
    site_cands = S.find_sites(doc, site_matcher)
    site_ranges = [token_range(tt, c.start, c.end) for c in site_cands]
    site_tok_spans = [r for r in site_ranges if r is not None]
    person_spans, org_mentions = finder.candidates(doc, site_tok_spans)
    # "Romano Canavese" is a municipality, not a person named Romano
    comuni_tok = {
        r for r, c in zip(site_ranges, site_cands) if r and c.type in ("comune", "provincia")
    }
    person_spans = [ps for ps in person_spans if ps not in comuni_tok]
    groups = A.group_orgs(doc, org_mentions, finder.entry_by_key)
    org_of_token = {}
    for gi, g in enumerate(groups):
        for s, e in g["mentions"]:
            for k in range(s, e):
                org_of_token[k] = gi
    # places, blocked by organisations and named persons
    tok_char = list(zip(tt.start, tt.end))

    def char_spans(tok_spans):
        return [(tok_char[s][0], tok_char[e - 1][1]) for s, e in tok_spans if e > s]

    org_tok_spans = [(s, e) for g in groups for s, e in g["mentions"]]
    # a "person" inside a street or building name is part of the place ("piazza Vittorio Emanuele II")
    patt = [(c.start, c.end) for c in site_cands if c.type == "altro" and c.priority >= 1]
    person_spans = [
        (s, e)
        for s, e in person_spans
        if not any(a < tok_char[s][0] and tok_char[e - 1][1] <= b for a, b in patt)
    ]
    # places inside organ names ("Consiglio comunale di Vercelli") are not sites either
    organ_chars = [(m.start(), m.end()) for m in ORGAN_OF_RE.finditer(text_of(doc))]
    sites = S.resolve(site_cands, char_spans(org_tok_spans + person_spans) + organ_chars)
    blocked: list[tuple | None] = [None] * n
    for s, e in org_tok_spans:
        for k in range(s, e):
            blocked[k] = (s, e, "org")
    site_tok = []
    for st in sites:
        r = token_range(tt, st.start, st.end)
        if r is not None:
            site_tok.append((r[0], r[1], st))
            for k in range(r[0], r[1]):
                if blocked[k] is None:
                    blocked[k] = (r[0], r[1], "site")

    def org_name_at(s, e):
        gi = org_of_token.get(s)
        return groups[gi]["name"] if gi is not None else doc[s:e].text

    def site_name_at(s, e):
        return "site:" + doc[s:e].text

    domain_spans: list = []
    persons, office_mentions = A.analyse_people(
        doc, person_spans, blocked, finder.first_names, org_name_at, site_name_at, domain_spans
    )
    if domain_spans:  # portfolios ("assessore alla Protezione civile") are not organisations
        dom = set(domain_spans)
        for g in groups:
            g["mentions"] = [m for m in g["mentions"] if m not in dom]
        groups = [g for g in groups if g["mentions"]]
        for g in groups:
            g["start"], g["end"] = (
                tok_char[g["mentions"][0][0]][0],
                tok_char[g["mentions"][0][1] - 1][1],
            )
    # persons found after an office may cover a place or an org candidate: drop those
    person_chars = char_spans([m for p in persons for m in p.mentions[:1]])
    if person_chars:
        sites = [
            st for st in sites if not any(a < st.end and st.start < b for a, b in person_chars)
        ]
    context = _context(doc, groups)
    organs = _organs(doc, groups, context)
    return {
        "groups": groups,
        "persons": persons,
        "office_mentions": office_mentions,
        "sites": sites,
        "organs": organs,
        "context": context,
        "org_of_token": org_of_token,
        "amounts": [],
        "commitments": [],
    }


def _context(doc: Doc, groups: list) -> dict:
    """Who is likely publishing: the region, the council, a municipality."""
    names = [g["name"] for g in groups]
    low = text_of(doc).lower()
    meta_source = ""
    ctx = {"region": "Regione Piemonte", "council": None, "city": None, "metro": None}
    for g in groups:
        nm = A._norm(g["name"])
        if nm.startswith("consiglio regionale"):
            ctx["council"] = g["name"]
        elif nm.startswith("regione piemonte"):
            ctx["region"] = g["name"]
            ctx["region_named"] = True
        elif nm.startswith("citta metropolitana"):
            ctx["metro"] = g["name"]
        elif (nm.startswith("comune di") or nm.startswith("citta di")) and ctx["city"] is None:
            ctx["city"] = g["name"]
    if ctx["city"] is None:
        m = re.search(
            r"\b(?:Consiglio|Giunta) comunale (?:di|della Città di) ([A-Z][\w’'\- ]+?)\b(?:[,.;]|\s+[a-z])",
            text_of(doc),
        )
        if m:
            ctx["city"] = f"Comune di {m.group(1).strip()}"
    _ = meta_source, names, low
    return ctx


def _organs(doc: Doc, groups: list, ctx: dict) -> list:
    out = []
    for m in ORGAN_RE.finditer(text_of(doc)):
        word = m.group(0).lower()
        inst = None
        if word.startswith("giunta"):
            if "comunale" in word:
                inst = ctx["city"]
            elif "regionale" in word or ctx.get("region_named") or not ctx["city"]:
                inst = ctx["region"]
            else:
                inst = ctx["city"]  # "la Giunta" in a municipal text
            if "metropolitana" in word:
                inst = ctx["metro"] or "Città metropolitana di Torino"
        elif "consiglio comunale" in word:
            inst = ctx["city"]
        elif "metropolitano" in word:
            inst = ctx["metro"] or "Città metropolitana di Torino"
        elif word in ("aula", "assemblea", "assemblea legislativa") or word.startswith(
            "commissione"
        ):
            inst = ctx["council"] or (
                "Consiglio regionale del Piemonte" if not ctx["city"] else ctx["city"]
            )
        elif "amministrazione" in word or word == "cda":
            inst = None
        out.append({"start": m.start(), "end": m.end(), "text": m.group(0), "institution": inst})
    return out


@Language.factory("sentinella_actors_sites")
def make_facts(nlp: Language, name: str):
    return FactsComponent(nlp, name)


@Language.component("sentinella_money")
def money_component(doc: Doc) -> Doc:
    from sentinella.extractors.money import find_amounts

    if doc._.sentinella is None:
        doc._.sentinella = {}
    doc._.sentinella["amounts"] = find_amounts(text_of(doc))
    return doc


@Language.factory("sentinella_commitments")
def make_commitments(nlp: Language, name: str):
    from sentinella.extractors.commitments import CommitmentFinder

    return CommitmentFinder(nlp, name)


def customize(nlp: Language) -> None:
    """Idempotent: safe to call on a pipeline that already has the components."""
    from sentinella.extractors.tokenizer import customize_tokenizer

    customize_tokenizer(nlp)
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("sentencizer")
    for name in COMPONENTS:
        if not nlp.has_pipe(name):
            nlp.add_pipe(name, last=True)
