"""Run the nightly flow once and die by SIGKILL at a chosen moment (for the alert tests).

    python tests/crash_run.py SOURCES DB WATCHES before-delivery [MODEL]
        killed after every store committed, before any alert is sent
    python tests/crash_run.py SOURCES DB WATCHES after-first-send
        killed right after the first alert was sent and recorded

A SIGKILL gives the process no chance to clean up: what the next run finds is what a
crash or an out-of-memory kill would leave.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(sources: str, db: str, watches: str, moment: str, model: str | None = None) -> None:
    from sentinella.flows import nightly as flow
    from sentinella.kb.outbox import Outbox

    if moment == "before-delivery":
        flow.alert_step = lambda *args, **kwargs: die()  # type: ignore[assignment]
    elif moment == "after-first-send":
        sent = Outbox.sent

        def sent_then_die(self, ids, worker):
            sent(self, ids, worker)
            die()

        Outbox.sent = sent_then_die  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown moment {moment!r}")
    flow.nightly(
        sources_file=Path(sources),
        db_path=Path(db),
        watches_file=Path(watches),
        allow_private_network=True,
        model=model,
    )
    raise SystemExit("not killed: the moment never came")


if __name__ == "__main__":
    main(*sys.argv[1:])
