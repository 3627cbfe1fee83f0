"""Actors (attori): organisations with one canonical name, persons with their offices.

How it decides (rules over the Doc; the statistical NER, when the pipeline has one, adds
candidates but never overrides a rule):

Organisations
  1. the gazetteer (data/organizations.json: institutions, ministries, agencies, unions,
     parties, companies, with aliases and acronyms; case-insensitive for long names,
     exact for acronyms);
  2. shape patterns: "Comune|Città|Provincia|Città metropolitana di X", "ASL TO4",
     union names ("Fiom Cgil Piemonte", "SLC-CGIL", "Funzione pubblica Cgil"), an
     association prefix + territory ("Coldiretti Cuneo"), "<Name> Piemonte", legal forms
     ("Rossi S.p.A."), "Agenzia|Azienda|Fondazione ... <Capitalised>", "Lista civica X",
     all-caps acronyms of 3+ letters (not in a stop list);
  3. the NER's ORG entities that are not generic ("la Regione", "il Governo").
  Mentions of one body are grouped (gazetteer aliases, or a later mention that is the
  start of an earlier name: "Konecta Italia" ... "Konecta"); the canonical name is the
  form first used in the text. Organs ("la Giunta", "il Consiglio comunale", "l'aula")
  are not actors; they are kept as organ mentions standing for their institution.

Persons
  1. a first name from data/first_names.txt followed by a capitalised surname
     ("Gian Luca Vignale", "Elena Chiorino"); the NER's multi-word PER entities;
  2. a capitalised pair right after an office phrase ("il sindaco di Pavone Canavese,
     Endro Bevolo");
  3. later mentions by surname alone ("Cirio") are attached to the person first named
     in full; bare office mentions ("l'assessore") are kept for the commitment rules.
  Offices come from the office phrase before the name ("la vicepresidente e assessora
  al Lavoro Elena Chiorino" -> "vicepresidente; assessora al lavoro") or an apposition
  after it ("Andrea Tragaioli, sindaco di Rivoli"); a plural office before several names
  ("le consigliere ... Giulia Marro e Alice Ravinale") gives each the singular, feminine
  for women. The body of the office is the organisation or place named in the phrase
  ("sindaco di Asti" -> Comune di Asti), else the office's default body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from sentinella.extractors import lexicon
from sentinella.extractors.lexicon import text_of, token_range, tokens_of
from sentinella.extractors.sites import after_office

CAP = r"[A-ZÀ-Ý][\w’'\-]*"
PREP_DI = {"di", "del", "della", "dell’", "dell'", "dei", "degli", "delle", "d’", "d'", "dello"}
PREP_A = {"al", "alla", "all’", "all'", "allo", "ai", "agli", "alle", "a", "ad"}
ARTICLES = {"il", "lo", "la", "l’", "l'", "i", "gli", "le"}
LINKS = (
    PREP_DI
    | PREP_A
    | ARTICLES
    | {"e", "ed", ",", "per", "con", "in", "nel", "nella", "sul", "sulla"}
)
ORGAN_WORDS = {
    "giunta",
    "consiglio",
    "commissione",
    "conferenza",
    "assemblea",
    "aula",
    "comitato",
    "ente",
    "azienda",
    "società",
    "associazione",
    "agenzia",
    "fondazione",
    "sindacato",
    "gruppo",
    "consorzio",
    "federazione",
    "cooperativa",
    "camera",
    "università",
    "ordine",
    "collegio",
    "banca",
    "fondo",
    "ospedale",
    "istituto",
    "scuola",
    "partito",
    "lista",
    "coalizione",
    "sindacati",
    "segreteria",
    "confederazione",
    "circoscrizione",
    "municipio",
    "quartiere",
    "distretto",
    "sezione",
    "direzione",
    "settore",
    "minoranza",
    "maggioranza",
    "opposizione",
}
PARTICLES = {"De", "Di", "Da", "Del", "Della", "Dal", "Dalla", "Lo", "La", "Li", "Mc", "Van", "Von"}
COMPANY_SUFFIXES = {
    "Corporation",
    "Corp.",
    "Group",
    "Holding",
    "Italia",
    "Italy",
    "International",
    "Inc.",
    "Ltd",
    "S.p.A.",
    "S.p.a.",
    "SpA",
    "Spa",
    "S.r.l.",
    "Srl",
    "Industries",
    "Automotive",
    "Technologies",
    "Systems",
    "Services",
    "Logistics",
    "Energia",
    "Energy",
    "Europe",
    "Solutions",
    "Manufacturing",
    "Engineering",
}
ACRONYM_RE = re.compile(r"(?<![\w’'\-])[A-Z][A-Z0-9\-]{1,7}(?![\w’'\-])")
ARTICLED_PREPS = {
    "al",
    "alla",
    "allo",
    "ai",
    "agli",
    "alle",
    "all’",
    "all'",
    "l’",
    "l'",
    "la",
    "le",
    "il",
    "lo",
    "i",
    "gli",
}
NOT_SURNAME = {
    "Piemonte",
    "Italia",
    "Regione",
    "Comune",
    "Città",
    "Provincia",
    "Consiglio",
    "Giunta",
    "Presidente",
    "Sindaco",
    "Assessore",
    "Onorevole",
    "Senatore",
}
NOT_DOMAIN = {
    "ha",
    "hanno",
    "è",
    "sono",
    "che",
    "non",
    "si",
    "ne",
    "ci",
    "era",
    "sarà",
    "aveva",
    "ho",
    "abbiamo",
    "può",
    "deve",
    "anche",
    "già",
    "oggi",
    "ieri",
    "poi",
    "però",
    "invece",
    "inoltre",
    "come",
    "quando",
    "dove",
    "mentre",
    "secondo",
    "tra",
    "fra",
    "questa",
    "questo",
    "ora",
}
STOP_PUNCT = {"«", "»", ".", ";", ":", "(", ")", "!", "?", "—", "–", '"', "“", "”"}
FUNCTION_CAPS = {
    "In",
    "Il",
    "La",
    "Lo",
    "Le",
    "Gli",
    "I",
    "Per",
    "Nel",
    "Nella",
    "Del",
    "Della",
    "Dal",
    "Dalla",
    "Con",
    "Su",
    "Sul",
    "Tra",
    "Fra",
    "A",
    "Ad",
    "Da",
    "Di",
    "E",
    "Ma",
    "Se",
    "Anche",
    "Tutto",
    "Tutta",
    "Tutti",
    "Oggi",
    "Ieri",
    "Domani",
    "Un",
    "Una",
    "Uno",
    "Questo",
    "Questa",
    "Al",
    "Alla",
    "All’",
    "Dell’",
    "Nell’",
    "L’",
    "Non",
    "Che",
    "Secondo",
    "Dopo",
    "Prima",
    "Durante",
    "Come",
    "Intanto",
    "Inoltre",
    "Mentre",
    "Grazie",
    "Oltre",
    "Sulla",
    "Nei",
    "Negli",
    "Nelle",
    "Agli",
    "Alle",
    "Ai",
    "Dai",
    "Dalle",
    "Dagli",
    "Presso",
    "Verso",
    "Contro",
    "Senza",
    "Entro",
    "Circa",
    "Ecco",
    "Ora",
    "Poi",
    "Così",
    "Quindi",
    "Nello",
    "Allo",
    "Dello",
    "Sui",
    "Sugli",
    "Sulle",
    "Già",
    "Solo",
    "Proprio",
    "Infine",
    "Lunedì",
    "Martedì",
    "Mercoledì",
    "Giovedì",
    "Venerdì",
    "Sabato",
    "Domenica",
    "Buongiorno",
}
MALE_A = {
    "Andrea",
    "Luca",
    "Nicola",
    "Mattia",
    "Elia",
    "Enea",
    "Tobia",
    "Gianluca",
    "Battista",
    "Mirko",
}
FEMALE_E = {
    "Alice",
    "Beatrice",
    "Adele",
    "Agnese",
    "Irene",
    "Rachele",
    "Celeste",
    "Noemi",
    "Giusy",
    "Carmen",
    "Ines",
    "Deborah",
    "Sarah",
    "Denise",
    "Ester",
    "Ilenia",
}
ACRONYM_STOP = {
    "ISEE",
    "SPID",
    "CIE",
    "CNS",
    "PMI",
    "IVA",
    "RSU",
    "RSA",
    "PNRR",
    "FSC",
    "FESR",
    "FSE",
    "DEFR",
    "TPL",
    "IRPEF",
    "IMU",
    "TARI",
    "PIL",
    "CEO",
    "USA",
    "COVID",
    "DPCM",
    "DDL",
    "PDF",
    "URL",
    "TAV",
    "LEA",
    "CUP",
    "POR",
    "PSR",
    "CIG",
    "CIGS",
    "CCNL",
    "NASPI",
    "ICT",
    "UE",
    "EU",
    "IT",
    "OK",
    "TV",
    "PC",
    "AI",
    "KM",
    "MW",
    "GW",
    "KW",
    "CO2",
    "ONU",
    "NATO",
    "DOC",
    "DOCG",
    "IGP",
    "DOP",
    "PEC",
    "SMS",
    "APP",
    "FAQ",
    "II",
    "III",
    "IV",
    "VI",
    "VII",
    "VIII",
    "IX",
    "XI",
    "XII",
    "XX",
    "XXI",
    "SP",
    "SS",
    "SR",
    "ZTL",
    "ATO",
    "NB",
    "PS",
    "ETS",
    "ESG",
    "HR",
    "PA",
    "SRL",
    "SPA",
    "CUNEO",
    "TORINO",
    "ASTI",
    "IVREA",
    "NOVARA",
    "BIELLA",
    "VERCELLI",
    "ALESSANDRIA",
    "VERBANIA",
    "ROMA",
    "MILANO",
    "GENOVA",
    "EUR",
    "USD",
    "ISTAT",
    "VCO",
    "OSS",
    "DSA",
    "BES",
    "NEET",
    "STEM",
    "LGBT",
    "LGBTQ",
    "GPS",
    "LED",
    "WIFI",
    "FSE+",
    "PAC",
    "PUG",
    "PRG",
    "VIA",
    "VAS",
    "AIA",
    "SUAP",
    "CAF",
    "INFO",
    "NOTA",
    "FOTO",
    "VIDEO",
    "OGGI",
    "NEWS",
}
TERRITORY = "|".join(
    sorted(
        [
            "Piemonte",
            "Torino",
            "Cuneo",
            "Asti",
            "Alessandria",
            "Novara",
            "Biella",
            "Vercelli",
            "Verbania",
            "VCO",
            "Canavese",
            "Piemonte Orientale",
            "Alto Piemonte",
            "Nord Ovest",
            "Nord-Ovest",
            "Langhe",
            "Monferrato",
            "Ivrea",
            "Pinerolo",
            "Alba",
            "Bra",
            "Casale",
            "Biellese",
            "Valsesia",
            "Italia",
            "Nazionale",
            "Torino e Provincia",
            "Piemonte Nord",
            "Piemonte Sud",
            "Novara Vercelli",
            "Asti Alessandria",
            "Alessandria Asti",
            "Cuneo Asti",
            "Piemonte e Valle d’Aosta",
            "Valle d’Aosta",
        ],
        key=len,
        reverse=True,
    )
)


@dataclass
class OrgMention:
    start: int  # token offsets
    end: int
    key: str  # grouping key
    surface: str
    source: str  # gazetteer | pattern | ner | acronym


@dataclass
class PersonInfo:
    name: str
    start: int  # token offsets of the first full mention
    end: int
    first_names: tuple
    surname: str
    female: bool | None
    offices: list = field(default_factory=list)  # [(office_key, role_text)]
    organization: str | None = None
    mentions: list = field(default_factory=list)  # token spans (start, end)
    office_pos: dict = field(default_factory=dict)  # office -> token where the text gives it


@dataclass
class OrganInfo:
    start: int
    end: int
    institution: str | None


@dataclass
class OfficeMention:
    start: int
    end: int
    office: str  # canonical office key ("assessore")
    person: int | None = None  # index into persons


@dataclass
class DocActors:
    orgs: list  # list[dict]: name, key, start_char, end_char, mentions(char spans)
    persons: list  # list[PersonInfo]
    organs: list  # list[OrganInfo]
    office_mentions: list  # list[OfficeMention]
    org_token_spans: list  # [(start, end, org_index)]
    person_token_spans: list  # [(start, end, person_index)]


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", s.replace("'", " ").lower()).strip()


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _norm(s)).strip("-")


def _is_cap_text(t: str) -> bool:
    return bool(t) and t[0].isupper() and any(ch.isalpha() for ch in t)


def _is_cap(tok) -> bool:
    return _is_cap_text(tok.text)


def _is_acronym(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return (
        len(letters) >= 3 and all(c.isupper() for c in letters) and t[0].isalpha() and len(t) <= 8
    )


def _join(tokens) -> str:
    """Token texts joined as in Italian prose: no space after an elision or before a comma."""
    out = ""
    for t in tokens:
        txt = t.text if hasattr(t, "text") else t
        if out and not (out.endswith("’") or out.endswith("'")) and txt not in (",",):
            out += " "
        out += txt
    return out


def female(first: str) -> bool | None:
    if first in MALE_A:
        return False
    if first in FEMALE_E:
        return True
    if first.endswith("a"):
        return True
    if first[-1:] in ("o", "e", "i"):
        return False
    return None


@lru_cache(maxsize=1)
def _gazetteer():
    d = lexicon.organizations()
    entries = []
    for i, e in enumerate(d["organizations"]):
        entries.append(
            {
                "key": f"g{i}",
                "name": e["name"],
                "kind": e.get("kind"),
                "forms": [e["name"]] + list(e.get("aliases", [])),
                "stands_for": e.get("stands_for"),
            }
        )
    return entries, d["prefixes"], set(d["generic"])


@lru_cache(maxsize=1)
def _patterns():
    _, prefixes, _ = _gazetteer()
    branches = sorted(prefixes["union_branches"], key=len, reverse=True)
    confed = "Cgil|CGIL|Cisl|CISL|Uil|UIL|Ugl|UGL"
    union = re.compile(
        rf"\b(?:(?:{'|'.join(map(re.escape, branches))})[\s\-]+)?(?:{confed})\b"
        rf"(?:\s+(?:{TERRITORY})\b)?"
    )
    branch_only = re.compile(
        r"\b(?:Fiom|FIOM|Uilm|UILM|Fim|FIM|Filcams|Fisascat|Uiltucs|Fillea|Filca|"
        r"Feneal|Flai|Nidil|Fismic|Uilcom|UILCOM|Fistel|FISTel)\b"
        rf"(?:\s+(?:{TERRITORY})\b)?"
    )
    assoc = sorted(set(prefixes["associations"]), key=len, reverse=True)
    prefix_terr = re.compile(rf"\b(?:{'|'.join(map(re.escape, assoc))})\s+(?:{TERRITORY})\b")
    institution = re.compile(
        rf"\b(?:Comune|Città metropolitana|Città Metropolitana|Città|Provincia|Camera di commercio|"
        rf"Camera di Commercio|Prefettura|Procura|Questura|Tribunale|Università|Politecnico|Diocesi|"
        rf"Ufficio scolastico regionale|Atc|ATC|Asl|ASL|Azienda sanitaria locale|Asp|ASP)"
        rf"\s+(?:di|del|della|dell’|dell'|dei|delle|degli|d’)\s*{CAP}(?:[\s\-]+{CAP})*"
        rf"|\b(?:Unione montana|Unione Montana|Unione dei Comuni|Unione dei comuni|Consorzio|Ente Parco|Ente parco|"
        rf"Ente di gestione delle aree protette|Azienda ospedaliera|Azienda Ospedaliera|"
        rf"Azienda ospedaliero-universitaria|Azienda Ospedaliero-Universitaria|Aou|AOU|Aso|ASO)"
        rf"(?:\s+(?:di|del|della|dell’|dell'|dei|delle|degli|d’))?\s*{CAP}(?:(?:[\s\-]+|\s+e\s+){CAP})*"
    )
    asl = re.compile(
        r"\b(?:ASL|Asl|ASO|Aso|AOU|Aou|ASLTO|ATC|Atc)\s+(?:[A-Z]{2,3}\s?\d{1,2}|[A-Z]{2}|"
        r"Città di Torino|Piemonte (?:Centrale|Nord|Sud)|del Piemonte (?:Centrale|Nord|Sud))\b"
    )
    legal = re.compile(
        rf"\b(?:{CAP}\s+){{0,3}}{CAP}\s+(?:S\.p\.A\.|S\.p\.a\.|S\.r\.l\.|SpA|Spa|Srl|"
        rf"S\.c\.a\.r\.l\.|Scarl|S\.n\.c\.|s\.p\.a\.|s\.r\.l\.)"
    )
    head = re.compile(
        rf"\b(?:Agenzia|Azienda|Fondazione|Associazione|Consorzio|Istituto|Cooperativa|Federazione|"
        rf"Osservatorio|Banca|Cassa|Gruppo|Compagnia|Società|Ordine|Collegio|Confederazione|Sindacato|"
        rf"Comitato|Coordinamento|Movimento|Partito|Lista|Fondo)"
        rf"(?:\s+(?:di|del|della|dell’|dell'|dei|degli|delle|per)\s*)?\s+{CAP}"
        rf"(?:\s+(?:(?:di|del|della|dell’|dell'|dei|degli|delle)\s+)?{CAP})*"
    )
    company_ctx = re.compile(
        rf"\b({CAP}(?:\s+{CAP})?),\s+(?:la società|l’azienda|l'azienda|il gruppo|la multinazionale|l’impresa|"
        rf"l'impresa|la cooperativa|il consorzio|la partecipata|la municipalizzata)\b"
        rf"|\b(?:vertenza|azienda|gruppo|società|multinazionale|colosso|marchio|fornitore|cartiera|acciaieria|"
        rf"fonderia|ditta|fabbrica|industria|catena|cooperativa|startup|holding|storica azienda)\s+({CAP}(?:\s+{CAP})?)"
        rf"|\b(?:lavoratori|lavoratrici|dipendenti|stabilimento|stabilimenti|vertici|esuberi|sindacati)\s+"
        rf"(?:di|della|dell’|dell'|del)\s+({CAP}(?:\s+{CAP})?)"
    )
    lista = re.compile(rf"\bLista\s+(?:civica\s+)?{CAP}(?:\s+(?:presidente|sindaco|{CAP}))*")
    piemonte = re.compile(rf"\b((?:{CAP}\s+){{1,3}})Piemonte\b")
    italia = re.compile(rf"\b({CAP})\s+Italia\b")
    ministero = re.compile(
        rf"\bMinistero\s+(?:del|della|dell’|dell'|delle|dei|degli|per\s+(?:la|il|le|gli))\s*"
        rf"{CAP}(?:(?:\s*,\s*|\s+e\s+)(?:(?:del|della|dell’|dell'|delle|dei|degli)\s*)?{CAP}"
        rf"|\s+(?:[a-z]+ale|[a-z]+ica|[a-z]+iche)\b|\s+in\s+Italy)*"
    )
    return {
        "union": union,
        "branch_only": branch_only,
        "prefix_terr": prefix_terr,
        "institution": institution,
        "asl": asl,
        "legal": legal,
        "head": head,
        "lista": lista,
        "piemonte": piemonte,
        "italia": italia,
        "ministero": ministero,
        "company_ctx": company_ctx,
    }


# Cheap literal probes: a pattern runs only on texts containing one of its words, and the
# patterns that look back from a fixed word run only on a window before each occurrence.
_PROBES = {
    "ministero": ("Ministero",),
    "union": ("Cgil", "CGIL", "Cisl", "CISL", "Uil", "UIL", "Ugl", "UGL"),
    "branch_only": (
        "Fiom",
        "FIOM",
        "Uilm",
        "UILM",
        "Fim",
        "FIM",
        "Filcams",
        "Fisascat",
        "Uiltucs",
        "Fillea",
        "Filca",
        "Feneal",
        "Flai",
        "Nidil",
        "Fismic",
        "Uilcom",
        "UILCOM",
        "Fistel",
        "FISTel",
    ),
    "lista": ("Lista",),
    "asl": ("ASL", "Asl", "ASO", "Aso", "AOU", "Aou", "ATC", "Atc"),
}
_WINDOWS = {
    "piemonte": "Piemonte",
    "italia": "Italia",
    "legal": (
        "S.p.A.",
        "S.p.a.",
        "S.r.l.",
        "SpA",
        "Spa",
        "Srl",
        "S.c.a.r.l.",
        "Scarl",
        "S.n.c.",
        "s.p.a.",
        "s.r.l.",
    ),
}


def _matches(rx, text: str, name: str):
    probes = _PROBES.get(name)
    if probes is not None and not any(w in text for w in probes):
        return ()
    window = _WINDOWS.get(name)
    if window is None:
        return rx.finditer(text)
    words = (window,) if isinstance(window, str) else window
    out, seen = [], set()
    for w in words:
        pos = text.find(w)
        while pos >= 0:
            m = rx.search(text, max(0, pos - 90), min(len(text), pos + len(w) + 1))
            if m is not None and m.start() not in seen:
                seen.add(m.start())
                out.append(m)
            pos = text.find(w, pos + len(w))
    return out


def build_org_matchers(nlp: Language):
    entries, _, _ = _gazetteer()
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    for e in entries:
        longs = [f for f in e["forms"] if len(f) >= 5 and not _is_acronym(f)]
        shorts = [f for f in e["forms"] if f not in longs]
        if longs:
            lower.add(e["key"], list(nlp.tokenizer.pipe(longs)))
        if shorts:
            exact.add(e["key"], list(nlp.tokenizer.pipe(shorts)))
    return lower, exact


@lru_cache(maxsize=1)
def _office_tables():
    o = lexicon.offices()
    single = {}  # form -> office key
    multi = {}  # first word -> [(tuple(words), office)]
    for office, spec in o["offices"].items():
        for form in spec["forms"]:
            words = tuple(form.split())
            if len(words) == 1:
                single[form] = office
            else:
                multi.setdefault(words[0], []).append((words, office))
    plural = {}
    for office, forms in o.get("plurals", {}).items():
        for f in forms:
            if f not in single:
                plural[f] = office
    fem = {
        office: (spec["forms"][1] if len(spec["forms"]) > 1 else spec["forms"][0])
        for office, spec in o["offices"].items()
    }
    masc = {office: spec["forms"][0] for office, spec in o["offices"].items()}
    body = {office: spec.get("body") for office, spec in o["offices"].items()}
    return single, multi, plural, fem, masc, body, set(o["qualifiers"])


@lru_cache(maxsize=1)
def _office_first_words() -> frozenset:
    single, multi, plural, *_ = _office_tables()
    return frozenset(single) | frozenset(multi) | frozenset(plural)


def _office_at(doc: Doc, i: int):
    """(end, office_key, plural) if an office word starts at token i."""
    low = doc[i].lower_
    if low not in _office_first_words():
        return None
    single, multi, plural, *_ = _office_tables()
    for words, office in multi.get(low, ()):
        n = len(words)
        if i + n <= len(doc) and tuple(t.lower_ for t in doc[i : i + n]) == words:
            return i + n, office, False
    if low in single:
        return i + 1, single[low], False
    if low in plural:
        return i + 1, plural[low], True
    return None


class ActorFinder:
    """Built once per pipeline: matchers and tables; called on every Doc."""

    def __init__(self, nlp: Language):
        self.org_lower, self.org_exact = build_org_matchers(nlp)
        self.entries, _, self.generic = _gazetteer()
        self.entry_by_key = {e["key"]: e for e in self.entries}
        self.first_names = lexicon.first_names()
        self.comuni = lexicon.linkable_comuni()
        self.patterns = _patterns()
        pl = lexicon.places()
        self.place_names = set(pl["regions"]) | set(pl["countries"]) | set(pl["areas"])
        self.all_comuni = set(lexicon.comuni()["by_name"])
        self.common = lexicon.common_words()  # loaded here, not on the first document

    # -- organisations ---------------------------------------------------------------
    def _org_candidates(self, doc: Doc) -> list[OrgMention]:
        cands: list[OrgMention] = []
        for matcher in (self.org_lower, self.org_exact):
            for mid, s, e in matcher(doc):
                key = doc.vocab.strings[mid]
                span = doc[s:e]
                if (
                    not span.text[:1].isupper()
                    and not span.text[:1].isdigit()
                    and span.text[:1] != "+"
                ):
                    continue
                cands.append(OrgMention(s, e, key, span.text, "gazetteer"))
        text = text_of(doc)
        tt = tokens_of(doc)
        p = self.patterns
        for name in (
            "ministero",
            "institution",
            "asl",
            "union",
            "branch_only",
            "prefix_terr",
            "legal",
            "head",
            "lista",
            "piemonte",
            "italia",
        ):
            for m in _matches(p[name], text, name):
                s0, e0 = m.start(), m.end()
                if name == "piemonte":
                    words = m.group(1).split()
                    while words and (words[0] in FUNCTION_CAPS or words[0] in self.first_names):
                        s0 += len(words[0]) + 1
                        words = words[1:]
                    if not words or words[0] in (
                        "Regione",
                        "Limone",
                        "Caramagna",
                        "Alto",
                        "Basso",
                        "Nord",
                        "Sud",
                        "Est",
                        "Ovest",
                        "Centro",
                    ):
                        continue
                    s0 = text.find(words[0], s0)
                if name == "italia":
                    if m.group(1) in FUNCTION_CAPS or m.group(1) in (
                        "Nord",
                        "Sud",
                        "Centro",
                        "Made",
                    ):
                        continue
                if name == "institution":
                    head = m.group(0).split()[0]
                    if head in ("Città",) and m.group(0).startswith("Città della"):
                        continue
                r = token_range(tt, s0, e0)
                if r is None:
                    continue
                surface = text[tt.start[r[0]] : tt.end[r[1] - 1]]
                cands.append(OrgMention(r[0], r[1], "p:" + _norm(surface), surface, "pattern"))
        # "Lear" + "Corporation", "Konecta" + "Italia": a company suffix extends the name
        for c in cands:
            while c.end < tt.n and tt.text[c.end] in COMPANY_SUFFIXES:
                c.end += 1
                c.surface = text[tt.start[c.start] : tt.end[c.end - 1]]
        # a company named by its context ("vertenza Electrolux", "i lavoratori di Vertiv"):
        # a capitalised name that is no place, no ordinary word and no first name
        common = None
        n_before = len(cands)
        for m in _matches(p["company_ctx"], text, "company_ctx"):
            g = next(k for k in (1, 2, 3) if m.group(k))
            name = m.group(g)
            words = name.split()
            if len(words) == 2 and words[0] in FUNCTION_CAPS:  # "Secondo Acda, la società ..."
                name = words[1]
            first = name.split()[0]
            if common is None:
                common = lexicon.common_words()
            if (
                first in FUNCTION_CAPS
                or first in self.first_names
                or first.lower() in common
                or self._is_place(first)
                or self._is_place(name)
            ):
                continue
            r = token_range(tt, m.end(g) - len(name), m.end(g))
            if r is not None:
                surface = text[tt.start[r[0]] : tt.end[r[1] - 1]]
                cands.append(OrgMention(r[0], r[1], "p:" + _norm(surface), surface, "pattern"))
        # a name found once by its context is the same organisation wherever it recurs
        found = {c.surface for c in cands[n_before:] if c.source == "pattern"}
        for name in found:
            if len(name) < 3:
                continue
            for m in re.finditer(r"(?<![\w’'])" + re.escape(name) + r"(?![\w’'])", text):
                r = token_range(tt, m.start(), m.end())
                if r is not None and not any(c.start == r[0] for c in cands):
                    end = r[1]
                    while end < tt.n and tt.text[end] in COMPANY_SUFFIXES:
                        end += 1
                    surface = text[tt.start[r[0]] : tt.end[end - 1]]
                    cands.append(OrgMention(r[0], end, "p:" + _norm(surface), surface, "pattern"))
        for m in ACRONYM_RE.finditer(text):
            r = token_range(tt, m.start(), m.end())
            if r is None or r[1] - r[0] != 1:
                continue
            k = r[0]
            word = tt.text[k]
            if (
                word != m.group(0)
                or not _is_acronym(word)
                or word in ACRONYM_STOP
                or tt.sent_start(k)
            ):
                continue
            if k + 1 < tt.n and tt.text[k + 1][:1].isdigit():
                continue  # "SP 460"
            cands.append(OrgMention(k, k + 1, "p:" + _norm(word), word, "acronym"))
        for ent in doc.ents:
            if ent.label_ == "ORG":
                txt = ent.text.strip()
                first = ent[0]
                if first.lower_ in ARTICLES:
                    ent = ent[1:]
                    if not len(ent):
                        continue
                    txt = ent.text
                if (
                    txt in self.generic
                    or (txt.split()[0].lower() in ORGAN_WORDS and len(ent) <= 2)
                    or not txt[:1].isupper()
                    or len(txt) < 2
                ):
                    continue
                cands.append(OrgMention(ent.start, ent.end, "p:" + _norm(txt), txt, "ner"))
        return cands

    def _is_place(self, name: str) -> bool:
        return (
            name in self.all_comuni
            or name in self.place_names
            or name.split("-")[0] in self.all_comuni
            or name in lexicon.comuni()["provinces"]
        )

    # -- persons -----------------------------------------------------------------------
    def _first_name_persons(self, doc: Doc) -> list[tuple[int, int]]:
        spans = []
        tx = tokens_of(doc).text
        n = len(tx)
        fn = self.first_names

        def cap(k):
            return _is_cap_text(tx[k])

        i = 0
        while i < n:
            if tx[i] in self.comuni and after_office(doc, i):
                i += 1  # "la sindaca di Alba Carla Bosio": Alba is the town, not a name
                continue
            if tx[i] in fn and i + 1 < n and cap(i + 1):
                j = i + 1
                while j < n and tx[j] in fn and j + 1 < n and cap(j + 1):
                    j += 1  # more first names: "Gian Luca Vignale"
                if tx[j] in PARTICLES and j + 1 < n and cap(j + 1):
                    j += 1
                elif tx[j][-1:] in ("’", "'") and j + 1 < n and cap(j + 1):
                    j += 1  # "Anna Maria D’Angelo", "Marco Dell’Acqua"
                elif (
                    j + 1 < n
                    and cap(j + 1)
                    and tx[j + 1] not in FUNCTION_CAPS
                    and not _is_acronym(tx[j + 1])
                    and tx[j + 1] not in fn
                    and not (j + 2 < n and cap(j + 2))
                    and tx[j + 1] not in self.comuni
                    and tx[j + 1] not in NOT_SURNAME
                ):
                    j += 1  # a second surname or a middle name: "Alessandro Ciro Sciretti"
                if _is_acronym(tx[j]) or tx[j] in FUNCTION_CAPS:
                    i += 1
                    continue
                spans.append((i, j + 1))
                i = j + 1
                continue
            i += 1
        return spans

    def candidates(self, doc: Doc, site_spans: list = ()):
        """Person spans and resolved organisation mentions.

        The rules decide first; the NER's PER and ORG entities are added only where they
        overlap no rule match (person, organisation or place candidate), and an ORG entity
        must not be an ordinary Italian word, a place or a person's surname.
        """
        person_spans = _dedupe(self._first_name_persons(doc))
        org_cands = self._org_candidates(doc)
        rule_orgs = [o for o in org_cands if o.source != "ner"]
        ner_orgs = [o for o in org_cands if o.source == "ner"]
        # an organisation spanning wider than a person wins ("Fondazione Giovanni Agnelli");
        # a person named with a first name wins over a shorter organisation match
        # ... unless the person closes a pattern match ("Associazione Imprese del Canavese
        # Giuseppe Chiantore"): the organisation ends before the name
        for o in rule_orgs:
            if o.source == "pattern":
                for s, e in person_spans:
                    if o.start < s and e == o.end:
                        o.end = s
                        while o.end > o.start + 1 and doc[o.end - 1].lower_ in LINKS:
                            o.end -= 1
                        o.surface = doc[o.start : o.end].text
                        o.key = "p:" + _norm(o.surface)
        person_spans = [
            (s, e)
            for s, e in person_spans
            if not any(
                o.start <= s and e <= o.end and (o.end - o.start) > (e - s) for o in rule_orgs
            )
        ]
        rule_orgs = [
            o
            for o in rule_orgs
            if not any(
                o.start < e
                and s < o.end
                and not (o.start <= s and e <= o.end and (o.end - o.start) > (e - s))
                for s, e in person_spans
            )
        ]
        taken = [(o.start, o.end) for o in rule_orgs] + list(person_spans) + list(site_spans)

        def free(s, e):
            return not any(a < e and s < b for a, b in taken)

        for ent in doc.ents:
            if (
                ent.label_ == "PER"
                and len(ent) >= 2
                and all(_is_cap(t) for t in ent)
                and free(ent.start, ent.end)
            ):
                first = ent[0].text
                if first not in self.first_names and first.lower() in lexicon.common_words():
                    continue  # "Meccanica Canavesana", "Ferrovia Asti-Alba"
                if ent[-1].text in COMPANY_SUFFIXES:
                    continue
                if not any(t.text in FUNCTION_CAPS or _is_acronym(t.text) for t in ent):
                    person_spans.append((ent.start, ent.end))
                    taken.append((ent.start, ent.end))
        if ner_orgs:
            common = lexicon.common_words()
            surnames = {doc[e - 1].text for s, e in person_spans}
            for o in ner_orgs:
                first = o.surface.split()[0]
                prev = doc[o.start - 1].lower_ if o.start else ""
                if o.end - o.start == 1 and prev in ARTICLED_PREPS | {
                    "del",
                    "della",
                    "dello",
                    "dei",
                    "delle",
                    "dal",
                    "dalla",
                    "nel",
                    "nella",
                    "sul",
                    "sulla",
                }:
                    continue  # "del Palio", "la Granda": a nickname or an event, not a new body
                if (
                    not free(o.start, o.end)
                    or first.lower() in common
                    or first in surnames
                    or first in self.comuni
                    or first.upper() in ACRONYM_STOP
                    or len(o.surface) <= 2
                    or o.surface in self.place_names
                    or self._is_place(first)
                    or doc[o.start].is_sent_start
                    or not first[:1].isupper()
                ):
                    continue
                rule_orgs.append(o)
                taken.append((o.start, o.end))
        return sorted(set(person_spans)), _resolve_orgs(rule_orgs)


def _dedupe(spans):
    out = []
    for s, e in sorted(set(spans), key=lambda x: (x[0], -(x[1] - x[0]))):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


_SOURCE_RANK = {"gazetteer": 0, "pattern": 1, "acronym": 2, "ner": 3}


def _resolve_orgs(cands: list[OrgMention]) -> list[OrgMention]:
    """Longest match wins; among equals, gazetteer before patterns before NER."""
    keep: list[OrgMention] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), _SOURCE_RANK[c.source], c.start)):
        if any(k.start < c.end and c.start < k.end for k in keep):
            continue
        keep.append(c)
    return sorted(keep, key=lambda c: c.start)


# -- offices ---------------------------------------------------------------------------


def _scan_office(
    doc: Doc, i: int, sent_end: int, blocked: list, person_at: dict, first_names
) -> dict | None:
    """Read the office phrase starting at token i.

    Returns {'offices': [(key, role_text)], 'end', 'names': [token runs], 'org_span':
    (s, e) of a named body, 'plural'} or None when no office starts at i.
    """
    hit = _office_at(doc, i)
    if hit is None:
        return None
    single, multi, plural_forms, fem, masc, body, qualifiers = _office_tables()
    j, office, plural = hit
    if i > 0 and doc[i - 1].lower_ in ("le", "i", "gli"):
        plural = True  # "le consigliere Giulia Marro e Alice Ravinale"
    offices = []  # [office_key, role tokens, plural]
    cur = [office, [t.text for t in doc[i:j]], plural]
    org_span = None
    in_domain = False
    domain = []
    runs, run = [], []
    last = j
    prev_cap = False
    limit = min(sent_end, i + 22)
    while j < limit:
        t = doc[j]
        low = t.lower_
        if t.text in STOP_PUNCT:
            break
        if j in person_at:  # a known person: it ends the run
            if run:
                runs.append(run)
            s, e = person_at[j]
            runs.append(list(range(s, e)))
            run = []
            j = e
            prev_cap = True
            last = j
            if cur[2] and j < limit and doc[j].text == "(":  # "Sergio Bartoli (Lega) e ..."
                k = j
                while k < limit and doc[k].text != ")":
                    k += 1
                if k < limit:
                    j = k + 1
            nxt = doc[j] if j < limit else None
            if (
                nxt is not None
                and nxt.lower_ in ("e", ",")
                and j + 1 < limit
                and (j + 1) in person_at
                and cur[2]
            ):
                j += 1
                continue
            break
        if blocked[j] is not None:  # an organisation or place named in the phrase
            if run:
                runs.append(run)
                run = []
            s, e, kind = blocked[j]
            if org_span is None and doc[max(s - 1, 0)].lower_ in PREP_DI | {"di"}:
                org_span = (s, e, kind)
            elif kind == "org" and doc[max(s - 1, 0)].lower_ in PREP_A:
                domain.append((s, e))  # a portfolio ("alla Protezione civile"), not a body
            j = e
            prev_cap = False
            continue
        if _is_cap(t) and not (
            t.text in FUNCTION_CAPS and not prev_cap and j > i + 1 and doc[j - 1].text in (",",)
        ):
            run.append(j)
            prev_cap = True
            j += 1
            continue
        if run:
            runs.append(run)
            run = []
        if low in qualifiers and all(doc[k].lower_ in qualifiers for k in range(hit[0], j)):
            j += 1  # "consigliere metropolitano delegato", "direttore generale"
            continue
        nxt_office = _office_at(doc, j)
        if nxt_office is not None and j == hit[0] and not plural:
            cur[1].extend(tt.text for tt in doc[j : nxt_office[0]])  # "consigliere segretario"
            j = nxt_office[0]
            continue
        if nxt_office is not None:
            if doc[j - 1].lower_ in ("e", "ed") and not runs:
                offices.append(cur)
                j2, office2, plural2 = nxt_office
                cur = [office2, [tt.text for tt in doc[j:j2]], plural2]
                j = j2
                prev_cap = False
                continue
            break
        if low in LINKS or low in qualifiers or low in ORGAN_WORDS or t.text == "," or t.is_digit:
            if low in PREP_A or low in ORGAN_WORDS or low == "per":
                in_domain = True
            prev_cap = False
            j += 1
            continue
        if (
            t.is_lower
            and t.is_alpha
            and low not in NOT_DOMAIN
            and in_domain
            and (
                doc[j - 1].text[:1].isupper()
                or (doc[j - 1].lower_ in PREP_DI and doc[j - 2].text[:1].isupper())
                or doc[j - 1].lower_ in ARTICLED_PREPS
            )
        ):  # "alle politiche sociali", "per l’infanzia"
            prev_cap = False  # "Attività produttive", "Difesa del suolo"
            j += 1
            continue
        break
    if run:
        runs.append(run)
    offices.append(cur)
    return {
        "offices": offices,
        "start": i,
        "end": j,
        "runs": runs,
        "org_span": org_span,
        "domain": domain,
    }


def _role_text(doc: Doc, start: int, end: int, name_tokens: set, org_span) -> str:
    """The office phrase as lower-case text, without the name and the named body."""
    toks = []
    k = start
    while k < end:
        if k in name_tokens:
            break
        if org_span and k == org_span[0] - 1 and doc[k].lower_ in PREP_DI:
            k = org_span[1]
            continue
        if org_span and org_span[0] <= k < org_span[1]:
            k = org_span[1]
            continue
        toks.append(doc[k].text)
        k += 1
    while toks and (toks[-1] in (",",) or toks[-1].lower() in LINKS):
        toks.pop()
    return _join(toks).lower()


def analyse_people(
    doc: Doc,
    person_spans: list,
    blocked: list,
    first_names,
    org_name_at,
    site_name_at,
    domain_spans: list | None = None,
) -> tuple[list, list]:
    """Persons with offices and mentions, and the office mentions without a name.

    `blocked[k]` is (start, end, kind) for tokens inside organisations/places, else None.
    `org_name_at(s, e)` and `site_name_at(s, e)` give the canonical name of a body.
    """
    _, _, _, fem, masc, body, _ = _office_tables()
    persons: list[PersonInfo] = []
    person_at = {}
    by_key = {}

    def add_person(s, e):
        toks = [t.text for t in doc[s:e]]
        fns = []
        k = 0
        while k < len(toks) - 1 and toks[k] in first_names:
            fns.append(toks[k])
            k += 1
        surname = " ".join(toks[k:]) if fns else toks[-1]
        name = _join(doc[s:e])
        key = _norm(name)
        if key in by_key:
            idx = by_key[key]
            persons[idx].mentions.append((s, e))
        else:
            idx = len(persons)
            by_key[key] = idx
            persons.append(
                PersonInfo(
                    name=name,
                    start=s,
                    end=e,
                    first_names=tuple(fns),
                    surname=surname,
                    female=female(toks[0]) if toks else None,
                    mentions=[(s, e)],
                )
            )
        for k2 in range(s, e):
            person_at[k2] = (s, e)
        return idx

    for s, e in sorted(person_spans):
        add_person(s, e)

    office_mentions: list[OfficeMention] = []
    tt = tokens_of(doc)
    sent_end_of = dict(enumerate(tt.sent_end))
    pending = []
    i = 0
    n = tt.n
    lows = tt.lower
    office_words = _office_first_words()
    while i < n:
        if blocked[i] is not None or i in person_at:
            i += 1
            continue
        if lows[i] not in office_words:
            i += 1
            continue
        scan = _scan_office(doc, i, sent_end_of.get(i, n), blocked, person_at, first_names)
        if scan is None:
            i += 1
            continue
        pending.append(scan)
        i = max(scan["end"], i + 1)

    for scan in pending:
        if domain_spans is not None:
            domain_spans.extend(scan["domain"])
        runs = scan["runs"]
        targets = []
        if runs:
            last = runs[-1]
            if last[0] in person_at:
                s, e = person_at[last[0]]
                targets.append(by_key[_norm(_join(doc[s:e]))])
                if scan["offices"][-1][2]:  # plural office: every named person
                    for r in runs[:-1]:
                        if r[0] in person_at:
                            s2, e2 = person_at[r[0]]
                            targets.insert(0, by_key[_norm(_join(doc[s2:e2]))])
            elif (len(last) >= 2 and last[-1] == scan["end"] - 1) or (
                len(last) >= 2 and doc[last[-1] + 1].text in (",", "(")
            ):
                k = len(last) - 2
                while k - 1 >= 1 and doc[last[k - 1]].text in first_names:
                    k -= 1
                if k == 0 and len(last) > 2:
                    k = 1
                s, e = last[k], last[-1] + 1
                if all(doc[x].text not in FUNCTION_CAPS for x in range(s, e)):
                    targets.append(add_person(s, e))
            elif len(last) == 1 and last[0] == scan["end"] - 1:
                tok = doc[last[0]].text
                for idx, p in enumerate(persons):
                    if p.surname == tok:
                        targets.append(idx)
                        p.mentions.append((last[0], last[0] + 1))  # "la vicepresidente Chiorino"
                        person_at[last[0]] = (last[0], last[0] + 1)
                        break
        name_tokens = set()
        for idx in targets:
            for s, e in persons[idx].mentions:
                name_tokens.update(range(s, e))
        org = None
        if scan["org_span"]:
            s, e, kind = scan["org_span"]
            org = org_name_at(s, e) if kind == "org" else site_name_at(s, e)
        for idx in targets:
            p = persons[idx]
            for office, role_toks, plural in scan["offices"]:
                role = _role_text(doc, scan["start"], scan["end"], name_tokens, scan["org_span"])
                if len(scan["offices"]) > 1:  # "vicepresidente e assessora al Lavoro"
                    role = _split_chain(role, scan["offices"], office)
                if plural:
                    word = fem[office] if p.female else masc[office]
                    role = word + role[len(role_toks[0]) :]
                _add_office(p, office, role, scan["start"])
            if org and not p.organization:
                p.organization = _body_name(org, scan["offices"][0][0])
        if not targets:
            office_mentions.append(OfficeMention(scan["start"], scan["end"], scan["offices"][0][0]))

    # apposition after a name: "Elena Chiorino, assessora al Lavoro", "Rossi (Pd)"
    for idx, p in enumerate(list(persons)):
        for s, e in list(p.mentions):
            k = e
            if k < n and doc[k].text == ",":
                k += 1
                if k < n and doc[k].lower_ in ARTICLES:
                    k += 1
                if k < n and blocked[k] is None:
                    scan = _scan_office(
                        doc, k, sent_end_of.get(k, n), blocked, person_at, first_names
                    )
                    if scan is not None and not any(
                        x in person_at for r in scan["runs"] for x in r
                    ):
                        org = None
                        if scan["org_span"]:
                            s2, e2, kind = scan["org_span"]
                            org = org_name_at(s2, e2) if kind == "org" else site_name_at(s2, e2)
                        for office, role_toks, plural in scan["offices"]:
                            role = _role_text(
                                doc, scan["start"], scan["end"], set(), scan["org_span"]
                            )
                            if len(scan["offices"]) > 1:
                                role = _split_chain(role, scan["offices"], office)
                            _add_office(p, office, role, scan["start"])
                        if org and not p.organization:
                            p.organization = _body_name(org, scan["offices"][0][0])

    # "la Commissione Legalità, presieduta da Domenico Rossi"; "lascia l'incarico di direttore"
    for idx, p in enumerate(persons):
        for s, e in list(p.mentions):
            if (
                s >= 2
                and doc[s - 1].lower_ in ("da", "dal", "dalla")
                and doc[s - 2].lower_
                in ("presieduta", "presieduto", "guidata", "guidato", "coordinata", "coordinato")
            ):
                organ = ""
                for k in range(s - 3, max(s - 12, 0) - 1, -1):
                    if doc[k].lower_ == "commissione":
                        stop = k + 1
                        while stop < s - 2 and (_is_cap(doc[stop]) and blocked[stop] is None):
                            stop += 1
                        start = (
                            k - 1
                            if k > 0
                            and doc[k - 1].lower_
                            in (
                                "prima",
                                "seconda",
                                "terza",
                                "quarta",
                                "quinta",
                                "sesta",
                                "settima",
                                "ottava",
                            )
                            else k
                        )
                        organ = " " + ("della " + _join(doc[start:stop])).lower()
                        break
                _add_office(p, "presidente", "presidente" + organ, s - 2)
            for k in range(e, min(e + 10, sent_end_of.get(e - 1, n) - 1)):
                if (
                    doc[k].lower_ in ("incarico", "qualità", "ruolo", "carica", "veste")
                    and doc[k + 1].lower_ == "di"
                ):
                    scan = _scan_office(
                        doc, k + 2, sent_end_of.get(k, n), blocked, person_at, first_names
                    )
                    if scan is not None and not scan["runs"]:
                        org = None
                        if scan["org_span"]:
                            s2, e2, kind = scan["org_span"]
                            org = org_name_at(s2, e2) if kind == "org" else site_name_at(s2, e2)
                        for office, role_toks, plural in scan["offices"]:
                            _add_office(
                                p,
                                office,
                                _role_text(
                                    doc, scan["start"], scan["end"], set(), scan["org_span"]
                                ),
                                scan["start"],
                            )
                        if org and not p.organization:
                            p.organization = org
                    break

    # later mentions by surname alone
    surnames = {}
    for idx, p in enumerate(persons):
        surnames.setdefault(p.surname, idx)
    for k, txt in enumerate(tt.text):
        if txt in surnames and k not in person_at and blocked[k] is None:
            idx = surnames[txt]
            persons[idx].mentions.append((k, k + 1))
            person_at[k] = (k, k + 1)
    for om in office_mentions:
        om.person = _resolve_office(om, persons)
    return persons, office_mentions


def _split_chain(role: str, offices, office) -> str:
    """'vicepresidente e assessora al lavoro' -> the part for one office of the chain."""
    parts = re.split(
        r"\s+e(?:d)?\s+(?=(?:%s)\b)" % "|".join(re.escape(o[1][0].lower()) for o in offices[1:]),
        role,
    )
    for o, part in zip(offices, parts):
        if o[0] == office:
            return part
    return role


def _add_office(p: PersonInfo, office: str, role: str, pos: int = 0) -> None:
    """Add an office (one per office word, the fullest wording), kept in text order."""
    if not role:
        return
    for k, (o, r) in enumerate(p.offices):
        if o == office:
            if len(role) > len(r):
                p.offices[k] = (o, role)
            return
    p.offices.append((office, role))
    p.office_pos[office] = pos
    p.offices.sort(key=lambda x: p.office_pos.get(x[0], 0))


def _body_name(name: str, office: str) -> str:
    """The body an office belongs to when the phrase names an organisation or place."""
    return name


def _resolve_office(om: OfficeMention, persons: list) -> int | None:
    """'l'assessore' -> the person last named before it with that office."""
    best = None
    for idx, p in enumerate(persons):
        if any(o == om.office for o, _ in p.offices):
            first = min(s for s, _ in p.mentions)
            if first < om.start and (best is None or first > best[1]):
                best = (idx, first)
    if best is None:
        cands = [idx for idx, p in enumerate(persons) if any(o == om.office for o, _ in p.offices)]
        return cands[0] if len(cands) == 1 else None
    return best[0]


