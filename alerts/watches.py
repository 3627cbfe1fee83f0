"""Watches: what an office wants to be told about, read from a TOML file.

    [[watch]]
    name = "Grandi impegni in provincia di Asti"
    channel = "json://127.0.0.1:8765/hook"       # any Apprise URL, or a list of them
    province = "Asti"
    min_amount = 1000000
    commitments_only = true

Conditions combine with AND; a list inside one condition is an OR. A watch without
conditions matches every new statement. A channel may be `${NAME}`, read from the
environment when a message is sent: the secret is never printed, logged or stored (the
knowledge base records the channel as written).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinella.errors import SentinellaError


class WatchError(SentinellaError):
    pass


TEXT_CONDITIONS = (
    "publisher",
    "source",
    "actor",
    "office",
    "organization",
    "site",
    "province",
    "region",
    "keyword",
    "verb",
)
KEYS = ("name", "channel", *TEXT_CONDITIONS, "min_amount", "commitments_only", "digest")
DIGESTS = ("daily",)
ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Watch:
    """One `[[watch]]`: a name, where to send, and the conditions (all optional)."""

    name: str
    channels: tuple[str, ...]  # as written in the file: may hold ${NAME}, never a secret
    publisher: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    office: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    site: tuple[str, ...] = ()
    province: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    keyword: tuple[str, ...] = ()
    verb: tuple[str, ...] = ()
    min_amount: float | None = None
    commitments_only: bool = False
    digest: str | None = None  # "daily": one message a day listing the day's matches

    @property
    def slug(self) -> str:
        """The watch's name as a file name: "Grandi impegni ad Asti" → "grandi-impegni-ad-asti"."""
        return slug(self.name)

    def conditions(self) -> dict[str, Any]:
        """The conditions that are set, by key (for listings)."""
        out: dict[str, Any] = {k: list(getattr(self, k)) for k in TEXT_CONDITIONS}
        out["min_amount"] = self.min_amount
        out["commitments_only"] = self.commitments_only or None
        return {k: v for k, v in out.items() if v}


def slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "watch"


def load_watches(path: Path | str) -> list[Watch]:
    """Read and check a watches file; any problem is one WatchError naming file, watch, key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WatchError(f"{path}: no such watches file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise WatchError(f"{path}: not valid TOML: {exc}") from exc
    return parse_watches(data, str(path))


def parse_watches(data: Mapping[str, Any], where: str) -> list[Watch]:
    for key in data:
        if key != "watch":
            raise WatchError(
                f"{where}: unknown top-level key {key!r}{_did_you_mean(key, ['watch'])}"
            )
    entries = data.get("watch")
    if not isinstance(entries, list) or not entries:
        raise WatchError(f"{where}: no [[watch]] entries")
    watches: list[Watch] = []
    for number, entry in enumerate(entries, 1):
        watch = _parse_one(entry, where, number)
        if any(w.name == watch.name for w in watches):
            raise WatchError(f"{where}: watch {watch.name!r}: key 'name': the name is used twice")
        watches.append(watch)
    return watches


def _parse_one(entry: Any, file: str, number: int) -> Watch:
    if not isinstance(entry, dict):
        raise WatchError(f"{file}: watch #{number}: not a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise WatchError(f"{file}: watch #{number}: key 'name': a non-empty string is required")
    where = f"{file}: watch {name.strip()!r}"
    for key in entry:
        if key not in KEYS:
            raise WatchError(f"{where}: unknown key {key!r}{_did_you_mean(key, KEYS)}")
    if "channel" not in entry:
        raise WatchError(f"{where}: key 'channel': an Apprise URL (or a list of them) is required")
    values: dict[str, Any] = {"name": name.strip()}
    values["channels"] = _strings(entry["channel"], f"{where}: key 'channel'")
    for key in TEXT_CONDITIONS:
        if key in entry:
            values[key] = _strings(entry[key], f"{where}: key {key!r}")
    values.update(_scalars(entry, where))
    watch = Watch(**values)
    _check_places(watch, where)
    return watch


def _scalars(entry: dict, where: str) -> dict[str, Any]:
    """min_amount, commitments_only and digest, where given."""
    values: dict[str, Any] = {}
    if "min_amount" in entry:
        values["min_amount"] = _amount(entry["min_amount"], f"{where}: key 'min_amount'")
    if "commitments_only" in entry:
        if not isinstance(entry["commitments_only"], bool):
            raise WatchError(f"{where}: key 'commitments_only': true or false expected")
        values["commitments_only"] = entry["commitments_only"]
    if "digest" in entry:
        if entry["digest"] not in DIGESTS:
            raise WatchError(
                f"{where}: key 'digest': {entry['digest']!r} is not one of {', '.join(DIGESTS)}"
            )
        values["digest"] = entry["digest"]
    return values


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """A string or a non-empty list of non-empty strings."""
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(v, str) and v.strip() for v in items)
    ):
        raise WatchError(f"{where}: a non-empty string or a list of them expected")
    return tuple(dict.fromkeys(v.strip() for v in items))


def _amount(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WatchError(f"{where}: a number of euro expected (e.g. 1000000), not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise WatchError(f"{where}: a number of euro at least 0 expected, not {value!r}")
    return float(value)


def _check_places(watch: Watch, where: str) -> None:
    """Province and region names must be real ones (a typo would silently match nothing)."""
    if not (watch.province or watch.region):
        return
    from sentinella.alerts import places

    for key, known, find in (
        ("province", places.province_names(), places.province_code),
        ("region", places.region_names(), places.region_name),
    ):
        for value in getattr(watch, key):
            if find(value) is None:
                raise WatchError(
                    f"{where}: key {key!r}: unknown {key} {value!r}"
                    f"{_did_you_mean(value, sorted(known))}"
                )


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- channels ---------------------------------------------------------------------------


def resolve_channel(channel: str, environ: Mapping[str, str] | None = None) -> str:
    """The channel with ${NAME} replaced from the environment (the secret, never stored)."""
    environ = os.environ if environ is None else environ

    def value(match: re.Match) -> str:
        name = match.group(1)
        if not environ.get(name):
            raise WatchError(f"environment variable {name} is not set")
        return environ[name]

    return ENV_RE.sub(value, channel)


def secrets_of(channel: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The values that ${NAME} in a channel stands for: to be blanked out of any message."""
    environ = os.environ if environ is None else environ
    return [environ[n] for n in ENV_RE.findall(channel) if environ.get(n)]


def describe_channel(channel: str) -> str:
    """How a channel may be shown: ${NAME} as written; a literal URL with its secrets hidden."""
    if ENV_RE.search(channel):
        return channel
    import apprise

    plugin = apprise.Apprise.instantiate(channel, suppress_exceptions=True)
    if plugin is None:
        return channel.split("://", 1)[0] + "://…"
    return plugin.url(privacy=True).split("?", 1)[0]  # Apprise masks passwords and tokens


def check_channels(watches: list[Watch], where: str) -> None:
    """Every channel resolves (its ${NAME} set) and is a URL Apprise knows; before a run."""
    import apprise

    for watch in watches:
        for number, channel in enumerate(watch.channels, 1):
            label = f"{where}: watch {watch.name!r}: key 'channel'"
            try:
                url = resolve_channel(channel)
            except WatchError as exc:
                raise WatchError(f"{label}: {exc}") from None
            if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
                raise WatchError(
                    f"{label}: channel {number} ({describe_channel(channel)}) "
                    "is not a URL Apprise can send to"
                )
