"""extract / extract_many / doc_to_extraction: the shape of an Extraction."""

from __future__ import annotations

import json

import spacy

from sentinella.extractors.extract import doc_to_extraction, extract, extract_many
from sentinella.extractors.pipeline import pipeline_id

TEXT = (
    "La Regione Piemonte mette a disposizione due milioni e mezzo di euro per la biosicurezza negli "
    "allevamenti di Cuneo. Lo ha annunciato l’assessore all’Agricoltura Paolo Bongioanni."
)


def test_every_fact_has_offsets_and_the_pipeline(nlp):
    ext = extract(TEXT, {"id": "x-1", "source": "Regione Piemonte - Giunta"}, nlp=nlp)
    assert ext.pipeline == pipeline_id(nlp) and ext.pipeline
    assert ext.meta["id"] == "x-1"
    for a in ext.actors:
        assert TEXT[a.start : a.end] == a.name
        assert a.id and a.id.startswith(a.kind + ":")
    for s in ext.sites:
        assert TEXT[s.start : s.end] == s.name
    assert [(a.text, a.value) for a in ext.amounts] == [("due milioni e mezzo di euro", 2500000)]
    assert [(c.actor, c.amount) for c in ext.commitments] == [("Regione Piemonte", 2500000)]
    c = ext.commitments[0]
    assert TEXT[c.start : c.end] == c.sentence
    assert [(s.name, s.istat) for s in ext.sites] == [("Cuneo", "004078")]


def test_to_dict_is_json(nlp):
    d = extract(TEXT, nlp=nlp).to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False))["actors"][0]["name"] == "Regione Piemonte"
    assert {"actors", "sites", "amounts", "commitments", "pipeline", "text"} <= set(d)


def test_extract_many_keeps_order(nlp):
    items = [(f"Il sindaco Mario Rossi{i} ha parlato.", {"id": str(i)}) for i in range(5)]
    items[2] = (TEXT, {"id": "2"})
    out = list(extract_many(items, nlp=nlp, batch_size=2))
    assert [e.meta["id"] for e in out] == ["0", "1", "2", "3", "4"]
    assert out[2].commitments


def test_a_bare_doc_falls_back_to_entities():
    bare = spacy.blank("it")
    ruler = bare.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": "Mario Rossi"}])
    doc = bare("Mario Rossi ha speso 10 euro.")
    ext = doc_to_extraction(doc, {}, "test-0")
    assert [(a.name, a.kind) for a in ext.actors] == [("Mario Rossi", "person")]
    assert [a.value for a in ext.amounts] == [10]


def test_components_are_added_once(nlp):
    from sentinella.extractors.components import COMPONENTS, customize

    before = list(nlp.pipe_names)
    customize(nlp)
    assert nlp.pipe_names == before
    assert all(name in nlp.pipe_names for name in COMPONENTS)


WORDS = [
    "Il",
    "la",
    "sindaco",
    "di",
    "Asti",
    "Mario",
    "Rossi",
    "ha",
    "stanziato",
    "3",
    "milioni",
    "euro",
    "«",
    "»",
    ",",
    ".",
    "Regione",
    "Piemonte",
    "Comune",
    "assessora",
    "al",
    "Lavoro",
    "Elena",
    "Chiorino",
    "non",
    "se",
    "convocheremo",
    "via",
    "Roma",
    "provincia",
    "Cuneo",
    "ASL",
    "TO4",
    "e",
    "\n\n",
]


def test_any_mix_of_words_gives_consistent_offsets(nlp):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from(WORDS), max_size=40))
    def check(words):
        text = " ".join(words)
        ext = extract(text, nlp=nlp)
        for a in ext.actors:
            assert text[a.start : a.end] == a.name
        for s in ext.sites:
            assert text[s.start : s.end] == s.name
        for c in ext.commitments:
            assert text[c.start : c.end] == c.sentence

    check()


# --- degraded pipelines: rules only, no parser ------------------------------------------

RELEASE = (
    "TORINO – La Regione Piemonte ha stanziato 3 milioni di euro per le scuole di Asti. "
    "«Apriremo due cantieri entro marzo», ha detto l’assessore all’Istruzione Mario Rossi. "
    "Saranno destinati 500 mila euro alla palestra di via Roma."
)


def _check_release(ext):
    assert [a.value for a in ext.amounts] == [3_000_000, 500_000]
    assert {"Regione Piemonte", "Mario Rossi"} <= {a.name for a in ext.actors}
    assert {"Asti", "via Roma"} <= {s.name for s in ext.sites}
    assert ("Regione Piemonte", "clause-subject") in [
        (c.actor, c.resolver) for c in ext.commitments
    ]
    assert ("Mario Rossi", "quoted-speaker") in [(c.actor, c.resolver) for c in ext.commitments]


def test_rules_only_on_a_blank_pipeline():
    from sentinella.extractors.pipeline import load_pipeline as load

    nlp = load("blank:it")
    assert "parser" not in nlp.pipe_names and "ner" not in nlp.pipe_names
    _check_release(extract(RELEASE, {"source": "Regione Piemonte - Giunta"}, nlp=nlp))


def test_the_shipped_pipeline_without_its_parser(nlp):
    with nlp.select_pipes(disable=[p for p in ("parser", "morphologizer") if p in nlp.pipe_names]):
        ext = extract(RELEASE, {"source": "Regione Piemonte - Giunta"}, nlp=nlp)
    _check_release(ext)
    # with the parser, the purpose is the phrase the verb governs
    with_parse = extract(RELEASE, {"source": "Regione Piemonte - Giunta"}, nlp=nlp)
    first = with_parse.commitments[0]
    assert first.purpose and first.purpose.startswith("3 milioni di euro per le scuole")


def test_a_long_purpose_is_cut_at_a_clause_comma_never_inside_a_number():
    from sentinella.extractors.purpose import _surface

    tail = (
        "il riparto di 14,6 milioni di euro, approvato ieri dalla Giunta regionale dopo "
        "una lunga discussione con i sindaci dei comuni interessati dal riparto"
    )
    assert _surface(tail) == "il riparto di 14,6 milioni di euro"
    only_a_decimal_comma = (
        "il riparto di 14,6 milioni di euro del Fondo per lo sviluppo e la coesione "
        "2021-2027 destinati a 131 comuni della provincia di Cuneo"
    )
    assert _surface(only_a_decimal_comma).startswith("il riparto di 14,6 milioni di euro del Fondo")
