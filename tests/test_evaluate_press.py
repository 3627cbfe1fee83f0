"""Scoring against press gold (extractors/evaluate_press.py), with hand-computed numbers."""

from __future__ import annotations

import json

import pytest

from sentinella.extractors.evaluate_press import (
    _score_doc,
    evaluate_press,
    format_press_table,
    normalise,
)
from sentinella.facts import Actor, Amount, Commitment, Extraction, Site

TEXT_1 = "Il sindaco di Asti Maurizio Rasero ha stanziato 100.000 euro per le scuole."
TEXT_2 = "L’assessora al Lavoro Elena Chiorino ha incontrato i sindacati a Ivrea. Costa 20 euro."


def test_normalise_ignores_case_accents_articles_and_apostrophes():
    assert normalise("L’ASL  TO4") == "asl to4"
    assert normalise("la Città di Ivrea") == "citta di ivrea"
    assert normalise("Fratelli d’Italia") == normalise("fratelli d'Italia")


def test_score_doc_counts_by_hand():
    doc = {
        "text": TEXT_1,
        "actors": [
            {"name": "Maurizio Rasero", "kind": "person", "role": "sindaco"},
            {"name": "Comune di Asti", "kind": "organization"},
        ],
        "sites": [{"name": "Asti", "type": "comune"}],
        "amounts": [{"text": "100.000 euro", "value": 100000, "currency": "EUR"}],
        "commitments": [{"actor": "Maurizio Rasero", "sentence": TEXT_1}],
    }
    ext = Extraction(
        text=TEXT_1,
        actors=(
            Actor("Maurizio Rasero", "person", 19, 34, role="sindaco di asti"),
            Actor("Regione Piemonte", "organization", 0, 1),
        ),
        sites=(Site("Asti", "comune", 14, 18),),
        amounts=(Amount("100.000 euro", 100300, "EUR", 48, 60),),  # within 0.5%
        commitments=(Commitment("maurizio rasero", TEXT_1[:40], 0, 40),),
    )
    s = _score_doc(doc, ext)
    assert (len(s["persons"][0]), len(s["persons"][1]), len(s["persons"][2])) == (1, 0, 0)
    assert (len(s["organizations"][0]), len(s["organizations"][1]), len(s["organizations"][2])) == (
        0,
        1,
        1,
    )
    assert s["roles"] == [("Maurizio Rasero", "sindaco", "sindaco di asti", True)]
    assert s["amounts"][0] == 1
    # 40 characters cover more than half of the 75-character gold sentence
    assert s["commitments"][0] == 1


def test_evaluate_press_on_two_documents(tmp_path, nlp):
    gold = [
        {
            "id": "t-1",
            "source": "Comune di Asti",
            "title": "Scuole",
            "published": "2026-01-01",
            "text": TEXT_1,
            "actors": [
                {
                    "name": "Maurizio Rasero",
                    "kind": "person",
                    "role": "sindaco",
                    "organization": "Comune di Asti",
                }
            ],
            "sites": [{"name": "Asti", "type": "comune"}],
            "amounts": [{"text": "100.000 euro", "value": 100000, "currency": "EUR"}],
            "commitments": [{"actor": "Maurizio Rasero", "sentence": TEXT_1, "amount": 100000}],
        },
        {
            "id": "t-2",
            "source": "Regione Piemonte",
            "title": "Lavoro",
            "published": "2026-01-02",
            "text": TEXT_2,
            "actors": [
                {"name": "Elena Chiorino", "kind": "person", "role": "vicepresidente"},
                {"name": "Mario Bianchi", "kind": "person", "role": "sindaco"},
            ],
            "sites": [{"name": "Ivrea", "type": "comune"}, {"name": "Canavese", "type": "altro"}],
            "amounts": [
                {"text": "20 euro", "value": 20, "currency": "EUR"},
                {"text": "5 euro", "value": 5, "currency": "EUR"},
            ],
            "commitments": [],
        },
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text(
        "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold), encoding="utf-8"
    )
    scores = evaluate_press(path, nlp)
    assert scores["documents"] == 2
    p = scores["persons"]
    assert (p["tp"], p["fp"], p["fn"]) == (2, 0, 1)
    assert p["p"] == 1.0 and p["r"] == pytest.approx(2 / 3)
    # Rasero: sindaco found; Chiorino: gold 'vicepresidente' is not in 'assessora al lavoro'
    assert scores["roles"] == {"accuracy": 0.5, "correct": 1, "total": 2}
    assert (scores["sites"]["tp"], scores["sites"]["fp"], scores["sites"]["fn"]) == (2, 0, 1)
    assert (scores["amounts"]["tp"], scores["amounts"]["fn"]) == (2, 1)
    c = scores["commitments"]
    assert (c["tp"], c["fp"], c["fn"]) == (1, 0, 0) and c["f"] == 1.0
    o = scores["organizations"]
    assert (o["tp"], o["fn"]) == (0, 0)
    table = format_press_table(scores)
    assert "persons" in table and "2 documents" in table


def test_hand_annotated_cases_stay_correct(nlp):
    """tests/data/extraction_cases.jsonl: our own short releases in the gold format."""
    from pathlib import Path

    scores = evaluate_press(Path(__file__).parent / "data" / "extraction_cases.jsonl", nlp)
    for key in ("persons", "organizations", "sites", "amounts", "commitments"):
        assert scores[key]["f"] >= 0.85, (key, scores[key])
    assert scores["roles"]["accuracy"] >= 0.85
