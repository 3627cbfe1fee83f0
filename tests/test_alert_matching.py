"""Matching a watch against a statement's facts: each condition, AND across keys, OR within."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sentinella.alerts.matching import match, verb_matches
from sentinella.alerts.statement import Statement
from sentinella.alerts.watches import Watch
from sentinella.facts import Actor, Amount, Commitment, Site

TEXT = (
    "La vicepresidente della Regione Piemonte e assessora al Lavoro Elena Chiorino ha "
    "stanziato 3,7 milioni di euro per il call-center di Costigliole d'Asti. "
    "A Ivrea la Città metropolitana di Torino ha annunciato un tavolo."
)
COMMIT_ASTI = Commitment(
    actor="Elena Chiorino",
    sentence=TEXT.split(". ")[0] + ".",
    start=0,
    end=150,
    organization="Regione Piemonte",
    amount=3_700_000.0,
    purpose="il call-center",
    sites=("Costigliole d'Asti",),
    verb="stanziato",
)
COMMIT_IVREA = Commitment(
    actor="Città metropolitana di Torino",
    sentence="A Ivrea la Città metropolitana di Torino ha annunciato un tavolo.",
    start=151,
    end=220,
    organization="Città metropolitana di Torino",
    sites=("Ivrea",),
    verb="annunciato",
)
STATEMENT = Statement(
    url="https://example.org/c/1",
    source="regione-piemonte",
    text=TEXT,
    title="Lavoro, 3,7 milioni per il call center",
    publisher="Regione Piemonte - Giunta",
    published="2026-11-25",
    actors=(
        Actor(
            "Elena Chiorino",
            "person",
            60,
            74,
            "vicepresidente; assessora al lavoro",
            "Regione Piemonte",
        ),
        Actor("Regione Piemonte", "organization", 30, 46),
        Actor("Città metropolitana di Torino", "organization", 160, 190),
    ),
    sites=(
        Site("Costigliole d'Asti", "comune", 120, 138, "005050"),
        Site("Ivrea", "comune", 142, 147, "001125"),
    ),
    amounts=(Amount("3,7 milioni di euro", 3_700_000.0, "EUR", 90, 109),),
    commitments=(COMMIT_ASTI, COMMIT_IVREA),
)


def W(**conditions) -> Watch:
    return Watch(name="w", channels=("json://127.0.0.1:1/x",), **conditions)


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({}, True),  # no condition: every new statement
        ({"publisher": ("regione piemonte",)}, True),  # words of "Regione Piemonte - Giunta"
        ({"publisher": ("Comune di Asti",)}, False),
        ({"source": ("regione-piemonte",)}, True),
        ({"source": ("regione",)}, False),  # a source name is exact
        ({"keyword": ("CALL CENTER",)}, True),  # case and "-" ignored
        ({"keyword": ("citta metropolitana",)}, True),  # accents ignored
        ({"keyword": ("call",), "source": ("altro",)}, False),  # AND across keys
        ({"keyword": ("Konecta", "Ivrea")}, True),  # OR within a list
        ({"keyword": ("Konecta",)}, False),
        ({"keyword": ("Ivre",)}, False),  # whole words only
        ({"actor": ("Chiorino",)}, True),
        ({"actor": ("Cirio",)}, False),
        ({"office": ("assessore al lavoro",)}, True),  # assessora = assessore
        ({"office": ("sindaco",)}, False),
        ({"organization": ("Regione Piemonte",)}, True),
        ({"organization": ("Comune di Ivrea",)}, False),
        ({"site": ("Ivrea",)}, True),
        ({"site": ("Asti",)}, False),  # Costigliole d'Asti is not Asti
        ({"province": ("Asti",)}, True),  # a municipality of the province
        ({"province": ("Torino",)}, True),  # Ivrea
        ({"province": ("Cuneo",)}, False),
        ({"region": ("Piemonte",)}, True),
        ({"region": ("Lombardia",)}, False),
        ({"min_amount": 3_700_000.0}, True),
        ({"min_amount": 3_700_001.0}, False),
        ({"verb": ("stanziare",)}, True),
        ({"verb": ("firmare",)}, False),
    ],
)
def test_each_condition(conditions, matches):
    assert (match(W(**conditions), STATEMENT) is not None) is matches


def test_the_province_itself_and_places_named_only_by_a_commitment():
    province_only = replace(
        STATEMENT, sites=(Site("Asti", "provincia", 0, 4, "005"),), commitments=()
    )
    assert match(W(province=("Asti",)), province_only) is not None
    by_commitment = replace(STATEMENT, sites=(), commitments=(COMMIT_ASTI,))
    assert match(W(province=("Asti",)), by_commitment) is not None  # looked up by name


def test_commitments_only_needs_one_commitment_meeting_every_condition():
    asti_big = W(province=("Asti",), min_amount=1_000_000.0, commitments_only=True)
    found = match(asti_big, STATEMENT)
    assert found is not None and found.commitments == (COMMIT_ASTI,)
    # The big amount is Asti's, the Turin-province place is Ivrea's commitment (no amount):
    turin_big = W(province=("Torino",), min_amount=1_000_000.0, commitments_only=True)
    assert match(turin_big, STATEMENT) is None
    # ... while without commitments_only each condition is met somewhere in the statement.
    assert match(replace(turin_big, commitments_only=False), STATEMENT) is not None
    assert (
        match(W(verb=("annunciare",), actor=("Chiorino",), commitments_only=True), STATEMENT)
        is None
    )
    # A commitment that names no place is placed where its statement is.
    placeless = replace(COMMIT_ASTI, sites=())
    assert match(asti_big, replace(STATEMENT, commitments=(placeless,))) is not None


def test_evidence_is_the_commitments_and_amounts_that_meet_the_watch():
    found = match(W(keyword=("call center", "Konecta"), min_amount=1_000_000.0), STATEMENT)
    assert found.keywords == ("call center",)
    assert [a.value for a in found.amounts] == [3_700_000.0]
    assert found.commitments == (COMMIT_ASTI,)  # Ivrea's commitment moves no money
    assert match(W(), STATEMENT).commitments == (COMMIT_ASTI, COMMIT_IVREA)


def test_a_statement_without_facts_matches_only_text_conditions():
    bare = Statement(url="u", source="s", text="Un comunicato in inglese: call center news.")
    assert match(W(), bare) is not None
    assert match(W(keyword=("call center",)), bare) is not None
    assert match(W(min_amount=1.0), bare) is None
    assert match(W(province=("Asti",)), bare) is None


@pytest.mark.parametrize(
    ("form", "lemma", "expected"),
    [
        ("ha stanziato", "stanziare", True),
        ("stanzierà", "stanziare", True),
        ("convocherà", "convocare", True),  # c takes an h before e
        ("deciso", "decidere", True),  # irregular, from the commitment lexicon
        ("si impegna a", "si impegna a", True),
        ("firmato", "stanziare", False),
        (None, "stanziare", False),
    ],
)
def test_verbs(form, lemma, expected):
    assert verb_matches(form, lemma) is expected
