"""Tests of extractors.ner_eval (on a tiny KIND fixture) and extractors.tokenizer.

Fast: a blank Italian pipeline with an entity_ruler, no trained model, no training.
"""

from __future__ import annotations

import pytest
import spacy

from sentinella.extractors.ner_eval import (
    ERROR_KINDS,
    NerDataError,
    classify_errors,
    evaluate_ner,
    format_ner_table,
    iob_spans,
    ner_components,
    read_kind,
)
from sentinella.extractors.tokenizer import SENT_COMPONENT, customize_tokenizer

FIXTURE = """\
Mario\tB-PER
Rossi\tI-PER
lavora\tO
a\tO
Torino\tB-LOC
.\tO

La\tO
Regione\tB-ORG
Piemonte\tI-ORG
ha\tO
sede\tO
a\tO
Torino\tB-LOC

Anna\tB-PER
Bianchi\tI-PER
visita\tO
Roma\tB-LOC
"""
# Gold: PER 2, ORG 1, LOC 3  (6 entities, 17 words, 3 sentences).


@pytest.fixture()
def kind_file(tmp_path):
    path = tmp_path / "tiny.tsv"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


@pytest.fixture()
def ruler_nlp():
    nlp = spacy.blank("it")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            # right: Mario Rossi (PER), Torino (LOC, twice)
            {"label": "PER", "pattern": [{"ORTH": "Mario"}, {"ORTH": "Rossi"}]},
            {"label": "LOC", "pattern": "Torino"},
            # wrong boundary: only "Regione" -> ORG miss + false positive
            {"label": "ORG", "pattern": "Regione"},
            # wrong type: Roma as ORG -> LOC miss + ORG false positive
            {"label": "ORG", "pattern": "Roma"},
            # ignored label
            {"label": "MISC", "pattern": "Anna"},
        ]
    )
    return nlp


def test_read_kind_and_spans(kind_file):
    sents = read_kind(kind_file)
    assert len(sents) == 3
    assert sents[0][0][:2] == ["Mario", "Rossi"]
    assert iob_spans(sents[1][1]) == [(1, 3, "ORG"), (6, 7, "LOC")]


def test_iob_spans_lenient():
    # an I- after O starts an entity; an I- of another type starts a new one
    assert iob_spans(["O", "I-PER", "I-PER", "I-LOC", "B-LOC", "O"]) == [
        (1, 3, "PER"),
        (3, 4, "LOC"),
        (4, 5, "LOC"),
    ]


def test_evaluate_ner_numbers(kind_file, ruler_nlp):
    s = evaluate_ner(ruler_nlp, kind_file)
    assert set(s) == {
        "p",
        "r",
        "f",
        "per_type",
        "errors",
        "words_per_second",
        "words",
        "sentences",
    }
    # Anna Bianchi missed; Regione Piemonte cut to "Regione"; Roma labelled ORG
    assert s["errors"] == {
        "PER": {"type": 0, "boundary": 0, "missed": 1, "spurious": 0},
        "ORG": {"type": 0, "boundary": 1, "missed": 0, "spurious": 0},
        "LOC": {"type": 1, "boundary": 0, "missed": 0, "spurious": 0},
    }
    assert s["words"] == 17 and s["sentences"] == 3
    # predicted (PER/ORG/LOC only): Mario Rossi, Torino, Regione, Torino, Roma -> 5
    # correct: Mario Rossi, Torino, Torino -> 3 ; gold 6
    assert s["p"] == pytest.approx(3 / 5, abs=1e-4)
    assert s["r"] == pytest.approx(3 / 6, abs=1e-4)
    assert s["f"] == pytest.approx(2 * 0.6 * 0.5 / 1.1, abs=1e-4)
    assert s["per_type"]["PER"] == {"p": 1.0, "r": 0.5, "f": pytest.approx(0.6667, abs=1e-4)}
    assert s["per_type"]["ORG"] == {"p": 0.0, "r": 0.0, "f": 0.0}
    assert s["per_type"]["LOC"]["p"] == 1.0
    assert s["per_type"]["LOC"]["r"] == pytest.approx(0.6667, abs=1e-4)
    assert s["words_per_second"] > 0
    table = format_ner_table(s)
    assert "PER" in table and "micro" in table and "17 words" in table


def test_a_prediction_over_no_entity_is_spurious():
    errors = {lab: dict.fromkeys(ERROR_KINDS, 0) for lab in ("PER", "ORG", "LOC")}
    classify_errors({(0, 2, "PER")}, {(0, 2, "PER"), (4, 5, "ORG")}, errors)
    assert errors["ORG"]["spurious"] == 1
    assert sum(v for e in errors.values() for v in e.values()) == 1


def test_evaluate_ner_perfect(kind_file):
    nlp = spacy.blank("it")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PER", "pattern": "Mario Rossi"},
            {"label": "PER", "pattern": "Anna Bianchi"},
            {"label": "ORG", "pattern": "Regione Piemonte"},
            {"label": "LOC", "pattern": "Torino"},
            {"label": "LOC", "pattern": "Roma"},
        ]
    )
    s = evaluate_ner(nlp, kind_file)
    assert (s["p"], s["r"], s["f"]) == (1.0, 1.0, 1.0)