_TERRITORY_TAIL = re.compile(
    r"^(?:" + _norm(TERRITORY.replace("’", "'")).replace(" | ", "|") + r")$"
)


def group_orgs(doc: Doc, mentions: list[OrgMention], entry_by_key: dict) -> list[dict]:
    """One entry per organisation: canonical name = first form in the text."""
    groups: list[dict] = []
    by_key = {}
    for m in mentions:
        key = m.key
        surface = m.surface
        if surface[:2].lower() in ("l’", "l'"):
            surface = surface[2:]
        idx = by_key.get(key)
        if idx is None:
            idx = by_key.get("p:" + _norm(surface))
        if idx is None:
            # "Konecta Italia" ... "Konecta": a later mention that starts an earlier name;
            # "Vertiv" ... "Vertiv Italia" too, unless the longer one only adds a territory
            # ("Fiom Cgil" and "Fiom Cgil Piemonte" are two bodies)
            ns = _norm(surface)
            for g_idx, g in enumerate(groups):
                gn = _norm(g["name"])
                if gn.startswith(ns + " "):
                    idx = g_idx
                    break
                if ns.startswith(gn + " ") and not _TERRITORY_TAIL.match(ns[len(gn) :].strip()):
                    idx = g_idx
                    break
        if idx is None:
            idx = len(groups)
            groups.append(
                {
                    "name": surface,
                    "keys": {key},
                    "mentions": [],
                    "start": doc[m.start].idx,
                    "end": doc[m.end - 1].idx + len(doc[m.end - 1].text),
                }
            )
            if key.startswith("g"):
                for f in entry_by_key[key]["forms"]:
                    by_key.setdefault("p:" + _norm(f), idx)
        by_key[key] = idx
        by_key.setdefault("p:" + _norm(surface), idx)
        groups[idx]["keys"].add(key)
        groups[idx]["mentions"].append((m.start, m.end))
    return groups


