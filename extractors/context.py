"""Who is speaking in a document: its region, regional council, metropolitan city, town.

`build_context(doc, home_region)` decides, recording the rule of each choice in
`DocContext.rules`:

- region: the "Regione X" the text names; else the region the publisher names or lies in
  ("Regione Lazio", "Comune di Udine"); else the region of the text's places when they
  all lie outside the home region (a text about Trieste and Gorizia); else the home
  region of the configuration (`home_region`, "Piemonte" by default: a deployment in
  Lombardy sets it in the pipeline config, not in code);
- council and metropolitan city: the ones the text names, else the region's
  (data/regions.json);
- town: the "Comune di X" the text names, an organ of a town ("Giunta comunale di X"),
  else the publisher when it is a municipality.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from sentinella.extractors import lexicon
from sentinella.extractors.lexicon import text_of
from sentinella.extractors.organizations import norm
from sentinella.extractors.spans import ORGS, PLACES, DocContext, group

TOWN_ORGAN = re.compile(
    r"\b(?:Consiglio|Giunta) comunale (?:di|della Città di) ([A-Z][\w’'\- ]+?)\b(?:[,.;]|\s+[a-z])"
)


@dataclass(frozen=True)
class Region:
    key: str  # the ISTAT name ("Friuli-Venezia Giulia")
    names: tuple[str, ...]  # how texts name it
    region: str  # "Regione Friuli Venezia Giulia"
    council: str
    metro: str | None


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    data = lexicon.regions()["regions"]
    return {
        k: Region(k, tuple(v["names"]), v["region"], v["council"], v.get("metro"))
        for k, v in data.items()
    }


@lru_cache(maxsize=1)
def _region_by_name() -> dict[str, Region]:
    out = {}
    for r in regions().values():
        for name in (r.key, *r.names):
            out[norm(name)] = r
    return out


@lru_cache(maxsize=1)
def _region_pattern() -> re.Pattern:
    names = sorted(_region_by_name(), key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names)
    return re.compile(rf"\bregione (?:autonoma )?(?:della |del |dell )?({alt})\b")


def region_named(text: str) -> Region | None:
    """The region a text fragment names: "Regione Lazio" -> Lazio."""
    m = _region_pattern().search(norm(text))
    return _region_by_name()[m.group(1)] if m else None


def region_of_town(name: str) -> Region | None:
    """The region of a municipality whose name is unique in Italy."""
    found = lexicon.comuni()["by_name"].get(name, [])
    regs = {c.region for c in found}
    return regions().get(regs.pop()) if len(regs) == 1 else None


def _town_of(publisher: str) -> str | None:
    m = re.match(r"(?:Comune|Città) di ([A-ZÀ-Ý][\w’' \-]+?)(?:\s+-\s+.*)?$", publisher)
    return m.group(1).strip() if m else None


def _named_region(orgs: list[str]) -> tuple[str, Region] | None:
    for name in orgs:
        if norm(name).startswith("regione "):
            r = region_named(name)
            if r is not None:
                return name, r
    return None


def _publisher_region(publisher: str) -> Region | None:
    r = region_named(publisher)
    if r is not None:
        return r
    town = _town_of(publisher)
    return region_of_town(town) if town else None


def _places_region(doc: Doc, home: str) -> Region | None:
    """The region of the text's places, when none of them lies in the home region."""
    counts: Counter = Counter()
    for p in group(doc, PLACES):
        if p.label_ == "comune":
            r = region_of_town(p._.place.name)
        elif p.label_ == "regione":
            r = _region_by_name().get(norm(p._.place.name))
        else:
            r = None
        if r is not None:
            counts[r.key] += 1
    if not counts or home in counts:
        return None
    return regions()[counts.most_common(1)[0][0]]


INSTITUTION_HEADS = (
    "regione",
    "comune",
    "citta",
    "provincia",
    "consiglio",
    "prefettura",
    "universita",
    "azienda",
    "agenzia",
    "asl",
    "atc",
    "camera",
    "unione",
    "ministero",
    "autorita",
    "ente",
    "consorzio",
    "istituto",
)


def _publisher_body(publisher: str, orgs: list[str]) -> str | None:
    """The institution a publisher is ("Regione Liguria - Giunta" -> "Regione Liguria"),
    in the text's own wording when the text names it."""
    body = publisher.split(" - ")[0].strip()
    if not body or not norm(body).startswith(INSTITUTION_HEADS):
        return None
    key = norm(body)
    return next((o for o in orgs if norm(o) == key), body)


def _first(orgs: list[str], *prefixes: str) -> str | None:
    return next((o for o in orgs if norm(o).startswith(prefixes)), None)


def build_context(doc: Doc, home_region: str) -> DocContext:
    """The document's context (see the module docstring)."""
    orgs = list(dict.fromkeys(s._.actor.name for s in group(doc, ORGS)))
    meta = doc._.meta or {}
    publisher = str(meta.get("source") or meta.get("publisher") or "")
    rules: dict[str, str] = {}
    home = regions().get(home_region) or next(iter(regions().values()))
    named = _named_region(orgs)
    if named is not None:
        region_name, region = named
        rules["region"] = "named-in-text"
    else:
        found, rules["region"] = _publisher_region(publisher), "publisher"
        if found is None:
            found, rules["region"] = _places_region(doc, home.key), "places"
        if found is None:
            found, rules["region"] = home, "config"
        region = found
        region_name = region.region
    council = _first(orgs, "consiglio regionale", "assemblea legislativa")
    rules["council"] = "named-in-text" if council else "region"
    metro = _first(orgs, "citta metropolitana")
    city = _first(orgs, "comune di", "citta di")
    if city is not None:
        rules["city"] = "named-in-text"
    else:
        m = TOWN_ORGAN.search(text_of(doc))
        if m:
            city, rules["city"] = f"Comune di {m.group(1).strip()}", "town-organ"
        elif _town_of(publisher):
            city, rules["city"] = publisher.split(" - ")[0], "publisher"
    return DocContext(
        publisher_body=_publisher_body(publisher, orgs),
        region=region_name,
        council=council or region.council,
        metro=metro or region.metro,
        city=city,
        region_named=named is not None,
        publisher=publisher,
        rules=rules,
    )
