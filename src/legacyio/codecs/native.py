"""The native engine: engine selection and the glue between the codecs and ``legacyio._native``.

``legacyio._native`` is the Rust extension module (``native/``, built by maturin) with batch
kernels for text, zoned, packed and binary fields (both directions), COMP-1/COMP-2 decoding
and the RDW record finder. The NumPy codecs stay the reference and the fallback: each codec
asks :func:`active` at the top of its decode/encode and, when the native engine is selected
and the kernel covers the field (see each ``*_decode`` / ``*_encode`` below: ``None`` means
"not covered, use NumPy"), hands the batch to the kernel. Both engines give identical Arrow
arrays, invalid masks, vouch flags and encoded bytes (``tests/native``).

Which engine runs, first match wins:

1. :func:`engine_scope` (a context variable; ``ReadOptions.engine`` / ``WriteOptions.engine``
   other than ``"auto"`` go through it);
2. the ``LEGACYIO_ENGINE`` environment variable (``numpy``, ``native`` or ``auto``);
3. ``auto``: native when ``legacyio._native`` is importable, else NumPy.

Asking for ``native`` when the module is not built raises :class:`OptionsError`; ``auto``
falls back to NumPy silently (a source install without a Rust toolchain cannot build the
package at all, see the README, but a copied tree or a failed build still works).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from legacyio.codecs.buffers import (
    as_array,
    as_string_array,
    data_view,
    numpy_dtype,
    valid_mask,
)
from legacyio.errors import OptionsError

try:
    from legacyio import _native as _ext
except ImportError:  # pragma: no cover - exercised by the no-extension test in a subprocess
    _ext = None

ENGINES = ("auto", "numpy", "native")
ENV_VAR = "LEGACYIO_ENGINE"

_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("legacyio_engine", default=None)


class _MissingKernelPanic(RuntimeError):
    """Stands in for ``KernelPanic`` when the extension is missing (nothing can raise it)."""


KernelPanic: type[RuntimeError] = _ext.KernelPanic if _ext is not None else _MissingKernelPanic
"""A native kernel panicked (an internal error naming the kernel, never a data problem)."""


def available() -> bool:
    """Whether the extension module ``legacyio._native`` was built and imports."""
    return _ext is not None


def check_engine(engine: str) -> str:
    """Validate an engine name (auto/numpy/native)."""
    if engine not in ENGINES:
        raise OptionsError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    return engine


def resolve(engine: str | None = None) -> str:
    """The engine that runs: ``"native"`` or ``"numpy"`` (see the module doc for the order)."""
    name = engine if engine not in (None, "auto") else _scope.get()
    if name in (None, "auto"):
        name = os.environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if name == "auto":
        return "native" if _ext is not None else "numpy"
    check_engine(name)
    if name == "native" and _ext is None:
        raise OptionsError(
            "engine 'native' requested but legacyio._native is not built "
            "(install from source with a Rust toolchain, or use engine='numpy')"
        )
    return name


def active() -> bool:
    """True when the codecs should use the native kernels."""
    return _ext is not None and resolve() == "native"


@contextlib.contextmanager
def engine_scope(engine: str | None) -> Iterator[str]:
    """Run the block with ``engine`` (``auto``/None: leave the choice to the environment)."""
    if engine in (None, "auto"):
        yield resolve()
        return
    check_engine(engine)
    resolve(engine)  # fail early when native is asked for and missing
    token = _scope.set(engine)
    try:
        yield engine
    finally:
        _scope.reset(token)


# ---------------------------------------------------------------------------------- helpers
_KINDS = {pa.int32(): 0, pa.int64(): 1, pa.uint64(): 2}


def _kind(t: pa.DataType) -> int | None:
    """Output kind code of the numeric kernels for an Arrow type (None: not covered)."""
    if pa.types.is_decimal128(t):
        return 3
    return _KINDS.get(t)


def _rows(mat: np.ndarray) -> np.ndarray | None:
    """The matrix as a 2-D uint8 array whose rows are contiguous (a copy only if needed)."""
    mat = np.asarray(mat)
    if mat.dtype != np.uint8 or mat.ndim != 2:
        return None
    if mat.shape[1] > 1 and mat.strides[1] != 1:
        mat = np.ascontiguousarray(mat)
    return mat


def _numeric(t: pa.DataType, n: int, res: tuple) -> tuple[pa.Array, np.ndarray | None, bool]:
    values, bitmap, nulls, invalid, vouched = res
    vbuf = pa.py_buffer(bitmap) if nulls else None
    arr = pa.Array.from_buffers(t, n, [vbuf, pa.py_buffer(values)], null_count=nulls)
    return arr, invalid, vouched


def _params(codec: Any, key: str, build: Any) -> Any:
    """Kernel parameters of a codec, built once and kept on the codec (False: not covered)."""
    cache = codec.__dict__.setdefault("_native_params", {})
    p = cache.get(key)
    if p is None:
        p = cache[key] = build(codec)
    return p


def _out_matrix(out: np.ndarray | None, n: int, width: int) -> np.ndarray | None:
    if out is None:
        return np.empty((n, width), dtype=np.uint8)
    if out.shape != (n, width) or out.dtype != np.uint8 or not out.flags.writeable:
        return None
    if width > 1 and out.strides[1] != 1:
        return None
    return out


def _unscaled(values: pa.Array, scale: int) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Unscaled values for the zoned/packed encoders when they can be read straight from
    the Arrow buffer: integers (scale 0) as int64, or decimal128 of the field's scale as
    pairs of 64-bit words. Other inputs (floats, strings, rescaling) stay with NumPy."""

    arr = as_array(values)
    t = arr.type
    if pa.types.is_integer(t) and not pa.types.is_uint64(t) and scale == 0:
        vals = data_view(arr, numpy_dtype(t)).astype(np.int64, copy=False)
    elif pa.types.is_decimal128(t) and t.scale == scale:
        vals = data_view(arr, np.uint64, 2)
    else:
        return None
    return np.ascontiguousarray(vals), valid_mask(arr)


