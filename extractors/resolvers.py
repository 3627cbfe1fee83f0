"""Who commits: an ordered chain of named actor resolvers over one sentence.

Each resolver is a small function `(SentenceContext, Trigger) -> Resolution | None` that
maps to one documented rule; the first that answers wins (`resolve_actors`). An answer
with no actors ends the chain too: the subject is someone the text does not name ("i
lavoratori", an unresolved "l’azienda"), and no commitment is invented.

1. `quoted-speaker`: inside a quotation, the speaker named in the attribution ("», ha
   detto Cirio"; "Cirio: «..."), else the last speaker (quotes continue across
   sentences), else the person last named;
2. `passive-agent`: a passive or a digest item ("saranno destinati 4 milioni", "Stanziati
   2 milioni per ..."): its agent ("dalla Provincia"), else the agent the next sentence
   names (`agent-in-next-sentence`: "Lo ha stabilito la giunta regionale"), else the
   institution that publishes the text (`publishing-institution`), else nobody;
3. `later-clause-subject`: a second trigger in the same sentence commits only with a
   subject of its own (", il Comune metterà ...");
4. `document-subject`: "Il documento impegna ..." -> the actor of the previous commitment;
5. `announcer`: "..., ha annunciato il presidente Mario Rossi";
6. `according-to`: "Secondo quanto annunciato dal presidente X, l’ente stanzierà";
7. `completive-subject`: "X ha annunciato/ricorda/ha comunicato ... che ..." -> X;
8. `previous-sentence-actor`: a sentence with no subject of its own ("Ha aggiunto che
   convocherà ...") -> the person or actor of the sentence before;
9. `relative-antecedent`: "Telecontact, la società di call center che ha comunicato ..."
   and "..., che ha finanziato": the organisation or person the relative clause is about;
10. `decision-holder`: "la decisione della multinazionale di chiudere" -> the company;
11. `clause-subject`: the first actor of the trigger's clause that is not after a
   preposition ("Le segreterie di X, Y e Z": each of X, Y, Z; coordinated subjects: each),
   else the first one after it (`subject-after`);
12. `parse-subject`: with a dependency parse, the subject (`nsubj`, `nsubj:pass`) of the
   trigger's verb and its conjuncts, when the surface rules found none (measured: the
   parse first lost commitments on every tuned set, so it is the fallback).

Units are the actor mentions of the sentence: persons, organisations, and the references
of the resolution step (organs, "la Regione", "l’azienda", "i sindacati", "l’assessore").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc

from sentinella.extractors.offices import office_table
from sentinella.extractors.sentences import Clause, clause_at, in_quote
from sentinella.extractors.triggers import Trigger, TriggerLexicon

PREPOSITIONS = frozenset(
    [
        "a",
        "ad",
        "al",
        "alla",
        "allo",
        "ai",
        "agli",
        "alle",
        "all’",
        "all'",
        "con",
        "da",
        "dal",
        "dalla",
        "dallo",
        "dai",
        "dagli",
        "dalle",
        "dall’",
        "dall'",
        "di",
        "del",
        "della",
        "dello",
        "dei",
        "degli",
        "delle",
        "dell’",
        "dell'",
        "in",
        "nel",
        "nella",
        "nello",
        "nei",
        "negli",
        "nelle",
        "nell’",
        "nell'",
        "per",
        "tra",
        "fra",
        "su",
        "sul",
        "sulla",
        "sui",
        "sulle",
        "sull’",
        "sull'",
        "verso",
        "presso",
        "secondo",
        "insieme",
        "contro",
        "tramite",
        "d’",
        "d'",
    ]
)
NOMINAL = frozenset(
    ("primo stanziamento", "nuovo stanziamento", "ulteriore stanziamento", "stanziamento di")
) | {"decisione"}
SUBJECT_DEPS = frozenset(("nsubj", "nsubj:pass", "csubj"))
AGENT_DEPS = frozenset(("obl:agent",))


@dataclass(frozen=True)
class Unit:
    """An actor mention in a sentence (character offsets in the sentence)."""

    start: int
    end: int
    actors: tuple[str, ...]  # empty: a reference nothing resolved
    kind: str  # person | organization | reference


@dataclass(frozen=True)
class Resolution:
    actors: tuple[str, ...]
    rule: str


@dataclass
class SentenceContext:
    doc: Doc
    offset: int  # the sentence's character offset in the Doc
    text: str
    clauses: list[Clause]
    units: list[Unit]
    lex: TriggerLexicon
    speaker: str | None = None
    last_speaker: str | None = None
    last_person: str | None = None
    last_actor: str | None = None
    prev_end: int | None = None  # end of the previous trigger that gave actors
    next_text: str = ""  # the following sentence ("Lo ha stabilito la Giunta ...")
    next_units: list[Unit] = field(default_factory=list)
    publisher_body: str | None = None  # the institution publishing the text
    signed_before: bool = False  # an earlier sentence reported a signing

    def outside_quotes(self, units) -> list[Unit]:
        return [u for u in units if not in_quote(u.start, self.clauses)]


# -- helpers --------------------------------------------------------------------------


def after_preposition(s: str, pos: int) -> bool:
    """Whether the words right before `pos` are a preposition (+ article): not a subject."""
    head = s[max(0, pos - 20) : pos].lower()
    head = re.sub(r"(?:\b(?:il|lo|la|i|gli|le)|\bl[’'])\s*$", "", head.rstrip())
    words = re.findall(r"[\wà-ù’']+", head)
    return bool(words) and words[-1] in PREPOSITIONS


def office_after_preposition(s: str, pos: int) -> bool:
    """ "Su proposta dell’assessora al Welfare Maurizio Marrone": not the subject."""
    head = s[max(0, pos - 90) : pos]
    single = office_table().single
    words = re.findall(r"[\wà-ù]+[’']?", head)
    for k in range(len(words) - 1, -1, -1):
        w = words[k].lower()
        if w in single:
            prev = words[k - 1].lower() if k > 0 else ""
            if prev in ("il", "lo", "la", "l’", "l'") and k > 1:
                prev = words[k - 2].lower()
            tail = head[head.lower().rfind(w) :]
            return prev in PREPOSITIONS and not re.search(r"[,;:.]\s+\w+\s+(?:ha|hanno|è)\b", tail)
    return False


def subject_candidates(s: str, units: list[Unit]) -> list[Unit]:
    """Units that can be a subject: not after a preposition, nor coordinated with one
    that is ("Insieme a FIM-CISL e UILM la FIOM ha proclamato": FIOM)."""
    out, prev, prev_out = [], None, False
    for u in units:
        excluded = after_preposition(s, u.start) or (
            u.kind == "person" and office_after_preposition(s, u.start)
        )
        if not excluded and prev is not None and prev_out:
            excluded = bool(re.match(r"^\s*(?:e|ed)\s+\S*\s*$", s[prev.end : u.start]))
        if not excluded:
            out.append(u)
        prev, prev_out = u, excluded
    return out


def first_unit(units: list[Unit]) -> Unit | None:
    """The first unit; an organisation right before a person of the same office phrase
    yields to the person ("il presidente della Regione Piemonte Alberto Cirio")."""
    if not units:
        return None
    first = units[0]
    if first.kind == "organization":
        for u in units[1:]:
            if u.kind == "person" and u.start - first.end <= 3:
                return u
    return first


_REL_CHE = re.compile(
    r"(,)?\s*\bche\s+(?:(?:già|ieri|oggi|poi|infine|nel\s+\d{4}|il\s+\d{1,2}\s+[a-z]+|"
    r"lo\s+scorso\s+[a-z]+|la\s+scorsa\s+settimana|nei\s+giorni\s+scorsi)\s+)?"
    r"(?:ha|hanno|si\s+è|si\s+sono)?\s*$",
    re.IGNORECASE,
)
_APPOSITION = re.compile(
    r"^,\s*(?:la|il|l’|l'|lo)\s*(?:società|azienda|gruppo|multinazionale|consorzio|"
    r"cooperativa|impresa)\b(?:(?!\b(?:ha|hanno|è|sono|aveva|avevano)\b)[^,;:«»]){0,40}$",
    re.IGNORECASE,
)
_COMPANY_WORD = re.compile(
    r"(?:l’|l'|la\s+|il\s+|della\s+|dalla\s+|dell’|dell'|del\s+|dal\s+)?"
    r"(?:azienda|multinazionale|società|gruppo|impresa|consorzio)\b",
    re.IGNORECASE,
)
_OF_PHRASE = re.compile(
    r"^(?:\s+(?:di|del|della|dell’|dell'|dei|delle|degli)\s+[\wà-ù’' ]{1,30})?$"
)


def relative_antecedent(c: SentenceContext, t0: int) -> Unit | None:
    """The unit a relative clause ("..., che [il 12 novembre] ha deciso") is about."""
    s = c.text
    m = _REL_CHE.search(s[max(0, t0 - 60) : t0])
    if not m:
        return None
    k = max(0, t0 - 60) + m.start()
    prev = [u for u in c.outside_quotes(c.units) if u.end <= k]
    if not prev:
        return None
    u = prev[-1]
    gap = s[u.end : k]
    if (m.group(1) and len(gap) <= 3) or _APPOSITION.match(gap):
        return u
    if (
        _OF_PHRASE.match(gap)
        and _COMPANY_WORD.match(s[u.start : u.end])
        and len(prev) > 1
        and _APPOSITION.match(s[prev[-2].end : u.end] + gap)
    ):
        return u  # "Telecontact, la società di call center che ...": resolved "la società"
    return None


# -- the resolvers --------------------------------------------------------------------


def quoted_speaker(c: SentenceContext, t: Trigger) -> Resolution | None:
    if not clause_at(c.clauses, t.start, len(c.text)).quoted:
        return None
    actor = c.speaker or c.last_speaker or c.last_person
    return Resolution((actor,) if actor else (), "quoted-speaker")


_COMMA_SUBJECT_LEAD = re.compile(r",\s*(?:\S+\s*){0,2}$")


_AGENT_AFTER = re.compile(r"\b(?:da|dal|dalla|dallo|dall’|dall'|dai|dalle|dagli)\b", re.I)
_CLITIC_AGENT = re.compile(r"^\W*(?:lo|la|li|le)\s+(?:ha|hanno)\s+(?:\w+\s+)?\w+", re.I)
PASSIVE_PATTERNS = frozenset(("passive", "digest"))
SIGNING_FORMS = ("firmat", "sottoscritt", "siglat")  # who signed is never the publisher


def passive_agent(c: SentenceContext, t: Trigger) -> Resolution | None:
    """A passive or a digest item: its agent ("sarà finanziata dalla Provincia"), else
    the one the next sentence names ("Lo ha stabilito la giunta regionale"), else the
    institution that publishes the text; nobody when none of these is known."""
    if t.pattern not in PASSIVE_PATTERNS:
        return None
    clause = clause_at(c.clauses, t.start, len(c.text))
    agents: list[Unit] = []
    for m in _AGENT_AFTER.finditer(c.text, t.end, min(clause.end, t.end + 160)):
        # "dal sindaco di Alba Alberto Gatto": the first named unit after "da"
        after = [u for u in c.units if m.end() <= u.start < clause.end and u.actors]
        pick = first_unit(after)
        if pick is not None and after[0].start - m.end() < 80 and pick not in agents:
            agents.append(pick)
    if agents:
        return Resolution(
            tuple(dict.fromkeys(a for u in agents for a in u.actors)), "passive-agent"
        )
    back = _CLITIC_AGENT.match(c.next_text)
    named = [u for u in c.next_units if back and u.start >= back.end() and u.actors]
    if named:
        return Resolution(named[0].actors, "agent-in-next-sentence")
    if c.publisher_body and not t.form.startswith(SIGNING_FORMS):
        return Resolution((c.publisher_body,), "publishing-institution")
    return Resolution((), "passive-without-agent")


def later_clause_subject(c: SentenceContext, t: Trigger) -> Resolution | None:
    if c.prev_end is None:
        return None
    s = c.text
    mid = [u for u in c.outside_quotes(c.units) if c.prev_end <= u.start and u.end <= t.start]
    if mid:
        u = mid[-1]
        lead = s[c.prev_end : u.start]
        if (
            _COMMA_SUBJECT_LEAD.search(lead)
            and "," not in s[u.end : t.start]
            and len(s[u.end : t.start].split()) <= 3
        ):
            return Resolution(u.actors, "later-clause-subject")
    ante = relative_antecedent(c, t.start)
    if ante is not None and ante.start >= c.prev_end:
        return Resolution(ante.actors, "relative-antecedent")
    return Resolution((), "later-clause-without-subject")


def document_subject(c: SentenceContext, t: Trigger) -> Resolution | None:
    if c.lex.document.search(c.text) and c.last_actor:
        return Resolution((c.last_actor,), "document-subject")
    return None


_SPEECH_AFTER = re.compile(
    r"^\s*,\s*(?:\w+\s+)?(?:ha|hanno)\s+(?:\w+\s+)?(?:annunciato|detto|dichiarato|spiegato|"
    r"assicurato|precisato|confermato|garantito|promesso|comunicato|reso noto)\b|"
    r"^\s*,\s*(?:annuncia|dice|dichiara|spiega|assicura|conferma|garantisce|promette)\b"
)


def announcer(c: SentenceContext, t: Trigger) -> Resolution | None:
    tail = c.text[t.end :]
    for m in re.finditer(r",", tail):
        if _SPEECH_AFTER.match(tail[m.start() :]):
            at = t.end + m.start()
            after = [u for u in c.units if u.start >= at and u.kind == "person"]
            if after and after[0].start - at < 90:
                return Resolution(after[0].actors, "announcer")
            return None
    return None


_ACCORDING_TO = re.compile(
    r"\bquanto\s+(?:annunciato|dichiarato|comunicato|spiegato|riferito|reso noto|"
    r"anticipato|confermato)\s+(?:da|dal|dalla|dall’|dall'|dai|dalle)\b",
    re.IGNORECASE,
)


def according_to(c: SentenceContext, t: Trigger) -> Resolution | None:
    acc = _ACCORDING_TO.search(c.text[: t.start])
    if not acc:
        return None
    between = [u for u in c.units if u.start >= acc.end() and u.end <= t.start]
    named = [u for u in between if u.kind == "person"] or between
    return Resolution(named[0].actors, "according-to") if named else None


def completive_subject(c: SentenceContext, t: Trigger) -> Resolution | None:
    comp = c.lex.completive.search(c.text[: t.start])
    if not comp:
        return None
    before = [u for u in c.outside_quotes(c.units) if u.end <= comp.start()]
    pick = first_unit(before)
    return Resolution(pick.actors, "completive-subject") if pick else None


_REL_TAIL = re.compile(r",\s*che\s+(?:\w+\s+)?$")


def relative(c: SentenceContext, t: Trigger) -> Resolution | None:
    ante = relative_antecedent(c, t.start)
    if ante is not None:
        return Resolution(ante.actors, "relative-antecedent")
    rel = _REL_TAIL.search(c.text[max(0, t.start - 25) : t.start])
    if not rel:
        return None
    # "..., che ha finanziato": the subject is the unit right before "che"
    k = max(0, t.start - 25) + rel.start()
    prev = [u for u in c.outside_quotes(c.units) if u.end <= k and k - u.end <= 3]
    return Resolution(prev[-1].actors if prev else (), "relative-antecedent")


_DECISION_OF = re.compile(
    r"\b(?:decisione|scelta|intenzione|volontà|piano)\s+(?:di|del|della|dello|dell’|dell'|dei|"
    r"delle|degli)\s*$",
    re.IGNORECASE,
)


def decision_holder(c: SentenceContext, t: Trigger) -> Resolution | None:
    """ "La decisione della multinazionale di chiudere", "l’intenzione di Rossi di
    convocare": the actor whose decision the noun names."""
    if t.pattern != "decision-noun":
        return None
    for u in c.units:
        if u.end <= t.start and _DECISION_OF.search(c.text[max(0, u.start - 40) : u.start]):
            return Resolution(u.actors, "decision-holder")
    return None


