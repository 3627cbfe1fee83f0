"""The stage of a promise that one statement shows, from its verb (data/stages.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sentinella.kb.text import key, stems

DATA = Path(__file__).resolve().parent / "data" / "stages.toml"
ANNOUNCED, PROPOSED, REVISED, WITHDRAWN = "announced", "proposed", "revised", "withdrawn"
# The auxiliaries and particles around an extracted verb ("ha annunciato", "si impegna a").
_AUX = {"ha", "hanno", "abbiamo", "ho", "e", "sono", "si", "a", "di", "ad", "viene", "vengono"}


@dataclass(frozen=True)
class StageTable:
    order: tuple[str, ...]
    by_stem: dict[str, tuple[str, str]]  # stem of a lemma or form → (lemma, stage)
    proposal_cues: tuple[str, ...]
    revision_cues: tuple[str, ...]

    def rank(self, stage: str) -> int:
        return self.order.index(stage) if stage in self.order else self.order.index(ANNOUNCED)


@lru_cache(maxsize=2)
def load_stages(path: Path = DATA) -> StageTable:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    by_stem: dict[str, tuple[str, str]] = {}
    for stage, lemmas in data["stages"].items():
        for lemma in lemmas:
            by_stem.setdefault(" ".join(stems(key(lemma))), (lemma, stage))
    for form, lemma in data.get("forms", {}).items():
        found = by_stem.get(" ".join(stems(lemma)))
        if found:
            by_stem[" ".join(stems(key(form)))] = found
    return StageTable(
        tuple(data["order"]),
        by_stem,
        tuple(key(c) for c in data.get("proposal_cues", [])),
        tuple(key(c) for c in data.get("revision_cues", [])),
    )


def lemma_and_stage(verb: str | None, sentence: str = "") -> tuple[str | None, str]:
    """(lemma, stage) of an extracted verb; unknown verbs are announcements.

    "ha annunciato" → ("annunciare", "announced"); "approveremo" → ("approvare", "approved").
    An announcement whose sentence is a request or a proposal ("chiede", "proposta di
    legge") is "proposed": nobody has committed money yet.
    """
    table = load_stages()
    words = [w for w in key(verb).split() if w not in _AUX]
    found = None
    if words:
        found = table.by_stem.get(" ".join(stems(" ".join(words)))) or table.by_stem.get(
            stems(words[0])[0]
        )
    lemma, stage = found if found else ((words[0] if words else None), ANNOUNCED)
    if stage == ANNOUNCED and any(c in key(sentence) for c in table.proposal_cues):
        stage = PROPOSED
    return lemma, stage


def states_revision(sentence: str) -> bool:
    """Whether a sentence says its amount replaces an earlier one ("sale a", "rivisto")."""
    k = key(sentence)
    return any(c in k for c in load_stages().revision_cues)
