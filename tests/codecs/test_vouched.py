"""``decode_vouched``: the codecs' own claim that a batch is canonical must be sound (a vouched
batch re-encodes to exactly its bytes) and useful (canonical data is vouched), because the
reader keeps no raw copy of records it vouched for."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from legacyio.codecs import make_codec
from legacyio.layout.model import Usage
from legacyio.options import FileFormat

# (usage, signed, sign_leading, sign_separate)
KINDS = [
    (Usage.DISPLAY, True, False, False),
    (Usage.DISPLAY, False, False, False),
    (Usage.DISPLAY, True, True, False),
    (Usage.DISPLAY, True, False, True),
    (Usage.DISPLAY, True, True, True),
    (Usage.PACKED, True, False, False),
    (Usage.PACKED, False, False, False),
    (Usage.PACKED_NOSIGN, False, False, False),
    (Usage.BINARY, True, False, False),
    (Usage.BINARY, False, False, False),
    (Usage.COMP5, True, False, False),
]


def _codec(kit, kind: tuple, digits: int, scale: int, encoding: str = "cp037"):
    usage, signed, leading, separate = kind
    # P scaling (scale < 0) is what PIC ...P(n) gives: -scale P positions in the precision
    item = kit.numeric_item(
        digits,
        scale,
        signed=signed,
        usage=usage,
        sign_leading=leading,
        sign_separate=separate,
        p_count=max(0, -scale),
    )
    return make_codec(item, FileFormat(encoding=encoding))


# bytes that are near misses of canonical ones: other sign zones and nibbles, spaces, zeros
_NEAR = [
    0x00,
    0x0C,
    0x0D,
    0x0F,
    0x40,
    0x99,
    0xC0,
    0xC5,
    0xD0,
    0xD3,
    0xA1,
    0xB2,
    0xE3,
    0xF0,
    0xF5,
    0xF9,
    0x4E,
    0x60,
    0x1C,
    0x1D,
    0x1F,
    0xFF,
]


@settings(max_examples=150, deadline=None)
@example(kind=KINDS[7], digits=18, scale=-2, seed=1195, dirt=3)  # P scaling past 18 digits
@given(
    kind=st.sampled_from(KINDS),
    digits=st.integers(1, 24),
    scale=st.integers(-2, 4),
    seed=st.integers(0, 2**32 - 1),
    dirt=st.integers(0, 3),
)
def test_vouched_batches_re_encode_to_their_bytes(kit, kind, digits, scale, seed, dirt) -> None:
    if kind[0] in (Usage.BINARY, Usage.COMP5):
        digits = min(digits, 18)
    scale = min(scale, digits)
    codec = _codec(kit, kind, digits, scale)
    rng = np.random.default_rng(seed)
    n = 40
    # canonical rows from random values, then a few rows with near-miss or random bytes
    mags = rng.integers(0, 10 ** min(digits, 18), size=n, dtype=np.int64)
    if kind[1]:
        mags = np.where(rng.random(n) < 0.5, -mags, mags)
    mags[:3] = 0
    values = pa.array(
        [Decimal(int(v)).scaleb(-scale) for v in mags], pa.decimal256(76, max(scale, 0))
    )
    mat, _ = codec.encode(values.cast(codec.arrow_type, safe=False), truncate=True)
    mat = mat.copy()
    for _ in range(dirt):
        r, c = rng.integers(0, n), rng.integers(0, codec.width)
        mat[r, c] = rng.choice(_NEAR) if rng.random() < 0.8 else rng.integers(0, 256)
    if kind[1] and kind[0] == Usage.PACKED:
        mat[3, -1] = (mat[3, -1] & 0xF0) | 0x0D  # a negative zero
    vals, invalid, vouched = codec.decode_vouched(mat)
    plain, plain_invalid = codec.decode(mat)
    assert vals.equals(plain)
    assert (invalid is None) == (plain_invalid is None)
    again, _ = codec.encode(vals, truncate=False) if invalid is None else (None, None)
    if vouched:
        assert invalid is None or not invalid.any()
        assert np.array_equal(again, mat), "a vouched batch must re-encode to its own bytes"
    elif invalid is None and kind[0] in (Usage.BINARY, Usage.COMP5):
        pytest.fail("valid binary rows are always canonical")


@pytest.mark.parametrize(
    "kind,digits",
    [
        (k, d)
        for k in KINDS
        for d in (1, 5, 9, 18, 19, 30)
        if d <= 18 or k[0] not in (Usage.BINARY, Usage.COMP5)  # binary holds at most 18 digits
    ],
)
def test_canonical_batches_are_vouched(kit, kind, digits) -> None:
    codec = _codec(kit, kind, digits, 0)
    big = 10**digits - 1
    ints = [0, 1, big, 7 % (big + 1)] + ([-1, -big] if kind[1] else [])
    vals = pa.array([Decimal(v) for v in ints], pa.decimal256(76, 0)).cast(codec.arrow_type)
    mat, failed = codec.encode(vals)
    assert failed is None or not failed.any()
    back, _invalid, vouched = codec.decode_vouched(mat)
    assert vouched
    assert back.to_pylist() == vals.to_pylist()


def test_ascii_zoned_is_not_vouched(kit) -> None:
    """ASCII-side zoned has two sign conventions: no cheap claim, the reader re-encodes."""
    codec = _codec(kit, KINDS[0], 5, 0, encoding="latin-1")
    mat, _ = codec.encode(pa.array([1, -2]).cast(codec.arrow_type))
    assert codec.decode_vouched(mat)[2] is False