# ------------------------------------------------------------------------------------ zoned
def _zoned_params(c: Any) -> tuple | bool:
    mult = -c.scale if c.scale < 0 else 0
    kind = _kind(c.arrow_type)
    wide = c.digits + mult > 18
    if kind is None or kind == 2 or c.digits + mult > 38 or (wide and kind != 3):
        return False
    if not c.ebcdic or (c.separate and not c.signed):
        vouch = 0
    elif c._sep_col is not None:
        vouch = 1
    else:
        vouch = 3 if c.signed else 2
    return (
        c.width,
        c._body.tobytes(),
        c._sign.tobytes(),
        c._zone,
        c._dig_start,
        c.digits,
        -1 if c._emb_col is None else c._emb_col,
        -1 if c._sep_col is None else c._sep_col,
        c._plus,
        c._minus,
        mult,
        vouch,
        kind,
    )


def zoned_decode(codec: Any, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None, bool] | None:
    """``ZonedCodec.decode_vouched`` in Rust (None: not covered)."""
    p = _params(codec, "zoned_decode", _zoned_params)
    m = _rows(mat) if p else None
    if m is None:
        return None
    return _numeric(codec.arrow_type, m.shape[0], _ext.zoned_decode(m, *p))


def zoned_encode(
    codec: Any, values: pa.Array, truncate: bool, out: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """``ZonedCodec.encode`` in Rust (None: not covered)."""
    if codec.digits > 38:
        return None
    u = _unscaled(values, codec.scale)
    if u is None:
        return None
    vals, valid = u
    n = len(values)
    o = _out_matrix(out, n, codec.width)
    if o is None:
        return None
    failed = _ext.zoned_encode(
        vals,
        valid,
        o,
        codec.width,
        codec._zone,
        codec._dig_start,
        codec.digits,
        -1 if codec._emb_col is None else codec._emb_col,
        -1 if codec._sep_col is None else codec._sep_col,
        codec._pos_out.tobytes(),
        codec._neg_out.tobytes(),
        codec._plus,
        codec._minus,
        codec.signed,
        truncate,
        codec._spaces[0],
    )
    return o, failed


# ----------------------------------------------------------------------------------- packed
def _packed_params(c: Any) -> tuple | bool:
    mult = -c.scale if c.scale < 0 else 0
    kind = _kind(c.arrow_type)
    wide = c.digits + mult > 18
    if kind is None or kind == 2 or c.digits + mult > 38 or (wide and kind != 3):
        return False
    return (c.width, c.digits, c.pad, c.has_sign, c.signed, mult, kind)


def packed_decode(codec: Any, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None, bool] | None:
    """``PackedCodec.decode_vouched`` in Rust (None: not covered)."""
    p = _params(codec, "packed_decode", _packed_params)
    m = _rows(mat) if p else None
    if m is None:
        return None
    return _numeric(codec.arrow_type, m.shape[0], _ext.packed_decode(m, *p))


def packed_encode(
    codec: Any, values: pa.Array, truncate: bool, out: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """``PackedCodec.encode`` in Rust (None: not covered)."""
    if codec.digits > 38:
        return None
    u = _unscaled(values, codec.scale)
    if u is None:
        return None
    vals, valid = u
    o = _out_matrix(out, len(values), codec.width)
    if o is None:
        return None
    failed = _ext.packed_encode(
        vals,
        valid,
        o,
        codec.width,
        codec.digits,
        codec.pad,
        codec.has_sign,
        codec.signed,
        codec._pos_nib,
        truncate,
        codec._spaces[0],
    )
    return o, failed


# ----------------------------------------------------------------------------------- binary
def _binary_params(c: Any) -> tuple | bool:
    kind = _kind(c.arrow_type)
    if kind is None or c.scale < 0:
        return False
    return (c.width, c.dtype.str[0] == "<", c.signed, c.digit_limit, kind)


def binary_decode(codec: Any, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None] | None:
    """``BinaryCodec.decode`` in Rust (None: not covered, e.g. P-scaled pictures)."""
    p = _params(codec, "binary_decode", _binary_params)
    m = _rows(mat) if p else None
    if m is None:
        return None
    arr, invalid, _ = _numeric(codec.arrow_type, m.shape[0], _ext.binary_decode(m, *p))
    return arr, invalid


def binary_encode(
    codec: Any, values: pa.Array, truncate: bool, out: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """``BinaryCodec.encode``'s fast path (integers or decimals of the field's scale, no
    truncation) in Rust (None: not covered)."""

    if truncate:
        return None
    arr = as_array(values)
    fast = codec._fast_int64(arr)
    if fast is None:
        return None
    vals, valid = fast
    o = _out_matrix(out, len(arr), codec.width)
    if o is None:
        return None
    failed = _ext.binary_encode(
        np.ascontiguousarray(vals, dtype=np.int64),
        valid,
        o,
        codec.width,
        codec.dtype.str[0] == "<",
        codec._max_pos,
        codec._max_neg,
        codec._spaces[0],
    )
    return o, failed


# ------------------------------------------------------------------------------------- text
_TRIM_CODES = {"right": 0, "left": 1, "both": 2, "none": 3}
_TEXT_TABLES: dict[str, tuple[bytes, bytes, bytes]] = {}


def _text_tables(codec: Any) -> tuple[bytes, bytes, bytes]:
    """(UTF-8 bytes of each byte's code point as (256, 4), their counts, space flags) of a
    single-byte page, from the page's decode table (built once per page)."""
    cp = codec.cp
    tables = _TEXT_TABLES.get(cp.name)
    if tables is None:
        utf8 = np.zeros((256, 4), np.uint8)
        lens = np.zeros(256, np.uint8)
        for b, point in enumerate(cp.decode_table.tolist()):
            u = chr(point).encode("utf-8", "surrogatepass")
            utf8[b, : len(u)] = np.frombuffer(u, np.uint8)
            lens[b] = len(u)
        space = (cp.decode_table == 0x20).astype(np.uint8)
        tables = _TEXT_TABLES[cp.name] = (utf8.tobytes(), lens.tobytes(), space.tobytes())
    return tables


def text_decode(codec: Any, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None] | None:
    """``TextCodec.decode`` in Rust (None: not covered)."""
    m = _rows(mat)
    if m is None or m.shape[0] == 0 or m.shape[1] == 0:
        return None
    trim = _TRIM_CODES[codec.trim]
    if codec.cp.single_byte:
        res = _ext.text_decode(m, *_text_tables(codec), trim)
    else:
        res = _ext.text_decode_utf8(m, trim)
    offsets, data, bitmap, nulls, invalid = res
    vbuf = pa.py_buffer(bitmap) if nulls else None
    arr = pa.Array.from_buffers(
        pa.string(),
        m.shape[0],
        [vbuf, pa.py_buffer(offsets), pa.py_buffer(data)],
        null_count=nulls,
    )
    return arr, invalid


def text_encode(
    codec: Any, values: pa.Array, truncate: bool
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """``TextCodec.encode`` in Rust (None: not covered)."""

    arr = as_string_array(values)
    n = len(arr)
    if n == 0:
        return None
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    table = codec.cp.encode_table if codec.cp.single_byte else None
    flat, failed = _ext.text_encode(
        offsets,
        data,
        valid_mask(arr),
        table,
        codec.width,
        codec.justified,
        truncate,
        codec.cp.space,
    )
    return flat.reshape(n, codec.width), failed


# ----------------------------------------------------------------------------------- floats
def float_decode(codec: Any, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None] | None:
    """``FloatCodec.decode`` in Rust (None: not covered)."""
    m = _rows(mat)
    if m is None:
        return None
    little = not codec.ibm and codec.raw_dtype.str[0] == "<"
    res = _ext.float_decode(m, codec.width, codec.ibm, little)
    arr, invalid, _ = _numeric(codec.arrow_type, m.shape[0], res)
    return arr, invalid


# ---------------------------------------------------------------------------------- framing
def rdw_run(
    framer: Any,
    arr: np.ndarray,
    pos: int,
    end: int,
    limit: int,
    starts: list,
    flens: list,
) -> tuple[int, int, int] | None:
    """``RdwFramer._run`` in Rust: frame up to ``limit`` records, appending frame starts and
    lengths; returns (position, count, status) (None: not covered)."""
    if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8 or arr.ndim != 1:
        return None
    if not arr.flags.c_contiguous:
        return None
    fs, fl, pos, status = _ext.rdw_run(
        arr, pos, end, max(limit, 0), framer.big, framer.adjustment, framer.min_frame
    )
    if len(fs):
        starts.append(fs)
        flens.append(fl)
    return pos, len(fs), status


def panic_for_tests(message: str) -> None:
    """Make a kernel panic (tests prove it arrives as ``KernelPanic``, not a crash)."""
    if _ext is None:
        raise OptionsError("legacyio._native is not built")
    _ext._panic_for_tests(message)


# ------------------------------------------------------------------------------ whole batch
FUSED = os.environ.get("LEGACYIO_NATIVE_FUSED", "0") == "1"
"""Order of the batch kernel: False = column by column (one field over every record, then the
next), True = fused (one walk over each record filling every column). Both were measured
(benchmarks/README.md); column order won on this machine, so it is the default."""


_BATCH_CLASSES = {
    ("legacyio.codecs.zoned", "ZonedCodec"): "zoned",
    ("legacyio.codecs.packed", "PackedCodec"): "packed",
    ("legacyio.codecs.binary", "BinaryCodec"): "binary",
    ("legacyio.codecs.text", "TextCodec"): "text",
    ("legacyio.codecs.floating", "FloatCodec"): "float",
}


def batch_field(codec: Any) -> tuple[int, tuple] | None:
    """(family code, kernel parameters) of a codec for :func:`decode_batch`, or None when the
    batch kernel does not cover it (the field is then decoded on its own)."""
    # by class name (the codec modules import this one: no import back, no cycle)
    t = _BATCH_CLASSES.get((type(codec).__module__, type(codec).__name__))
    if t == "zoned":
        p = _params(codec, "zoned_decode", _zoned_params)
        return (0, p) if p else None
    if t == "packed":
        p = _params(codec, "packed_decode", _packed_params)
        return (1, p) if p else None
    if t == "binary":
        p = _params(codec, "binary_decode", _binary_params)
        return (2, p) if p else None
    if t == "text":
        if codec.width == 0:
            return None
        trim = _TRIM_CODES[codec.trim]
        if codec.cp.single_byte:
            return 3, (codec.width, *_text_tables(codec), trim)
        return 4, (codec.width, trim)
    if t == "float":
        little = not codec.ibm and codec.raw_dtype.str[0] == "<"
        return 5, (codec.width, codec.ibm, little)
    return None


def decode_batch(
    mat: np.ndarray, fields: list[tuple[Any, int, tuple, int, int, int]]
) -> list[tuple[pa.Array, np.ndarray | None, bool]]:
    """Decode many fields of a record matrix in one kernel call. ``fields``: (codec, family,
    params, offset, count, stride) with ``count`` values ``stride`` bytes apart in each record
    (a fixed OCCURS; 1 and 0 otherwise). Returns, per field, what the codec's
    ``decode_vouched`` returns for its ``(n * count, width)`` matrix (False for text and
    floats, which have no vouching)."""
    m = np.ascontiguousarray(mat)
    n = m.shape[0]
    res = _ext.decode_batch(m, [(f, off, c, st, p) for _, f, p, off, c, st in fields], FUSED)
    out = []
    for (codec, family, _, _, count, _), r in zip(fields, res):
        k = n * count
        if family in (3, 4):
            offsets, data, bitmap, nulls, invalid = r
            vbuf = pa.py_buffer(bitmap) if nulls else None
            arr = pa.Array.from_buffers(
                pa.string(), k, [vbuf, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=nulls
            )
            out.append((arr, invalid, False))
        else:
            arr, invalid, vouched = _numeric(codec.arrow_type, k, r)
            out.append((arr, invalid, vouched and family != 5))
    return out


# ------------------------------------------------------------------------------ nested ODO
def odo_chain(
    prog: tuple[np.ndarray, np.ndarray, int], window: np.ndarray, pl: int, last: int, limit: int
) -> np.ndarray | None:
    """``NestedWalker.chain`` in Rust: lengths of the records back to back from ``window[0]``
    (None: not covered)."""
    arr = np.asarray(window)
    if arr.dtype != np.uint8 or arr.ndim != 1 or not arr.flags.c_contiguous:
        return None
    ops, luts, nobj = prog
    return _ext.odo_chain(ops, luts, nobj, arr, pl, last, max(limit, 0))  # type: ignore[no-any-return]


def odo_expand(
    prog: tuple[np.ndarray, np.ndarray, int],
    mat: np.ndarray,
    lengths: np.ndarray,
    width: int,
    pad: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """``NestedWalker.expand`` in Rust: (maximum-layout matrix, available bytes per record)
    (None: not covered)."""
    m = np.asarray(mat)
    if m.dtype != np.uint8 or m.ndim != 2:
        return None
    m = np.ascontiguousarray(m)
    ln = np.ascontiguousarray(lengths, dtype=np.int64)
    ops, luts, nobj = prog
    out, avail = _ext.odo_expand(ops, luts, nobj, m, ln, width, pad)
    return out.reshape(m.shape[0], width), avail


def odo_expand_frames(
    prog: tuple[np.ndarray, np.ndarray, int],
    buf: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    width: int,
    pad: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """``odo_expand`` of the records framed in ``buf`` (``starts``, ``lengths``), without the
    padded payload matrix (None: not covered)."""
    arr = np.asarray(buf)
    if arr.dtype != np.uint8 or arr.ndim != 1 or not arr.flags.c_contiguous:
        return None
    st = np.ascontiguousarray(starts, dtype=np.int64)
    ln = np.ascontiguousarray(lengths, dtype=np.int64)
    ops, luts, nobj = prog
    out, avail = _ext.odo_expand_frames(ops, luts, nobj, arr, st, ln, width, pad)
    return out.reshape(len(st), width), avail