def _as_conll3(kind_text: str) -> str:
    """The KIND fixture in WikiNEuRal's three columns, with a MISC entity added."""
    out, i = [], 0
    for line in kind_text.splitlines():
        if not line:
            out.append("")
            i = 0
            continue
        out.append(f"{i}\t{line}")
        i += 1
    return "\n".join([*out, "", "0\tLa\tO", "1\tBiennale\tB-MISC", ""])


def test_conllu_three_columns_scores_like_kind(tmp_path, kind_file, ruler_nlp):
    conllu = tmp_path / "tiny.conllu"
    conllu.write_text(_as_conll3(FIXTURE), encoding="utf-8")
    s_kind, s_conllu = evaluate_ner(ruler_nlp, kind_file), evaluate_ner(ruler_nlp, conllu)
    assert s_conllu["sentences"] == 4 and s_conllu["words"] == 19
    # MISC is not scored: the same entity counts as the KIND file's
    for key in ("p", "r", "f", "per_type"):
        assert s_conllu[key] == s_kind[key]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mario\tB-PER\n", "tiny.conllu:1: expected index<TAB>token<TAB>IOB2-tag"),
        ("1\tLa\til\tDET\t_\t_\t0\troot\t_\t_\n", "tiny.conllu:1: expected index"),
        ("\n\n", "no sentences"),
    ],
)
def test_bad_conllu_is_a_clear_error(tmp_path, ruler_nlp, text, message):
    path = tmp_path / "tiny.conllu"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NerDataError, match=message):
        evaluate_ner(ruler_nlp, path)


def test_ner_components_leave_out_parse_and_rules():
    nlp = spacy.blank("it")
    for name in ("sentencizer", "tok2vec", "ner"):
        nlp.add_pipe(name)
    nlp.add_pipe("tok2vec", name="ud_tok2vec")
    nlp.add_pipe("morphologizer")
    nlp.add_pipe("parser")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    assert ner_components(nlp) == ["sentencizer", "tok2vec", "ner"]


def _tokens(nlp, text):
    return [t.text for t in nlp(text)]


@pytest.mark.parametrize("form", ["S.p.A.", "S.r.l.", "S.n.c.", "s.p.a."])
def test_legal_forms_one_token(form):
    nlp = customize_tokenizer(spacy.blank("it"))
    toks = _tokens(nlp, f"Telecontact Italia {form} ha firmato.")
    assert form in toks
    toks = _tokens(nlp, f"la Telecontact Italia {form}, con sede a Napoli")
    assert form in toks and "," in toks


@pytest.mark.parametrize(
    "abbr", ["on.", "sen.", "dott.", "avv.", "ing.", "prof.", "n.", "art.", "artt.", "c.a."]
)
def test_abbreviations_one_token(abbr):
    nlp = customize_tokenizer(spacy.blank("it"))
    assert abbr in _tokens(nlp, f"secondo {abbr} 5 Rossi")


def test_sentences():
    nlp = customize_tokenizer(spacy.blank("it"))
    doc = nlp("l'on. Rossi ha detto. Poi")
    assert [s.text for s in doc.sents] == ["l'on. Rossi ha detto.", "Poi"]
    doc = nlp(
        "La Telecontact Italia S.p.A. Ha firmato il contratto n. 23 ai sensi dell'art. 5 del decreto."
    )
    assert len(list(doc.sents)) == 1
    doc = nlp("Il sen. Bianchi e il dott. Verdi. La Regione stanzia fondi.")
    assert len(list(doc.sents)) == 2


def test_idempotent():
    nlp = customize_tokenizer(spacy.blank("it"))
    names = list(nlp.pipe_names)
    n_rules = len(nlp.tokenizer.rules)
    customize_tokenizer(nlp)
    assert nlp.pipe_names == names
    assert len(nlp.tokenizer.rules) == n_rules
    assert _tokens(nlp, "Acme S.p.A.") == ["Acme", "S.p.A."]


def test_sentence_component_with_senter_like_pipeline():
    # A pipeline whose sentence component splits after every "."-ending token:
    # the fix component must run after it and undo the split after abbreviations.
    @spacy.Language.component("test_naive_senter")
    def naive(doc):
        for i, tok in enumerate(doc[:-1]):
            doc[i + 1].is_sent_start = tok.text.endswith(".")
        return doc

    nlp = spacy.blank("it")
    nlp.add_pipe("test_naive_senter", name="senter")
    customize_tokenizer(nlp)
    assert nlp.pipe_names == ["senter", SENT_COMPONENT]
    doc = nlp("l'on. Rossi ha detto. Poi")
    assert [s.text for s in doc.sents] == ["l'on. Rossi ha detto.", "Poi"]
    customize_tokenizer(nlp)
    assert nlp.pipe_names == ["senter", SENT_COMPONENT]


def test_shipped_pipeline_carries_special_cases(tmp_path):
    nlp = customize_tokenizer(spacy.blank("it"))
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")  # plain load: no custom factory needed
    assert "S.p.A." in _tokens(loaded, "Acme Italia S.p.A. ha detto")
    assert [s.text for s in loaded("l'on. Rossi ha detto. Poi").sents] == [
        "l'on. Rossi ha detto.",
        "Poi",
    ]
