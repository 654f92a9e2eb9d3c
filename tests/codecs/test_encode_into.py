"""Codecs that encode straight into a slice of the record matrix (``out=``) write exactly the
bytes of a plain ``encode``, and leave the bytes around the slice alone."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from legacyio.codecs import make_codec
from legacyio.layout.model import Usage
from legacyio.options import FileFormat

CASES = [
    # (usage, digits, scale, signed, extra item options, values)
    (Usage.DISPLAY, 5, 0, True, {}, [1, -2, None, 99999, 100000, 0]),
    (Usage.DISPLAY, 4, 0, False, {}, [1, -2, None, 9999, 0]),
    (Usage.DISPLAY, 3, 0, True, {"sign_separate": True, "sign_leading": True}, [-5, 5, None, 1000]),
    (Usage.DISPLAY, 6, 0, True, {"sign_leading": True}, [-5, 5, None, 123456, -100, 0]),
    (Usage.DISPLAY, 2, 0, True, {"sign_separate": True}, [-5, 5, None, 100, 0]),
    (Usage.DISPLAY, 18, 0, True, {}, [-(10**17), 10**18 - 1, None, 10**18]),
    (Usage.DISPLAY, 20, 2, True, {}, [Decimal("-1.25"), None, Decimal("123456789012345678.9")]),
    (
        Usage.PACKED,
        7,
        2,
        True,
        {},
        [Decimal("-1.25"), None, Decimal("99999.99"), Decimal("100000.00")],
    ),
    (Usage.PACKED, 4, 0, False, {}, [1, None, -1, 9999]),
    (Usage.PACKED, 25, 0, True, {}, [-(10**24), None, 10**25]),
    (Usage.PACKED, 18, 0, True, {}, [-(10**17), 10**18 - 1, None, 10**18, 0]),
    (Usage.PACKED_NOSIGN, 6, 0, False, {}, [1, None, -1, 999999, 123456]),
    (Usage.BINARY, 4, 0, True, {}, [1, -2, None, 9999, 10000]),
    (Usage.BINARY, 9, 0, False, {}, [1, -2, None, 999999999]),
    (Usage.COMP5, 18, 0, True, {}, [2**62, -(2**62), None]),
    (Usage.BINARY, 5, 2, True, {}, [Decimal("-1.25"), None, Decimal("999.99")]),
]


@pytest.mark.parametrize("usage,digits,scale,signed,opts,values", CASES)
@pytest.mark.parametrize("truncate", [False, True])
def test_encode_into_a_strided_slice_matches_encode(
    kit,
    usage: Usage,
    digits: int,
    scale: int,
    signed: bool,
    opts: dict,
    values: list,
    truncate: bool,
) -> None:
    item = kit.numeric_item(digits, scale, signed=signed, usage=usage, **opts)
    for fmt in (
        FileFormat(),
        FileFormat(encoding="ascii"),
        FileFormat(encoding="ascii", ascii_sign="ibm"),
    ):
        codec = make_codec(item, fmt)
        assert codec.encodes_into
        if any(isinstance(v, Decimal) for v in values):
            arr = pa.array(values, pa.decimal128(38, scale))
        elif any(v is not None and abs(v) >= 2**63 for v in values):
            arr = pa.array(values, pa.decimal128(38, 0))
        else:
            arr = pa.array(values, pa.int64())
        plain, failed = codec.encode(arr, truncate=truncate)
        mat = np.full((len(values), codec.width + 7), 0xAB, dtype=np.uint8)
        view = mat[:, 3 : 3 + codec.width]
        got, failed2 = codec.encode(arr, truncate=truncate, out=view)
        assert got is view
        assert np.array_equal(view, plain)
        assert (mat[:, :3] == 0xAB).all() and (mat[:, 3 + codec.width :] == 0xAB).all()
        assert (failed is None) == (failed2 is None)
        if failed is not None:
            assert np.array_equal(failed, failed2)
        # the bytes decode to the values (rows that fit), and are canonical where checkable
        ok = np.array([v is not None for v in values]) & (~failed if failed is not None else True)
        if not truncate:
            back, _ = codec.decode(plain)
            for i in np.flatnonzero(ok):
                assert back[i].as_py() == arr[i].as_py()
        check = getattr(codec, "canonical", None)
        verdict = check(plain[ok]) if check is not None and ok.any() else None
        assert verdict is None or verdict.all()
