"""Italian tokenizer and sentence-boundary fixes for press releases.

`customize_tokenizer(nlp)` keeps legal forms ("S.p.A.", "S.r.l.") and common
abbreviations ("on.", "dott.", "n.", "art.") as single tokens, and adds a small
pipeline component so that such tokens never end a sentence ("l'on. Rossi",
"Telecontact Italia S.p.A. ha", "n. 23", "art. 5").

It works on any Italian pipeline (the project's own `models/it_sentinella`, or
`it_core_news_lg` when installed) and is idempotent: calling it twice changes
nothing the second time. Tokenizer special cases are serialised with the
pipeline, so a model saved after the call keeps them; the sentence component is
registered here, so import this module before `spacy.load` of a pipeline that
lists it (the loader does that by calling `customize_tokenizer`).
"""

from __future__ import annotations

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

SENT_COMPONENT = "sentinella_abbrev_sents"

# Legal forms of companies and bodies (kept as one token, never end a sentence).
LEGAL_FORMS = (
    "S.p.A.",
    "S.p.a.",
    "s.p.a.",
    "SpA",
    "S.P.A.",
    "S.r.l.",
    "S.R.L.",
    "s.r.l.",
    "S.r.l.s.",
    "s.r.l.s.",
    "S.n.c.",
    "s.n.c.",
    "S.N.C.",
    "S.a.s.",
    "s.a.s.",
    "S.A.S.",
    "S.c.a.r.l.",
    "s.c.a.r.l.",
    "S.c.r.l.",
    "s.c.r.l.",
    "S.c.p.A.",
    "S.c.p.a.",
    "S.s.",
    "s.s.",
    "Soc.",
    "Coop.",
    "soc.",
    "coop.",
)

# Abbreviations that are always followed by something (a name, a number): one
# token, and the next token never starts a sentence.
ABBREVIATIONS = (
    # titles
    "on.",
    "On.",
    "sen.",
    "Sen.",
    "dott.",
    "Dott.",
    "dott.ssa",
    "Dott.ssa",
    "avv.",
    "Avv.",
    "ing.",
    "Ing.",
    "prof.",
    "Prof.",
    "prof.ssa",
    "Prof.ssa",
    "sig.",
    "Sig.",
    "sig.ra",
    "Sig.ra",
    "sigg.",
    "Sigg.",
    "geom.",
    "Geom.",
    "arch.",
    "Arch.",
    "rag.",
    "Rag.",
    "mons.",
    "Mons.",
    "gen.",
    "Gen.",
    "col.",
    "Col.",
    "magg.",
    "Magg.",
    "cap.",
    "Cap.",
    "gent.",
    "Gent.",
    "egr.",
    "Egr.",
    "spett.",
    "Spett.",
    "spett.le",
    "Spett.le",
    "ill.mo",
    "Ill.mo",
    "on.le",
    "On.le",
    "pres.",
    "Pres.",
    "sott.",
    "dr.",
    "Dr.",
    "dott.sa",
    # numbers, laws, references
    "n.",
    "N.",
    "nn.",
    "art.",
    "Art.",
    "artt.",
    "Artt.",
    "co.",
    "lett.",
    "par.",
    "cap.",
    "all.",
    "p.",
    "pp.",
    "pag.",
    "pagg.",
    "fig.",
    "tab.",
    "d.lgs.",
    "D.lgs.",
    "D.Lgs.",
    "d.l.",
    "D.L.",
    "d.p.r.",
    "D.P.R.",
    "d.m.",
    "D.M.",
    "l.r.",
    "L.R.",
    "c.c.",
    "c.p.",
    "c.p.c.",
    "c.p.p.",
    "G.U.",
    "B.U.R.",
    "c.a.",
    "C.A.",
    "p.es.",
    "ca.",
    "vs.",
    "cfr.",
    "Cfr.",
    "tel.",
    "Tel.",
    "rif.",
    "prot.",
    "fraz.",
    "loc.",
    "v.le",
    "V.le",
    "p.zza",
    "P.zza",
    "c.so",
    "C.so",
    "mln.",
    "mld.",
    "sez.",
    "reg.",
)

# One token but may legitimately end a sentence ("... e così via, ecc. Poi").
SENTENCE_FINAL_OK = ("ecc.", "etc.", "p.m.", "a.m.", "a.C.", "d.C.")

NO_BREAK_AFTER = frozenset(LEGAL_FORMS + ABBREVIATIONS)


def _special_cases():
    seen = []
    for form in LEGAL_FORMS + ABBREVIATIONS + SENTENCE_FINAL_OK:
        if form not in seen:
            seen.append(form)
    return seen


@Language.component(SENT_COMPONENT)
def abbrev_sents(doc: Doc) -> Doc:
    """Forbid a sentence start right after an abbreviation or a legal form."""
    if doc.has_annotation("DEP"):
        return doc  # a parsed doc cannot be changed; the component runs before the parser
    for i in range(len(doc) - 1):
        tok = doc[i]
        if tok.text in NO_BREAK_AFTER:
            nxt = doc[i + 1]
            if nxt.is_sent_start:
                nxt.is_sent_start = False
    return doc


def customize_tokenizer(nlp: Language) -> Language:
    """Add abbreviation special cases and the sentence fix to `nlp` (idempotent).

    With a parser, the sentence fix component goes before it (the parser honours
    preset boundaries); with a senter, after it (the senter overwrites them).
    A pipeline with neither gets spaCy's rule-based `sentencizer`, which with
    the special cases already never splits after an abbreviation.
    """
    rules = nlp.tokenizer.rules or {}
    for form in _special_cases():
        if rules.get(form) != [{ORTH: form}]:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    names = nlp.pipe_names
    if SENT_COMPONENT not in names:
        if "parser" in names:
            nlp.add_pipe(SENT_COMPONENT, before="parser")
        elif "senter" in names:
            nlp.add_pipe(SENT_COMPONENT, after="senter")
        elif "sentencizer" not in names:
            # Abbreviations are single tokens, and the built-in sentencizer only
            # splits after punctuation tokens (".", "!", "?"), so it never breaks
            # after "on." or "S.p.A.": no custom component is needed, and the
            # saved pipeline stays loadable with a plain spacy.load().
            nlp.add_pipe("sentencizer", first=True)
    return nlp
