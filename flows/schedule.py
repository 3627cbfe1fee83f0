"""The nightly schedule: a Prefect deployment of the nightly flow, on Rome's clock.

`sentinella serve` runs it against a real Prefect server (`prefect server start`, then
PREFECT_API_URL pointing at it); the server fires the flow every night and keeps the
history of runs that the communications office looks at.
"""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

from sentinella.errors import ConfigError
from sentinella.flows.nightly import nightly

# 01:30 in Rome: outside the 02:00–03:00 hour that daylight saving skips or repeats.
NIGHTLY_CRON = "30 1 * * *"
TIMEZONE = "Europe/Rome"
DEPLOYMENT_NAME = "nightly"


class ScheduleError(ConfigError):
    pass


def check_cron(cron: str) -> None:
    """A five-field cron Prefect accepts, outside the hour daylight saving skips or repeats."""
    from prefect.client.schemas.schedules import CronSchedule

    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(f"--cron: not a cron expression (5 fields expected): {cron!r}")
    try:
        CronSchedule(cron=cron, timezone=TIMEZONE)
    except ValueError:
        raise ScheduleError(f"--cron: not a valid cron expression: {cron!r}") from None
    if fields[1] == "2":
        raise ScheduleError(
            "--cron: 02:xx in Europe/Rome is skipped or repeated when the clocks change: "
            "pick another hour"
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
    watches_file: Path | None = None,
    feeds_dir: Path | None = None,
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
            "watches_file": str(Path(watches_file).resolve()) if watches_file else None,
            "feeds_dir": str(Path(feeds_dir).resolve()) if feeds_dir else None,
        },
        description="Sentinella: read every source, extract facts, update the knowledge base, "
        "alert the watches.",
        tags=["sentinella"],
    )
