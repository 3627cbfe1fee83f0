"""The one place that loads the Italian NLP pipeline.

Resolution order: a path or package name given by `--model` / SENTINELLA_MODEL, then
spaCy's `it_core_news_lg`, `_md`, `_sm` where installed, then the pipeline the project
ships in `models/it_sentinella`, and as a last resort a blank Italian pipeline (rules
only). Whatever statistical pipeline is found, the project's own components (tokenizer
exceptions, entity rules, money, commitments) are added on top of it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from sentinella import models
from sentinella.errors import SentinellaError
from sentinella.extractors import gazetteer  # noqa: F401  registers the shipped model's gazetteer factory

log = logging.getLogger("sentinella.pipeline")

SPACY_PACKAGES = ("it_core_news_lg", "it_core_news_md", "it_core_news_sm")
# Package data of sentinella.models: the same folder in a source tree, an editable install
# and a wheel.
SHIPPED = Path(models.__file__).resolve().parent / "it_sentinella"
MODEL_ENV = "SENTINELLA_MODEL"


class ModelError(SentinellaError):
    pass


def resolve_model(model: str | None = None) -> str:
    """The name or path of the pipeline to load, in the documented order of preference."""
    requested = model or os.environ.get(MODEL_ENV)
    if requested:
        return requested
    for name in SPACY_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    if (SHIPPED / "meta.json").exists():
        return str(SHIPPED)
    return "blank:it"


def load_statistical(name: str) -> Language:
    """spaCy's part: a package, a folder, or `blank:it`."""
    if name == "blank:it":
        return spacy.blank("it")
    try:
        if not Path(name).exists() and importlib.util.find_spec(name) is not None:
            # An importable model package (it_core_news_lg and friends), installed with
            # pip or found on the path: spaCy's own package loader calls its load().
            return spacy.util.load_model_from_package(name)
        return spacy.load(name)
    except (OSError, ValueError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot load pipeline '{name}': {first}") from None


def pipeline_id(nlp: Language) -> str:
    """ "it_core_news_lg-3.8.0" or "it_sentinella-0.1.0": stored with every fact."""
    lang, name = nlp.meta.get("lang", "it"), nlp.meta.get("name", "pipeline")
    full = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    return f"{full}-{nlp.meta.get('version', '0.0.0')}"


@lru_cache(maxsize=4)
def load_pipeline(model: str | None = None) -> Language:
    """The statistical pipeline with Sentinella's components on top; cached per process."""
    name = resolve_model(model)
    nlp = load_statistical(name)
    if name == "blank:it":
        nlp.meta["name"] = "rules_only"
        nlp.meta["version"] = "0.0.0"
        log.warning("no statistical Italian pipeline found: using rules only (blank:it)")
    add_project_components(nlp)
    log.info("loaded pipeline %s (%s)", pipeline_id(nlp), name)
    return nlp


def add_project_components(nlp: Language) -> None:
    """Tokenizer exceptions and the project's rule components, on any Italian pipeline."""
    from sentinella.extractors import components  # registers the factories

    components.customize(nlp)
