"""Overlap producing batches with consuming them: decoding the next batch while the previous
one is written (Parquet encoding and NumPy both release the GIL, so a 2-core machine runs
both at once). Memory stays bounded: at most ``depth`` batches wait between the two sides."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    """An exception raised by the producer, handed to the consumer to re-raise."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Yield the items of ``items``, produced by a background thread up to ``depth`` ahead.

    The producer's exceptions are raised in the consumer at the point they occurred in the
    sequence. A consumer that may stop early (an exception, Ctrl-C) should ``close()`` the
    generator (``contextlib.closing``): the producer then stops at its next item and its
    iterator is closed."""
    q: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(obj: object) -> bool:
        while not stop.is_set():
            try:
                q.put(obj, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        it = iter(items)
        try:
            for item in it:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:
            put(_Failure(exc))
        finally:
            close = getattr(it, "close", None)
            if close is not None and stop.is_set():
                with contextlib.suppress(Exception):
                    close()

    worker = threading.Thread(target=produce, name="legacyio-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            obj = q.get()
            if obj is _DONE:
                return
            if isinstance(obj, _Failure):
                raise obj.exc
            yield obj  # type: ignore[misc]
    finally:
        stop.set()
        # The producer stops at its next item (closing its iterator, which stops decode
        # threads). It is always joined: a thread still running NumPy or Arrow code when
        # the interpreter exits aborts it (PyGILState_Release). Only a producer blocked
        # reading a stalled pipe is given up on after a while.
        _join(worker, JOIN_TIMEOUT)


JOIN_TIMEOUT = 3.0
"""Seconds to wait for a producer to finish its current item after the consumer stopped
(a batch decodes in well under that; a producer blocked reading a stalled pipe would wait
forever). The command line never lets an interpreter finalize around a thread given up
on (``cli.exits.leave``)."""


def _join(worker: threading.Thread, timeout: float) -> None:
    """Join ``worker``; a KeyboardInterrupt while waiting does not stop the wait (the thread
    must be gone before the interpreter exits), it is re-raised afterwards."""
    interrupted: BaseException | None = None
    deadline = time.monotonic() + timeout
    while worker.is_alive():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            worker.join(min(left, 0.1))
        except KeyboardInterrupt as e:  # pragma: no cover - timing dependent
            interrupted = e
    if interrupted is not None:  # pragma: no cover
        raise interrupted
