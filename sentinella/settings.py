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


def prefect_home() -> Path:
    """The one folder where Prefect keeps its local state for every Sentinella run.

    $PREFECT_HOME when set; otherwise $XDG_STATE_HOME/sentinella/prefect (by default
    ~/.local/state/sentinella/prefect). One place, whatever --db says: the ephemeral API's
    database is created and migrated once (about 5 s on a 2-core machine) and reused by
    every later run, instead of a new prefect/ folder beside each knowledge base.
    """
    if os.environ.get("PREFECT_HOME"):
        return Path(os.environ["PREFECT_HOME"]).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state).expanduser() / "sentinella" / "prefect"


def configure_prefect() -> Path:
    """Prefect's state in `prefect_home()`, its analytics off; returns that folder.

    Must run before `prefect` is imported: Prefect reads these settings at import time.
    An explicit PREFECT_HOME or PREFECT_API_URL from the user (a real server) wins.
    """
    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)  # Prefect creates the last folder only
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The flow reports its progress through Prefect's loggers, at INFO.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    # The ephemeral server's 20 s start-up limit was exceeded once on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # Prefect's own telemetry and update checks would try the network.
    os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")
    return home
