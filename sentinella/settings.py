"""Where things live, and the environment Prefect needs before it is imported."""

from __future__ import annotations

import os
from pathlib import Path

from sentinella import corpus

# The embedded default registry travels with the package (sentinella.corpus), so a wheel
# install runs the sample corpus as the source tree does.
DEFAULT_SOURCES = Path(corpus.__file__).resolve().parent / "sources.toml"
DEFAULT_DB = Path("data") / "sentinella.db"
# An example watches file (the watches): `sentinella watch test` reads it by default.
DEFAULT_WATCHES = Path(corpus.__file__).resolve().parent / "watches.toml"


def configure_prefect(data_dir: Path) -> None:
    """Keep Prefect's state inside the project's data folder, and its analytics off.

    Must run before `prefect` is imported: Prefect reads these settings at import time.
    An explicit PREFECT_HOME or PREFECT_API_URL from the user (a real server) wins.
    """
    os.environ.setdefault("PREFECT_HOME", str((data_dir / "prefect").resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The flow reports its progress through Prefect's loggers, at INFO.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    # The ephemeral server's 20 s start-up limit was exceeded once on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # Prefect's own telemetry and update checks would try the network.
    os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")
