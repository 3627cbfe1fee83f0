"""No child process outlives its run: Prefect's temporary server dies with the process.

In ephemeral mode Prefect starts a `uvicorn` server as a child process and stops it at
exit; a run killed by SIGKILL (or by a cron timeout) never reaches that exit, and the
server (~220 MB, still listening) is left behind. The kernel can end a child when its parent
dies (prctl PR_SET_PDEATHSIG): `server_dies_with_this_process()` asks Prefect to start
its server now, from the main thread (the death signal follows the thread that started the
child), with that setting. Prefect reuses the same server for the run.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import threading
import types

PR_SET_PDEATHSIG = 1


def die_with(parent: int) -> None:
    """For preexec_fn: SIGTERM this child when `parent` dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the setting took effect
        os._exit(1)


def server_dies_with_this_process() -> None:
    """Start Prefect's temporary server (when no PREFECT_API_URL is set) as a child that
    the kernel stops if this process dies without cleaning up."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value() or threading.current_thread() is not threading.main_thread():
        return
    from prefect.server.api import server as prefect_server

    # Prefect's server module calls subprocess.Popen; it gets one that sets the death signal.
    shim = types.ModuleType("subprocess")
    shim.__dict__.update(vars(subprocess))
    preexec = functools.partial(die_with, os.getpid())
    setattr(shim, "Popen", functools.partial(subprocess.Popen, preexec_fn=preexec))  # noqa: B010
    original = prefect_server.subprocess
    prefect_server.subprocess = shim
    try:
        prefect_server.SubprocessASGIServer().start()
    finally:
        prefect_server.subprocess = original
