"""Interrupts (Ctrl-C, SIGTERM) turned into exceptions that unwind cleanly.

The command line installs ``install()`` first thing: SIGINT raises ``KeyboardInterrupt`` and
SIGTERM raises ``Terminated`` (a ``KeyboardInterrupt``) in the main thread, once; a second
signal while the first one unwinds is ignored, so cleanup code (removing a temporary
output, joining threads) is never cut short; a third one ends the process at once (cleanup
stuck on a stalled pipe). ``critical()`` marks a few
microseconds of work that must not be split (creating a temporary file and remembering its
name, renaming a finished output onto its target): a signal that arrives inside is raised at
its end (or, for the final commit, when the command is already done, not at all). Library
code only uses ``critical()``; without ``install()`` it changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

__all__ = ["Terminated", "critical", "install", "pending", "raise_pending"]


class Terminated(KeyboardInterrupt):
    """SIGTERM (or another termination signal) received; ``signum`` says which."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signum = signum


_state: dict = {
    "installed": False,
    "raised": False,
    "pending": None,
    "depth": 0,
    "count": 0,
}


def _exception(signum: int) -> KeyboardInterrupt:
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def _handler(signum: int, frame: object) -> None:
    _state["count"] += 1
    if _state["count"] >= 3:
        # asked three times: the cleanup is stuck (a stalled pipe); leave now
        os._exit(128 + signum)
    if _state["raised"] or _state["pending"] is not None:
        return  # already unwinding: let the cleanup finish
    if _state["depth"]:
        _state["pending"] = signum
        return
    _state["raised"] = True
    raise _exception(signum)


def install() -> None:
    """Route SIGINT and SIGTERM through ``_handler`` (main thread only; idempotent)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _handler)
    _state["installed"] = True


def pending() -> int | None:
    """The signal held back by ``critical()``, if any."""
    return _state["pending"]


def raise_pending() -> None:
    """Raise the interrupt held back by ``critical()`` (if any)."""
    signum = _state["pending"]
    if signum is not None and not _state["raised"]:
        _state["raised"] = True
        raise _exception(signum)


@contextlib.contextmanager
def critical(raise_after: bool = True) -> Iterator[None]:
    """Hold signals back while the block runs. A signal already held back is raised before
    the block starts; one that arrives inside is raised after it when ``raise_after`` (else
    the caller decides, see ``pending()``)."""
    if not _state["installed"] or threading.current_thread() is not threading.main_thread():
        yield
        return
    raise_pending()
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
    if raise_after and not _state["depth"]:
        raise_pending()


def reset() -> None:
    """Forget a held-back or raised signal (tests run several commands in one process)."""
    _state["raised"] = False
    _state["pending"] = None
    _state["count"] = 0
