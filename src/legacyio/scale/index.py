"""The sidecar index ``FILE.lxidx``: proven split boundaries of a variable-length file, so
that planning it again costs a few reads.

A small JSON document: the proven starts (byte offset, bytes before the first record, records
before), the total record count, the split size it was built for, the options that decide
where records are (FileFormat, and the copybook for ODO/length-field records), and what
identifies the file version: its size, modification time and the SHA-256 of its first and
last ``BLOCK`` bytes. Any difference makes the index stale; a stale index is rebuilt, never
trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from typing import Any

import attrs
import pyarrow.fs as pafs

from legacyio.errors import OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat
from legacyio.scale.bounds import (
    DEFAULT_SPLIT_SIZE,
    Bounds,
    kind_of,
    plan_bounds,
    resolve_options,
)
from legacyio.scale.source import Source

VERSION = 1
SUFFIX = ".lxidx"
BLOCK = 1 << 16


@attrs.frozen
class IndexStatus:
    """Outcome of ``verify_index``: ``ok`` when the index exists, matches the file and the
    options, and (``deep``) every boundary is what planning from the data gives."""

    ok: bool
    path: str
    reason: str
    boundaries: int = 0
    records: int | None = None


def index_path_for(source: str, index_path: str | None = None) -> str:
    return index_path or source + SUFFIX


def _fingerprint(src: Source) -> dict[str, Any]:
    head = src.read_at(0, BLOCK)
    tail = src.read_at(max(0, src.size - BLOCK), BLOCK)
    return {
        "size": src.size,
        "mtime_ns": src.mtime_ns,
        "head_sha256": hashlib.sha256(head).hexdigest(),
        "tail_sha256": hashlib.sha256(tail).hexdigest(),
        "block": BLOCK,
    }


def _options(layout: Layout, fmt: FileFormat) -> dict[str, Any]:
    out: dict[str, Any] = {"format": json.loads(json.dumps(attrs.asdict(fmt)))}
    if kind_of(fmt) == "callback":
        # where ODO and length-field records end depends on the copybook
        text = layout.source_text or repr([(r.name, r.total_size) for r in layout.records])
        out["copybook_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return out


def _document(src: Source, layout: Layout, fmt: FileFormat, step: int, b: Bounds) -> dict:
    return {
        "legacyio_index": VERSION,
        "file": _fingerprint(src),
        "options": _options(layout, fmt),
        "split_size": step,
        "boundaries": [list(x) for x in b.starts],
        "records": b.total,
    }


def _read_doc(src: Source, path: str) -> dict | None:
    try:
        info = src.fs.get_file_info(path)
        if info.type != pafs.FileType.File:
            return None
        with src.fs.open_input_stream(path) as f:
            return json.loads(f.read().decode())
    except (OSError, ValueError):
        return None


def _stale_reason(doc: dict | None, src: Source, layout: Layout, fmt: FileFormat) -> str | None:
    if doc is None:
        return "no index"
    if doc.get("legacyio_index") != VERSION:
        return "index version differs"
    if doc.get("file") != _fingerprint(src):
        return "the file changed (size, mtime or first/last block)"
    if doc.get("options") != _options(layout, fmt):
        return "built with other options"
    return None


def _bounds(doc: dict) -> Bounds:
    return Bounds(tuple(tuple(x) for x in doc["boundaries"]), doc.get("records"))


def _select(b: Bounds, fmt: FileFormat, split_size: int) -> Bounds:
    """The indexed boundaries planning would pick for ``split_size``: the first one at or
    after each nominal offset ``header_bytes + k * split_size`` (k >= 1)."""
    starts = list(b.starts)
    out = [starts[0]]
    ds = fmt.header_bytes
    prev = ds
    for s in starts[1:]:
        # some nominal offset lies in (prev, s]: s is the first boundary at or after it
        if (s[0] - ds) // split_size > (prev - ds) // split_size:
            out.append(s)
        prev = s[0]
    return Bounds(tuple(out), b.total)


def load_bounds(
    src: Source, layout: Layout, fmt: FileFormat, split_size: int, index_path: str | None
) -> Bounds | None:
    """Boundaries from a fresh index built for this split size or a finer one; else None."""
    path = _fs_path(src, index_path)
    doc = _read_doc(src, path)
    if _stale_reason(doc, src, layout, fmt) is not None or doc is None:
        return None
    if int(doc.get("split_size", 0)) > split_size:
        return None
    return _select(_bounds(doc), fmt, split_size)


def _fs_path(src: Source, index_path: str | None) -> str:
    if index_path is None:
        return src.path + SUFFIX
    if "://" in index_path:
        return pafs.FileSystem.from_uri(index_path)[1]
    return os.path.abspath(index_path) if isinstance(src.fs, pafs.LocalFileSystem) else index_path


def save_bounds(
    src: Source,
    layout: Layout,
    fmt: FileFormat,
    split_size: int,
    bounds: Bounds,
    index_path: str | None,
    *,
    required: bool,
) -> str | None:
    """Write the index next to the file (atomically: a temporary name, then a move). Where it
    cannot be written, raise when ``required``, else leave it."""
    path = _fs_path(src, index_path)
    data = json.dumps(_document(src, layout, fmt, split_size, bounds), indent=1).encode()
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with src.fs.open_output_stream(tmp) as f:
            f.write(data)
        src.fs.move(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            src.fs.delete_file(tmp)
        if required:
            raise OptionsError(f"{path}: cannot write the index ({e.strerror or e})") from None
        return None
    return path


def build_index(
    source: str | os.PathLike[str],
    copybook: Any,
    format: FileFormat | None = None,
    *,
    split_size: int = DEFAULT_SPLIT_SIZE,
    index_path: str | None = None,
    workers: int | None = None,
    search_path: Any = (),
    **kwargs: Any,
) -> IndexStatus:
    """Plan the file from its data and write ``FILE.lxidx`` (or ``index_path``). The index
    serves any later ``plan_splits`` with this split size or a larger one."""
    layout, fmt, _ = resolve_options(copybook, format, None, kwargs, search_path)
    kind = kind_of(fmt)
    with Source(source) as src:
        b = plan_bounds(src, layout, fmt, kind, split_size, workers)
        path = save_bounds(src, layout, fmt, split_size, b, index_path, required=True)
        return IndexStatus(True, path or "", "built", len(b.starts), b.total)


def verify_index(
    source: str | os.PathLike[str],
    copybook: Any,
    format: FileFormat | None = None,
    *,
    index_path: str | None = None,
    deep: bool = False,
    workers: int | None = None,
    search_path: Any = (),
    **kwargs: Any,
) -> IndexStatus:
    """Whether ``FILE.lxidx`` is fresh for this file and these options; ``deep`` also plans
    the file again from its data and requires the same boundaries and record count."""
    layout, fmt, _ = resolve_options(copybook, format, None, kwargs, search_path)
    kind = kind_of(fmt)
    with Source(source) as src:
        path = _fs_path(src, index_path)
        doc = _read_doc(src, path)
        reason = _stale_reason(doc, src, layout, fmt)
        if reason is not None or doc is None:
            return IndexStatus(False, path, reason or "no index")
        b = _bounds(doc)
        if deep:
            fresh = plan_bounds(src, layout, fmt, kind, int(doc["split_size"]), workers)
            if fresh.starts != b.starts or fresh.total != b.total:
                return IndexStatus(False, path, "boundaries differ from the data", len(b.starts))
        return IndexStatus(True, path, "fresh", len(b.starts), b.total)
