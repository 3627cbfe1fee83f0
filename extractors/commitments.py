"""Commitments (impegni): the `sentinella_commitments` component.

For every evidence sentence (extractors/sentences.py):

1. triggers: commitment forms of the lexicon (extractors/triggers.py), each checked
   against the blockers of its clause;
2. actors: the chain of named resolvers (extractors/resolvers.py) over the sentence's
   actor units; a resolver that finds only an unnamed subject ends the chain with no
   commitment; agents of a signing participle ("l’accordo firmato dalla sindaca X e dal
   direttore Y") each undertake it (`signers`);
3. one commitment per sentence and actor, recorded as a `CommitmentFact` on the
   sentence's span in `doc.spans[COMMITMENTS]`, with the trigger's pattern, the resolver's
   rule and this component's name, so a reader can see why the commitment is there; the
   amount is the first money amount of the sentence, the sites the places inside it, the
   purpose the phrase the trigger governs (extractors/purpose.py).

Sentences skipped whole: headlines and list items without final punctuation (they
restate the body), sentences that refer back to a decision just reported ("Lo ha
deciso la Giunta", "La decisione è stata assunta"), background ("Già nel 2023 ...").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from sentinella.extractors.amounts import amounts_of
from sentinella.extractors.lexicon import text_of
from sentinella.extractors.purpose import purpose_of
from sentinella.extractors.resolvers import (
    Resolution,
    SentenceContext,
    Unit,
    attribution,
    resolve_actors,
)
from sentinella.extractors.sentences import QUOTE_OPEN, Sentence, clause_at, clauses, sentences
from sentinella.extractors.spans import (
    COMMITMENTS,
    ORGS,
    PERSONS,
    PLACES,
    REFERENCES,
    CommitmentFact,
    group,
)
from sentinella.extractors.triggers import Trigger, blocker, find_triggers, trigger_lexicon

_HEADLINE_END = re.compile(r"[.!?»”\"…)]\s*$")
_CLITIC_BACK = re.compile(r"^\W*(?:lo|la|li|le)\s+(?:ha|hanno)\s+\w+", re.IGNORECASE)
_QUOTE_THEN_SPEECH = re.compile(r"»\s*,?\s*(?:ha|hanno)\s+\w+\s*[.,]")
_THEN_CHE = re.compile(r"\s*(?:inoltre\s+)?che\b")
_SIGNED_BY = re.compile(
    r"\b(?:firmat|sottoscritt|siglat|controfirmat)[oaie]\s+(?:[\wà-ù’']+\s+){0,3}?"
    r"(?=(?:da|dal|dalla|dallo|dall’|dall'|dai|dalle|dagli)\b)",
    re.IGNORECASE,
)
_SIGNED_DOC = re.compile(
    r"\b(?:accord[oi]|intes[ae]|protocoll[oi]|convenzion[ei]|contratt[oi]|patt[oi]|verbale|"
    r"memorandum|decret[oi]|ordinanz[ae])(?:\s+[\wà-ù’'-]+){0,4}?\s*,?\s*$",
    re.IGNORECASE,
)
_PASSIVE_AUX = re.compile(
    r"\b(?:è|sono|era|erano|sarà|saranno|viene|vengono|venne|stat[oaie])\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_AGENT_SPLIT = re.compile(
    r"(?:,|\s+e|\s+ed)\s+(?=(?:da|dal|dalla|dallo|dall’|dall'|dai|dalle|dagli)\b)", re.IGNORECASE
)
_AGENT_STOP = re.compile(
    r"[.;:«»“”()]|,(?!\s*(?:da|dal|dalla|dallo|dall’|dall'|dai|dalle|dagli)\b)"
)


SIGNING = ("firmat", "sottoscritt", "siglat")
_PROPOSED = re.compile(
    r"\b(?:proposta|proposte|richiesta|richieste|disegno di legge|emendament[oi]|petizione)\b",
    re.IGNORECASE,
)


@dataclass
class Memory:
    """What earlier sentences said: who spoke, who was named, who committed."""

    last_speaker: str | None = None
    last_person: str | None = None
    last_actor: str | None = None
    last_end: int = -1  # end of the last sentence that gave a commitment
    signed: bool = False  # an earlier commitment was a signing


@dataclass(frozen=True)
class Found:
    actor: str
    trigger: Trigger
    rule: str


def doc_units(doc: Doc) -> list[Unit]:
    """Actor mentions of a Doc as units (character offsets in the Doc). A body named
    inside a person's office phrase ("la vicepresidente della Regione e assessora al
    Lavoro Gabriella Viotti") belongs to the person, and is no unit of its own."""
    units = []
    phrases = [
        (o.start, o.end)
        for p in group(doc, PERSONS)
        for o in p._.actor.offices
        if o.end is not None and o.rule == "office-before-name"
    ]
    for span in group(doc, PERSONS):
        units.append(Unit(span.start_char, span.end_char, (span._.actor.name,), span._.actor.kind))
    for span in (*group(doc, ORGS), *group(doc, REFERENCES)):
        if any(a <= span.start_char and span.end_char <= b for a, b in phrases):
            continue
        actors = span._.refers.actors if span._.refers else (span._.actor.name,)
        kind = "reference" if span._.refers else span._.actor.kind
        units.append(Unit(span.start_char, span.end_char, actors, kind))
    return sorted(units, key=lambda u: (u.start, u.end))


