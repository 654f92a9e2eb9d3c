"""Leaving the process: exit statuses for interrupts, and an exit that never aborts.

Imports nothing heavy: it also runs when an interrupt arrives while the CLI is importing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import NoReturn

EXIT_INTERRUPT, EXIT_TERMINATED = 130, 143


def interrupt_status(e: BaseException) -> tuple[int, str]:
    """Exit status and one-line message for a KeyboardInterrupt or Terminated."""
    from legacyio.interrupts import Terminated

    if isinstance(e, Terminated):
        try:
            name = signal.Signals(e.signum).name
        except ValueError:  # pragma: no cover - only SIGTERM is routed here
            name = f"signal {e.signum}"
        return 128 + int(e.signum), f"terminated ({name}); no output was left behind"
    return EXIT_INTERRUPT, "interrupted; no output was left behind"


def interrupted_exit(e: BaseException) -> NoReturn:
    code, message = interrupt_status(e)
    sys.stderr.write(f"legacyio: error: {message}\n")
    leave(code)


def leave(code: int) -> NoReturn:
    """Exit with ``code``. When a worker thread is still alive (a producer given up on while
    blocked on a stalled pipe), the interpreter is not finalized around it, which can abort
    the process (``PyGILState_Release``): the streams are flushed and the process ends.
    Interrupted runs end the same way."""
    alive = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
    # After an interrupt the cleanup is done (outputs removed, threads joined); the status
    # must stay 130 / 143: an interpreter that saw a KeyboardInterrupt escape some module
    # code (an import cut short) would otherwise end itself with SIGINT at exit.
    if alive or code in (EXIT_INTERRUPT, EXIT_TERMINATED):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed pipe: nothing left to tell
                stream.flush()
        os._exit(code)
    sys.exit(code)
