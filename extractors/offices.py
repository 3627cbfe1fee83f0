"""Office phrases (cariche): "la vicepresidente e assessora al Lavoro", "il sindaco di Asti".

The office words are data (data/offices.json: each office with its forms, its default
body and its plural forms; qualifiers such as "regionale", "delegato"). `OfficeTable`
reads them once; `read_office_phrase` reads the phrase that starts with an office word,
token by token, one named step per kind of token:

- a known person ends the phrase (for a plural office, a list of persons continues it:
  "le consigliere Giulia Marro e Alice Ravinale");
- an organisation or place after "di" is the body of the office ("sindaco di Asti");
  an organisation after "a" is a portfolio ("assessore alla Protezione civile");
- capitalised words are a run that may be the holder's name ("Endro Bevolo");
- qualifiers right after the office ("consigliere metropolitano delegato");
- a second office joined by "e" starts a chain ("vicepresidente e assessora al Lavoro");
- links, organ words and lower-case portfolio words continue the phrase ("alle
  politiche sociali", "per l’infanzia").

The persons component decides what the phrase gives to whom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc

from sentinella.extractors import lexicon

PREP_DI = frozenset(
    ("di", "del", "della", "dell’", "dell'", "dei", "degli", "delle", "d’", "d'", "dello")
)
PREP_A = frozenset(("al", "alla", "all’", "all'", "allo", "ai", "agli", "alle", "a", "ad"))
ARTICLES = frozenset(("il", "lo", "la", "l’", "l'", "i", "gli", "le"))
LINKS = PREP_DI | PREP_A | ARTICLES | {"e", "ed", ",", "per", "con", "in", "nel", "nella"}
LINKS |= {"sul", "sulla"}
ARTICLED_PREPS = frozenset(
    ("al", "alla", "allo", "ai", "agli", "alle", "all’", "all'", "l’", "l'", "la", "le", "il")
) | {"lo", "i", "gli"}
STOP_PUNCT = frozenset(("«", "»", ".", ";", ":", "(", ")", "!", "?", "—", "–", '"', "“", "”"))
MAX_PHRASE = 22  # tokens


@dataclass(frozen=True)
class OfficeHit:
    end: int  # token after the office words
    key: str  # canonical office ("assessore")
    plural: bool


class OfficeTable:
    """The office words of data/offices.json."""

    def __init__(self) -> None:
        data = lexicon.offices()
        self.single: dict[str, str] = {}  # form -> office key
        self.multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # first word -> forms
        for office, spec in data["offices"].items():
            for form in spec["forms"]:
                words = tuple(form.split())
                if len(words) == 1:
                    self.single[form] = office
                else:
                    self.multi.setdefault(words[0], []).append((words, office))
        for forms in self.multi.values():
            forms.sort(key=lambda f: -len(f[0]))
        self.plural = {
            f: office
            for office, forms in data.get("plurals", {}).items()
            for f in forms
            if f not in self.single
        }
        specs = data["offices"]
        self.masculine = {o: spec["forms"][0] for o, spec in specs.items()}
        self.feminine = {
            o: spec["forms"][min(1, len(spec["forms"]) - 1)] for o, spec in specs.items()
        }
        self.body = {o: spec.get("body") for o, spec in specs.items()}
        self.qualifiers = frozenset(data["qualifiers"])
        self.first_words = frozenset(self.single) | frozenset(self.multi) | frozenset(self.plural)

    def at(self, doc: Doc, i: int) -> OfficeHit | None:
        """The office whose words start at token i, if any."""
        low = doc[i].lower_
        if low not in self.first_words:
            return None
        for words, office in self.multi.get(low, ()):
            n = len(words)
            if i + n <= len(doc) and tuple(t.lower_ for t in doc[i : i + n]) == words:
                return OfficeHit(i + n, office, False)
        if low in self.single:
            return OfficeHit(i + 1, self.single[low], False)
        if low in self.plural:
            return OfficeHit(i + 1, self.plural[low], True)
        return None


@lru_cache(maxsize=1)
def office_table() -> OfficeTable:
    return OfficeTable()


@dataclass
class ChainLink:
    """One office of a phrase: "vicepresidente" and "assessora al Lavoro" are two."""

    key: str
    words: list[str]  # the office words as written
    plural: bool


@dataclass(frozen=True)
class Blocked:
    """A named organisation or place inside the text (token offsets)."""

    start: int
    end: int
    kind: str  # "org" | "site"


@dataclass
class OfficePhrase:
    start: int
    end: int
    chain: list[ChainLink]
    runs: list[list[int]] = field(default_factory=list)  # capitalised runs and known persons
    body: Blocked | None = None  # the body named after "di"
    portfolios: list[Blocked] = field(default_factory=list)  # organisations after "a"


class _Reader:
    """State of one office phrase being read (see the module docstring for the steps)."""

    def __init__(self, doc: Doc, i: int, hit: OfficeHit, sent_end: int, ctx: PhraseContext):
        self.doc, self.ctx, self.hit = doc, ctx, hit
        plural = hit.plural or (i > 0 and doc[i - 1].lower_ in ("le", "i", "gli"))
        self.cur = ChainLink(hit.key, [t.text for t in doc[i : hit.end]], plural)
        self.phrase = OfficePhrase(i, hit.end, [])
        self.run: list[int] = []
        self.in_domain = False
        self.prev_cap = False
        self.j = hit.end
        self.limit = min(sent_end, i + MAX_PHRASE)

    def read(self) -> OfficePhrase:
        steps = (
            self._person,
            self._blocked,
            self._capitalised,
            self._qualifier,
            self._office,
            self._link,
            self._domain_word,
        )
        while self.j < self.limit and self.doc[self.j].text not in STOP_PUNCT:
            outcome = None
            for step in steps:
                outcome = step()
                if outcome is not None:
                    break
            if outcome is not True:
                break
        self._flush()
        self.phrase.chain.append(self.cur)
        self.phrase.end = self.j
        return self.phrase

    def _flush(self) -> None:
        if self.run:
            self.phrase.runs.append(self.run)
            self.run = []

    def _person(self) -> bool | None:
        """A known person ends the phrase; a plural office continues with the next one."""
        span = self.ctx.person_at.get(self.j)
        if span is None:
            return None
        self._flush()
        self.phrase.runs.append(list(range(span[0], span[1])))
        self.j, self.prev_cap = span[1], True
        if self.cur.plural:
            self._skip_parenthesis()  # "Sergio Bartoli (Lega) e ..."
            nxt = self.j + 1
            if self.j < self.limit and self.doc[self.j].lower_ in ("e", ","):
                if nxt < self.limit and nxt in self.ctx.person_at:
                    self.j = nxt
                    return True
        return False

    def _skip_parenthesis(self) -> None:
        if self.j < self.limit and self.doc[self.j].text == "(":
            k = self.j
            while k < self.limit and self.doc[k].text != ")":
                k += 1
            if k < self.limit:
                self.j = k + 1

    def _blocked(self) -> bool | None:
        b = self.ctx.blocked.get(self.j)
        if b is None:
            return None
        self._flush()
        before = self.doc[max(b.start - 1, 0)].lower_
        if self.phrase.body is None and before in PREP_DI:
            self.phrase.body = b
        elif b.kind == "org" and before in PREP_A:
            self.phrase.portfolios.append(b)  # a portfolio, not a body
        self.j, self.prev_cap = b.end, False
        return True

    def _capitalised(self) -> bool | None:
        t = self.doc[self.j]
        if not (t.text[:1].isupper() and any(ch.isalpha() for ch in t.text)):
            return None
        if t.text in self.ctx.generic and self.doc[self.j - 1].lower_ in PREP_DI:
            self._flush()  # "la vicepresidente della Regione e assessora ...": a body
            self.j, self.prev_cap = self.j + 1, False
            return True
        after_comma = self.j > self.phrase.start + 1 and self.doc[self.j - 1].text == ","
        if t.text in self.ctx.function_caps and not self.prev_cap and after_comma:
            return None  # ", In ..." starts a new clause
        self.run.append(self.j)
        self.prev_cap = True
        self.j += 1
        return True

    def _qualifier(self) -> bool | None:
        self._flush()
        table = self.ctx.table
        if self.doc[self.j].lower_ not in table.qualifiers:
            return None
        if all(self.doc[k].lower_ in table.qualifiers for k in range(self.hit.end, self.j)):
            self.j += 1  # "consigliere metropolitano delegato", "direttore generale"
            return True
        return None

    def _office(self) -> bool | None:
        nxt = self.ctx.table.at(self.doc, self.j)
        if nxt is None:
            return None
        if self.j == self.hit.end and not self.cur.plural:
            # "consigliere segretario": one office in two words
            self.cur.words.extend(t.text for t in self.doc[self.j : nxt.end])
            self.j = nxt.end
            return True
        if self.doc[self.j - 1].lower_ in ("e", "ed") and not self.phrase.runs:
            self.phrase.chain.append(self.cur)  # "vicepresidente e assessora al Lavoro"
            self.cur = ChainLink(nxt.key, [t.text for t in self.doc[self.j : nxt.end]], nxt.plural)
            self.j, self.prev_cap = nxt.end, False
            return True
        return False

    def _link(self) -> bool | None:
        t = self.doc[self.j]
        low = t.lower_
        organ = low in self.ctx.organ_words
        if not (low in LINKS or low in self.ctx.table.qualifiers or organ or t.is_digit):
            return None
        if low in PREP_A or low in PREP_DI or organ or low == "per":
            self.in_domain = True  # "assessore alle politiche", "direttrice del centro"
        self.prev_cap = False
        self.j += 1
        return True

    def _domain_word(self) -> bool | None:
        """ "alle politiche sociali", "Difesa del suolo": lower-case words of a portfolio."""
        doc, j = self.doc, self.j
        t = doc[j]
        if not (t.is_lower and t.is_alpha and self.in_domain):
            return None
        if t.lower_ in self.ctx.not_domain:
            return None
        prev = doc[j - 1]
        if (
            prev.text[:1].isupper()
            or (prev.lower_ in PREP_DI and doc[j - 2].text[:1].isupper())
            or prev.lower_ in ARTICLED_PREPS
        ):
            self.prev_cap = False
            self.j += 1
            return True
        return None


@dataclass
class PhraseContext:
    """What the reader needs to know about the rest of the Doc."""

    table: OfficeTable
    blocked: dict[int, Blocked]  # token -> the organisation or place covering it
    person_at: dict[int, tuple[int, int]]  # token -> the known person covering it
    function_caps: frozenset[str]
    organ_words: frozenset[str]
    generic: frozenset[str]  # "Regione", "Comune": bodies named by their kind
    not_domain: frozenset[str]


def read_office_phrase(doc: Doc, i: int, sent_end: int, ctx: PhraseContext) -> OfficePhrase | None:
    """The office phrase that starts at token i, or None when no office word starts there."""
    hit = ctx.table.at(doc, i)
    if hit is None:
        return None
    return _Reader(doc, i, hit, sent_end, ctx).read()


def role_text(doc: Doc, phrase: OfficePhrase, name_tokens: set[int]) -> str:
    """The office phrase as lower-case text, without the holder's name and the named body."""
    toks = []
    body = phrase.body
    k = phrase.start
    while k < phrase.end and k not in name_tokens:
        if body and k == body.start - 1 and doc[k].lower_ in PREP_DI:
            k = body.end
            continue
        if body and body.start <= k < body.end:
            k = body.end
            continue
        toks.append(doc[k].text)
        k += 1
    while toks and (toks[-1] == "," or toks[-1].lower() in LINKS):
        toks.pop()
    return join_words(toks).lower()


def join_words(words) -> str:
    """Words joined as in Italian prose: no space after an elision or before a comma."""
    out = ""
    for w in words:
        if out and not out.endswith(("’", "'")) and w != ",":
            out += " "
        out += w
    return out