def parse_subject(c: SentenceContext, t: Trigger) -> Resolution | None:
    """The subject of the trigger's verb in the dependency parse (when there is one)."""
    if not c.doc.has_annotation("DEP"):
        return None
    verb = _trigger_verb(c, t)
    if verb is None:
        return None
    subj = _subject_tokens(verb)
    if not subj:
        return None
    units = []
    for tok in subj:
        u = _unit_covering(c, tok.idx - c.offset)
        if u is not None and u not in units:
            units.append(u)
    if not units:
        return Resolution((), "parse-subject-unnamed")
    actors = tuple(dict.fromkeys(a for u in units for a in u.actors))
    return Resolution(actors, "parse-subject")


def _trigger_verb(c: SentenceContext, t: Trigger):
    span = c.doc.char_span(c.offset + t.start, c.offset + t.end, alignment_mode="expand")
    if span is None:
        return None
    verbs = [tok for tok in span if tok.pos_ in ("VERB", "AUX", "NOUN")]
    return verbs[-1] if verbs else span.root


def _subject_tokens(verb) -> list:
    """The subject's head and its conjuncts; for an auxiliary, its head's subject."""
    head = verb.head if verb.dep_ in ("aux", "aux:pass", "cop") else verb
    subj = [ch for ch in head.children if ch.dep_ in SUBJECT_DEPS]
    if not subj:
        return []
    out = [subj[0], *subj[0].conjuncts]
    return out


