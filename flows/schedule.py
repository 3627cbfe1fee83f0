"""The nightly schedule: a Prefect deployment of the nightly flow, on Rome's clock.

`sentinella serve` runs it against a real Prefect server (`prefect server start`, then
PREFECT_API_URL pointing at it); the server fires the flow every night and keeps the
history of runs that the communications office looks at.
"""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

from sentinella.errors import SentinellaError
from sentinella.flows.nightly import nightly

# 01:30 in Rome: outside the 02:00–03:00 hour that daylight saving skips or repeats.
NIGHTLY_CRON = "30 1 * * *"
TIMEZONE = "Europe/Rome"
DEPLOYMENT_NAME = "nightly"


class ScheduleError(SentinellaError):
    pass


def check_cron(cron: str) -> None:
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(f"not a cron expression (5 fields expected): {cron!r}")
    if fields[1] == "2":
        raise ScheduleError(
            "02:xx in Europe/Rome is skipped or repeated when the clocks change: pick another hour"
        )


def nightly_deployment(
    sources_file: Path,
    db_path: Path,
    *,
    cron: str = NIGHTLY_CRON,
    model: str | None = None,
    allow_private_network: bool = False,
    workers: int = 0,
    cluster: str | None = None,
):
    """The deployment (not yet applied) that runs the nightly flow on `cron`, Rome time."""
    check_cron(cron)
    return nightly.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=Cron(cron, timezone=TIMEZONE),
        parameters={
            "sources_file": str(Path(sources_file).resolve()),
            "db_path": str(Path(db_path).resolve()),
            "model": model,
            "allow_private_network": allow_private_network,
            "workers": workers,
            "cluster": cluster,
        },
        description="Sentinella: read every source, extract facts, update the knowledge base.",
        tags=["sentinella"],
    )
