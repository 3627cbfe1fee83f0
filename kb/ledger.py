"""The commitment ledger: each promise followed across its re-announcements.

A promise (pledge) is a set of commitment statements that the linking procedure judges to
be the same money or undertaking. The procedure, with its parameters in
`data/ledger.toml`:

1. Statements are the commitments of current, non-duplicate documents, in date order.
   Each carries its institution (the body, not the person who spoke: kb/actors.py), its
   amount, topic stems (purpose and sentence, minus generic words and place names), its
   places (ISTAT codes with province and region) and the stage its verb shows
   (kb/stages.py).
2. A statement is compared with the promises already formed for the same institution whose
   statements lie within the time window; candidates share the amount, a place or a topic
   stem (so the work stays near-linear on large bases).
3. Against each statement of a candidate promise, a link is refused when the amounts
   differ without a stated revision ("sale a", "rivisto", a verb of the `revised` stage), or
   when both give places and none overlaps or contains the other. Otherwise the score sums
   the institution, the amount (equal, revised, unknown), the topic overlap, the places and
   a small penalty for time apart. The statement joins the best promise whose score reaches
   the threshold while its topic overlaps enough or its places overlap; else it starts a
   new promise. The score and a reason in words are stored with every link.
4. An overrides file (TOML) is applied on every rebuild: `[[separate]]` statements never
   share a promise, `[[join]]` statements always do. Statements are named by their key,
   "URL#hash-of-the-sentence", which `sentinella ledger show ID` prints.

A promise's amount is its latest stated amount; totals add promises, never statements,
and leave out mere proposals and withdrawn promises.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from sentinella.kb.stages import PROPOSED, REVISED, WITHDRAWN, load_stages, states_revision
from sentinella.kb.store import KnowledgeBase, KnowledgeBaseError
from sentinella.kb.text import stems
from sentinella.records import now_iso

RULES = Path(__file__).resolve().parent / "data" / "ledger.toml"


@dataclass(frozen=True)
class Rules:
    window_days: int
    amount_tolerance: float
    threshold: float
    min_topic: float
    weights: dict[str, float]
    generic: frozenset[str]


@lru_cache(maxsize=2)
def load_rules(path: Path = RULES) -> Rules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    generic = frozenset(s for w in data["generic"] for s in stems(w))
    return Rules(
        data["window_days"],
        data["amount_tolerance"],
        data["threshold"],
        data["min_topic"],
        data["weights"],
        generic,
    )


@dataclass(frozen=True)
class Place:
    name: str
    istat: str | None
    name_key: str
    type: str | None
    province_code: str | None
    region_code: str | None


@dataclass(frozen=True)
class Statement:
    """One commitment as the ledger sees it."""

    commitment_id: int
    key: str  # "URL#sha1(actor, sentence)[:10]": stable across rebuilds, used by overrides
    document_id: int
    published: str  # ISO date ("" when unknown)
    publisher: str | None
    institution: str
    institution_id: str
    amount: float | None
    stage: str
    revision: bool  # the sentence states that its amount replaces an earlier one
    topic: frozenset[str]
    places: tuple[Place, ...]
    purpose: str | None
    sentence: str
    day: int = 0  # ordinal of the publication date (0 when unknown)
    place_keys: frozenset[str] = frozenset()  # ISTAT codes and name keys of its places


def _day(published: str) -> int:
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return 0


@dataclass(frozen=True)
class Link:
    score: float
    reason: str


@dataclass
class Pledge:
    members: list[Statement] = field(default_factory=list)
    links: list[tuple[int | None, Link | None]] = field(default_factory=list)  # per member


@dataclass(frozen=True)
class Overrides:
    separate: frozenset[frozenset[str]] = frozenset()  # pairs of statement keys
    join: tuple[frozenset[str], ...] = ()  # groups of statement keys


def statement_key(url: str, actor: str, sentence: str) -> str:
    """ "URL#hash": one statement of one actor in one document version, stable across rebuilds."""
    digest = hashlib.sha1(f"{actor}\n{sentence}".encode()).hexdigest()[:10]
    return f"{url}#{digest}"


def load_overrides(path: Path | str | None) -> Overrides:
    """Read the overrides file; a missing file means no overrides."""
    if path is None or not Path(path).exists():
        return Overrides()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(f"malformed ledger overrides file {path}: {exc}") from None
    separate = set()
    for entry in data.get("separate", []):
        keys = list(entry.get("statements", []))
        separate |= {frozenset((a, b)) for i, a in enumerate(keys) for b in keys[i + 1 :]}
    join = tuple(frozenset(e.get("statements", [])) for e in data.get("join", []))
    return Overrides(frozenset(separate), join)


# --- reading statements -----------------------------------------------------------------


def load_statements(kb: KnowledgeBase, rules: Rules) -> list[Statement]:
    places: dict[int, list[Place]] = defaultdict(list)
    for r in kb.db.query(
        "select cs.commitment_id, cs.name, cs.istat, cs.name_key, cs.type, cs.province_code, "
        "cs.region_code from commitment_sites cs join commitments c on c.id = cs.commitment_id "
        "join documents d on d.id = c.document_id where d.current = 1 and d.duplicate_of is null"
    ):
        places[r["commitment_id"]].append(
            Place(
                r["name"],
                r["istat"],
                r["name_key"],
                r["type"],
                r["province_code"],
                r["region_code"],
            )
        )
    out = []
    for r in kb.db.query(
        "select c.id, c.document_id, c.institution, c.institution_id, c.amount, c.stage, "
        "c.purpose, c.sentence, c.actor, d.url, d.published, d.publisher "
        "from commitments c join documents d on d.id = c.document_id "
        "where d.current = 1 and d.duplicate_of is null order by d.published, c.id"
    ):
        sentence = r["sentence"] or ""
        own_places = tuple(places.get(r["id"], ()))
        place_words = {s for p in own_places for s in stems(p.name_key)}
        topic = frozenset(
            s
            # The purpose is nearly always a phrase of the sentence: stem it only otherwise.
            for s in stems(
                sentence if (r["purpose"] or "") in sentence else f"{r['purpose']} {sentence}"
            )
            if s not in rules.generic and s not in place_words and not s.isdigit() and len(s) > 2
        )
        out.append(
            Statement(
                commitment_id=r["id"],
                key=statement_key(r["url"], r["actor"] or "", sentence),
                document_id=r["document_id"],
                published=r["published"] or "",
                publisher=r["publisher"],
                institution=r["institution"] or r["actor"] or "",
                institution_id=r["institution_id"] or "",
                amount=r["amount"],
                stage=r["stage"] or "announced",
                revision=r["stage"] == REVISED or states_revision(sentence),
                topic=topic,
                places=own_places,
                purpose=r["purpose"],
                sentence=sentence,
                day=_day(r["published"] or ""),
                place_keys=frozenset(k for p in own_places for k in (p.istat, p.name_key) if k),
            )
        )
    return out


# --- the linking rules -----------------------------------------------------------------


def _contains(a: Place, b: Place) -> bool:
    """Whether place a is b or contains it (a region its provinces and municipalities)."""
    if a.istat and a.istat == b.istat:
        return True
    if a.type == "regione" and a.region_code and a.region_code == b.region_code:
        return True
    return a.type == "provincia" and bool(a.province_code) and a.province_code == b.province_code


def places_relation(a: tuple[Place, ...], b: tuple[Place, ...]) -> str:
    """ "overlap", "disjoint" (both located, nowhere in common) or "unknown"."""
    if not a or not b:
        return "unknown"
    for p in a:  # the nested loop only runs when no place is shared outright
        for q in b:
            if p.name_key == q.name_key or _contains(p, q) or _contains(q, p):
                return "overlap"
    if any(p.istat for p in a) and any(q.istat for q in b):
        return "disjoint"
    return "unknown"


def topic_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def amount_relation(earlier: Statement, later: Statement, tolerance: float) -> str:
    """ "equal", "revised", "unknown" (one has none) or "different"."""
    if earlier.amount is None or later.amount is None:
        return "unknown"
    if abs(earlier.amount - later.amount) <= tolerance * max(earlier.amount, later.amount):
        return "equal"
    return "revised" if later.revision or earlier.revision else "different"


def link_score(earlier: Statement, later: Statement, rules: Rules) -> Link | None:
    """The link between two statements, or None when the rules refuse it."""
    if earlier.institution_id != later.institution_id or not later.institution_id:
        return None
    days = abs(later.day - earlier.day)
    if days > rules.window_days:
        return None
    amount = amount_relation(earlier, later, rules.amount_tolerance)
    if amount == "different":
        return None
    if earlier.place_keys & later.place_keys:
        where = "overlap"
    else:
        where = places_relation(earlier.places, later.places)
    if amount == "different" or where == "disjoint":
        return None
    topic = topic_overlap(earlier.topic, later.topic)
    if topic < rules.min_topic and where != "overlap":
        return None
    w = rules.weights
    score = (
        w["institution"]
        + {"equal": w["amount_equal"], "revised": w["amount_revised"]}.get(
            amount, w["amount_unknown"]
        )
        + w["topic"] * topic
        + (w["places"] if where == "overlap" else 0.0)
        - w["time"] * days / rules.window_days
    )
    if score < rules.threshold:
        return None
    return Link(round(score, 3), _reason(earlier, later, amount, topic, where, days))


def _reason(a: Statement, b: Statement, amount: str, topic: float, where: str, days: int) -> str:
    shared = sorted(a.topic & b.topic)[:6]
    parts = [f"same institution ({b.institution})"]
    if amount == "equal":
        parts.append(f"same amount ({_euro(b.amount)})")
    elif amount == "revised":
        parts.append(f"amount revised {_euro(a.amount)} → {_euro(b.amount)}")
    else:
        parts.append("amount not stated in one")
    parts.append(f"topic overlap {topic:.2f} ({', '.join(shared) or 'none'})")
    if where == "overlap":
        parts.append("places overlap")
    parts.append(f"{days} days apart")
    return "; ".join(parts)


def _euro(value: float | None) -> str:
    return "—" if value is None else f"€{value:,.0f}".replace(",", ".")


# --- clustering ------------------------------------------------------------------------


class _Bucket:
    """Promises under one key, oldest last statement first; expired ones fall off the front.

    Statements arrive in date order, so a promise touched later moves to the end and the
    front always holds the stalest: each lookup drops those outside the time window.
    """

    __slots__ = ("days",)

    def __init__(self) -> None:
        self.days: dict[int, int] = {}  # pledge → day of its last statement, in that order

    def add(self, pledge: int, day: int) -> None:
        self.days.pop(pledge, None)
        self.days[pledge] = day

    def live(self, day: int, window: int) -> dict[int, int]:
        while self.days:
            first = next(iter(self.days))
            if day - self.days[first] <= window:
                break
            del self.days[first]
        return self.days


class _Index:
    """Candidate promises of one institution: by amount, by place, by rare topic stem.

    A place is indexed at its own level and looked up at every level that contains it
    (a municipality's statement finds promises about it, its province or its region).
    Promises whose last statement is outside the time window drop out of every lookup.
    """

    MAX_STEM_PLEDGES = 50  # a stem shared by more promises than this says nothing

    def __init__(self) -> None:
        self.by_amount: dict[int, _Bucket] = defaultdict(_Bucket)
        self.by_place: dict[str, _Bucket] = defaultdict(_Bucket)
        self.by_stem: dict[str, _Bucket] = defaultdict(_Bucket)

    def add(self, pledge: int, s: Statement) -> None:
        if s.amount is not None:
            self.by_amount[round(s.amount)].add(pledge, s.day)
        for p in s.places:
            self.by_place[_place_key(p)].add(pledge, s.day)
        for stem in s.topic:
            self.by_stem[stem].add(pledge, s.day)

    def candidates(self, s: Statement, window: int) -> set[int]:
        found: set[int] = set()
        if s.amount is not None and not s.revision:
            bucket = self.by_amount.get(round(s.amount))
            if bucket:
                found.update(bucket.live(s.day, window))
        for p in s.places:
            for k in _lookup_keys(p):
                bucket = self.by_place.get(k)
                if bucket:
                    found.update(bucket.live(s.day, window))
        for stem in s.topic:
            bucket = self.by_stem.get(stem)
            if bucket:
                pledges = bucket.live(s.day, window)
                if len(pledges) <= self.MAX_STEM_PLEDGES:
                    found.update(pledges)
        return found


def _place_key(p: Place) -> str:
    if p.type == "regione" and p.region_code:
        return "r" + p.region_code
    if p.type == "provincia" and p.province_code:
        return "p" + p.province_code
    return "c" + (p.istat or p.name_key)


def _lookup_keys(p: Place) -> list[str]:
    keys = [_place_key(p)]
    if p.region_code and keys[0] != "r" + p.region_code:
        keys.append("r" + p.region_code)
    if p.province_code and p.type != "provincia":
        keys.append("p" + p.province_code)
    return keys


def link_statements(
    statements: list[Statement], rules: Rules, overrides: Overrides = Overrides()
) -> list[Pledge]:
    """Group statements (in date order) into promises; see the module docstring."""
    pledges: list[Pledge] = []
    where: dict[str, int] = {}  # statement key → pledge index
    indexes: dict[str, _Index] = defaultdict(_Index)
    for s in statements:
        best = _forced(s, where, overrides) or _best_link(s, pledges, indexes, rules, overrides)
        if best is None:
            pledges.append(Pledge([s], [(None, None)]))
            number = len(pledges) - 1
        else:
            number, linked_to, link = best
            pledges[number].members.append(s)
            pledges[number].links.append((linked_to, link))
        where[s.key] = number
        indexes[s.institution_id].add(number, s)
    return pledges


def _forced(s: Statement, where: dict[str, int], overrides: Overrides):
    for group in overrides.join:
        if s.key in group:
            for other in group - {s.key}:
                if other in where:
                    return where[other], None, Link(1.0, "joined by hand (ledger overrides file)")
    return None


_MEMBERS_COMPARED = 4  # its first and latest statements stand for a promise


def _best_link(s, pledges, indexes, rules, overrides):
    best = None
    index = indexes.get(s.institution_id)
    for number in index.candidates(s, rules.window_days) if index and s.institution_id else ():
        pledge = pledges[number]
        if overrides.separate and any(
            frozenset((s.key, m.key)) in overrides.separate for m in pledge.members
        ):
            continue
        members = pledge.members
        if len(members) > _MEMBERS_COMPARED:
            members = [members[0], *members[1 - _MEMBERS_COMPARED :]]
        for member in members:
            link = link_score(member, s, rules)
            if link and (best is None or link.score > best[2].score):
                best = (number, member.commitment_id, link)
    return best


# --- writing the ledger ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerSummary:
    statements: int
    pledges: int
    linked: int  # statements joined to an earlier one
    seconds: float


OVERRIDES_NAME = "ledger-overrides.toml"


def default_overrides(kb: KnowledgeBase) -> Path | None:
    """The overrides file beside the database file (data/ledger-overrides.toml)."""
    row = kb.db.execute("pragma database_list").fetchone()
    return Path(row[2]).with_name(OVERRIDES_NAME) if row and row[2] else None


def _state(kb: KnowledgeBase, overrides: Path | None) -> tuple[int, int, str]:
    count, last = kb.db.execute("select count(*), coalesce(max(id), 0) from commitments").fetchone()
    stamp = ""
    if overrides is not None and overrides.exists():
        stamp = f"{overrides}@{overrides.stat().st_mtime_ns}"
    return count, last, stamp


def ensure_ledger(kb: KnowledgeBase, overrides: Path | str | None = None) -> LedgerSummary | None:
    """Rebuild the ledger if commitments or the overrides file changed since the last build."""
    path = Path(overrides) if overrides else default_overrides(kb)
    row = kb.db.execute(
        "select commitments, last_commitment_id, overrides from ledger_builds order by id desc limit 1"
    ).fetchone()
    if row is not None and tuple(row) == _state(kb, path):
        return None
    return rebuild_ledger(kb, path)


def rebuild_ledger(kb: KnowledgeBase, overrides: Path | str | None = None) -> LedgerSummary:
    """Rebuild the whole ledger from the commitments, in one transaction.

    The nightly flow calls this once after storing a run's batches (before finish_run);
    the result depends only on the stored commitments and the overrides file (by default
    `ledger-overrides.toml` beside the database).
    """
    started = time.monotonic()
    path = Path(overrides) if overrides else default_overrides(kb)
    rules = load_rules()
    statements = load_statements(kb, rules)
    pledges = link_statements(statements, rules, load_overrides(path))
    places = _place_names(kb)
    pledge_rows, statement_rows, place_rows, ids = [], [], [], set()
    for pledge in pledges:
        row = _pledge_row(pledge, places)
        while row["id"] in ids:  # the same statement key twice (a repeated sentence)
            row["id"] += "x"
        ids.add(row["id"])
        pledge_rows.append(row)
        statement_rows += _statement_rows(row["id"], pledge)
        place_rows += _pledge_place_rows(row["id"], pledge)
    # The ledger is rewritten whole: with foreign keys off (outside the transaction, as
    # SQLite requires) the deletes are truncations, not row-by-row checks.
    kb.db.execute("PRAGMA foreign_keys = OFF")
    try:
        with kb.db.atomic():
            for table in ("pledge_statements", "pledge_places", "pledges"):
                kb.db.execute(f"delete from {table}")
            for aid, name in {(r["actor_id"], r["actor"]) for r in pledge_rows}:
                kb._ensure_actor(aid, name)
            kb._insert("pledges", pledge_rows)
            kb._insert("pledge_statements", statement_rows)
            kb._insert("pledge_places", place_rows)
            summary = LedgerSummary(
                len(statements),
                len(pledges),
                sum(len(p.members) - 1 for p in pledges),
                time.monotonic() - started,
            )
            _record_build(kb, summary, path)
    finally:
        kb.db.execute("PRAGMA foreign_keys = ON")
    return summary


def _record_build(kb: KnowledgeBase, summary: LedgerSummary, path: Path | None) -> None:
    count, last, stamp = _state(kb, path)
    kb._insert(
        "ledger_builds",
        [
            {
                "built_at": now_iso(),
                "commitments": count,
                "last_commitment_id": last,
                "overrides": stamp,
                "statements": summary.statements,
                "pledges": summary.pledges,
                "linked": summary.linked,
                "seconds": round(summary.seconds, 3),
            }
        ],
    )


def _place_names(kb: KnowledgeBase) -> dict[str, dict]:
    return {
        r["istat"]: r
        for r in kb.db.query(
            "select p.istat, p.name, p.province, p.region from places p where p.istat in "
            "(select istat from commitment_sites where istat is not null)"
        )
    }


def _pledge_row(pledge: Pledge, places: dict[str, dict]) -> dict:
    members = pledge.members
    first = members[0]
    table = load_stages()
    progress = [m.stage for m in members if m.stage not in (REVISED, WITHDRAWN)]
    status = max(progress, key=table.rank) if progress else members[-1].stage
    if members[-1].stage == WITHDRAWN:
        status = WITHDRAWN
    history = _amount_history(members)
    amount = history[-1]["amount"] if history else None
    place_names = list(dict.fromkeys(_place_label(p, places) for m in members for p in m.places))
    linked = [places[p.istat] for m in members for p in m.places if p.istat in places]
    with_amount = [m for m in members if m.amount is not None and m.purpose]
    return {
        "id": "p-" + hashlib.sha1(first.key.encode("utf-8")).hexdigest()[:8],
        "actor": first.institution,
        "actor_id": first.institution_id or None,
        "amount": amount,
        "amount_history": json.dumps(history, ensure_ascii=False) if len(history) > 1 else None,
        "purpose": (with_amount[0] if with_amount else first).purpose,
        "places": json.dumps(place_names, ensure_ascii=False),
        "provinces": json.dumps(
            sorted({p["province"] for p in linked if p["province"]}), ensure_ascii=False
        ),
        "regions": json.dumps(
            sorted({p["region"] for p in linked if p["region"]}), ensure_ascii=False
        ),
        "status": status,
        "revised": int(len(history) > 1 or any(m.stage == REVISED for m in members)),
        "first_date": first.published or None,
        "last_date": members[-1].published or None,
        "year": int(first.published[:4]) if re.match(r"\d{4}", first.published) else None,
        "statements": len(members),
        "publishers": len({m.publisher for m in members}),
        "counted": int(amount is not None and status not in (PROPOSED, WITHDRAWN)),
    }


def _place_label(p: Place, places: dict[str, dict]) -> str:
    return places[p.istat]["name"] if p.istat in places else p.name


def _amount_history(members: list[Statement]) -> list[dict]:
    """Each change of the stated amount, in date order (one entry when never revised)."""
    history: list[dict] = []
    for m in members:
        if m.amount is None:
            continue
        if history and abs(history[-1]["amount"] - m.amount) <= 0.005 * m.amount:
            continue
        history.append({"date": m.published, "amount": m.amount, "commitment_id": m.commitment_id})
    return history


def _statement_rows(pledge_id: str, pledge: Pledge) -> list[dict]:
    return [
        {
            "commitment_id": m.commitment_id,
            "pledge_id": pledge_id,
            "document_id": m.document_id,
            "statement_key": m.key,
            "published": m.published or None,
            "publisher": m.publisher,
            "stage": m.stage,
            "amount": m.amount,
            "linked_to": linked_to,
            "score": link.score if link else None,
            "reason": link.reason if link else "first statement",
            "sentence": m.sentence,
        }
        for m, (linked_to, link) in zip(pledge.members, pledge.links)
    ]


def _pledge_place_rows(pledge_id: str, pledge: Pledge) -> list[dict]:
    seen, rows = set(), []
    for m in pledge.members:
        for p in m.places:
            k = p.istat or p.name_key
            if k in seen:
                continue
            seen.add(k)
            rows.append(
                {
                    "pledge_id": pledge_id,
                    "istat": p.istat,
                    "name": p.name,
                    "name_key": p.name_key,
                    "province_code": p.province_code,
                    "region_code": p.region_code,
                }
            )
    return rows


def add_override(
    kb: KnowledgeBase, kind: str, keys: list[str], overrides: Path | str | None = None
) -> Path:
    """Append a `[[separate]]` or `[[join]]` entry for known statement keys; returns the file."""
    if len(set(keys)) < 2:
        raise KnowledgeBaseError("give at least two different statement keys")
    known = {
        r["statement_key"]
        for r in kb.db.query(
            f"select statement_key from pledge_statements where statement_key in "
            f"({', '.join('?' * len(keys))})",
            keys,
        )
    }
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise KnowledgeBaseError(f"unknown statement key {unknown[0]!r} (see `ledger show ID`)")
    path = Path(overrides) if overrides else default_overrides(kb)
    if path is None:
        raise KnowledgeBaseError("no overrides file: give --overrides PATH")
    entry = f"\n[[{kind}]]\nstatements = [{', '.join(json.dumps(k) for k in keys)}]\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(entry)
    return path