def _unit_covering(c: SentenceContext, pos: int) -> Unit | None:
    for u in c.units:
        if u.start <= pos < u.end:
            return u
    # the subject's head noun may precede the name: "il presidente Mario Rossi"
    after = [u for u in c.units if 0 <= u.start - pos <= 40 and u.kind == "person"]
    return after[0] if after else None


_COLLECTIVE = re.compile(
    r"^\W*(?:(?:le|la|i|gli|il|l’|l')\s*)?(?:segreteri[ae]|vertici|rappresentanti|"
    r"rappresentanze|delegati|delegazioni?|sigle|dirigenti|direzion[ei]|rsu|"
    r"organizzazioni sindacali|federazioni|segretari|coordinament[oi])"
    r"(?:\s+(?:regional[ei]|provincial[ei]|territorial[ei]|nazional[ei]|general[ei]|"
    r"aziendal[ei]|sindacal[ei]))?\s+(?:di|del|della|dell’|dell'|dei|delle|degli)\s*$",
    re.IGNORECASE,
)
_COORD = re.compile(r"^\s*(?:,|e|ed)\s*(?:il|la|lo|l’|l'|i|gli|le)?\s*$")
_GENERIC_SUBJECT = re.compile(
    r"^\W*(?:il|lo|la|l’|l'|i|gli|le)\s*(?:sindacat\w+|aziend\w+|societ\w+|grupp\w+|impres\w+|"
    r"associazion\w+|lavorat\w+|dipendent\w+|consiglier\w+|sindac\w+|assessor\w+)\b",
    re.IGNORECASE,
)