def _units_in(units: list[Unit], sent: Sentence) -> list[Unit]:
    """The units of one sentence (`units` sorted by start), with offsets relative to it."""
    lo = bisect_left(units, sent.start, key=lambda u: u.start)
    hi = bisect_left(units, sent.end, key=lambda u: u.start)
    return [
        Unit(u.start - sent.start, u.end - sent.start, u.actors, u.kind)
        for u in units[lo:hi]
        if u.end <= sent.end
    ]


def signers(c: SentenceContext) -> list[Found]:
    """Agents of a participle of signing without auxiliary: one actor per agent phrase.
    A past passive ("è stata sottoscritta da") restates a signing and does not count;
    neither does a signed letter (only agreements, conventions, decrees...)."""
    s = c.text
    out: list[Found] = []
    for m in _SIGNED_BY.finditer(s):
        if (
            _PASSIVE_AUX.search(s[: m.start()])
            or clause_at(c.clauses, m.start(), len(s)).quoted
            or c.lex.conditional.search(s[: m.start()])
            or not _SIGNED_DOC.search(s[: m.start()])
        ):
            continue
        stop = _AGENT_STOP.search(s, m.end())
        stretch_end = stop.start() if stop else len(s)
        bounds, pos = [], m.end()
        for sp in _AGENT_SPLIT.finditer(s, m.end(), stretch_end):
            bounds.append((pos, sp.start()))
            pos = sp.end()
        bounds.append((pos, stretch_end))
        trigger = Trigger(m.start(), m.end(), m.group(0).split()[0].lower(), "signed-by")
        for a, b in bounds:
            seg = [u for u in c.units if a <= u.start and u.end <= b and u.actors]
            persons = [u for u in seg if u.kind == "person"]
            pick = persons[-1] if persons else (seg[0] if seg else None)
            if pick and pick.actors[0] not in [f.actor for f in out]:
                out.append(Found(pick.actors[0], trigger, "passive-agent"))
    return out


class CommitmentsComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.lex = trigger_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        units = doc_units(doc)
        memory = Memory()
        spans = []
        sents = sentences(doc)
        for k, sent in enumerate(sents):
            nxt = sents[k + 1] if k + 1 < len(sents) else None
            facts = self._sentence(doc, sent, units, memory, nxt)
            span = doc.char_span(sent.start, sent.end, label="COMMITMENT")
            if facts and span is not None:
                span._.commitments = tuple(facts)
                spans.append(span)
        doc.spans[COMMITMENTS] = spans
        return doc

    def _context(self, doc: Doc, sent: Sentence, units: list[Unit], memory: Memory, nxt):
        sent_units = _units_in(units, sent)
        ctx = doc._.context
        c = SentenceContext(
            doc=doc,
            offset=sent.start,
            text=sent.text,
            clauses=clauses(sent.text),
            units=sent_units,
            lex=self.lex,
            last_speaker=memory.last_speaker,
            last_person=memory.last_person,
            last_actor=memory.last_actor,
            next_text=nxt.text if nxt else "",
            next_units=_units_in(units, nxt) if nxt else [],
            publisher_body=ctx.publisher_body if ctx else None,
            signed_before=memory.signed,
        )
        c.speaker = attribution(c)
        quoted = any(cl.quoted for cl in c.clauses)
        quote_only = sent.text.lstrip()[:1] in QUOTE_OPEN and c.speaker is None
        if c.speaker is None and quoted and (_QUOTE_THEN_SPEECH.search(sent.text) or quote_only):
            c.speaker = memory.last_speaker or memory.last_person
        return c

    def _sentence(self, doc: Doc, sent: Sentence, units: list[Unit], memory: Memory, nxt):
        c = self._context(doc, sent, units, memory, nxt)
        s = sent.text
        if "\n" not in s and not _HEADLINE_END.search(s):
            return []  # a headline or a list item restates the body
        between = (
            text_of(doc)[memory.last_end : sent.start].strip() if memory.last_end >= 0 else "x"
        )
        if _CLITIC_BACK.match(s) and between == "":
            return []  # "Lo ha deciso la Giunta ...": who took the decision just reported
        background = bool(self.lex.background.search(s))
        found = [] if background or self.lex.reference_back.search(s) else self._triggered(c)
        if not background:
            found += [f for f in signers(c) if f.actor not in [x.actor for x in found]]
        facts = [self._fact(doc, sent, f) for f in found]
        self._remember(c, memory, facts, sent)
        return facts

    def _triggered(self, c: SentenceContext) -> list[Found]:
        out: list[Found] = []
        for t in find_triggers(c.text, self.lex):
            clause = clause_at(c.clauses, t.start, len(c.text))
            if blocker(c.text, t, clause, self.lex):
                continue
            if c.signed_before and t.pattern == "passive" and t.form.startswith(SIGNING):
                continue  # "L’intesa è stata sottoscritta da ...": a signing told again
            res: Resolution | None = resolve_actors(c, t)
            if res is None:
                continue
            for actor in res.actors:
                if actor and actor not in [f.actor for f in out]:
                    out.append(Found(actor, t, res.rule))
            if out:
                c.prev_end = t.end
                if clause.quoted or _THEN_CHE.match(c.text[t.end : t.end + 12]):
                    break
                if t.form in ("annunciato", "ha annunciato"):
                    break
        return out

    def _fact(self, doc: Doc, sent: Sentence, f: Found) -> CommitmentFact:
        amount = next(
            (a.value for a in amounts_of(doc) if sent.start <= a.start < sent.end),
            None,
        )
        if amount is not None and _PROPOSED.search(sent.text, f.trigger.end - sent.start):
            # "presenterà una proposta di legge per un fondo da 100 milioni": the money is
            # what the proposal asks for, not what the actor moves
            amount = None
        sites = tuple(
            dict.fromkeys(
                p._.place.name for p in group(doc, PLACES) if sent.start <= p.start_char < sent.end
            )
        )
        return CommitmentFact(
            actor=f.actor,
            verb=f.trigger.form,
            trigger=f.trigger.pattern,
            resolver=f.rule,
            component=self.name,
            trigger_start=sent.start + f.trigger.start,
            trigger_end=sent.start + f.trigger.end,
            purpose=purpose_of(doc, sent, f.trigger),
            amount=amount,
            sites=sites,
        )

    @staticmethod
    def _remember(c: SentenceContext, memory: Memory, facts, sent: Sentence) -> None:
        if facts:
            memory.last_actor = facts[-1].actor
            memory.last_end = sent.end
        # a signing with named signers makes a later "è stato sottoscritto da" a repetition
        memory.signed = memory.signed or any(f.verb.startswith(SIGNING) for f in facts)
        if c.speaker:
            memory.last_speaker = c.speaker
        elif not any(cl.quoted for cl in c.clauses):
            memory.last_speaker = None
        people = [u for u in c.units if u.kind == "person" and u.actors]
        if people:
            memory.last_person = c.speaker or people[-1].actors[0]


@Language.factory(
    "sentinella_commitments",
    requires=["span._.actor", "span._.refers", "span._.amounts", "span._.place"],
    assigns=["doc.spans", "span._.commitments"],
)
def make_commitments(nlp: Language, name: str) -> CommitmentsComponent:
    return CommitmentsComponent(nlp, name)
