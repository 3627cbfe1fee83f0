"""Commitments (impegni): who decided, allocated, promised or announced what, per sentence.

There is no dependency parser in the project's pipeline, so the rule is a documented
heuristic over sentences, the actors found by `sentinella_actors_sites` and the verb
lexicon in data/commitment_verbs.json:

1. Trigger. A sentence is a candidate when it contains a commitment form: a lexicon verb
   as past participle after "ha/hanno/abbiamo/ho" (up to two words between: "ha approvato
   oggi"), in the present (3rd person; 1st plural) or future, a future-only verb in the
   future ("presenteremo", "partiranno"), or a fixed phrase ("mette a disposizione",
   "si impegna a", "intende", "primo stanziamento", "saranno stanziati"), or "la decisione
   di <X> di chiudere/trasferire...", or filing a bill ("hanno depositato una proposta di
   legge"). A signing participle without auxiliary ("l'accordo firmato dalla sindaca X e dal
   direttore Y") gives one commitment per agent, even in a "Lo prevede ..." sentence.
2. Blockers, checked in the clause of the trigger (the stretch between quotation marks,
   semicolons and colons): a conditional before it ("se ", "qualora", "nel caso in
   cui"), a negation or modal right before it ("non", "potrà", "possiamo"), a request or
   a wish before it ("chiede", "auspica", "vogliamo che"), a request as its object
   ("ha presentato una richiesta"). A "non" in the complement ("si impegna a non") or in a
   time clause ("finché non avremo garanzie, manterremo") does not block; announcing that
   an assembly will meet is scheduling. Sentences opening with a reference back ("Lo ha
   annunciato", "La decisione è stata", "La delibera, ...") or background ("Già nel")
   are skipped; past passives ("è stata approvata") are never triggers.
3. Actor. Inside a quotation «...»: the speaker named in the attribution ("», ha detto
   Cirio"), else the last speaker (quotes continue across sentences), else the person
   last named before. Outside: the first actor unit of the sentence before the trigger
   (a person with his office phrase, an organisation, an organ standing for its
   institution, "la Regione", an office mention such as "l'assessore" resolved to the
   person holding it), else the first one after it; "Il documento impegna..." takes the
   actor of the previous commitment; "l'azienda"/"la multinazionale"/"il consorzio" the
   company the text is about; a distinctive first word of a longer organisation name
   ("Telecontact" for "Telecontact Italia") that organisation; "Le segreterie di X, Y e Z"
   each of X, Y, Z; a relative clause after an apposition ("X, la società ... che ha
   comunicato") X.
4. One commitment per sentence and actor; the amount is the first money amount of the
   sentence, the sites those inside it, the purpose a few words after the trigger.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from sentinella.extractors import lexicon
from sentinella.extractors.lexicon import text_of
from sentinella.facts import Commitment

QUOTE_OPEN, QUOTE_CLOSE = "«“", "»”"
DETERMINERS = {
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
}


def _forms(
    verb: str, future_only: bool, past_ok: bool = False, isc: bool = False
) -> tuple[set, set]:
    """(finite forms, past participles) of a regular Italian verb."""
    finite, parts = set(), set()
    stem, ending = verb[:-3], verb[-3:]
    if ending == "are":
        fstem = stem
        if stem.endswith(("c", "g")):
            fstem = stem + "h"
        elif stem.endswith(("ci", "gi")):
            fstem = stem[:-1]
        fut = [fstem + x for x in ("erà", "eranno", "eremo", "erò")]
        pres = [stem + "a", stem + "ano", stem + ("amo" if stem.endswith("i") else "iamo")]
        if stem.endswith(("c", "g")):
            pres[-1] = stem + "hiamo"
        part = stem + "at"
    elif ending == "ere":
        fut = [stem + x for x in ("erà", "eranno", "eremo", "erò")]
        pres = [stem + "e", stem + "ono", stem + "iamo"]
        part = stem + "ut"
    else:  # -ire
        fut = [stem + x for x in ("irà", "iranno", "iremo", "irò")]
        pres = ([stem + "isce", stem + "iscono"] if isc else [stem + "e", stem + "ono"]) + [
            stem + "iamo"
        ]
        part = stem + "it"
    finite.update(fut)
    if not future_only:
        finite.update(pres)
    if not future_only or past_ok:
        parts.update(part + x for x in "oaie")
    return finite, parts


@lru_cache(maxsize=1)
def tables() -> dict:
    lex = lexicon.commitment_lexicon()
    fut_only = set(lex["future_only"])
    past_ok = set(lex.get("past_ok", ()))
    isc = set(lex.get("isc_verbs", ()))
    finite, parts = set(), set()
    for v in lex["verbs"]:
        f, p = _forms(v, v in fut_only, v in past_ok, v in isc)
        finite |= f
        if v in lex["participles"] and p:
            stem = lex["participles"][v][:-1]
            p = {stem + x for x in "oaie"}
        parts |= p
        finite |= set(lex["irregular_forms"].get(v, ()))
    for forms in lex["irregular_forms"].values():
        finite |= set(forms)
    finite = {f for f in finite if " " not in f and len(f) > 3} - set(lex.get("not_verbs", ()))
    aux = r"(?:ha|hanno|abbiamo|ho|avete)"
    past = re.compile(
        rf"\b{aux}\s+(?:[a-zà-ù’']+\s+){{0,2}}?({'|'.join(sorted(parts, key=len, reverse=True))})\b",
        re.IGNORECASE,
    )
    fin = re.compile(rf"\b({'|'.join(sorted(finite, key=len, reverse=True))})\b", re.IGNORECASE)
    phrases = re.compile(
        r"\b("
        + "|".join(re.escape(p) for p in sorted(lex["phrases"], key=len, reverse=True))
        + r")",
        re.IGNORECASE,
    )
    decision = re.compile(
        rf"\b(?:{'|'.join(lex['decision_nouns'])})\b(?:\s+\S+){{0,5}}?\s+di\s+"
        rf"(?:{'|'.join(lex['decision_verbs'])})\b",
        re.IGNORECASE,
    )
    speech = re.compile(r"\b(?:(?:ha|hanno)\s+(?:\w+\s+)?)?(" + "|".join(lex["speech"]) + r")\b")
    b = lex["blockers"]

    def alt(words):
        return "|".join(re.escape(w.strip()) for w in words)

    return {
        "past": past,
        "finite": fin,
        "phrases": phrases,
        "decision": decision,
        "speech": speech,
        "finite_set": frozenset(f.lower() for f in finite),
        "part_set": frozenset(parts),
        "phrase_first": _phrase_index(lex["phrases"]),
        "phrase_probe": re.compile(
            r"(?i)\b(?:"
            + "|".join(sorted({re.escape(p.split()[0]) for p in lex["phrases"]}))
            + r")\b"
        ),
        "conditional_after": re.compile(
            rf"\b(?:{alt(b.get('conditional_after', []))})\b", re.IGNORECASE
        ),
        "conditional": re.compile(rf"(?:^|[\s«“,(])(?:{alt(b['conditional'])})\b", re.IGNORECASE),
        "negation": re.compile(rf"\b(?:{alt(b['negation'])})\b", re.IGNORECASE),
        "request": re.compile(rf"\b(?:{alt(b['request'])})\b", re.IGNORECASE),
        "wish": re.compile(rf"\b(?:{alt(b['wish'])})\b", re.IGNORECASE),
        "background": re.compile(rf"^(?:\W*)(?:{alt(b['past_background'])})", re.IGNORECASE),
        "reference_back": re.compile(
            rf"^\W*(?:{alt(lex['reference_back'])}|(?:lo|li|la|le) (?:ha|hanno) "
            rf"(?:\w+ )?(?:annunciat|dett|dichiarat|spiegat|comunicat|res[oa] not|illustrat|"
            rf"presentat|ricordat|sottolineat|confermat)\w*)",
            re.IGNORECASE,
        ),
        "document": re.compile(rf"^\W*(?:{alt(lex['document_subjects'])})\b", re.IGNORECASE),
        "object_block": re.compile(
            rf"^\s*(?:\w+\s+){{0,2}}?(?:una|un|la|le|l’|l'|un’|un')?\s*(?:{alt(lex['object_blockers'])})\b",
            re.IGNORECASE,
        ),
        "company": re.compile(
            r"\b(?:l’|l'|la\s+|il\s+|della\s+|dalla\s+|dell’|dell'|del\s+|dal\s+)"
            r"(?:azienda|multinazionale|società|gruppo|impresa|consorzio)\b",
            re.IGNORECASE,
        ),
        "generic_subject": re.compile(
            r"^\W*(?:il|lo|la|l’|l'|i|gli|le)\s*(?:sindacat\w+|aziend\w+|societ\w+|"
            r"grupp\w+|impres\w+|associazion\w+|lavorat\w+|dipendent\w+|"
            r"consiglier\w+|sindac\w+|assessor\w+)\b",
            re.IGNORECASE,
        ),
        "announced_noun": re.compile(
            r"\b(?:ha|hanno)\s+(?:\w+\s+){0,2}?(?:comunicato|ufficializzato|confermato|notificato|formalizzato)\s+"
            r"(?:[\wà-ù’']+\s+){0,3}?(?:la chiusura|il licenziamento|i licenziamenti|l’apertura|l'apertura|"
            r"l’assunzione|l'assunzione|l’avvio|l'avvio|la cassa integrazione|il trasferimento|"
            r"lo stanziamento|la cessione|la delocalizzazione|gli esuberi|\d+ esuberi|l’intenzione|l'intenzione)\b",
            re.IGNORECASE,
        ),
        "generic_org": re.compile(
            r"(?i)(?:" + "|".join(re.escape(k) for k in lex.get("generic_subjects", {})) + r")\b"
        ),
        "event_object": re.compile(
            rf"^\s*(?:[\wà-ù’']+\s+){{0,3}}?(?:{alt(lex.get('event_objects', []))})\b",
            re.IGNORECASE,
        ),
        "clitic_back": re.compile(r"^\W*(?:lo|la|li|le)\s+(?:ha|hanno)\s+\w+", re.IGNORECASE),
        "according_to": re.compile(
            r"\bquanto\s+(?:annunciato|dichiarato|comunicato|spiegato|riferito|reso noto|"
            r"anticipato|confermato)\s+(?:da|dal|dalla|dall’|dall'|dai|dalle)\b",
            re.IGNORECASE,
        ),
        "completive": re.compile(
            r"\b(?:" + "|".join(lex["speech"]) + r")\b(?:\s+[a-zà-ù]+){0,2}?\s+che\b"
        ),
        "head": re.compile(
            r"\b(?:[Ll]a|[Ii]l|[Ll]’|[Ll]'|[Dd]alla|[Dd]al|[Dd]ella|[Dd]ell’|[Dd]ell'|[Aa]lla|[Aa]ll’|[Aa]ll')\s*"
            r"(Fondazione|Agenzia|Università|Azienda|Camera|Consorzio|Unione|Associazione|"
            r"fondazione|agenzia|università|consorzio|cooperativa|"
            r"Federazione|Prefettura|Procura|Società|Cooperativa|Compagnia|Banca|Asl|ASL|Atc|ATC)\b"
            r"(?!\s+(?:di|del|della|dell|dei|delle|degli|[A-Z]))"
        ),
        "regione": re.compile(r"\b(?:[Ll]a|[Dd]alla|[Dd]ella|[Aa]lla)\s+Regione\b(?!\s+[A-Z])"),
        "comune": re.compile(r"\b(?:[Ii]l|[Dd]al|[Dd]el|[Aa]l)\s+Comune\b(?!\s+di)"),
    }


# "hanno depositato in Consiglio regionale una proposta di legge": filing a bill or an
# amendment is an undertaking (an interrogazione or an esposto is a request, and is not here)
_FILED_BILL = re.compile(
    r"\b(?:ha|hanno|abbiamo)\s+(?:\w+\s+){0,2}?(?:depositato|depositata)\s+(?:[\wà-ù’']+\s+){0,4}?"
    r"(?:una\s+proposta\s+di\s+legge|un\s+disegno\s+di\s+legge|(?:un|gli|alcuni)\s+emendament[oi])\b",
    re.IGNORECASE,
)
_DELIM = re.compile(r"[«“»”;:]")


def _phrase_index(phrases) -> dict:
    """{first word: [phrases, longest first]} for the fixed phrases of the lexicon."""
    out: dict = {}
    for ph in sorted({p.lower() for p in phrases}, key=len, reverse=True):
        first = re.match(r"[\wà-ùÀ-Ù]+", ph)
        if first:
            out.setdefault(first.group(0), []).append(ph)
    return out


def _clauses(text: str) -> list[tuple[int, int, bool]]:
    """Stretches between quotation marks and semicolons/colons: (start, end, in_quote)."""
    out = []
    marks = [(m.start(), m.group(0)) for m in _DELIM.finditer(text)]
    # a sentence that closes a quotation it did not open continues an earlier quote
    first = next((ch for _, ch in marks if ch in QUOTE_OPEN or ch in QUOTE_CLOSE), None)
    depth = 1 if first is not None and first in QUOTE_CLOSE else 0
    start = 0
    for i, ch in marks:
        if i > start:
            out.append((start, i, depth > 0))
        if ch in QUOTE_OPEN:
            depth += 1
        elif ch in QUOTE_CLOSE:
            depth = max(0, depth - 1)
        start = i + 1
    if start < len(text):
        out.append((start, len(text), depth > 0))
    return out


_WORD = re.compile(r"[\wà-ùÀ-Ù]+")
_AUX = frozenset(("ha", "hanno", "abbiamo", "ho", "avete"))


def _triggers(s: str, T: dict) -> list[tuple[int, int, str]]:
    """Commitment forms in a sentence: (start, end, form). Word forms are looked up in
    sets (fast); fixed phrases and noun constructions use regular expressions."""
    hits = []
    words = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(s)]
    finite, parts = T["finite_set"], T["part_set"]
    for k, (a, b, w) in enumerate(words):
        if w in _AUX:
            for a2, b2, w2 in words[k + 1 : k + 4]:
                if w2 in parts:
                    hits.append((a, b2, w2))
                    break
        elif w in finite:
            prev = words[k - 1][2] if k else ""
            if prev in DETERMINERS and s[words[k - 1][1] : a].strip() in ("", "’", "'"):
                continue  # "la delibera", "una firma": a noun, not a verb
            hits.append((a, b, w))
    first = T["phrase_first"]
    low = None
    for a, b, w in words:
        if w in first:
            if low is None:
                low = s.lower()
            for ph in first[w]:
                e = a + len(ph)
                if low.startswith(ph, a) and (e >= len(low) or not low[e].isalnum()):
                    hits.append((a, e, ph))
                    break
    for m in T["announced_noun"].finditer(s):
        hits.append((m.start(), m.end(), "comunicato"))
    for m in _FILED_BILL.finditer(s):
        hits.append((m.start(), m.end(), "depositato"))
    for m in T["decision"].finditer(s):
        k = s.rfind(" di ", m.start(), m.end())
        hits.append((k + 1, m.end(), "decisione"))
    return sorted(hits)


def _blocked(s: str, t0: int, t1: int, clause: tuple, T: dict) -> bool:
    c0, c1, _ = clause
    before = s[c0:t0]
    if T["conditional"].search(before):
        return True
    if T["request"].search(before):
        return True
    # the "non" of a time or exception clause before the verb ("Finché non avremo garanzie,
    # manterremo il presidio") negates that clause, not the commitment
    near = " ".join(_UNTIL_NOT.sub(r"\1", before).split()[-3:])
    if T["negation"].search(near + " ") or T["wish"].search(near):
        return True
    if re.search(r"\bvogliamo che\b|\bvorremmo\b", before, re.IGNORECASE):
        return True
    if T["object_block"].match(s[t1 : t1 + 40]):
        return True
    trig = s[t0:t1].lower()
    if ("organizz" in trig or "present" in trig or "promo" in trig) and T["event_object"].match(
        s[t1 : t1 + 60]
    ):
        return True  # "ha organizzato un convegno": event logistics
    if "annunci" in trig and _MEETING.match(s[t1:c1]):
        return True  # "ha annunciato che l'aula tornerà a riunirsi per una seduta": scheduling
    if T["conditional_after"].search(s[t1:c1]):
        return True  # "... 1,5 milioni, nel caso in cui il piano venga presentato"
    return False


_MEETING = re.compile(
    r"^\s*che\s+(?:[\wà-ù’']+\s+){0,6}?(?:(?:tornerà|torneranno)\s+a\s+riunirsi|"
    r"si\s+riunir(?:à|anno)|si\s+terrà\s+(?:una|la)\s+seduta)\b",
    re.IGNORECASE,
)


_UNTIL_NOT = re.compile(
    r"\b(finché|finchè|fino a quando|fin quando|fino a che|fintanto che|fin tanto che|"
    r"a meno che|prima che)\s+non\b",
    re.IGNORECASE,
)


class CommitmentFinder:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        facts = doc._.sentinella
        if facts is None or "persons" not in facts:
            return doc
        facts["commitments"] = find_commitments(doc, facts)
        doc.user_data.pop("sentinella_tokens", None)  # per-document caches of the rules
        doc.user_data.pop("sentinella_text", None)
        return doc


def _units(doc: Doc, facts: dict) -> list[tuple[int, int, str, str]]:
    """Actor units as (start_char, end_char, actor name, kind)."""
    T = tables()
    units = []
    tok_char = lambda s, e: (doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text))
    for p in facts["persons"]:
        for s, e in p.mentions:
            a, b = tok_char(s, e)
            units.append((a, b, p.name, "person"))
    for g in facts["groups"]:
        for s, e in g["mentions"]:
            a, b = tok_char(s, e)
            units.append((a, b, g["name"], "organization"))
    persons = facts["persons"]
    for om in facts["office_mentions"]:
        if om.person is not None:
            a, b = tok_char(om.start, om.start + 1)  # the office word ("l'assessore")
            units.append((a, b, persons[om.person].name, "person"))
    for o in facts["organs"]:
        if o["institution"]:
            units.append((o["start"], o["end"], o["institution"], "organization"))
    ctx = facts["context"]
    for m in re.finditer(r"\b[Ll]a Città metropolitana\b(?! di)", text_of(doc)):
        units.append(
            (
                m.start(),
                m.end(),
                ctx.get("metro") or "Città metropolitana di Torino",
                "organization",
            )
        )
    for m in T["regione"].finditer(text_of(doc)):
        units.append((m.start(), m.end(), ctx["region"], "organization"))
    if ctx.get("city"):
        for m in T["comune"].finditer(text_of(doc)):
            units.append((m.start(), m.end(), ctx["city"], "organization"))
    # "la Fondazione", "l'Agenzia": the one organisation of the text with that head word
    for m in T["head"].finditer(text_of(doc)):
        head = m.group(1).lower()
        named = [g["name"] for g in facts["groups"] if g["name"].lower().startswith(head)]
        if len(set(named)) == 1:
            units.append((m.start(1), m.end(1), named[0], "organization"))
    # "il sindacato", "l'associazione": the one union / association of the text
    kinds = _org_kinds(facts)
    for m in T["generic_org"].finditer(text_of(doc)):
        kind = GENERIC_SUBJECTS[m.group(0).lower()]
        named = list(dict.fromkeys(n for n, k in kinds if k == kind))
        if len(named) == 1:
            units.append((m.start(), m.end(), named[0], "organization"))
    units += _short_form_units(text_of(doc), facts, units)
    company = _company(facts)
    if company:
        for m in T["company"].finditer(text_of(doc)):
            if m.group(0).lower().rstrip().endswith("consorzio") and any(
                m.start() <= u[0] < m.end() for u in units
            ):
                continue  # "il consorzio" already resolved to the one Consorzio ... of the text
            units.append((m.start(), m.end(), company, "organization"))
    units.sort()
    # an organisation inside a person's office phrase ("il presidente della Regione
    # Piemonte Alberto Cirio") belongs to the person's unit
    out = []
    for u in units:
        out.append(u)
    return out


_NOT_SHORT = frozenset(
    (
        "regione",
        "comune",
        "città",
        "citta",
        "consiglio",
        "provincia",
        "giunta",
        "ministero",
        "azienda",
        "fondazione",
        "agenzia",
        "università",
        "camera",
        "unione",
        "associazione",
        "federazione",
        "consorzio",
        "società",
        "gruppo",
        "banca",
        "cassa",
        "istituto",
        "ente",
        "centro",
        "ufficio",
        "autorità",
        "corte",
        "tribunale",
        "prefettura",
        "procura",
        "partito",
        "movimento",
        "compagnia",
        "cooperativa",
        "confederazione",
        "direzione",
        "segreteria",
        "coordinamento",
        "osservatorio",
        "comitato",
        "servizio",
        "polo",
        "parco",
        "museo",
        "teatro",
        "ospedale",
        "scuola",
        "liceo",
        "porto",
        "aeroporto",
        "stazione",
        "nuovo",
        "nuova",
        "san",
        "santa",
        "santo",
        "italia",
        "piemonte",
        "torino",
        "fratelli",
        "forza",
        "lega",
        "sinistra",
        "alleanza",
        "lista",
        "noi",
        "casa",
        "villa",
        "palazzo",
    )
)


def _short_form_units(text: str, facts: dict, units: list) -> list:
    """'Telecontact' for 'Telecontact Italia': the first word of a longer organisation
    name, used alone, when it is distinctive (not a generic head word such as 'Regione')
    and begins the name of only one organisation of the text."""
    out = []
    firsts: dict = {}
    taken = {w.lower() for st in facts.get("sites") or [] for w in st.name.split()}
    taken |= {w.lower() for p in facts["persons"] for w in p.name.split()}
    for g in facts["groups"]:
        words = g["name"].split()
        if len(words) < 2:
            continue
        w = words[0]
        if (
            len(w) < 4
            or not w[0].isupper()
            or w.lower() in _NOT_SHORT | taken
            or not re.fullmatch(r"[\wÀ-ÿ-]+", w)
        ):
            continue
        firsts.setdefault(w, set()).add(g["name"])
    for w, names in firsts.items():
        if len(names) != 1:
            continue
        name = next(iter(names))
        for m in re.finditer(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text):
            if any(a <= m.start() < b for a, b, _, _ in units):
                continue  # part of a full mention already
            out.append((m.start(), m.end(), name, "organization"))
    return out


GENERIC_SUBJECTS = {
    k.lower(): v for k, v in lexicon.commitment_lexicon().get("generic_subjects", {}).items()
}


def _org_kinds(facts: dict) -> list[tuple[str, str]]:
    """(name, 'union' | 'association' | 'other') for the organisations of a text."""
    from sentinella.extractors.actors import _gazetteer

    _, prefixes, _ = _gazetteer()
    assoc = {w.lower() for w in prefixes["associations"]} | {
        "associazione",
        "unione",
        "federazione",
        "ance",
        "confederazione",
    }
    out = []
    for g in facts["groups"]:
        nm = g["name"]
        if re.search(r"(?i)\b(?:cgil|cisl|uil|ugl|usb|cub|fiom|fim|uilm)\b", nm):
            out.append((nm, "union"))
        elif nm.split()[0].lower() in assoc:
            out.append((nm, "association"))
        else:
            out.append((nm, "other"))
    return out


_INSTITUTION_WORDS = (
    "regione",
    "comune",
    "citta",
    "consiglio",
    "ministero",
    "provincia",
    "giunta",
    "governo",
    "unione",
    "corte",
    "dipartimento",
    "agenzia",
    "asl",
    "azienda",
    "partito",
    "lega",
    "fratelli",
    "movimento",
    "alleanza",
    "cgil",
    "cisl",
    "uil",
    "pd",
    "avs",
    "confindustria",
    "ance",
    "libera",
    "corecom",
    "finpiemonte",
)


def _company(facts: dict) -> str | None:
    """The company the text is about: the most mentioned non-institutional organisation."""
    from sentinella.extractors.actors import _norm

    best = None
    for g in facts["groups"]:
        nm = _norm(g["name"])
        if any(nm.startswith(w) or f" {w}" in nm for w in _INSTITUTION_WORDS):
            continue
        if best is None or len(g["mentions"]) > len(best["mentions"]):
            best = g
    return best["name"] if best else None


def find_commitments(doc: Doc, facts: dict) -> list[Commitment]:
    T = tables()
    text = text_of(doc)
    units = _units(doc, facts)
    persons = {p.name: p for p in facts["persons"]}
    orgs = {g["name"] for g in facts["groups"]}
    amounts = facts.get("amounts") or []
    sites = facts.get("sites") or []
    out: list[Commitment] = []
    last_speaker: str | None = None
    last_person: str | None = None
    last_actor: str | None = None
    for s0, s1 in sentence_spans(doc):
        s = text[s0:s1]
        clauses = _clauses(s)
        sent_units = [
            (a - s0, b - s0, name, kind) for a, b, name, kind in units if s0 <= a and b <= s1
        ]
        # who speaks in this sentence: "», ha detto X" / "X: «" / "annuncia X"
        speaker = _attribution(s, sent_units, T)
        quote_only = bool(s.strip()) and s.strip()[0] in QUOTE_OPEN and speaker is None
        if speaker is None and any(q for _, _, q in clauses):
            if re.search(r"»\s*,?\s*(?:ha|hanno)\s+\w+\s*[.,]", s) or quote_only:
                speaker = last_speaker or last_person
        if "\n" not in s and not re.search(r"[.!?»”\"…)]\s*$", s):
            continue  # a headline or a list item restates the body; its sentence counts there
        if (
            out
            and out[-1].end <= s0
            and T["clitic_back"].match(s)
            and text[out[-1].end : s0].strip() == ""
        ):
            continue  # "Lo ha deciso la Giunta ...": who took the decision just reported
        found = (
            _sentence_actors(
                s, clauses, sent_units, speaker, last_speaker, last_person, last_actor, T
            )
            if not (T["reference_back"].search(s) or T["background"].search(s))
            else []
        )
        if not T["background"].search(s):
            # "l'accordo firmato dalla sindaca X e dal direttore Y": each signer undertakes it
            found += [
                (a, trig)
                for a, trig in _signers(s, clauses, sent_units)
                if a not in [x for x, _ in found]
            ]
        for actor, trig in found:
            org = None
            if actor in persons:
                org = persons[actor].organization
            elif actor in orgs:
                org = actor
            amount = next((a.value for a in amounts if s0 <= a.start < s1), None)
            sent_sites = tuple(dict.fromkeys(st.name for st in sites if s0 <= st.start < s1))
            out.append(
                Commitment(
                    actor=actor,
                    sentence=s,
                    start=s0,
                    end=s1,
                    organization=org,
                    amount=amount,
                    purpose=_purpose(s, trig[1]),
                    sites=sent_sites,
                    verb=trig[2],
                )
            )
            last_actor = actor
        if speaker:
            last_speaker = speaker
        elif not any(q for _, _, q in clauses):
            last_speaker = None
        ppl = [u for u in sent_units if u[3] == "person"]
        if ppl:
            last_person = ppl[-1][2] if not speaker else speaker
    return out


_COLLECTIVE = re.compile(
    r"^\W*(?:(?:le|la|i|gli|il|l’|l')\s*)?(?:segreteri[ae]|vertici|rappresentanti|rappresentanze|delegati|delegazioni?|"
    r"sigle|dirigenti|direzion[ei]|rsu|organizzazioni sindacali|federazioni|segretari|coordinament[oi])"
    r"(?:\s+(?:regional[ei]|provincial[ei]|territorial[ei]|nazional[ei]|general[ei]|aziendal[ei]|sindacal[ei]))?"
    r"\s+(?:di|del|della|dell’|dell'|dei|delle|degli)\s*$",
    re.IGNORECASE,
)
_COORD = re.compile(r"^\s*(?:,|e|ed)\s*(?:il|la|lo|l’|l'|i|gli|le)?\s*$")
_SPEECH_AFTER = re.compile(
    r"^\s*,\s*(?:\w+\s+)?(?:ha|hanno)\s+(?:\w+\s+)?(?:annunciato|detto|dichiarato|spiegato|"
    r"assicurato|precisato|confermato|garantito|promesso|comunicato|reso noto)\b|"
    r"^\s*,\s*(?:annuncia|dice|dichiara|spiega|assicura|conferma|garantisce|promette)\b"
)


def _sentence_actors(s, clauses, units, speaker, last_speaker, last_person, last_actor, T):
    """[(actor, trigger)] for one sentence: one per actor (see the module docstring)."""
    out = []
    prev_end = None
    for t0, t1, verb in _triggers(s, T):
        clause = next((c for c in clauses if c[0] <= t0 < c[1]), (0, len(s), False))
        if _blocked(s, t0, t1, clause, T):
            continue
        actors = []
        if clause[2]:  # inside a quotation: the speaker
            a = speaker or last_speaker or last_person
            actors = [a] if a else []
        elif prev_end is not None:
            # a later clause commits only with a subject of its own: ", il Comune metterà"
            mid = [
                u for u in units if prev_end <= u[0] and u[1] <= t0 and not _in_quote(u, clauses)
            ]
            if mid:
                u = mid[-1]
                lead = s[prev_end : u[0]]
                if (
                    "," in lead
                    and len(lead[lead.rfind(",") + 1 :].split()) <= 2
                    and "," not in s[u[1] : t0]
                    and len(s[u[1] : t0].split()) <= 3
                ):
                    actors = [u[2]]
            if not actors:
                # "..., Telecontact, la società che il 12 novembre ha comunicato la chiusura"
                ante = _relative_antecedent(s, t0, units, clauses)
                if ante is not None and ante[0] >= prev_end:
                    actors = [ante[2]]
        elif T["document"].search(s) and last_actor:
            actors = [last_actor]
        else:
            # "..., ha annunciato il presidente Mario Rossi": the announcer
            tail = s[t1:]
            for m in re.finditer(r",", tail):
                if _SPEECH_AFTER.match(tail[m.start() :]):
                    after = [u for u in units if u[0] >= t1 + m.start() and u[3] == "person"]
                    if after and after[0][0] - (t1 + m.start()) < 90:
                        actors = [after[0][2]]
                    break
            acc = T["according_to"].search(s[:t0])
            if not actors and acc:
                # "Secondo quanto annunciato dal presidente ... Mario Rossi, l'ente stanzierà"
                named = [u for u in units if u[0] >= acc.end() and u[1] <= t0 and u[3] == "person"]
                named = named or [u for u in units if u[0] >= acc.end() and u[1] <= t0]
                if named:
                    actors = [named[0][2]]
            comp = T["completive"].search(s[:t0])
            if not actors and comp:
                # "X ha annunciato/ricorda che ...": X
                before = [u for u in units if u[1] <= comp.start() and not _in_quote(u, clauses)]
                pick = _first_unit(before)
                if pick:
                    actors = [pick[2]]
            rel = re.search(r",\s*che\s+(?:\w+\s+)?$", s[max(0, t0 - 25) : t0])
            if not actors:
                ante = _relative_antecedent(s, t0, units, clauses)
                if ante is not None:
                    actors, rel = [ante[2]], None
            if not actors and rel:
                # a relative clause ("..., che ha finanziato"): its subject is the word before "che"
                k = max(0, t0 - 25) + rel.start()
                prev = [
                    u for u in units if u[1] <= k and k - u[1] <= 3 and not _in_quote(u, clauses)
                ]
                if not prev:
                    continue
                actors = [prev[-1][2]]
            if not actors:
                # the subject sits in the trigger's own clause (after a colon or semicolon, a new one)
                in_clause = [
                    u
                    for u in units
                    if clause[0] <= u[0] and u[1] <= t0 and not _in_quote(u, clauses)
                ]
                before = _subject_candidates(s, in_clause)
                if in_clause and _COLLECTIVE.match(s[clause[0] : in_clause[0][0]]):
                    before = in_clause  # "Le segreterie di X, Y e Z": the named organisations
                after = [
                    u
                    for u in units
                    if u[0] >= t1
                    and not _in_quote(u, clauses)
                    and (verb in NOMINAL or not _after_preposition(s, u[0]))
                ]
                if not before and T["generic_subject"].match(s[:t0]):
                    after = []  # "Il sindacato ha proclamato ... della Regione": not the Regione
                pick = _first_unit(before) or (after[0] if after else None)
                if pick:
                    actors = [pick[2]]
                    k = before.index(pick) if pick in before else None
                    while (
                        k is not None
                        and k + 1 < len(before)
                        and _COORD.match(s[before[k][1] : before[k + 1][0]])
                    ):
                        k += 1
                        actors.append(before[k][2])
        for a in actors:
            if a and a not in [x for x, _ in out]:
                out.append((a, (t0, t1, verb)))
        if out:
            prev_end = t1
            if (
                clause[2]
                or re.match(r"\s*(?:inoltre\s+)?che\b", s[t1 : t1 + 12])
                or verb in ("annunciato", "ha annunciato")
            ):
                break
    return out


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


def _relative_antecedent(s: str, t0: int, units, clauses):
    """The organisation or person a relative clause ("..., che [il 12 novembre] ha deciso")
    refers to: the unit right before the comma, or the one an apposition describes
    ("Telecontact, la società di call center che ...")."""
    head = s[max(0, t0 - 60) : t0]
    m = _REL_CHE.search(head)
    if not m:
        return None
    k = max(0, t0 - 60) + m.start()
    prev = [u for u in units if u[1] <= k and not _in_quote(u, clauses)]
    if not prev:
        return None
    u = prev[-1]
    gap = s[u[1] : k]
    if (m.group(1) and len(gap) <= 3) or _APPOSITION.match(gap):
        return u
    if (
        re.match(r"^(?:\s+(?:di|del|della|dell’|dell'|dei|delle|degli)\s+[\wà-ù’' ]{1,30})?$", gap)
        and tables()["company"].match(s[u[0] : u[1]])
        and len(prev) > 1
        and _APPOSITION.match(s[prev[-2][1] : u[1]] + gap)
    ):
        return u  # "Telecontact, la società di call center che ...": "la società" resolved to it
    return None


def _signers(s: str, clauses, units) -> list:
    """Agents of a participle of signing without auxiliary ("l'accordo firmato dalla
    sindaca X e dal direttore generale di Y Z"): one actor per agent phrase. A past
    passive ("è stata sottoscritta da") restates a signing and does not count."""
    out = []
    for m in _SIGNED_BY.finditer(s):
        if (
            _PASSIVE_AUX.search(s[: m.start()])
            or _in_quote((m.start(),), clauses)
            or tables()["conditional"].search(s[: m.start()])
        ):
            continue
        if not _SIGNED_DOC.search(s[: m.start()]):
            continue  # "una lettera firmata dal sindaco": not an undertaking
        rest = s[m.end() :]
        stop = re.search(
            r"[.;:«»“”()]|,(?!\s*(?:da|dal|dalla|dallo|dall’|dall'|dai|dalle|dagli)\b)", rest
        )
        stretch_end = m.end() + (stop.start() if stop else len(rest))
        bounds, pos = [], m.end()
        for sp in _AGENT_SPLIT.finditer(s, m.end(), stretch_end):
            bounds.append((pos, sp.start()))
            pos = sp.end()
        bounds.append((pos, stretch_end))
        for a, b in bounds:
            seg = [u for u in units if a <= u[0] and u[1] <= b]
            persons = [u for u in seg if u[3] == "person"]
            pick = persons[-1] if persons else (seg[0] if seg else None)
            if pick and pick[2] not in [x for x, _ in out]:
                out.append((pick[2], (m.start(), m.end(), m.group(0).split()[0].lower())))
    return out


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Sentence character spans without surrounding whitespace; an opening quotation mark
    left at the end of a sentence by the sentencizer moves to the next one."""
    text = text_of(doc)
    spans = []
    carry = None
    for sent in doc.sents:
        a, b = sent.start_char, sent.end_char
        if carry is not None:
            a = carry
            carry = None
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a and text[b - 1] in QUOTE_OPEN:
            carry = b - 1
            b -= 1
            while b > a and text[b - 1].isspace():
                b -= 1
        while a < b and text[a].isspace():
            a += 1
        # a blank line always ends a sentence (headlines, datelines, list items)
        for part in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text[a:b]):
            p0, p1 = a + part.start(), a + part.end()
            while p1 > p0 and text[p1 - 1].isspace():
                p1 -= 1
            while p0 < p1 and text[p0].isspace():
                p0 += 1
            if p1 > p0:
                spans.append((p0, p1))
    if carry is not None and spans:
        spans[-1] = (spans[-1][0], len(text.rstrip()))
    return spans


