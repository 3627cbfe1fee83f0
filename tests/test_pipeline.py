"""The loader's order of preference: explicit model, it_core_news_lg/md/sm, shipped, blank."""

from __future__ import annotations

import json
import logging
import sys

import pytest
import spacy

from sentinella.extractors import pipeline
from sentinella.extractors.pipeline import ModelError, load_pipeline, pipeline_id, resolve_model


def _save_small_pipeline(folder, name: str, version: str = "9.9.9"):
    nlp = spacy.blank("it")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Finpiemonte"}])
    nlp.meta["name"] = name.removeprefix("it_")
    nlp.meta["version"] = version
    nlp.to_disk(folder)


@pytest.fixture
def fake_lg(tmp_path, monkeypatch):
    """A small pipeline installed as an importable package named it_core_news_lg."""
    package = tmp_path / "site" / "it_core_news_lg"
    package.mkdir(parents=True)
    _save_small_pipeline(package / "model", "it_core_news_lg")
    (package / "__init__.py").write_text(
        "from pathlib import Path\nimport spacy\n\n"
        "def load(**overrides):\n"
        "    return spacy.load(Path(__file__).parent / 'model', **overrides)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delenv("SENTINELLA_MODEL", raising=False)
    load_pipeline.cache_clear()
    yield
    sys.modules.pop("it_core_news_lg", None)
    load_pipeline.cache_clear()


def test_it_core_news_lg_is_preferred_when_installed(fake_lg, caplog):
    assert resolve_model() == "it_core_news_lg"
    with caplog.at_level(logging.INFO, logger="sentinella.pipeline"):
        nlp = load_pipeline()
    assert pipeline_id(nlp) == "it_core_news_lg-9.9.9"
    assert "loaded pipeline it_core_news_lg-9.9.9" in caplog.text
    # the project's components sit on top of whatever statistical pipeline loaded
    assert "entity_ruler" in nlp.pipe_names
    assert nlp("Finpiemonte ha stanziato fondi.").ents[0].label_ == "ORG"


def test_explicit_model_wins_over_installed_packages(fake_lg, tmp_path, monkeypatch):
    _save_small_pipeline(tmp_path / "mine", "it_mine", "1.2.3")
    assert resolve_model(str(tmp_path / "mine")) == str(tmp_path / "mine")
    monkeypatch.setenv("SENTINELLA_MODEL", str(tmp_path / "mine"))
    assert resolve_model() == str(tmp_path / "mine")
    assert pipeline_id(load_pipeline()) == "it_mine-1.2.3"


def test_without_spacy_packages_the_shipped_pipeline_is_used(monkeypatch):
    monkeypatch.delenv("SENTINELLA_MODEL", raising=False)
    monkeypatch.setattr(pipeline, "SPACY_PACKAGES", ("it_core_news_nonexistent",))
    # The shipped pipeline is package data: it must be there, and it is what loads.
    assert (pipeline.SHIPPED / "meta.json").is_file()
    assert resolve_model() == str(pipeline.SHIPPED)
    assert pipeline_id(load_pipeline()).startswith("it_sentinella-")


def test_blank_fallback_when_nothing_is_installed(monkeypatch, tmp_path):
    monkeypatch.delenv("SENTINELLA_MODEL", raising=False)
    monkeypatch.setattr(pipeline, "SPACY_PACKAGES", ())
    monkeypatch.setattr(pipeline, "SHIPPED", tmp_path / "nothing")
    assert resolve_model() == "blank:it"


def test_shipped_pipeline_records_name_and_version():
    meta = json.loads((pipeline.SHIPPED / "meta.json").read_text())
    nlp = load_pipeline(str(pipeline.SHIPPED))
    assert pipeline_id(nlp) == f"it_{meta['name'].removeprefix('it_')}-{meta['version']}"
    assert "ner" in nlp.pipe_names


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="cannot load pipeline"):
        load_pipeline(str(tmp_path / "no-such-model"))
