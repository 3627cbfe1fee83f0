"""Tests of extractors.parse_eval: CoNLL-U reading (multiword tokens merged) and scoring.

Fast: the scoring is checked with a stand-in "parser" that returns the gold parse with
known mistakes; the shipped model is run on the two-sentence fixture only.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from sentinella.extractors.parse_eval import (
    ConlluError,
    ParseEvalError,
    evaluate_parse,
    format_parse_table,
    gold_doc,
    read_conllu,
)
from sentinella.extractors.pipeline import SHIPPED

FIXTURE = """\
# sent_id = 1
# text = La sede della Regione è a Torino.
1\tLa\til\tDET\tRD\tDefinite=Def|Gender=Fem|Number=Sing|PronType=Art\t2\tdet\t_\t_
2\tsede\tsede\tNOUN\tS\tGender=Fem|Number=Sing\t8\tnsubj\t_\t_
3-4\tdella\t_\t_\t_\t_\t_\t_\t_\t_
3\tdi\tdi\tADP\tE\t_\t5\tcase\t_\t_
4\tla\til\tDET\tRD\tDefinite=Def|Gender=Fem|Number=Sing|PronType=Art\t5\tdet\t_\t_
5\tRegione\tRegione\tPROPN\tSP\t_\t2\tnmod\t_\t_
6\tè\tessere\tAUX\tV\tMood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin\t8\tcop\t_\t_
7\ta\ta\tADP\tE\t_\t8\tcase\t_\t_
8\tTorino\tTorino\tPROPN\tSP\t_\t0\troot\t_\tSpaceAfter=No
9\t.\t.\tPUNCT\tFS\t_\t8\tpunct\t_\t_

# sent_id = 2
# text = Vogliamo farlo subito.
1\tVogliamo\tvolere\tAUX\tVM\tMood=Ind|Number=Plur|Person=1|Tense=Pres|VerbForm=Fin\t2\taux\t_\t_
2-3\tfarlo\t_\t_\t_\t_\t_\t_\t_\t_
2\tfar\tfare\tVERB\tV\tVerbForm=Inf\t0\troot\t_\t_
3\tlo\tlo\tPRON\tPC\tClitic=Yes|Gender=Masc|Number=Sing|Person=3|PronType=Prs\t2\tobj\t_\t_
4\tsubito\tsubito\tADV\tB\t_\t2\tadvmod\t_\tSpaceAfter=No
5\t.\t.\tPUNCT\tFS\t_\t2\tpunct\t_\t_
"""


@pytest.fixture()
def conllu(tmp_path):
    path = tmp_path / "tiny.conllu"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


def test_multiword_tokens_are_merged_with_their_heads_annotation(conllu):
    first, second = read_conllu(conllu)
    assert first.words == ("La", "sede", "della", "Regione", "è", "a", "Torino", ".")
    assert first.heads == (1, 6, 3, 1, 6, 6, 6, 6)
    assert first.deps[2] == "case" and first.pos[2] == "ADP"  # "di" is the head of "della"
    assert first.deps[6] == "ROOT" and first.spaces[6] is False
    assert second.words == ("Vogliamo", "farlo", "subito", ".")
    assert second.heads == (1, 1, 1, 1)
    # "farlo" is the verb: its features, not a union with the clitic's
    assert (second.pos[1], second.morphs[1]) == ("VERB", "VerbForm=Inf")
    doc = gold_doc(spacy.blank("it").vocab, second)
    assert doc.text == "Vogliamo farlo subito."
    assert doc[0].morph.get("Person") == ["1"]


def _stand_in_parser(gold_docs: dict) -> Language:
    """A pipeline whose "parser" returns the gold parse with three known mistakes."""
    nlp = spacy.blank("it")

    @Language.component("gold_with_mistakes")
    def gold_with_mistakes(doc):
        gold = gold_docs[tuple(t.text for t in doc)]
        heads = [t.head.i for t in gold]
        deps = [t.dep_ for t in gold]
        pos = [t.pos_ for t in gold]
        if gold[0].text == "La":
            heads[3] = 6  # Regione: wrong head
            pos[0] = "PRON"  # La: wrong part of speech
        else:
            deps[2] = "obl"  # subito: right head, wrong label
        return spacy.tokens.Doc(
            doc.vocab,
            words=[t.text for t in gold],
            spaces=[bool(t.whitespace_) for t in gold],
            heads=heads,
            deps=deps,
            pos=pos,
            morphs=[str(t.morph) for t in gold],
        )

    nlp.add_pipe("gold_with_mistakes", name="parser")
    return nlp


def test_scores_count_heads_labels_and_tags(conllu):
    vocab = spacy.blank("it").vocab
    gold = {s.words: gold_doc(vocab, s) for s in read_conllu(conllu)}
    scores = evaluate_parse(_stand_in_parser(gold), conllu)
    # 10 non-punctuation tokens: 9 right heads, 8 right heads with the right label
    assert (scores["uas"], scores["las"]) == (0.9, 0.8)
    assert scores["pos_acc"] == round(11 / 12, 4)
    assert scores["morph_acc"] == 1.0 and scores["morph_per_feat"]["Mood"] == 1.0
    assert (scores["words"], scores["sentences"]) == (12, 2)
    assert "UAS    0.9000" in format_parse_table(scores)


def test_a_pipeline_without_parser_is_refused(conllu):
    with pytest.raises(ParseEvalError, match="no parser"):
        evaluate_parse(spacy.blank("it"), conllu)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\tLa\til\tDET\n", "tiny.conllu:1: expected 10 tab-separated columns, found 4"),
        ("1\tLa\til\tDET\t_\t_\tx\tdet\t_\t_\n", "id and head must be integers"),
        ("1\tLa\til\tDET\t_\t_\t5\tdet\t_\t_\n", "a head points outside the sentence"),
        ("# only a comment\n\n", "no sentences"),
    ],
)
def test_bad_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "tiny.conllu"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConlluError, match=message):
        read_conllu(path)


def test_shipped_pipeline_parses_the_fixture(conllu):
    nlp = spacy.load(SHIPPED)
    scores = evaluate_parse(nlp, conllu)
    assert (scores["words"], scores["sentences"]) == (12, 2)
    assert "parser" in scores["components"] and "ner" not in scores["components"]
    # a regression check on two easy sentences, not a measurement
    assert scores["uas"] >= 0.7 and scores["pos_acc"] >= 0.8
