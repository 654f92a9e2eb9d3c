"""NumPy <-> Arrow helpers (codecs/numbers, bigint, buffers): int and decimal builders, limbs arithmetic, unscaled extraction."""

from __future__ import annotations

from decimal import Context, Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legacyio.codecs import bigint, buffers, numbers


def test_ints_to_arrow_types():
    v = np.array([1, -2, 3], dtype=np.int64)
    valid = np.array([True, False, True])
    assert numbers.ints_to_arrow(v, valid, pa.int32()).to_pylist() == [1, None, 3]
    assert numbers.ints_to_arrow(v, None, pa.int64()).to_pylist() == [1, -2, 3]
    d = numbers.ints_to_arrow(v, None, pa.decimal128(9, 2))
    assert d.type == pa.decimal128(9, 2)
    assert d.to_pylist() == [Decimal("0.01"), Decimal("-0.02"), Decimal("0.03")]
    d = numbers.ints_to_arrow(v, valid, pa.decimal256(50, 1))
    assert d.to_pylist() == [Decimal("0.1"), None, Decimal("0.3")]
    u = np.array([2**64 - 1, 5], dtype=np.uint64)
    assert numbers.ints_to_arrow(u, None, pa.uint64()).to_pylist() == [2**64 - 1, 5]
    assert numbers.ints_to_arrow(u, None, pa.decimal128(20, 0)).to_pylist() == [2**64 - 1, 5]
    with pytest.raises(TypeError):
        numbers.ints_to_arrow(v, None, pa.string())


def test_validity_all_valid_has_no_bitmap():
    arr = numbers.ints_to_arrow(np.arange(5), np.ones(5, dtype=bool), pa.int64())
    assert arr.null_count == 0 and arr.buffers()[0] is None


def test_valid_mask_with_offset():
    arr = pa.array([1, None, 3, None, 5, 6, None, 8, 9, 10])
    part = arr.slice(3, 6)
    assert buffers.valid_mask(part).tolist() == [False, True, True, False, True, True]
    assert buffers.valid_mask(pa.array([1, 2])) is None


def test_arrow_to_unscaled():
    arr = pa.array([Decimal("1.25"), None, Decimal("-3.5")], pa.decimal128(9, 2)).slice(1)
    vals, valid = numbers.arrow_to_unscaled(arr, pa.decimal128(9, 2))
    assert vals.tolist()[1] == -350 and valid.tolist() == [False, True]
    big = pa.array([Decimal(-(10**30)), Decimal(2**70)], pa.decimal128(31, 0))
    (hi, lo), valid = numbers.arrow_to_unscaled(big, big.type)
    assert valid is None
    ints = [(int(h) << 64) | int(lo_) for h, lo_ in zip(hi, lo)]
    assert ints == [-(10**30), 2**70]
    vals, _ = numbers.arrow_to_unscaled(pa.array([7, -8], pa.int32()), pa.int32())
    assert vals.dtype == np.int64 and vals.tolist() == [7, -8]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**127) + 1, 2**127 - 1), min_size=1, max_size=30))
def test_limbs_twos_round_trip(ints):
    raw = np.frombuffer(
        b"".join(i.to_bytes(16, "little", signed=True) for i in ints), dtype=np.uint8
    ).reshape(-1, 16)
    limbs, neg = bigint.twos_to_limbs(raw)
    mags = [sum(int(limbs[k, r]) << (32 * k) for k in range(4)) for r in range(len(ints))]
    assert mags == [abs(i) for i in ints]
    assert neg.tolist() == [i < 0 for i in ints]
    assert np.array_equal(bigint.limbs_to_twos(limbs, neg), raw)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10**38 - 1), min_size=1, max_size=20), st.integers(1, 10**9 - 1))