def clause_subject(c: SentenceContext, t: Trigger) -> Resolution | None:
    """Without a parse: the first actor of the clause before the trigger, else after it."""
    s = c.text
    clause = clause_at(c.clauses, t.start, len(s))
    # without a parse the first unit need not be the subject: only named units count
    named = [u for u in c.outside_quotes(c.units) if u.actors]
    in_clause = [u for u in named if clause.start <= u.start and u.end <= t.start]
    before = subject_candidates(s, in_clause)
    if in_clause and _COLLECTIVE.match(s[clause.start : in_clause[0].start]):
        before = in_clause  # "Le segreterie di X, Y e Z": the named organisations
    after = [
        u
        for u in named
        if u.start >= t.end and (t.form in NOMINAL or not after_preposition(s, u.start))
    ]
    if not before and _GENERIC_SUBJECT.match(s[: t.start]):
        after = []  # "Il sindacato ha proclamato ... della Regione": not the Regione
    pick = first_unit(before) or (after[0] if after else None)
    if pick is None:
        return None
    actors = list(pick.actors)
    k = before.index(pick) if pick in before else None
    while (
        k is not None
        and k + 1 < len(before)
        and _COORD.match(s[before[k].end : before[k + 1].start])
    ):
        k += 1
        actors += before[k].actors
    rule = "clause-subject" if pick in before else "subject-after"
    return Resolution(tuple(dict.fromkeys(actors)), rule)


