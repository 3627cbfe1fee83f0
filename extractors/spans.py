"""The typed representation the extraction components share: span groups and extensions.

Every fact family writes labelled spans into its own `doc.spans[...]` group and hangs one
small frozen record on each span through a span extension, the way spaCy's own components
keep their results on the Doc:

| group (`doc.spans[KEY]`) | label                                  | extension        |
|--------------------------|----------------------------------------|------------------|
| `MONEY`                  | ISO currency ("EUR")                   | `span._.amounts` |
| `PLACES`                 | site type (comune, provincia, ...)     | `span._.place`   |
| `ORGS`                   | "ORG"                                  | `span._.actor`   |
| `PERSONS`                | "PER"                                  | `span._.actor`   |
| `OFFICES`                | office key ("assessore"), no name      | `span._.office`  |
| `REFERENCES`             | what refers ("ORGAN", "GENERIC", ...)  | `span._.refers`  |
| `COMMITMENTS`            | "COMMITMENT" (the evidence sentence)   | `span._.commitments` |

spaCy keys span extension values by character offsets only, so each family has its own
extension: a person mention and a place may never share a record by accident. Where two
facts share their text, one span holds both: a sentence with two commitments (two
actors), a range ("tra 2 e 4 milioni": two amounts).

`doc._.context` holds the document's `DocContext` (its region, council, municipality),
`doc._.meta` the metadata the caller passed (source, url, title, published).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

MONEY = "sentinella_money"
PLACES = "sentinella_places"
ORGS = "sentinella_orgs"
PERSONS = "sentinella_persons"
OFFICES = "sentinella_offices"
REFERENCES = "sentinella_references"
COMMITMENTS = "sentinella_commitments"

# Where an actor comes from (issue 11: "ner", "gazetteer", "rule").
GAZETTEER, RULE, NER = "gazetteer", "rule", "ner"


@dataclass(frozen=True)
class Office:
    """An office (carica) a text gives a person: "assessora al lavoro" of the Regione."""

    key: str  # the office word's canonical form: "assessore"
    role: str  # the office phrase as written, lower case: "assessora al lavoro"
    start: int  # character offset of the office phrase (offices are kept in text order)
    body: str | None = None  # the body the phrase names ("Comune di Asti"), if any
    rule: str = ""  # the office rule that read it ("office-before-name", "apposition", ...)
    end: int | None = None  # character end of the office phrase


@dataclass(frozen=True)
class ActorInfo:
    """On every mention of a person or an organisation (`span._.actor`)."""

    name: str  # canonical name of the actor the mention belongs to
    kind: str  # "person" | "organization"
    source: str  # GAZETTEER | RULE | NER
    rule: str  # the pattern id or rule that produced the mention
    offices: tuple[Office, ...] = ()  # persons: offices given at this mention
    organization: str | None = None  # persons: the body of their office, once resolved
    body_rule: str | None = None  # the rule that chose `organization`


@dataclass(frozen=True)
class PlaceInfo:
    """On every site span (`span._.place`)."""

    name: str
    type: str  # comune | provincia | regione | stato | altro
    istat: str | None
    rule: str
    priority: int = 0  # a more specific reading wins ties


@dataclass(frozen=True)
class Reference:
    """A generic noun, organ, office word or short form standing for named actors
    (`span._.refers`): "la Giunta" -> Regione Piemonte, "i sindacati" -> Fiom, Fim."""

    actors: tuple[str, ...]  # canonical names, empty when nothing resolves
    rule: str  # the resolution rule that chose them


@dataclass(frozen=True)
class CommitmentFact:
    """One actor's commitment in the sentence the span covers (`span._.commitments`)."""

    actor: str
    verb: str  # lemma or phrase of the trigger
    trigger: str  # the trigger pattern ("past-participle", "future", "phrase", ...)
    resolver: str  # the actor resolver that chose the actor ("quoted-speaker", ...)
    component: str  # the pipeline component that produced the fact
    trigger_start: int  # character offsets of the trigger
    trigger_end: int
    purpose: str | None = None
    amount: float | None = None
    sites: tuple[str, ...] = ()
    organization: str | None = None


@dataclass(frozen=True)
class DocContext:
    """Who is likely speaking in a document: its region, council and municipality.

    Built from the component config (the deployment's home region), the publisher and
    the text (see extractors/context.py): never from code.
    """

    region: str | None = None  # "Regione Piemonte"
    council: str | None = None  # "Consiglio regionale del Piemonte"
    metro: str | None = None  # "Città metropolitana di Torino"
    city: str | None = None  # "Comune di Asti" when the text is about one municipality
    region_named: bool = False  # the text names the region itself
    publisher: str = ""
    publisher_body: str | None = None  # the institution that publishes ("Regione Liguria")
    rules: dict = field(default_factory=dict, compare=False)  # field -> rule that set it


def register_extensions() -> None:
    """Idempotent: the extensions exist once per process."""
    for name in ("amounts", "place", "actor", "office", "refers", "commitments"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    for name in ("context", "meta"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()


def group(doc: Doc, key: str) -> list[Span]:
    """The spans of one group, or [] when the component did not run."""
    return list(doc.spans[key]) if key in doc.spans else []


def set_group(doc: Doc, key: str, spans) -> None:
    doc.spans[key] = sorted(spans, key=lambda s: (s.start, s.end))


def char_span(doc: Doc, start: int, end: int, label: str = "") -> Span | None:
    """The span of tokens covering characters [start, end) (expanded to whole tokens)."""
    return doc.char_span(start, end, label=label, alignment_mode="expand")
