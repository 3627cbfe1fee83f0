"""Which institution a statement belongs to, and the names an actor goes by.

The rules and names live in `data/institutions.toml`; this module applies them:
- an organisation's name is looked up by key among institutions, their aliases and organs
  (after dropping the legal form: "Telecontact Italia S.p.A." = "Telecontact Italia");
- "Comune di X" and "Città di X" (X a municipality) are one institution, "Comune di X";
- a person speaks for the body of their office (the commitment's or mention's
  `organization`), or for themselves when the text gives none.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sentinella.kb.text import key

DATA = Path(__file__).resolve().parent / "data" / "institutions.toml"

# Legal forms dropped from organisation keys ("s p a" is the key of "S.p.A.").
_LEGAL_FORM = re.compile(r"\s+(s p a|spa|s r l|srl|s n c|snc|s c r l|scrl|s c a r l|onlus)$")
_LEGAL_FORM_TEXT = re.compile(
    r",?\s+(S\.?\s?p\.?\s?A\.?|S\.?\s?r\.?\s?l\.?|S\.?n\.?c\.?|Onlus)$", re.IGNORECASE
)
_MUNICIPALITY = re.compile(
    r"^(?:comune|citta|municipio|giunta comunale|consiglio comunale) di (.+)$"
)


@dataclass(frozen=True)
class Institutions:
    canonical: dict[str, str]  # key of a name, alias or organ → canonical institution name
    organs: frozenset[str]  # keys that are organs (they speak for their institution)
    default_region: str


@lru_cache(maxsize=4)
def load_institutions(path: Path = DATA) -> Institutions:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    canonical, organs = {}, set()
    for inst in data.get("institution", []):
        for name in [inst["name"], *inst.get("aliases", [])]:
            canonical[org_key(name)] = inst["name"]
        for organ in inst.get("organs", []):
            canonical[org_key(organ)] = inst["name"]
            organs.add(org_key(organ))
    region = data.get("default_region", "")
    for generic in ("giunta regionale", "regione", "consiglio regionale"):
        canonical.setdefault(generic, region)
    return Institutions(canonical, frozenset(organs), region)


def org_key(name: str | None) -> str:
    """The key of an organisation's name, without legal form or leading article."""
    k = key(name)
    k = re.sub(r"^(la|il|lo|l|le|gli|i) ", "", k)
    return _LEGAL_FORM.sub("", k)


def canonical_organization(name: str | None, inst: Institutions | None = None) -> str | None:
    """The institution an organisation name stands for ("Città di Ivrea" → "Comune di Ivrea")."""
    if not name or not name.strip():
        return None
    inst = inst or load_institutions()
    k = org_key(name)
    if k in inst.canonical:
        return inst.canonical[k]
    m = _MUNICIPALITY.match(k)
    if m and not m.group(1).startswith("metropolitana"):
        town = name.strip().split(" di ", 1)[1] if " di " in name else m.group(1).title()
        return f"Comune di {town.strip()}"
    return _LEGAL_FORM_TEXT.sub("", name.strip())


def institution_of(
    actor: str | None, organization: str | None, kind: str | None = None
) -> tuple[str | None, str | None]:
    """(name, actors-table id) of the institution a statement belongs to.

    The body of the speaker's office, else the organisation itself; a person the text gives
    no body for speaks for themselves. `kind` is the actor's ("person" | "organization")
    where known: an organisation (or an organ) is its own institution even when
    `organization` names another.
    """
    from sentinella.kb.store import actor_id

    inst = load_institutions()
    k = org_key(actor)
    is_org = kind == "organization" or (
        kind != "person" and bool(actor) and (k in inst.canonical or bool(_MUNICIPALITY.match(k)))
    )
    if actor and is_org:
        name = canonical_organization(actor, inst)
    elif organization:
        name = canonical_organization(organization, inst)
    elif actor:
        return actor.strip(), actor_id(kind or "person", actor)
    else:
        return None, None
    return name, actor_id("organization", name) if name else None
