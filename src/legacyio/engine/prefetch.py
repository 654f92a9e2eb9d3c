"""Overlap producing batches with consuming them: decoding the next batch while the previous
one is written (Parquet encoding and NumPy both release the GIL, so a 2-core machine runs
both at once). Memory stays bounded: at most ``depth`` batches wait between the two sides."""

from __future__ import annotations

import contextlib
import queue
import threading
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
    finished = False
    try:
        while True:
            obj = q.get()
            if obj is _DONE:
                finished = True
                return
            if isinstance(obj, _Failure):
                finished = True
                raise obj.exc
            yield obj  # type: ignore[misc]
    finally:
        stop.set()
        if finished:
            worker.join()
        # else the producer may be blocked reading (a stalled pipe, Ctrl-C): it is not waited
        # for; it stops, closing its iterator, as soon as its current item is done
