"""The shape of an extraction (docs/extraction-format.md).

Small frozen dataclasses cross the boundary between `extractors/` and the rest of
Sentinella; `Extraction.to_dict()` gives the JSON shape of the extraction format, with
character offsets (`start`, `end`) added to every item.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Actor:
    """A named person or organisation (attore)."""

    name: str  # canonical name, in full ("Alberto Cirio", "Regione Piemonte")
    kind: str  # "person" | "organization"
    start: int  # offsets of the first mention in the text
    end: int
    role: str | None = None  # offices, lower case, joined with "; "
    organization: str | None = None  # the body the office belongs to
    id: str | None = None  # stable id, e.g. "person:alberto-cirio"
    mentions: tuple[tuple[int, int], ...] = ()  # every (start, end) that refers to it
    source: str | None = None  # where it was found: "gazetteer", "rule" or "ner"
    rule: str | None = None  # the gazetteer entry, pattern id or rule of its first mention


@dataclass(frozen=True)
class Site:
    """A named place (luogo): comune, provincia, regione, stato or altro."""

    name: str
    type: str
    start: int
    end: int
    istat: str | None = None  # ISTAT code where the place is linked
    rule: str | None = None  # the gazetteer or pattern that found it


@dataclass(frozen=True)
class Amount:
    """A money amount (importo) normalised to units of `currency`."""

    text: str
    value: float
    currency: str
    start: int
    end: int
    qualifier: str | None = None  # "oltre", "fino a", "circa", ...


@dataclass(frozen=True)
class Commitment:
    """An actor deciding, allocating, promising or announcing something (impegno)."""

    actor: str
    sentence: str
    start: int  # offsets of the sentence
    end: int
    organization: str | None = None
    amount: float | None = None
    purpose: str | None = None
    sites: tuple[str, ...] = ()
    verb: str | None = None  # the commitment form ("stanzierà", "mette a disposizione")
    component: str | None = None  # the pipeline component that produced it
    trigger: str | None = None  # the trigger pattern ("past", "finite", "phrase", ...)
    resolver: str | None = None  # the rule that chose the actor ("quoted-speaker", ...)


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document."""

    text: str
    actors: tuple[Actor, ...] = ()
    sites: tuple[Site, ...] = ()
    amounts: tuple[Amount, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    pipeline: str = ""  # name and version of the pipeline that produced it
    meta: dict = field(default_factory=dict)  # id, source, url, title, published

    def to_dict(self, include_text: bool = True) -> dict:
        out = dict(self.meta)
        if include_text:
            out["text"] = self.text
        out["pipeline"] = self.pipeline
        out["actors"] = [_clean(asdict(a)) for a in self.actors]
        out["sites"] = [_clean(asdict(s)) for s in self.sites]
        out["amounts"] = [_clean(asdict(a)) for a in self.amounts]
        out["commitments"] = [_clean(asdict(c)) for c in self.commitments]
        return out

    @property
    def fact_count(self) -> int:
        return len(self.actors) + len(self.sites) + len(self.amounts) + len(self.commitments)


def _clean(d: dict) -> dict:
    """Drop empty optional fields; tuples become lists for JSON."""
    out = {}
    for k, value in d.items():
        v = (
            [list(x) if isinstance(x, tuple) else x for x in value]
            if isinstance(value, tuple)
            else value
        )
        if v is None and k not in ("amount", "role", "organization"):
            continue
        out[k] = v
    return out