PREPOSITIONS = {
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
}
NOMINAL = {
    "primo stanziamento",
    "nuovo stanziamento",
    "ulteriore stanziamento",
    "stanziamento di",
    "decisione",
}


def _office_after_preposition(s: str, pos: int) -> bool:
    """'Su proposta dell’assessora al Welfare Maurizio Marrone': the person is not the subject."""
    from sentinella.extractors.actors import _office_tables

    head = s[max(0, pos - 90) : pos]
    single = _office_tables()[0]
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


def _subject_candidates(s: str, units: list) -> list:
    """Units that can be a subject: not after a preposition, nor coordinated with one
    that is ("Insieme a FIM-CISL e UILM la FIOM ha proclamato": FIOM)."""
    out, prev, prev_out = [], None, False
    for u in units:
        excluded = _after_preposition(s, u[0]) or (
            u[3] == "person" and _office_after_preposition(s, u[0])
        )
        if (
            not excluded
            and prev is not None
            and prev_out
            and re.match(r"^\s*(?:e|ed)\s+\S*\s*$", s[prev[1] : u[0]])
        ):
            excluded = True
        if not excluded:
            out.append(u)
        prev, prev_out = u, excluded
    return out


def _after_preposition(s: str, pos: int) -> bool:
    """Whether the words right before `pos` are a preposition (+ article): not a subject."""
    head = s[max(0, pos - 20) : pos].lower()
    head = re.sub(r"(?:\b(?:il|lo|la|i|gli|le)|\bl[’'])\s*$", "", head.rstrip())
    words = re.findall(r"[\wà-ù’']+", head)
    if not words:
        return False
    last = words[-1]
    if last.endswith(("’", "'")):
        return last in PREPOSITIONS
    return last in PREPOSITIONS


