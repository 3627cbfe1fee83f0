"""Commitment triggers and blockers, from the lexicon in data/commitment_verbs.json.

A trigger is a form that makes a sentence a candidate commitment; each records the
pattern that found it:

- `past`: a lexicon verb's past participle after "ha/hanno/abbiamo/ho" (up to two words
  between: "ha approvato oggi");
- `finite`: its present (3rd person, 1st plural) or future; `future_only` verbs count only
  in the future ("presenteremo", "partiranno");
- `phrase`: a fixed phrase ("mette a disposizione", "si impegna a", "saranno destinati");
- `announced-noun`: announcing a decision by its noun ("ha comunicato la chiusura");
- `filed-bill`: filing a bill or amendments ("hanno depositato una proposta di legge");
- `decision-noun`: "la decisione di X di chiudere", "l’intenzione di convocare";
- `passive`: a passive of an allocation or decision verb ("saranno destinati 4 milioni",
  "sono stati impegnati 380 mila euro", "verrà convocato il tavolo"): the commitment of
  its agent, else of the publishing institution (extractors/resolvers.py);
- `digest`: an item of a decision digest that opens with a bare participle or "Via
  libera" ("Stanziati 2 milioni per ...", "Approvato il piano ...");
- `plan`: "prevede di assumere", "punta a investire": a plan with a lexicon verb.

With a dependency parse a trigger must be a verb (or the noun of a decision), not a noun
that looks like one ("la delibera"); without it, a determiner before the form says so.

Blockers (`blocker(...)`, each a named rule over the trigger's clause) turn a candidate
into a non-commitment: a condition before it ("se ", "qualora"), a negation or modal
right before it ("non", "potrà"), a request or a wish ("chiede", "auspica"), a request
as its object ("ha presentato una richiesta"), event logistics ("ha organizzato un
convegno"), scheduling ("ha annunciato che l’aula si riunirà"), a condition after it
("nel caso in cui"). A "non" of a time clause ("finché non avremo garanzie, manterremo")
does not block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sentinella.extractors import lexicon
from sentinella.extractors.sentences import Clause

DETERMINERS = frozenset(
    [
        "la",
        "le",
        "una",
        "un",
        "il",
        "lo",
        "gli",
        "i",
        "l",
        "della",
        "delle",
        "alla",
        "alle",
        "sulla",
        "nella",
        "dalla",
        "questa",
        "quella",
        "sua",
        "loro",
        "nostra",
        "prima",
        "nuova",
        "ogni",
        "del",
        "dal",
        "al",
        "nel",
        "sul",
        "dell",
        "all",
        "nell",
        "sull",
        "dall",
        "cui",
    ]
)
AUXILIARIES = frozenset(("ha", "hanno", "abbiamo", "ho", "avete"))
_WORD = re.compile(r"[\wà-ùÀ-Ù]+")


@dataclass(frozen=True)
class Trigger:
    start: int  # character offsets in the sentence
    end: int
    form: str  # the verb form or phrase ("stanziato", "mette a disposizione")
    pattern: str  # past | finite | phrase | announced-noun | filed-bill | decision-noun


def verb_forms(verb: str, future_only: bool, past_ok: bool = False, isc: bool = False):
    """(finite forms, past participles) of a regular Italian verb."""
    stem, ending = verb[:-3], verb[-3:]
    if ending == "are":
        fstem = stem + "h" if stem.endswith(("c", "g")) else stem
        fstem = stem[:-1] if stem.endswith(("ci", "gi")) else fstem
        fut = [fstem + x for x in ("erà", "eranno", "eremo", "erò")]
        first_plural = stem + ("amo" if stem.endswith("i") else "iamo")
        if stem.endswith(("c", "g")):
            first_plural = stem + "hiamo"
        pres = [stem + "a", stem + "ano", first_plural]
        part = stem + "at"
    elif ending == "ere":
        fut = [stem + x for x in ("erà", "eranno", "eremo", "erò")]
        pres = [stem + "e", stem + "ono", stem + "iamo"]
        part = stem + "ut"
    else:  # -ire
        fut = [stem + x for x in ("irà", "iranno", "iremo", "irò")]
        pres = [stem + "isce", stem + "iscono"] if isc else [stem + "e", stem + "ono"]
        pres.append(stem + "iamo")
        part = stem + "it"
    finite = set(fut) | (set() if future_only else set(pres))
    parts = {part + x for x in "oaie"} if (not future_only or past_ok) else set()
    return finite, parts


def _alt(words) -> str:
    return "|".join(re.escape(w.strip()) for w in words)


class TriggerLexicon:
    """The commitment lexicon, compiled once (see the module docstring)."""

    def __init__(self) -> None:
        lex = lexicon.commitment_lexicon()
        self.lex = lex
        self.finite, self.participles = self._forms(lex)
        self.phrase_first = _phrase_index(lex["phrases"])
        self.passive = frozenset(
            p for v in lex["passive_verbs"] for p in _participles(v, lex["participles"])
        )
        self.infinitives = frozenset(lex["verbs"]) | frozenset(lex["passive_verbs"])
        self.digest_openers = tuple(sorted(lex["digest_openers"], key=len, reverse=True))
        self.plan_probe = frozenset(v.split()[0].lower() for v in lex["plan_verbs"])
        self.decision_probe = frozenset(n.lower() for n in lex["decision_nouns"])
        self.plan = re.compile(rf"\b(?:{_alt(lex['plan_verbs'])})\s+([a-zà-ù]+)", re.IGNORECASE)
        self.speech = re.compile(
            r"\b(?:(?:ha|hanno)\s+(?:\w+\s+)?)?(" + "|".join(lex["speech"]) + r")\b"
        )
        self.completive = re.compile(
            r"\b(?:" + "|".join(lex["speech"]) + r")\b(?:\s+[a-zà-ù]+){0,2}?\s+che\b"
        )
        self.decision = re.compile(
            rf"\b(?:{'|'.join(lex['decision_nouns'])})\b(?:\s+\S+){{0,5}}?\s+di\s+"
            rf"(?:{'|'.join(lex['decision_verbs'])})\b",
            re.IGNORECASE,
        )
        b = lex["blockers"]
        self.conditional = re.compile(rf"(?:^|[\s«“,(])(?:{_alt(b['conditional'])})\b", re.I)
        self.conditional_after = re.compile(rf"\b(?:{_alt(b['conditional_after'])})\b", re.I)
        self.negation = re.compile(rf"\b(?:{_alt(b['negation'])})\b", re.I)
        self.request = re.compile(rf"\b(?:{_alt(b['request'])})\b", re.I)
        self.wish = re.compile(rf"\b(?:{_alt(b['wish'])})\b", re.I)
        self.background = re.compile(rf"^(?:\W*)(?:{_alt(b['past_background'])})", re.I)
        self.reference_back = re.compile(
            rf"^\W*(?:{_alt(lex['reference_back'])}|(?:lo|li|la|le) (?:ha|hanno) "
            rf"(?:\w+ )?(?:annunciat|dett|dichiarat|spiegat|comunicat|res[oa] not|illustrat|"
            rf"presentat|ricordat|sottolineat|confermat)\w*)",
            re.I,
        )
        self.document = re.compile(rf"^\W*(?:{_alt(lex['document_subjects'])})\b", re.I)
        self.object_block = re.compile(
            rf"^\s*(?:\w+\s+){{0,2}}?(?:una|un|la|le|l’|l'|un’|un')?\s*"
            rf"(?:{_alt(lex['object_blockers'])})\b",
            re.I,
        )
        self.event_object = re.compile(
            rf"^\s*(?:[\wà-ù’']+\s+){{0,3}}?(?:{_alt(lex['event_objects'])})\b", re.I
        )

    @staticmethod
    def _forms(lex: dict) -> tuple[frozenset, frozenset]:
        future_only, past_ok = set(lex["future_only"]), set(lex.get("past_ok", ()))
        isc = set(lex.get("isc_verbs", ()))
        finite: set[str] = set()
        parts: set[str] = set()
        for v in lex["verbs"]:
            f, p = verb_forms(v, v in future_only, v in past_ok, v in isc)
            if v in lex["participles"] and p:
                p = {lex["participles"][v][:-1] + x for x in "oaie"}
            finite |= f | set(lex["irregular_forms"].get(v, ()))
            parts |= p
        for forms in lex["irregular_forms"].values():
            finite |= set(forms)
        finite = {f for f in finite if " " not in f and len(f) > 3}
        finite -= set(lex.get("not_verbs", ()))
        return frozenset(f.lower() for f in finite), frozenset(parts)


def _participles(verb: str, irregular: dict) -> set[str]:
    if verb in irregular:
        stem = irregular[verb][:-1]
    else:
        stem = verb[:-3] + {"are": "at", "ere": "ut", "ire": "it"}[verb[-3:]]
    return {stem + x for x in "oaie"}


_CLITICS = ("ne", "li", "le", "lo", "la", "gli", "ci", "si")


def infinitive_of(word: str) -> str:
    """ "assumerne" -> "assumere", "trasferirli" -> "trasferire"."""
    for c in _CLITICS:
        if word.endswith("r" + c):
            return word[: -len(c)] + "e"
    return word


@lru_cache(maxsize=1)
def trigger_lexicon() -> TriggerLexicon:
    return TriggerLexicon()


def _phrase_index(phrases) -> dict[str, list[str]]:
    """{first word: [phrases, longest first]} for the fixed phrases of the lexicon."""
    out: dict[str, list[str]] = {}
    for ph in sorted({p.lower() for p in phrases}, key=len, reverse=True):
        first = re.match(r"[\wà-ùÀ-Ù]+", ph)
        if first:
            out.setdefault(first.group(0), []).append(ph)
    return out


ANNOUNCED_NOUN = re.compile(
    r"\b(?:ha|hanno)\s+(?:\w+\s+){0,2}?(?:comunicato|ufficializzato|confermato|notificato|"
    r"formalizzato|espresso|manifestato)\s+(?:[\wà-ù’']+\s+){0,3}?(?:la chiusura|il licenziamento|"
    r"i licenziamenti|l’apertura|l'apertura|l’assunzione|l'assunzione|l’avvio|l'avvio|"
    r"la cassa integrazione|il trasferimento|lo stanziamento|la cessione|la delocalizzazione|"
    r"gli esuberi|\d+ esuberi|l’intenzione|l'intenzione|la volontà|la decisione)\b",
    re.IGNORECASE,
)
FILED_BILL = re.compile(
    r"\b(?:ha|hanno|abbiamo)\s+(?:\w+\s+){0,2}?(?:depositato|depositata)\s+"
    r"(?:[\wà-ù’']+\s+){0,4}?(?:una\s+proposta\s+di\s+legge|un\s+disegno\s+di\s+legge|"
    r"(?:un|gli|alcuni)\s+emendament[oi])\b",
    re.IGNORECASE,
)


ANNOUNCED_PROBE = frozenset(
    ("comunicato", "ufficializzato", "confermato", "notificato", "formalizzato", "espresso")
) | {"manifestato"}
FILED_PROBE = frozenset(("depositato", "depositata"))


def find_triggers(s: str, lex: TriggerLexicon) -> list[Trigger]:
    """Commitment forms in a sentence (see the module docstring)."""
    words = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(s)]
    present = {w for _, _, w in words}
    hits = _verb_triggers(s, words, lex) + _phrase_triggers(s, words, lex)
    hits += _passive_triggers(words, lex) + _digest_triggers(s, words, lex)
    # the expressions below run only on sentences with one of their words (cheap probes)
    if present & lex.plan_probe:
        for m in lex.plan.finditer(s):
            if infinitive_of(m.group(1).lower()) in lex.infinitives:
                hits.append(Trigger(m.start(), m.end(), m.group(0).lower(), "plan"))
    if present & ANNOUNCED_PROBE:
        for m in ANNOUNCED_NOUN.finditer(s):
            hits.append(Trigger(m.start(), m.end(), "comunicato", "announced-noun"))
    if present & FILED_PROBE:
        for m in FILED_BILL.finditer(s):
            hits.append(Trigger(m.start(), m.end(), "depositato", "filed-bill"))
    if present & lex.decision_probe:
        for m in lex.decision.finditer(s):
            k = s.rfind(" di ", m.start(), m.end())
            hits.append(Trigger(k + 1, m.end(), "decisione", "decision-noun"))
    digest = {t.start for t in hits if t.pattern == "digest"}
    hits = [t for t in hits if t.pattern == "digest" or t.start not in digest]
    return sorted(hits, key=lambda t: (t.start, t.end))


def _verb_triggers(s: str, words: list, lex: TriggerLexicon) -> list[Trigger]:
    hits = []
    for k, (a, b, w) in enumerate(words):
        if w in lex.participles and k > 1 and words[k - 1][2] in ("e", "ed"):
            # "hanno respinto la decisione e proclamato uno sciopero": one auxiliary
            if any(x[2] in AUXILIARIES for x in words[max(0, k - 12) : k - 1]):
                hits.append(Trigger(a, b, w, "past"))
                continue
        if w in AUXILIARIES:
            for _a2, b2, w2 in words[k + 1 : k + 4]:
                if w2 in lex.participles:
                    hits.append(Trigger(a, b2, w2, "past"))
                    break
        elif w in lex.finite:
            prev = words[k - 1] if k else None
            if prev and prev[2] in DETERMINERS and s[prev[1] : a].strip() in ("", "’", "'"):
                continue  # "la delibera", "una firma": a noun, not a verb
            hits.append(Trigger(a, b, w, "finite"))
    return hits


PASSIVE_FUTURE = frozenset(("sarà", "saranno", "verrà", "verranno", "viene", "vengono"))
PASSIVE_BE = frozenset(("è", "sono", "era", "erano"))
PASSIVE_BEEN = frozenset(("stato", "stata", "stati", "state"))
_DATELINE = re.compile(r"^[A-ZÀ-Ý’' ]+\s+[–—-]\s+")


def _passive_triggers(words: list, lex: TriggerLexicon) -> list[Trigger]:
    """ "saranno destinati", "è stata approvata", "verrà convocato ufficialmente"."""
    hits = []
    for k, (a, _b, w) in enumerate(words):
        nxt = k + 1
        if w in PASSIVE_BE and nxt < len(words) and words[nxt][2] in PASSIVE_BEEN:
            nxt += 1
        elif w not in PASSIVE_FUTURE:
            continue
        for _a2, b2, w2 in words[nxt : nxt + 3]:
            if w2 in lex.passive:
                hits.append(Trigger(a, b2, w2, "passive"))
                break
    return hits


def _digest_triggers(s: str, words: list, lex: TriggerLexicon) -> list[Trigger]:
    """An item of a decision digest: "Stanziati 2 milioni ...", "Via libera al bando ..."."""
    m = _DATELINE.match(s)
    start = m.end() if m else len(s) - len(s.lstrip())
    low = s[start:].lower()
    for opener in lex.digest_openers:
        if low.startswith(opener):
            return [Trigger(start, start + len(opener), opener, "digest")]
    first = next(((a, b, w) for a, b, w in words if a >= start), None)
    if first and first[0] == start and s[start : start + 1].isupper() and first[2] in lex.passive:
        return [Trigger(first[0], first[1], first[2], "digest")]
    return []


def _phrase_triggers(s: str, words: list, lex: TriggerLexicon) -> list[Trigger]:
    hits = []
    low = s.lower()
    for a, _b, w in words:
        for ph in lex.phrase_first.get(w, ()):
            e = a + len(ph)
            if low.startswith(ph, a) and (e >= len(low) or not low[e].isalnum()):
                hits.append(Trigger(a, e, ph, "phrase"))
                break
    return hits


# -- blockers -------------------------------------------------------------------------

_UNTIL_NOT = re.compile(
    r"\b(finché|finchè|fino a quando|fin quando|fino a che|fintanto che|fin tanto che|"
    r"a meno che|prima che)\s+non\b",
    re.IGNORECASE,
)
_MEETING = re.compile(
    r"^\s*che\s+(?:[\wà-ù’']+\s+){0,6}?(?:(?:tornerà|torneranno)\s+a\s+riunirsi|"
    r"si\s+riunir(?:à|anno)|si\s+terrà\s+(?:una|la)\s+seduta)\b",
    re.IGNORECASE,
)
_WANT_THAT = re.compile(r"\bvogliamo che\b|\bvorremmo\b", re.IGNORECASE)


def _conditional(s, t, clause, lex) -> bool:
    return bool(lex.conditional.search(s[clause.start : t.start]))


def _request(s, t, clause, lex) -> bool:
    return bool(lex.request.search(s[clause.start : t.start]))


def _negation_or_modal(s, t, clause, lex) -> bool:
    before = s[clause.start : t.start]
    near = " ".join(_UNTIL_NOT.sub(r"\1", before).split()[-3:])
    return bool(lex.negation.search(near + " ") or lex.wish.search(near))


def _wish(s, t, clause, lex) -> bool:
    return bool(_WANT_THAT.search(s[clause.start : t.start]))


def _request_object(s, t, clause, lex) -> bool:
    return bool(lex.object_block.match(s[t.end : t.end + 40]))


def _event_logistics(s, t, clause, lex) -> bool:
    form = s[t.start : t.end].lower()
    if not ("organizz" in form or "present" in form or "promo" in form):
        return False
    return bool(lex.event_object.match(s[t.end : t.end + 60]))


def _scheduling(s, t, clause, lex) -> bool:
    return "annunci" in s[t.start : t.end].lower() and bool(_MEETING.match(s[t.end : clause.end]))


def _condition_after(s, t, clause, lex) -> bool:
    return bool(lex.conditional_after.search(s[t.end : clause.end]))


_AGENT_AFTER = re.compile(r"\b(?:da|dal|dalla|dallo|dall’|dall'|dai|dalle|dagli)\b", re.I)
_ADVERBIAL_OPENING = re.compile(
    r"^\W*(?:[A-ZÀ-Ý’' ]+\s+[–—-]\s+)?(?:(?:nella|nel|nello|negli|nelle|con|entro|da|dal|"
    r"dalla|durante|in|oggi|ieri|domani|inoltre|infine|anche|quindi|poi|già|intanto)\b[^,]*,?\s*)?$",
    re.IGNORECASE,
)
_SPEECH_FORMS = ("assicur", "garanti", "promess", "promett", "annunci", "conferm")
_FIRST_PERSON = re.compile(r"\b\w+(?:remo|rò|iamo|remmo)\b", re.IGNORECASE)


def _passive_split(s, t, clause, lex) -> bool:
    """ "Il resto delle risorse sarà ripartito ...", "3 milioni saranno destinati alle
    linee": a passive whose subject comes first describes how a measure is split; one
    whose subject follows ("Saranno destinati 4 milioni ...") or that names its agent
    ("sarà finanziata dalla Provincia") announces it."""
    if t.pattern != "passive" or _AGENT_AFTER.search(s[t.end : clause.end]):
        return False
    if lex.completive.search(s[: t.start]):
        return False  # "La Regione ricorda che ... saranno destinati": announced
    before = s[clause.start : t.start]
    return bool(re.search(r"\bche\s*$", before)) or not _ADVERBIAL_OPENING.match(before)


def _attribution_only(s, t, clause, lex) -> bool:
    """ "«... non sarà una scatola vuota», ha assicurato X": the speech verb of an
    attribution is a commitment only when the quote promises in the first person, and
    without a condition ("«Se i fondi arriveranno, apriremo ...», assicura X")."""
    form = s[t.start : t.end].lower()
    if clause.quoted or not any(f in form for f in _SPEECH_FORMS):
        return False
    close = max(s.rfind("»", 0, t.start), s.rfind("”", 0, t.start))
    if close < 0 or s[close + 1 : t.start].strip(" ,") not in ("", "ha", "hanno"):
        return False
    quote = s[:close]
    return not _FIRST_PERSON.search(quote) or bool(lex.conditional.search(quote))


_CONDITIONAL_MOOD = re.compile(r"\b\w+(?:rebbe|rebbero)\b", re.IGNORECASE)


def _conditional_mood(s, t, clause, lex) -> bool:
    """ "la società starebbe valutando di offrire ...": a conditional is a rumour or a
    wish, not a decision."""
    return bool(_CONDITIONAL_MOOD.search(s[clause.start : t.start]))


def _whoever(s, t, clause, lex) -> bool:
    """ "a chi accetta di lasciare il posto": whoever does it, nobody named commits."""
    return bool(re.search(r"\bchi\s+(?:\w+\s+)?$", s[clause.start : t.start], re.IGNORECASE))


def _impersonal(s, t, clause, lex) -> bool:
    """ "Si chiudono negozi ...": an impersonal "si" describes, nobody commits."""
    return t.pattern == "finite" and bool(re.search(r"\b[Ss]i\s+$", s[: t.start]))


def _relative_in_quote(s, t, clause, lex) -> bool:
    """ "«Ogni bottega che chiude ...»": a relative clause of a quote, in the third person."""
    return (
        clause.quoted
        and t.pattern == "finite"
        and bool(re.search(r"\bche\s+$", s[clause.start : t.start]))
        and not _FIRST_PERSON.search(s[t.start : t.end])
    )


BLOCKERS = (
    ("conditional", _conditional),
    ("request", _request),
    ("negation-or-modal", _negation_or_modal),
    ("wish", _wish),
    ("request-object", _request_object),
    ("event-logistics", _event_logistics),
    ("scheduling", _scheduling),
    ("condition-after", _condition_after),
    ("passive-split", _passive_split),
    ("attribution-only", _attribution_only),
    ("impersonal", _impersonal),
    ("conditional-mood", _conditional_mood),
    ("whoever", _whoever),
    ("relative-in-quote", _relative_in_quote),
)


def blocker(s: str, t: Trigger, clause: Clause, lex: TriggerLexicon) -> str | None:
    """The name of the first blocker that applies to a trigger, or None."""
    for name, rule in BLOCKERS:
        if rule(s, t, clause, lex):
            return name
    return None
