"""Binary columns (FILLER bytes, the round-trip residue) as lower-case hex text, both ways:
the text formats (CSV, JSON Lines) hold them this way."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["fixed_binary", "hex_decode", "hex_encode", "hexify", "is_binary"]

_HEX_LUT = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint8).reshape(
    256, 2
)
_NIBBLE = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLE[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _NIBBLE[_c] = 10 + _i


def _binary_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(data bytes, int64 offsets starting at 0) of a binary or fixed-size binary array."""
    n = len(arr)
    bufs = arr.buffers()
    if pa.types.is_fixed_size_binary(arr.type):
        w = arr.type.byte_width
        data = (
            np.frombuffer(bufs[1], dtype=np.uint8)
            if bufs[1] is not None and w
            else np.zeros(0, dtype=np.uint8)
        )
        data = data[arr.offset * w : (arr.offset + n) * w]
        return data, np.arange(n + 1, dtype=np.int64) * w
    odt = np.int64 if pa.types.is_large_binary(arr.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=odt)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    data = data[offsets[0] : offsets[-1]] if n else data[:0]
    return data, offsets - (offsets[0] if n else 0)


def hex_encode(arr: pa.Array) -> pa.Array:
    """Binary / fixed-size binary -> lower-case hex strings (nulls kept), vectorized."""
    n = len(arr)
    data, offsets = _binary_parts(arr)
    out = _HEX_LUT[data].reshape(-1)
    odt = np.int64 if len(out) >= 2**31 else np.int32
    typ = pa.large_string() if odt is np.int64 else pa.string()
    res = pa.Array.from_buffers(
        typ, n, [None, pa.py_buffer((offsets * 2).astype(odt)), pa.py_buffer(out)]
    )
    if arr.null_count:
        res = pc.if_else(arr.is_valid(), res, pa.scalar(None, typ))
    return res


def hex_decode(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """Hex strings -> ``target`` (binary or fixed-size binary); ValueError (no values in the
    message) when a string is not hex or has the wrong length."""
    arr = pc.cast(arr, pa.large_string()) if not pa.types.is_large_string(arr.type) else arr
    n = len(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    data = data[offsets[0] : offsets[-1]] if n else data[:0]
    offsets = offsets - (offsets[0] if n else 0)
    lengths = np.diff(offsets)
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    bad_len = (lengths % 2 == 1) & valid
    nib = _NIBBLE[data]
    if bad_len.any() or (nib == 255).any():
        bad_rows = np.flatnonzero(bad_len)
        if nib.size and (nib == 255).any():
            pos = int(np.flatnonzero(nib == 255)[0])
            bad_rows = np.append(bad_rows, np.searchsorted(offsets, pos, side="right") - 1)
        raise ValueError(f"row {int(bad_rows.min()) + 1}: not a hexadecimal string")
    out = (nib[0::2] << 4) | nib[1::2]
    res = pa.Array.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets // 2), pa.py_buffer(out.astype(np.uint8))]
    )
    if arr.null_count:
        res = pc.if_else(arr.is_valid(), res, pa.scalar(None, pa.large_binary()))
    if pa.types.is_fixed_size_binary(target):
        w = target.byte_width
        wrong = (lengths // 2 != w) & valid
        if wrong.any():
            raise ValueError(
                f"row {int(np.flatnonzero(wrong)[0]) + 1}: hex string is not {w} bytes long"
            )
        # built from its buffer (pyarrow before 15 cannot cast binary to fixed_size_binary)
        mat = np.zeros((n, w), dtype=np.uint8)
        if valid.any() and w:
            starts = offsets[:-1][valid] // 2
            mat[valid] = out.astype(np.uint8)[starts[:, None] + np.arange(w)[None, :]]
        fixed = pa.Array.from_buffers(target, n, [None, pa.py_buffer(mat.tobytes())])
        if arr.null_count:
            fixed = pc.if_else(arr.is_valid(), fixed, pa.scalar(None, target))
        return fixed
    return pc.cast(res, target)


def is_binary(t: pa.DataType) -> bool:
    """True for binary, large binary and fixed-size binary types."""
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)


def hexify(arr: pa.Array) -> pa.Array:
    """Replace a binary column with hex strings (for CSV); other columns unchanged."""
    return hex_encode(arr) if is_binary(arr.type) else arr


def fixed_binary(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """Binary -> fixed-size binary of ``target``'s width, built from the buffers (pyarrow
    before 15 cannot cast it); ValueError (no values) when a value has another length."""
    w = target.byte_width
    data, offsets = _binary_parts(arr)
    lengths = np.diff(offsets)
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    wrong = (lengths != w) & valid
    if wrong.any():
        raise ValueError(f"row {int(np.flatnonzero(wrong)[0]) + 1}: a value is not {w} bytes long")
    n = len(arr)
    mat = np.zeros((n, w), dtype=np.uint8)
    if valid.any() and w:
        mat[valid] = data[offsets[:-1][valid][:, None] + np.arange(w)[None, :]]
    out = pa.Array.from_buffers(target, n, [None, pa.py_buffer(mat.tobytes())])
    if arr.null_count:
        out = pc.if_else(arr.is_valid(), out, pa.scalar(None, target))
    return out
