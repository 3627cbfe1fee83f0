"""Italian money amounts: "3,7 milioni di euro", "€ 500.000", "500mila euro", ...

A small, pure parser (regular expressions and word tables, no spaCy). Three public
functions:

- `parse_number(s)`: an Italian-written number ("3,7", "500.000", "150.000,00",
  "dodici", "duemila", "mezzo") as a float.
- `find_amounts(text)`: every money amount in a text, in order, as `Amount`s with exact
  offsets (`text[a.start:a.end] == a.text`), the value in units of the currency and an
  optional qualifier ("oltre", "circa", "fino a", ...).
- `format_italian(value, style)`: writes a value the Italian way; used by the tests.

How `find_amounts` decides (read this before changing a rule)
-------------------------------------------------------------
1. A *quantity* is a number (digits, or a number word such as "due", "trenta",
   "duemila", "mezzo"), optionally followed by a multiplier ("mila", "milioni", "mln",
   "miliardi", "mld"), optionally compounded ("due milioni e mezzo",
   "un milione e 200mila").
2. An amount is *explicit* when the quantity has a currency next to it: after it
   ("euro", "di euro", "d'euro", "€", "EUR", "dollari", "$") or before it ("€ 500.000",
   "EUR 2.000", "euro 50.000", "$5"). Explicit amounts are always kept, except the idiom
   "un euro" / "mezzo euro" written in words ("non abbiamo perso un euro").
   A quantity with neither a multiplier nor a currency ("320 lavoratori", "nel 2026",
   "90%", "legge n. 23", a phone number) is never an amount.
3. A *bare* amount has a multiplier but no currency ("7,42 milioni", "tra 2 e 4
   milioni"). Press releases use it for money once the money context is set, and also
   for head counts ("1,2 milioni di capi"). The rule, in order:
   a. what follows decides first: "di <money noun>" ("10 milioni di investimenti") makes
      it money; "di <anything else>" ("di capi", "di persone", "di tonnellate") or an
      immediately following count noun ("60 mila addetti") makes it not money;
   b. otherwise it is money when the multiplier is abbreviated ("4,8 mln", "2 mld":
      a money-only style), or when its sentence contains a money cue word ("euro",
      "stanziamento", "stanziato", "fondi", "risorse", "finanziamento", "investimento",
      "contributo", "dotazione", "costo", "bilancio", ...; see `_MONEY_CUE`);
   c. otherwise it is money when it has money *context* and its sentence is not about
      population or physical quantities (`_NON_MONEY_CUE`: "abitanti", "visitatori",
      "passeggeri", "tonnellate", ...).  Context is: an explicit amount earlier in the
      document or anywhere in the same paragraph, or a "da" right before the amount
      ("un piano da 4,8 milioni").
   A multiplied amount followed by "per" ("31 milioni per 1.100 alloggi") is an
   allocation: money, even in a text that never writes "euro".
   Otherwise a bare amount is dropped.
4. Ranges ("da 150 a 500 euro", "tra 2 e 4 milioni", "da 100.000 a 2 milioni di euro",
   "2-3 milioni di euro") give two amounts that both carry the whole range as text.
   The first end borrows the currency of the second, and its multiplier too when it has
   none and is not larger than the second's count ("da 1 a 3 milioni" = 1e6 and 3e6,
   but "da 100.000 a 2 milioni" = 1e5 and 2e6).  Lists of small counts that share the
   last item's unit ("rispettivamente 35 e 30 milioni", "3, 4 e 5 milioni di euro")
   work the same way.
5. Parts after "di cui" borrow the multiplier and currency of the amount they split, in
   the same sentence: "18,5 milioni di euro, di cui 9 al Piemonte e 4,5 alla Liguria"
   gives 18.5e6, 9e6 and 4.5e6 (a part never exceeds the whole).
   The parts of an elliptical list work the same way without "di cui": after an amount
   with a multiplier, a bare decimal that goes to a purpose or a recipient in the same
   sentence ("41 milioni: 11,6 per la residenza, 26,5 per i laboratori e 2,9 per i
   servizi"; "14,2 milioni a Bergamo, 10,3 a Lecco") is a part of the same unit.
6. `text` is the amount itself, with its currency words but without the qualifier
   ("oltre 10,53 milioni di euro" gives text "10,53 milioni di euro" and qualifier
   "oltre"), as in the gold annotations.

Bare amounts take currency "EUR" (Italian press); only an explicit "$"/"dollari"/"USD"
gives "USD".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from sentinella.facts import Amount

__all__ = ["find_amounts", "format_italian", "parse_number"]

# Horizontal spaces only: an amount never spans a line break.  U+00A0 (no-break space),
# U+202F and U+2009 (thin spaces) are common in typeset releases.
_SP = "[ \t\u00a0\u202f\u2009]"
_GROUP_SPACES = "\u00a0\u202f\u2009"  # also used as thousands separators: "1\u202f500"

# ---------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------

_UNITS = {
    "uno": 1,
    "due": 2,
    "tre": 3,
    "tré": 3,
    "quattro": 4,
    "cinque": 5,
    "sei": 6,
    "sette": 7,
    "otto": 8,
    "nove": 9,
    "dieci": 10,
    "undici": 11,
    "dodici": 12,
    "tredici": 13,
    "quattordici": 14,
    "quindici": 15,
    "sedici": 16,
    "diciassette": 17,
    "diciotto": 18,
    "diciannove": 19,
}
_TENS = {
    "venti": 20,
    "trenta": 30,
    "quaranta": 40,
    "cinquanta": 50,
    "sessanta": 60,
    "settanta": 70,
    "ottanta": 80,
    "novanta": 90,
}


def _words_below_1000(w: str) -> int | None:
    """'trecentoventicinque' -> 325; '' -> 0; None when `w` is not such a number."""
    total = 0
    m = re.fullmatch(r"(due|tre|quattro|cinque|sei|sette|otto|nove)?cento(.*)", w)
    if m:
        total += (_UNITS[m.group(1)] if m.group(1) else 1) * 100
        w = m.group(2)
    for word, value in _TENS.items():
        if w.startswith(word):
            total += value
            w = w[len(word) :]
            break
        # The tens drop their vowel before "uno" and "otto": "ventuno", "trentotto".
        if w.startswith(word[:-1]) and w[len(word) - 1 :] in ("uno", "otto"):
            total += value
            w = w[len(word) - 1 :]
            break
    if w:
        unit = _UNITS.get(w)
        if unit is None or (total % 100 and unit >= 10):
            return None
        total += unit
    return total


@lru_cache(maxsize=8192)  # every word of every text passes here: the hot path
def _words_to_number(word: str) -> float | None:
    """An Italian number written as one word ("un", "dieci", "duemila", "mezzo"), or None."""
    w = word.lower()
    if w in ("un", "uno", "una"):
        return 1.0
    if w in ("mezzo", "mezza"):
        return 0.5
    if w.startswith("mille"):  # "mille", "milleduecento"
        rest = _words_below_1000(w[5:])
        return None if rest is None else 1000.0 + rest
    if "mila" in w:  # "duemila", "trecentomilacinquecento"
        head, _, tail = w.partition("mila")
        thousands, rest = _words_below_1000(head), _words_below_1000(tail)
        if not thousands or thousands < 2 or rest is None:
            return None
        return thousands * 1000.0 + rest
    value = _words_below_1000(w)
    return float(value) if value else None


def _digits_to_number(s: str) -> float:
    """Digits with Italian separators: '.' groups thousands, ',' marks decimals.

    Also tolerated: no-break/thin spaces as thousands separators, and the English
    forms "1.5" (a dot not followed by exactly three digits) and "1,234,567".
    """
    for ch in _GROUP_SPACES:
        s = s.replace(ch, ".")
    if not re.fullmatch(r"\d+(?:[.,]\d+)*", s):
        raise ValueError(f"not a number: {s!r}")

    def grouped(int_part: str, sep: str) -> str:
        groups = int_part.split(sep)
        if len(groups) > 1 and (
            not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])
        ):
            raise ValueError(f"bad digit grouping: {s!r}")
        return "".join(groups)

    if "," in s and "." in s:
        dec_sep = "," if s.rfind(",") > s.rfind(".") else "."
        grp_sep = "." if dec_sep == "," else ","
        int_part, _, frac = s.rpartition(dec_sep)
        if grp_sep not in int_part and dec_sep in int_part:
            raise ValueError(f"not a number: {s!r}")
        return float(grouped(int_part, grp_sep) + "." + frac)
    if "," in s:
        if s.count(",") == 1:  # Italian decimal comma: "3,7", "10,53"
            return float(s.replace(",", "."))
        return float(grouped(s, ","))  # "1,234,567"
    if "." in s:
        parts = s.split(".")
        if len(parts) == 2 and len(parts[1]) != 3:  # "1.5" (English decimal)
            return float(s)
        return float(grouped(s, "."))  # "500.000", "1.000.000"
    return float(s)


def parse_number(s: str) -> float:
    """Parse an Italian-written number: "3,7" -> 3.7, "500.000" -> 500000,
    "150.000,00" -> 150000, "12" -> 12, "dieci" -> 10, "duemila" -> 2000,
    "mezzo" -> 0.5, "un" -> 1.  Raises ValueError when `s` is not a number."""
    s = s.strip()
    if s and s[0].isdigit():
        return _digits_to_number(s)
    value = _words_to_number(s)
    if value is None:
        raise ValueError(f"not a number: {s!r}")
    return value


# ---------------------------------------------------------------------------------------
# Lexicon
# ---------------------------------------------------------------------------------------

# A number in digits: "12", "3,7", "500.000", "150.000,00", "1\u202f500".  The scanner
# only starts one where no letter, digit, separator, slash or dash precedes, so "TO4",
# "15/07", "2021-2027" (second half) and "n.23" never start one; the second end of a
# range ("2-3 milioni") is read explicitly.
_DIGITS_RE = re.compile(r"\d+(?:[.,\u00a0\u202f\u2009]\d+)*")
_SPACE_GROUPED_RE = re.compile(r"\d{1,3}(?: \d{3})+(?![\d.,])")
_DIGITS_START_RE = re.compile(r"(?<![\w.,/\-–])\d")  # where the scanner may start one
_WORD_RE = re.compile(r"(?<![\w'’])[^\W\d_]+")

# Multipliers.  "M" and "k" only count right before a currency ("10 M€", "5k euro").
_MULTIPLIERS = {
    "mila": 1e3,
    "k": 1e3,
    "milione": 1e6,
    "milioni": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "miliardo": 1e9,
    "miliardi": 1e9,
    "mld": 1e9,
    "mrd": 1e9,
}
_MULT_RE = re.compile(
    _SP + r"*(?P<mult>miliard[oi]|mld|mrd|milion[ei]|mln|mila|m|k)(?![^\W\d_])"
    r"(?P<dot>\.(?=" + _SP + r"*(?:di" + _SP + r"+)?(?:euro|€)))?",  # "mln. di euro"
    re.I,
)

# Currency words and symbols -> ISO 4217.
_CURRENCIES = {
    "euro": "EUR",
    "eur": "EUR",
    "€": "EUR",
    "dollari": "USD",
    "dollaro": "USD",
    "usd": "USD",
    "$": "USD",
    "us$": "USD",
}
_CUR = r"(?:euro|eur|€|dollari|dollaro|usd|us\$|\$)"
_CUR_AFTER_RE = re.compile(
    # an amount in words in brackets may sit before the currency, as in deeds:
    # "25.000,00 (venticinquemila/00) euro"
    r"(?:"
    + _SP
    + r"*\((?=[^()]*[^\W\d_])[^()\n]{1,60}\))?"
    + _SP
    + r"*(?:(?:di"
    + _SP
    + r"+|d['’]"
    + _SP
    + r"*))?(?P<cur>"
    + _CUR
    + r")(?![^\W\d_])",
    re.I,
)
_CUR_BEFORE_RE = re.compile(r"(?<![^\W\d_])(?P<cur>" + _CUR + r")" + _SP + r"*$", re.I)

# Qualifiers before an amount -> canonical form.  Longest forms first.
_QUALIFIER_RE = re.compile(
    r"(?<![^\W\d_])(?P<q>non superiore|non inferiore|non superano|non supera|non superare|"
    r"non oltre|poco più|poco meno|più|meno|fino|"
    r"superiore|inferiore|intorno|attorno|oltre|circa|almeno|quasi|superano|supera|"
    r"superare|al massimo|massimo|al minimo|minimo)"
    r"(?:"
    + _SP
    + r"+(?:a|ad|ai|agli|al|allo|alla|alle|di|dei|degli|del|i|gli|il|l['’]))?"
    + _SP
    + r"*$",
    re.I,
)
_QUALIFIER_CANON = {
    "non superiore": "non superiore a",
    "non inferiore": "non inferiore a",
    "poco più": "poco più di",
    "poco meno": "poco meno di",
    "più": "più di",
    "meno": "meno di",
    "fino": "fino a",
    "superiore": "superiore a",
    "inferiore": "inferiore a",
    "intorno": "circa",
    "attorno": "circa",
    "supera": "oltre",
    "superano": "oltre",
    "superare": "oltre",
    "non supera": "non superiore a",
    "non superano": "non superiore a",
    "non superare": "non superiore a",
    "non oltre": "non superiore a",
    "massimo": "al massimo",
    "minimo": "almeno",
    "al minimo": "almeno",
}
# These need their preposition ("fino a", "più di"); the others stand alone ("oltre").
_QUALIFIER_NEEDS_PREP = {
    "non superiore",
    "non inferiore",
    "poco più",
    "poco meno",
    "più",
    "meno",
    "fino",
    "superiore",
    "inferiore",
    "intorno",
    "attorno",
}

# Range openers, checked right before the first end ("da 150 a 500 euro").
_RANGE_OPEN_RE = re.compile(
    r"(?<![^\W\d_])(?P<kw>da|dai|dagli|tra|fra)(?:" + _SP + r"+(?:i|gli))?" + _SP + r"+$", re.I
)
_RANGE_JOIN = {  # opener -> joiner between the two ends ("a", "e", maybe with "i"/"gli")
    kw: re.compile(_SP + r"+" + join + r"(?:" + _SP + r"+(?:i|gli))?" + _SP + r"+", re.I)
    for kw, join in (
        ("da", r"(?:a|ad|ai|agli|fino" + _SP + r"+a|fino" + _SP + r"+ai)"),
        ("tra", r"e"),
    )
}
_DASH_RE = re.compile(_SP + r"*[-–]" + _SP + r"*")

# What follows a bare amount.  "di <money noun>" makes it money ...
_MONEY_NOUN_RE = re.compile(
    r"(?:investiment|finanziament|fond[oi]$|risors|contribut|stanziament|spes|cost[oi]$|"
    r"debit|fatturat|ricav|utili?$|perdit|dann[oi]$|entrat|uscit|tass|impost|tribut|"
    r"indennizz|ristor|aiut|incentiv|sussid|dotazion|budget|capital|credit|prestit|mutu|"
    r"premi|bonus|voucher|deficit|disavanz|avanz|extra|risparmi|oneri|stipend|salari|"
    r"appalt|lavori$|opere$|interventi$|cofinanziament|finanza|fsc$|fesr$|fse$|feasr$|"
    r"pnrr$|cassa$|liquidità|garanzi)",
    re.I,
)
# ... a count noun right after it (or after "di") makes it a head count or a quantity.
_COUNT_NOUN_RE = re.compile(
    r"(?:person|abitant|resident|cittadin|italian|piemontes|lavorat|dipendent|addett|"
    r"occupat|disoccupat|utent|client|visitator|turist|presenz|passegger|spettator|"
    r"pazient|student|alunn|famigli|impres|aziend|capi$|animal|bovin|suin|tonnellat|"
    r"litri|metri|mq$|m2$|m3$|km$|chilometr|ettar|kg$|chil[oi]$|quintal|kwh$|mwh$|gwh$|"
    r"kw$|mw$|ore$|giorn|anni$|volte$|copie$|voti$|firme$|domand|richiest|pratich|"
    r"posti$|alber|piant|bottigli|pezzi$|veicol|auto$|mezzi$|viagg|access|prestazion|dos[ei]$|"
    r"vaccin|tampon|test$|click|contatt|visualizzazion|follower|iscritt|soci$|pasti$|"
    r"nott|pernottament|bigliett|ingress|barili|pagine$|libri$|unità$|esemplar|"
    r"metri|chilogramm|kilogramm|utenz|abbonat|elettor|votant|nascit|decess|mort[io]$|"
    r"casi$|contagi|ricover|operator|agent|medic|infermier|insegnant|docent|giovan|"
    r"anzian|bambin|ragazz|donne$|uomini$|over$|under$)",
    re.I,
)

# Sentence-level cues for bare amounts (rule 3b and 3c of the module docstring).
_MONEY_CUE = re.compile(
    r"(?<![^\W\d_])(?:euro|€|stanzi\w*|fond[oi]|finanzi\w*|cofinanzi\w*|rifinanzi\w*|"
    r"risorse|invest\w*|contribut\w*|dotazion\w*|budget|spes[aoei]|spend\w*|"
    r"cost[aoi]|costano|costerà|costeranno|costat[oiae]|importo|importi|bilanci\w*|"
    r"prezz\w*|tariff\w*|destina|destinano|destinat[oiae]|destiner\w*|assegna\w*|"
    r"ripartit[oiae]|ripartiz\w*|trasferit[oiae]|acquist\w*|"
    r"fattur\w*|ricav\w*|debit\w*|mutu[oi]|prestit\w*|ristor\w*|indennizz\w*|incentiv\w*|"
    r"sussid\w*|voucher|bando|bandi|erogat\w*|erogazion\w*|pagat\w*|pagament\w*|"
    r"valore|vale(?!" + _SP + r"+a" + _SP + r"+dire)|valgono|pnrr|fesr|fsc|fse\+?|plafond|"
    r"copertura finanziaria|"
    r"mette sul piatto|ammonta\w*|canone|canoni|affitt\w*|stipend\w*|salari\w*|"
    r"guadagn\w*|incass\w*|risparmi\w*|tagli|manovra|fondo perduto|perdit[ae]|export|"
    r"esportazion\w*|pil|commess[ae]|appalt\w*|impost[ae]|tasse|tribut\w*|fiscal\w*|"
    r"somm[ae]|cifr[ae]|soldi|denaro)(?![^\W\d_])",
    re.I,
)
_NON_MONEY_CUE = re.compile(
    r"(?<![^\W\d_])(?:abitanti|residenti|popolazione|visitatori|turisti|presenze|"
    r"passeggeri|spettatori|pernottamenti|tonnellate|litri|chilometri|km|ettari|"
    r"persone|piemontesi|italiani|"
    r"metri cubi|kwh|mwh|gwh|capi|utenti|iscritti|contatti|visualizzazioni|follower)"
    r"(?![^\W\d_])",
    re.I,
)

# Sentences end at . ! ? (or a closing quote after them) before a capital or an opening
# quote, and at line breaks.  "n. 23" and "3.000" do not end a sentence.
_SENT_END_RE = re.compile(r"(?<=[.!?»”\"])" + _SP + r"+(?=[«“\"(]?[A-ZÀ-Ý])|\n+")
_PARA_END_RE = re.compile(r"\n[ \t\r\u00a0\u202f\u2009]*\n\s*")  # blank line, also CRLF


# ---------------------------------------------------------------------------------------
# Scanner
# ---------------------------------------------------------------------------------------


@dataclass
class _Qty:
    """A number with its multiplier and compound part, e.g. "due milioni e mezzo"."""

    start: int
    end: int
    count: float  # the number before the multiplier ("2" in "2 milioni")
    mult: float  # 1.0 without multiplier
    value: float  # count * mult (+ compound part)
    formatted: bool  # digits with a separator ("1.500", "3,7")
    word: bool  # written in words ("due", "mezzo")
    abbrev: bool = False  # abbreviated multiplier ("mln", "mld"): a money-only style


@dataclass
class _Cand:
    """A candidate amount (or range) before the context rule is applied."""

    start: int
    end: int
    values: list[float]
    currency: str | None  # None for bare amounts
    money_noun: bool | None = None  # True: "di investimenti" follows; False: "di capi"
    qualifier: str | None = None
    abbrev: bool = False  # "4,8 mln": abbreviated multipliers are a money-only style
    after_da: bool = False  # "un piano da 4,8 milioni": "da" + value of something
    mult: float = 1.0  # multiplier of the (last) quantity, for "di cui 9" below
    whole: float | None = None  # for a "di cui" part: the value of the whole


def _number_at(text: str, pos: int) -> tuple[int, float, bool, bool] | None:
    """The number starting at `pos`: (end, value, formatted, word) or None."""
    # Thousands grouped with ordinary spaces ("10 000 euro", "€ 1 500 000") only count
    # next to a currency: elsewhere such digit groups are phone numbers or lists.
    m = _SPACE_GROUPED_RE.match(text, pos)
    if m and (
        _CUR_AFTER_RE.match(text, m.end()) or _CUR_BEFORE_RE.search(text, max(0, pos - 12), pos)
    ):
        return m.end(), float(m.group().replace(" ", "")), True, False
    m = _DIGITS_RE.match(text, pos)
    if m:
        # A bad grouping ("12.34.567", a date "15.07.2025") makes the parse fail.
        try:
            formatted = bool(re.search(r"[.,\u00a0\u202f\u2009]", m.group()))
            return m.end(), _digits_to_number(m.group()), formatted, False
        except ValueError:
            return None
    m = _WORD_RE.match(text, pos)
    if m:
        value = _words_to_number(m.group())
        if value is not None:
            return m.end(), value, False, True
    return None


def _multiplier_at(text: str, pos: int) -> tuple[int, float, bool] | None:
    """A multiplier word right after a number: (end, factor, abbreviated) or None."""
    m = _MULT_RE.match(text, pos)
    if not m:
        return None
    raw = m.group("mult")
    mult = raw.lower()
    if mult in ("m", "k"):
        # Single letters only mean million/thousand right before a currency ("10 M€",
        # "5k euro"); a lower-case "m" is metres.
        if raw == "m" or not _CUR_AFTER_RE.match(text, m.end()):
            return None
    abbrev = mult in ("mln", "mld", "mrd", "m", "k")
    # The dot after an abbreviation ("mln. di euro") belongs to it; after a full word it
    # ends the sentence.
    end = m.end() if abbrev or m.group("dot") is None else m.start("dot")
    return end, _MULTIPLIERS[mult], abbrev


_E_MEZZO_RE = re.compile(_SP + r"+e" + _SP + r"+mezz[oa](?![^\W\d_])", re.I)
_COMPOUND_JOIN_RE = re.compile(_SP + r"+(?:e" + _SP + r"+)?", re.I)


def _qty_at(text: str, pos: int, compound: bool = True) -> _Qty | None:
    """A quantity starting at `pos`: number, optional multiplier, optional compound."""
    num = _number_at(text, pos)
    if num is None:
        return None
    end, count, formatted, word = num
    mult_end = _multiplier_at(text, end)
    if mult_end is None:
        if word and count == 0.5:  # "mezzo" alone is never a count
            return None
        return _Qty(pos, end, count, 1.0, count, formatted, word)
    end, mult, abbrev = mult_end
    value = count * mult
    if compound and mult > 1e3:
        # "due milioni e mezzo", "13 milioni e mezzo"
        m = _E_MEZZO_RE.match(text, end)
        if m:
            return _Qty(pos, m.end(), count, mult, value + 0.5 * mult, formatted, word, abbrev)
        # "un milione e 200mila euro", "2 milioni 500 mila": a smaller multiplier follows.
        m = _COMPOUND_JOIN_RE.match(text, end)
        if m:
            sub = _qty_at(text, m.end(), compound=False)
            if sub and 1 < sub.mult < mult and sub.value < mult:
                return _Qty(pos, sub.end, count, mult, value + sub.value, formatted, word, abbrev)
            # "1 milione e 500.000 euro": an "e", a grouped number and a currency.
            if (
                sub
                and sub.mult == 1
                and "e" in m.group()
                and sub.formatted
                and sub.value >= 1000
                and sub.value < mult
                and _CUR_AFTER_RE.match(text, sub.end)
            ):
                return _Qty(pos, sub.end, count, mult, value + sub.value, formatted, word, abbrev)
    return _Qty(pos, end, count, mult, value, formatted, word, abbrev)


def _currency_after(text: str, pos: int) -> tuple[int, str] | None:
    m = _CUR_AFTER_RE.match(text, pos)
    return (m.end(), _CURRENCIES[m.group("cur").lower()]) if m else None


def _currency_before(text: str, qty: _Qty, floor: int) -> tuple[int, str] | None:
    """A currency written before the number ("€ 500.000", "euro 50.000"), not reaching
    back before `floor` (the end of the previous amount, which may own that word)."""
    m = _CUR_BEFORE_RE.search(text, max(floor, qty.start - 12), qty.start)
    if not m:
        return None
    cur = m.group("cur").lower()
    if cur in ("euro", "eur") and qty.mult == 1 and not qty.formatted:
        # "Euro 6" (emission class), "Euro 2032" (football), "euro 5": a prefixed
        # currency word needs a written-out amount: grouped digits, a multiplier, or at
        # least two digits that are not a year.
        if qty.value < 10 or (1900 <= qty.value <= 2100) or qty.word:
            return None
    return m.start(), _CURRENCIES[cur]


def _is_idiom(qty: _Qty) -> bool:
    """'un euro', 'mezzo euro' in words: 'non abbiamo perso un euro' is not an amount."""
    return qty.word and qty.mult == 1 and qty.count <= 1


# Adjectives skipped between an amount and its noun ("di nuovi investimenti").
_ADJ = (
    r"(?:(?:nuov[ieao]|ulterior[ie]|maggior[ie]|propri[eo]?|altr[ie]|soli|sole|"
    r"ingent[ie]|pubblic[ie]|privat[ie])" + _SP + r"+)?"
)
# "di" + optional adjective + noun: "di euro", "di nuovi investimenti", "di capi".
_DI_NOUN_RE = re.compile(
    _SP + r"*(?:di" + _SP + r"+|d['’]" + _SP + r"*)" + _ADJ + r"([^\W\d_][\w-]*)", re.I
)
# A noun right after the amount, maybe after an article: "60 mila addetti",
# "30 mila nuovi posti", "3 milioni i visitatori".
_NEXT_NOUN_RE = re.compile(
    _SP + r"+(?:(?:i|gli|le)" + _SP + r"+)?" + _ADJ + r"([^\W\d_][\w-]*)", re.I
)
_NEUTRAL_AFTER_DI_RE = re.compile(r"cui|questi|queste|tali|quest[oa]", re.I)


def _follower(text: str, end: int) -> bool | None:
    """What follows a bare amount: True (money noun), False (count noun), None (neutral)."""
    m = _DI_NOUN_RE.match(text, end)
    if m:
        if _NEUTRAL_AFTER_DI_RE.fullmatch(m.group(1)):  # "10 milioni di cui 3 ..."
            return None
        return bool(_MONEY_NOUN_RE.match(m.group(1)))
    m = _NEXT_NOUN_RE.match(text, end)
    if m and _COUNT_NOUN_RE.match(m.group(1)):
        return False
    return None


def _qualifier(text: str, start: int, floor: int) -> str | None:
    m = _QUALIFIER_RE.search(text, max(floor, start - 30), start)
    if not m:
        return None
    q = re.sub(_SP + "+", " ", m.group("q").lower())
    has_prep = m.group(0).strip().lower() != q
    if q in _QUALIFIER_NEEDS_PREP and not has_prep:
        return None
    return _QUALIFIER_CANON.get(q, q)


def _single_at(text: str, pos: int, floor: int) -> tuple[_Qty, int, int, str | None] | None:
    """A quantity with its currency: (qty, start, end, currency-or-None), or None when it
    is neither explicit money nor a bare multiplier amount."""
    qty = _qty_at(text, pos)
    if qty is None or qty.value <= 0:  # "0 euro" is not an amount
        return None
    after = _currency_after(text, qty.end)
    if after:
        if _is_idiom(qty):
            return None
        return qty, qty.start, after[0], after[1]
    before = _currency_before(text, qty, floor)
    if before:
        if _is_idiom(qty):
            return None
        return qty, before[0], qty.end, before[1]
    if qty.mult > 1:
        return qty, qty.start, qty.end, None
    return None


_CUR_PREFIX_RE = re.compile(_CUR + _SP + "*", re.I)


def _range_at(text: str, first: tuple, floor: int) -> _Cand | None:
    """Try to read a range whose first end is `first` (from `_single_at` or a bare number)."""
    qx, x_start, x_end, x_cur = first
    if qx.value <= 0:
        return None
    opener = _RANGE_OPEN_RE.search(text, max(floor, x_start - 12), x_start)
    if opener:
        kw = opener.group("kw").lower()
        m = _RANGE_JOIN["tra" if kw in ("tra", "fra") else "da"].match(text, x_end)
        start = opener.start()
    else:
        m = _DASH_RE.match(text, x_end)  # "2-3 milioni di euro"
        start = x_start
    if not m:
        return None
    y_prefix = _CUR_PREFIX_RE.match(text, m.end())  # "da € 150 a € 500"
    y = _single_at(text, y_prefix.end() if y_prefix else m.end(), floor=m.end())
    if y is None:
        return None
    qy, _, y_end, y_cur = y
    if y_cur is None and qy.mult == 1:
        return None
    if x_cur and y_cur and x_cur != y_cur:
        return None
    x_value = qx.value
    thousands = qx.formatted and "." in text[qx.start : qx.end]  # "da 100.000 a 2 milioni"
    if qx.mult == 1 and qy.mult > 1 and not thousands and qx.count <= qy.count:
        x_value = qx.count * qy.mult  # "da 1 a 3 milioni", "tra 1,5 e 2 milioni"
    currency = y_cur or x_cur
    cand = _Cand(start, y_end, [x_value, qy.value], currency, abbrev=qy.abbrev)
    if currency is None:
        cand.money_noun = _follower(text, y_end)
    return cand


_LIST_SEP_RE = re.compile(
    _SP + r"*,(?=" + _SP + r")" + _SP + r"*|" + _SP + r"+(?:e|o|ed)" + _SP + r"+", re.I
)


def _list_at(text: str, first: _Qty) -> _Cand | None:
    """A list of bare counts sharing the unit of its last item: "35 e 30 milioni",
    "3, 4 e 5 milioni di euro", "5 o 10 euro".  Every item carries the whole list as
    its text (like a range).  Only small counts (< 1000, no thousands dots) are lists."""
    items, pos = [first], first.end
    while True:
        if items[-1].formatted and "." in text[items[-1].start : items[-1].end]:
            return None
        if items[-1].count >= 1000:
            return None
        sep = _LIST_SEP_RE.match(text, pos)
        if not sep:
            return None
        last = _single_at(text, sep.end(), floor=sep.end())
        if last is not None and (last[3] or last[0].mult > 1):
            qty, _, end, currency = last
            if qty.start != sep.end():  # the last item must not have its own prefix currency
                return None
            values = [q.count * qty.mult for q in items] + [qty.value]
            if min(values) <= 0:
                return None
            cand = _Cand(first.start, end, values, currency)
            if currency is None:
                cand.money_noun = _follower(text, end)
            return cand
        nxt = _qty_at(text, sep.end(), compound=False)
        if nxt is None or nxt.mult > 1 or nxt.word:
            return None
        items.append(nxt)
        pos = nxt.end


# "da" right before an amount (a qualifier may sit between): "un piano da 4,8 milioni".
_AFTER_DA_RE = re.compile(
    r"(?<![^\W\d_])da"
    + _SP
    + r"+(?:(?:oltre|circa|quasi|almeno|più di|poco più di)"
    + _SP
    + r"+)?$",
    re.I,
)


# "18,5 milioni di euro, di cui 9 al Piemonte": the part borrows the unit of the whole.
_DI_CUI_RE = re.compile(
    r"(?<![^\W\d_])di"
    + _SP
    + r"+cui"
    + _SP
    + r"+(?:(?:oltre|circa|quasi|almeno|più di)"
    + _SP
    + r"+)?$",
    re.I,
)


# ... and the next parts: "di cui 3 alle scuole e 2 agli ospedali".
_NEXT_PART_RE = re.compile(r"[^.;:!?\n\d]{0,40}?(?:,|" + _SP + r"e|" + _SP + r"ed)" + _SP + r"+")


_FOR_PURPOSE_RE = re.compile(_SP + r"+per" + _SP + r"+(?!cento\b)", re.I)
_ALLOCATED_TO_RE = re.compile(
    _SP + r"*(?:\)|all[’']|dall[’']|(?:per|a|ad|al|alla|allo|ai|agli|alle|da|dal|dalla|dallo|"
    r"dai|dagli|dalle)(?![^\W\d_]))",
    re.I,
)
_PER_CENT_RE = re.compile(_SP + r"*(?:per" + _SP + r"*cento|%)", re.I)
_RIGHT_AFTER_RE = re.compile(_SP + r"*[,:]" + _SP + r"*")


def _ellipsis_at(text: str, qty: _Qty, prev: _Cand | None) -> _Cand | None:
    """ "11,6 per la residenza" after "41 milioni di euro" in the same sentence: a bare
    decimal that goes to a purpose or a recipient takes the unit of the amount before."""
    if prev is None or prev.mult <= 1 or len(prev.values) != 1 or qty.word or qty.mult > 1:
        return None
    if "," not in text[qty.start : qty.end] or _SENT_END_RE.search(text, prev.end, qty.start):
        return None
    # "Dei 14 milioni, 8,5 serviranno per ...": the first part may come right after it
    right_after = bool(_RIGHT_AFTER_RE.fullmatch(text, prev.end, qty.start))
    if not (right_after or _ALLOCATED_TO_RE.match(text, qty.end)):
        return None
    if _PER_CENT_RE.match(text, qty.end):
        return None  # "3,5 per cento": a share, not money
    if _follower(text, qty.end) is False:
        return None
    return _Cand(
        qty.start,
        qty.end,
        [qty.count * prev.mult],
        prev.currency,
        money_noun=prev.money_noun,
        abbrev=prev.abbrev,
        mult=prev.mult,
    )


def _di_cui_at(text: str, qty: _Qty, prev: _Cand | None, floor: int) -> _Cand | None:
    """A bare number right after "di cui" that is a part of the amount just before it,
    in the same sentence, or a further part after such a part: it takes that amount's
    multiplier and currency."""
    if prev is None or prev.mult <= 1 or len(prev.values) != 1 or qty.word or qty.mult > 1:
        return None
    if _SENT_END_RE.search(text, prev.end, qty.start):
        return None
    if prev.whole is not None and _NEXT_PART_RE.fullmatch(text, prev.end, qty.start):
        whole = prev.whole
    elif _DI_CUI_RE.search(text, max(floor, qty.start - 30), qty.start):
        whole = prev.values[0]
    else:
        return None
    value = qty.count * prev.mult
    if not 0 < value < whole or _follower(text, qty.end) is False:
        return None
    return _Cand(
        qty.start,
        qty.end,
        [value],
        prev.currency,
        money_noun=prev.money_noun,
        abbrev=prev.abbrev,
        mult=prev.mult,
        whole=whole,
    )


def _candidates(text: str) -> list[_Cand]:
    """All candidates in order, left to right, without overlaps."""
    # Only number words can start a quantity: the rest of the words are skipped here,
    # which keeps the scan cheap on long texts.
    starts = sorted(
        {m.start() for m in _DIGITS_START_RE.finditer(text)}
        | {m.start() for m in _WORD_RE.finditer(text) if _words_to_number(m.group()) is not None}
    )
    out: list[_Cand] = []
    floor = 0  # end of the last candidate: nothing before it can be reused
    for pos in starts:
        if pos < floor:
            continue
        single = _single_at(text, pos, floor)
        if single is None:
            # A bare first end of a range ("da 150 a 500 euro", "tra 2 e 4 milioni").
            qty = _qty_at(text, pos)
            if qty is None or qty.mult > 1:
                continue
            first = (qty, qty.start, qty.end, None)
            prev = out[-1] if out else None
            part = _di_cui_at(text, qty, prev, floor) or _ellipsis_at(text, qty, prev)
            if part is not None:
                out.append(part)
                floor = part.end
                continue
        else:
            first = single
        rng = _range_at(text, first, floor)
        if rng is None and single is None:
            rng = _list_at(text, first[0])
        if rng is not None:
            out.append(rng)
            floor = rng.end
            continue
        if single is None:
            continue
        qty, start, end, currency = single
        cand = _Cand(
            start,
            end,
            [qty.value],
            currency,
            qualifier=_qualifier(text, start, floor),
            abbrev=qty.abbrev,
            mult=qty.mult,
        )
        if currency is None:
            cand.money_noun = _follower(text, end)
            cand.after_da = bool(_AFTER_DA_RE.search(text, max(floor, start - 30), start))
        if (
            out
            and _DI_CUI_RE.search(text, max(floor, start - 30), start)
            and not _SENT_END_RE.search(text, out[-1].end, start)
        ):
            cand.whole = out[-1].values[-1]  # "di cui 3 milioni ... e 2 ...": 2 is a part too
        out.append(cand)
        floor = end
    return out


def _spans(text: str, boundary: re.Pattern) -> list[tuple[int, int]]:
    """Spans of the pieces of `text` between matches of `boundary`."""
    spans, start = [], 0
    for m in boundary.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _span_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    i = bisect.bisect_right([s for s, _ in spans], pos) - 1
    return spans[max(i, 0)]


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in `text`, in order of appearance (see the module docstring)."""
    cands = _candidates(text)
    sentences = _spans(text, _SENT_END_RE)
    paragraphs = _spans(text, _PARA_END_RE)
    explicit = [c.start for c in cands if c.currency or c.money_noun]

    amounts: list[Amount] = []
    for c in cands:
        currency = c.currency
        if currency is None:
            if c.money_noun is False:  # "1,2 milioni di capi", "60 mila addetti"
                continue
            s0, s1 = _span_of(sentences, c.start)
            sentence = text[s0:s1]
            p0, p1 = _span_of(paragraphs, c.start)
            context = c.after_da or any(
                e < c.start or p0 <= e < p1 for e in explicit if e != c.start
            )
            money = (
                c.money_noun is True
                or c.abbrev
                or (c.mult > 1 and bool(_FOR_PURPOSE_RE.match(text, c.end)))
                or bool(_MONEY_CUE.search(sentence))
                or (context and not _NON_MONEY_CUE.search(sentence))
            )
            if not money:
                continue
            currency = "EUR"
        for value in c.values:
            amounts.append(
                Amount(
                    text=text[c.start : c.end],
                    value=value,
                    currency=currency,
                    start=c.start,
                    end=c.end,
                    qualifier=c.qualifier,
                )
            )
    return amounts