_NO_SUBJECT_START = re.compile(
    r"^\W*(?:ha|hanno)\s+(?:poi\s+|inoltre\s+|anche\s+|quindi\s+)?(?:aggiunto|annunciato|"
    r"spiegato|precisato|assicurato|garantito|confermato|ribadito|ricordato|sottolineato|"
    r"promesso|detto|dichiarato)\s+che\b",
    re.IGNORECASE,
)


def previous_sentence_actor(c: SentenceContext, t: Trigger) -> Resolution | None:
    """ "Ha aggiunto che convocherà il tavolo": no subject of its own."""
    actor = c.last_person or c.last_actor
    if actor and _NO_SUBJECT_START.match(c.text):
        return Resolution((actor,), "previous-sentence-actor")
    return None


RESOLVERS: tuple[tuple[str, Callable[[SentenceContext, Trigger], Resolution | None]], ...] = (
    ("quoted-speaker", quoted_speaker),
    ("passive-agent", passive_agent),
    ("later-clause-subject", later_clause_subject),
    ("document-subject", document_subject),
    ("announcer", announcer),
    ("according-to", according_to),
    ("completive-subject", completive_subject),
    ("previous-sentence-actor", previous_sentence_actor),
    ("relative-antecedent", relative),
    ("decision-holder", decision_holder),
    ("clause-subject", clause_subject),
    ("parse-subject", parse_subject),
)