def office_body(p, context: dict, publisher: str | None) -> str | None:
    """The body a person's office belongs to (said in the text, or the office's default;
    a municipal publisher's own assessori and sindaco belong to it)."""
    ctx = dict(context)
    source = publisher or ""
    if not ctx.get("city") and source.startswith(("Comune di", "Città di")):
        ctx["city"] = source.split(" - ")[0]
    if source.startswith(("Comune di", "Città di")) and ctx.get("city"):
        roles0 = " ".join(r for _, r in p.offices)
        if (
            "regional" not in roles0
            and not p.organization
            and any(o in ("assessore", "sindaco", "vicesindaco") for o, _ in p.offices)
        ):
            return ctx["city"]
    org = p.organization
    if org and org.startswith("site:"):
        org = f"Comune di {org[5:]}"
    if org:
        return org
    roles = " ".join(r for _, r in p.offices)
    *_, body, _ = _office_tables()
    for office, _ in p.offices:
        if "comunale" in roles:
            return ctx.get("city")
        if "metropolitan" in roles:
            return ctx.get("metro") or "Città metropolitana di Torino"
        kind = body.get(office)
        if "consiglio regionale" in roles or "commissione" in roles:
            return ctx.get("council") or "Consiglio regionale del Piemonte"
        if kind == "region" or "giunta regionale" in roles or "regionale" in roles:
            return ctx.get("region") or "Regione Piemonte"
        if kind == "council":
            return ctx.get("council") or "Consiglio regionale del Piemonte"
        if kind == "municipality":
            return ctx.get("city")
    return None