# ---------------------------------------------------------------------------------------
# Writing amounts (for tests and messages)
# ---------------------------------------------------------------------------------------


def _group(n: int) -> str:
    """1234567 -> '1.234.567'."""
    return f"{n:,}".replace(",", ".")


def _decimal(x: float, places: int = 2) -> str:
    """3.7 -> '3,7'; 12.0 -> '12'; 1234.5 -> '1.234,5' (at most `places` decimals)."""
    whole, frac = f"{x:.{places}f}".split(".")
    frac = frac.rstrip("0")
    return _group(int(whole)) + ("," + frac if frac else "")


def format_italian(value: float, style: str) -> str:
    """Write `value` (euro) the Italian way.

    Styles: "plain" '1.234.567' (number only, rounded to the unit), "decimals"
    '1.234.567,00' (number only, with cents), "euro_sign" '€ 1.234.567' (cents shown only
    when there are any), "milioni" '3,7 milioni di euro', "mila" '500mila euro'.
    """
    if style == "plain":
        return _group(round(value))
    cents = round(value * 100)
    if style == "decimals":
        return f"{_group(cents // 100)},{cents % 100:02d}"
    if style == "euro_sign":
        return "€ " + (format_italian(value, "decimals") if cents % 100 else _group(cents // 100))
    if style == "milioni":
        n = value / 1e6
        return f"{_decimal(n)} {'milione' if round(n, 2) == 1 else 'milioni'} di euro"
    if style == "mila":
        return f"{_decimal(value / 1e3)}mila euro"
    raise ValueError(f"unknown style: {style!r}")
