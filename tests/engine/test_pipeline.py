"""prefetch: the background producer behind `convert` keeps order, raises the producer's
errors where they happened, and stops (closing the producer) when the consumer stops."""

from __future__ import annotations

import threading
from contextlib import closing

import pytest

from legacyio.engine.prefetch import prefetch


def test_items_arrive_in_order_and_all_of_them() -> None:
    assert list(prefetch(iter(range(1000)), depth=3)) == list(range(1000))
    assert list(prefetch([])) == []


def test_producer_error_is_raised_after_the_items_before_it() -> None:
    def items():
        yield 1
        yield 2
        raise ValueError("record 3 is bad")

    got = []
    with pytest.raises(ValueError, match="record 3 is bad"):
        for x in prefetch(items()):
            got.append(x)
    assert got == [1, 2]


def test_consumer_stopping_early_closes_the_producer() -> None:
    closed = threading.Event()
    produced = []

    def items():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    with pytest.raises(RuntimeError), closing(prefetch(items(), depth=2)) as gen:
        for x in gen:
            if x == 5:
                raise RuntimeError("consumer failed")
    assert closed.wait(5)
    # bounded: the producer never ran far ahead of the consumer
    assert len(produced) <= 5 + 1 + 2 + 1
    for t in threading.enumerate():
        if t.name == "legacyio-prefetch":
            t.join(5)
            assert not t.is_alive()


def test_producer_runs_while_the_consumer_works() -> None:
    """The point of it: the next item is produced while the consumer still holds this one
    (a plain generator could not start item 1 before the consumer asks for it)."""
    started = [threading.Event() for _ in range(3)]

    def items():
        for i in range(3):
            started[i].set()
            yield i

    for i in prefetch(items()):
        if i < 2:
            assert started[i + 1].wait(5), "the producer did not run ahead"