def test_limbs_divmod_and_mul_add(ints, d):
    raw = np.frombuffer(b"".join(i.to_bytes(16, "little") for i in ints), np.uint8)
    limbs, _ = bigint.twos_to_limbs(raw.reshape(-1, 16))
    q, r = bigint.limbs_divmod(limbs, d)
    qs = [sum(int(q[k, i]) << (32 * k) for k in range(4)) for i in range(len(ints))]
    assert qs == [i // d for i in ints] and r.tolist() == [i % d for i in ints]
    bigint.limbs_mul_add(q, d, r)
    assert np.array_equal(q, limbs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(10**40) + 1, 10**40 - 1), min_size=1, max_size=20))
def test_digits_to_arrow_and_back(ints):
    digits = np.array([[int(c) for c in str(abs(i)).rjust(40, "0")] for i in ints], np.uint8)
    neg = np.array([i < 0 for i in ints])
    arr = numbers.digits_to_arrow(digits, neg, None, pa.decimal256(40, 3), 3)
    assert arr.to_pylist() == [Decimal(i).scaleb(-3, Context(prec=100)) for i in ints]
    u = numbers.to_unscaled(arr, 3, False)
    dig, over = u.digits(40)
    assert np.array_equal(dig, digits) and not over.any()
    assert np.array_equal(u.neg, neg)
    _, over = u.digits(39)
    assert over.tolist() == [abs(i) >= 10**39 for i in ints]


def test_digits_to_arrow_small_and_negative_scale():
    digits = np.array([[1, 2, 3], [0, 0, 7]], dtype=np.uint8)
    neg = np.array([True, False])
    assert numbers.digits_to_arrow(digits, neg, None, pa.int32(), 0).to_pylist() == [-123, 7]
    assert numbers.digits_to_arrow(digits, neg, None, pa.int32(), -2).to_pylist() == [-12300, 700]
    out = numbers.digits_to_arrow(digits, neg, None, pa.decimal128(21, 0), -18)
    assert out.to_pylist() == [Decimal(-123 * 10**18), Decimal(7 * 10**18)]


def test_to_unscaled_rescale_and_types():
    u = numbers.to_unscaled(
        pa.array([Decimal("1.5"), Decimal("-2.25")], pa.decimal128(5, 2)), 1, False
    )
    assert u.bad.tolist() == [False, True]
    u = numbers.to_unscaled(
        pa.array([Decimal("1.5"), Decimal("-2.25")], pa.decimal128(5, 2)), 1, True
    )
    assert u.bad.tolist() == [False, False]
    dig, _ = u.digits(3)
    assert dig.tolist() == [[0, 1, 5], [0, 2, 2]] and u.neg.tolist() == [False, True]
    u = numbers.to_unscaled(pa.array([3, None, -4], pa.int16()), 4, False)
    assert u.digits(6)[0].tolist()[2] == [0, 4, 0, 0, 0, 0] and u.valid.tolist() == [
        True,
        False,
        True,
    ]
    u = numbers.to_unscaled(pa.array([2**64 - 1], pa.uint64()), 0, False)
    assert u.u64()[0].tolist() == [2**64 - 1]
    u = numbers.to_unscaled(pa.array(["12.5", "x", None]), 1, False)
    assert u.bad.tolist() == [False, True, False] and u.valid.tolist() == [True, True, False]
    u = numbers.to_unscaled(pa.array([-(2**63)], pa.int64()), 0, False)
    assert u.u64()[0].tolist() == [2**63] and u.neg.tolist() == [True]


@pytest.mark.parametrize("ndigits", range(19))
def test_horner_is_exact_for_every_digit_count(ndigits: int) -> None:
    """horner is exact for every digit count up to 18, also for the largest values and for
    column slices of a wider matrix."""
    rng = np.random.default_rng(ndigits)
    wide = rng.integers(0, 10, (500, ndigits + 3)).astype(np.uint8)
    wide[0, 1 : 1 + ndigits] = 9
    wide[1, 1 : 1 + ndigits] = 0
    digits = wide[:, 1 : 1 + ndigits]
    expected = [int("".join(map(str, row)) or "0") for row in digits.tolist()]
    got = bigint.horner(digits)
    assert got.dtype == np.int64
    assert got.tolist() == expected
