"""The gazetteer component: which tokens it marks, and that the marks survive save and load."""

from __future__ import annotations

import json
import subprocess
import sys

import spacy

from sentinella.extractors.gazetteer import Gazetteer

TERMS = {
    "Loc": ["Rio de Janeiro", "New York", "York", "Torino", "Rio"],
    "First": ["Mario", "Rio"],
    "Org": ["Fim-Cisl", "Regione Piemonte"],
}


def _nlp(tmp_path):
    path = tmp_path / "terms.json"
    path.write_text(json.dumps(TERMS), encoding="utf-8")
    nlp = spacy.blank("it")
    nlp.add_pipe("sentinella_gazetteer").initialize(path=str(path))
    return nlp


def marks(doc):
    return {t.text: str(t.morph) for t in doc if str(t.morph)}


def test_longest_entry_wins_and_classes_overlap(tmp_path):
    doc = _nlp(tmp_path)("Mario vola da Rio de Janeiro a New York.")
    assert marks(doc) == {
        "Mario": "First=B",
        "Rio": "First=B|Loc=B",  # one place of three words, and a first name on its own
        "de": "Loc=I",
        "Janeiro": "Loc=I",
        "New": "Loc=B",
        "York": "Loc=I",
    }


def test_matching_is_case_sensitive_and_needs_the_whole_entry(tmp_path):
    nlp = _nlp(tmp_path)
    assert marks(nlp("la regione Piemonte e torino")) == {}
    assert marks(nlp("Rio de")) == {"Rio": "First=B|Loc=B"}  # "Rio de Janeiro" cut short
    assert marks(nlp("la Regione Piemonte e la Fim-Cisl")) == {
        "Regione": "Org=B",
        "Piemonte": "Org=I",
        "Fim-Cisl": "Org=B",
    }


def test_saved_pipeline_loads_with_plain_spacy_load(tmp_path):
    """The factory is found through the spacy_factories entry point, without importing
    extractors first (a fresh interpreter)."""
    _nlp(tmp_path).to_disk(tmp_path / "model")
    code = (
        "import spacy; nlp = spacy.load(r'%s'); "
        "print([str(t.morph) for t in nlp('a New York')])" % (tmp_path / "model")
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['', 'Loc=B', 'Loc=I']"


def test_empty_gazetteer_marks_nothing():
    nlp = spacy.blank("it")
    gaz = Gazetteer(nlp)
    gaz.set_entries({"Loc": []})
    assert marks(gaz(nlp("Torino"))) == {}
