"""Sentinella's own spaCy components, one per fact family, added on top of whichever Italian
pipeline loaded (`customize`). Each is registered by name in its own module and declares
what it requires and assigns; results are labelled spans in `doc.spans[...]` with typed
extensions (extractors/spans.py):

| component                | module            | writes                                  |
|--------------------------|-------------------|-----------------------------------------|
| `sentinella_money`       | amounts.py        | MONEY                                   |
| `sentinella_places`      | places.py         | PLACES (candidates)                     |
| `sentinella_orgs`        | organizations.py  | ORGS (candidates)                       |
| `sentinella_persons`     | persons.py        | PERSONS, OFFICES; settles ORGS, PLACES  |
| `sentinella_resolution`  | resolution.py     | REFERENCES, doc._.context, bodies       |
| `sentinella_commitments` | commitments.py    | COMMITMENTS                             |

The regional defaults (which region, council and metropolitan city a text without
other clues belongs to) are the `home_region` of the places, organisations and
resolution components: "Piemonte" unless the pipeline config, `customize(home_region=)`
or the SENTINELLA_REGION environment variable says otherwise.
"""

from __future__ import annotations

import os

from spacy.language import Language

# Importing the family modules registers their factories.
from sentinella.extractors import (  # noqa: F401
    amounts,
    commitments,
    organizations,
    persons,
    places,
    resolution,
)

COMPONENTS = (
    "sentinella_money",
    "sentinella_places",
    "sentinella_orgs",
    "sentinella_persons",
    "sentinella_resolution",
    "sentinella_commitments",
)
REGIONAL = ("sentinella_places", "sentinella_orgs", "sentinella_resolution")
REGION_ENV = "SENTINELLA_REGION"


def customize(nlp: Language, home_region: str | None = None) -> None:
    """Idempotent: safe to call on a pipeline that already has the components."""
    from sentinella.extractors.tokenizer import customize_tokenizer

    customize_tokenizer(nlp)
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("sentencizer")
    region = home_region or os.environ.get(REGION_ENV)
    for name in COMPONENTS:
        if nlp.has_pipe(name):
            continue
        config = {"home_region": region} if region and name in REGIONAL else {}
        nlp.add_pipe(name, last=True, config=config)