def _in_quote(u, clauses) -> bool:
    return any(q and c0 <= u[0] < c1 for c0, c1, q in clauses)


def _first_unit(units):
    """The first actor unit; an organisation directly followed by a person in the same
    office phrase yields to the person ("il presidente della Regione Piemonte Alberto Cirio")."""
    if not units:
        return None
    first = units[0]
    if first[3] == "organization":
        for u in units[1:]:
            if u[3] == "person" and u[0] - first[1] <= 3:
                return u
    return first


def _attribution(s: str, units, T) -> str | None:
    """The speaker of the quotation(s) in a sentence, if the sentence names one."""
    close = max(s.rfind("»"), s.rfind("”"))
    if close >= 0:
        tail = s[close + 1 :]
        m = T["speech"].search(tail[:40])
        if m:
            after = [u for u in units if u[0] > close + m.start()]
            if after and after[0][0] - (close + m.end()) <= 60:
                return _first_unit(after)[
                    2
                ]  # "ha detto il segretario della FIOM Mario Rossi": the person
            return None
    opn = min([i for i in (s.find("«"), s.find("“")) if i >= 0], default=-1)
    if opn > 0:
        head = s[:opn]
        before = [u for u in units if u[1] <= opn]
        if before and re.search(r"[:,]\s*$", head):
            return before[-1][2]
    return None


def _purpose(s: str, pos: int) -> str:
    tail = s[pos:].strip(" ,")
    m = re.split(r"[.;:«»]|,\s+(?:che|mentre|con|e)\b", tail)
    words = m[0].split()
    return " ".join(words[:14])