def resolve_actors(c: SentenceContext, t: Trigger) -> Resolution | None:
    """The first resolver's answer for one trigger."""
    for _name, resolver in RESOLVERS:
        found = resolver(c, t)
        if found is not None:
            return found
    return None


# -- speakers -------------------------------------------------------------------------


def attribution(c: SentenceContext) -> str | None:
    """The speaker of the quotation(s) in a sentence, if the sentence names one."""
    s = c.text
    close = max(s.rfind("»"), s.rfind("”"))
    if close >= 0:
        m = c.lex.speech.search(s[close + 1 :][:40])
        if m:
            after = [u for u in c.units if u.start > close + m.start() and u.actors]
            if after and after[0].start - (close + m.end()) <= 60:
                # "ha detto il vicepresidente della Regione, Antonio Spadafora": the person
                near = [u for u in after if u.start - (close + m.end()) <= 90]
                pick = next((u for u in near if u.kind == "person"), first_unit(after))
                return pick.actors[0] if pick and pick.actors else None
            return None
    opn = min([i for i in (s.find("«"), s.find("“")) if i >= 0], default=-1)
    if opn > 0:
        before = [u for u in c.units if u.end <= opn and u.actors]
        if before and re.search(r"[:,]\s*$", s[:opn]):
            # "la consigliera Daniela Oddone (Pd) ha motivato ...: «": the person
            people = [u for u in before if u.kind == "person"]
            return (people or before)[-1].actors[0]
    return None
