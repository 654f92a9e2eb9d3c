"""Input sources and atomic output sinks.

``open_source`` turns whatever the caller has (a path, possibly ``.gz``/``.bz2``/``.xz``,
bytes, a binary file object, a ``pyarrow.NativeFile``) into one small ``SourceStream``
interface that the framers read from. ``open_sink`` writes a path through a temporary file
in the same directory and renames it onto the target only on success, so a failed write
never leaves a half file behind.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import os
import tempfile
from collections.abc import Callable
from typing import Any, BinaryIO

import pyarrow as pa

from legacyio.interrupts import critical

__all__ = ["AtomicSink", "SourceStream", "open_sink", "open_source"]

_COMPRESSED: dict[str, Callable[..., Any]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


class SourceStream:
    """A readable byte source with a name for messages and a size when it is known.

    ``read(n)`` and ``readinto(buf)`` return fewer bytes than asked only at the end of the
    data. ``view()`` returns the rest of the data as a zero-copy memoryview when the source is
    already in memory (bytes, ``pa.BufferReader``) and None otherwise.
    """

    name: str = "<stream>"
    size: int | None = None

    def read(self, n: int) -> bytes | memoryview:
        """Up to ``n`` bytes (fewer only at the end; empty at the end)."""
        buf = bytearray(max(n, 0))
        got = self.readinto(buf)
        return bytes(buf[:got]) if got < n else bytes(buf)

    def readinto(self, buf: Any) -> int:
        """Fill ``buf`` (any writable buffer); returns the byte count, < len only at the end."""
        raise NotImplementedError

    def view(self) -> memoryview | None:
        """The remaining bytes as a zero-copy memoryview (and consume them), or None."""
        return None

    def close(self) -> None:
        """Release what ``open_source`` opened (never a file object the caller passed)."""

    def __enter__(self) -> SourceStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} size={self.size}>"


class _MemorySource(SourceStream):
    """Bytes already in memory: every read is a slice of one memoryview, no copies."""

    def __init__(self, data: Any, name: str = "<bytes>", owner: Any = None) -> None:
        mv = memoryview(data)
        if mv.ndim != 1 or mv.itemsize != 1 or mv.format not in ("B", "b", "c"):
            mv = mv.cast("B")
        self._mv = mv
        self._pos = 0
        self._owner = owner
        self.name = name
        self.size = len(mv)

    def read(self, n: int) -> memoryview:
        out = self._mv[self._pos : self._pos + max(n, 0)]
        self._pos += len(out)
        return out

    def readinto(self, buf: Any) -> int:
        dst = memoryview(buf).cast("B")
        src = self.read(len(dst))
        dst[: len(src)] = src
        return len(src)

    def view(self) -> memoryview:
        out = self._mv[self._pos :]
        self._pos = len(self._mv)
        return out

    def close(self) -> None:
        if self._owner is not None:
            self._owner.close()


class _FileSource(SourceStream):
    """A binary file object (ours or the caller's): reads with ``readinto`` until full."""

    def __init__(self, f: Any, name: str, size: int | None, owned: bool) -> None:
        self._f = f
        self._owned = owned
        self._readinto = getattr(f, "readinto", None)
        self.name = name
        self.size = size

    def readinto(self, buf: Any) -> int:
        dst = memoryview(buf).cast("B")
        total, want = 0, len(dst)
        while total < want:
            if self._readinto is not None:
                got = self._readinto(dst[total:])
            else:
                chunk = self._f.read(want - total)
                got = len(chunk) if chunk else 0
                dst[total : total + got] = chunk
            if not got:
                break
            total += got
        return total

    def read(self, n: int) -> bytes:
        parts, total = [], 0
        while total < n:
            chunk = self._f.read(n - total)
            if not chunk:
                break
            parts.append(bytes(chunk))
            total += len(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        if self._owned:
            self._f.close()


class _NativeSource(_FileSource):
    """A ``pyarrow.NativeFile``; ``pa.BufferReader`` is served zero-copy."""

    def view(self) -> memoryview | None:
        if isinstance(self._f, pa.BufferReader):
            remaining = self._f.size() - self._f.tell()
            return memoryview(self._f.read_buffer(remaining))
        return None


def _remaining_size(f: Any) -> int | None:
    """Bytes from the current position to the end of a seekable file object, else None."""
    try:
        if not f.seekable():
            return None
        pos = f.tell()
        end = f.seek(0, os.SEEK_END)
        f.seek(pos)
        return max(end - pos, 0)
    except (OSError, ValueError, AttributeError):
        return None


def open_source(source: Any) -> SourceStream:
    """Wrap a path, bytes-like object, binary file object or ``pyarrow.NativeFile``.

    Paths ending in ``.gz``, ``.bz2`` or ``.xz`` are decompressed as they are read (their
    size is then unknown). File objects passed in are never closed by the stream.
    """
    if isinstance(source, SourceStream):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        ext = os.path.splitext(path)[1].lower()
        opener = _COMPRESSED.get(ext)
        if opener is not None:
            return _FileSource(opener(path, "rb"), path, None, owned=True)
        f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the stream
        size: int | None
        try:
            size = os.fstat(f.fileno()).st_size
        except OSError:  # pragma: no cover - fstat on an open file does not fail in practice
            size = None
        return _FileSource(f, path, size, owned=True)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _MemorySource(source)
    if isinstance(source, pa.Buffer):
        return _MemorySource(source, "<buffer>")
    if isinstance(source, pa.NativeFile):
        try:
            size = source.size() - source.tell()
        except (OSError, pa.ArrowException):
            size = None
        name = getattr(source, "path", None) or f"<{type(source).__name__}>"
        return _NativeSource(source, str(name), size, owned=False)
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return _FileSource(
            source,
            name if isinstance(name, str) else "<stream>",
            _remaining_size(source),
            owned=False,
        )
    raise TypeError(
        f"cannot read from a {type(source).__name__}: give a path, bytes, a binary "
        "file object or a pyarrow NativeFile"
    )


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0)
        os.umask(_UMASK)
    return _UMASK


class AtomicSink:
    """A writable sink. For a path, bytes go to a temporary file next to the target that is
    renamed onto it by ``commit()``/``close()``; ``abort()`` (or an exception in a ``with``
    block) deletes it and leaves the target untouched. For a file object it just writes."""

    def __init__(self, target: Any, *, overwrite: bool = True) -> None:
        self.name: str
        self.path: str | None = None
        self.closed = False
        self._overwrite = overwrite
        self._tmp: str | None = None
        self._finished = False
        self._raw: BinaryIO | None = None
        self._out: Any
        if isinstance(target, (str, os.PathLike)):
            path = os.path.abspath(os.fsdecode(os.fspath(target)))
            if not overwrite and os.path.lexists(path):
                raise FileExistsError(f"{path} exists (overwrite=False)")
            self.path = self.name = path
            directory, base = os.path.split(path)
            try:
                # an interrupt may not fall between creating the file and remembering its
                # name; one held back meanwhile is raised at the block's end, and then (like
                # any failure before the caller holds this sink) the file is removed here
                with critical():
                    fd, self._tmp = tempfile.mkstemp(
                        prefix=f".{base}.", suffix=".tmp", dir=directory
                    )
                    try:
                        raw = os.fdopen(fd, "wb")
                    except BaseException:
                        os.close(fd)
                        raise
                    self._raw = raw
                self._out = self._wrap(raw, base)
            except BaseException:
                self.abort()
                raise
        elif hasattr(target, "write"):
            self._out = target
            name = getattr(target, "path", None) or getattr(target, "name", None)
            self.name = name if isinstance(name, str) else f"<{type(target).__name__}>"
        else:
            raise TypeError(
                f"cannot write to a {type(target).__name__}: give a path, a binary "
                "file object or a pyarrow NativeFile"
            )

    @staticmethod
    def _wrap(raw: BinaryIO, base: str) -> Any:
        """The compressing writer a target's extension asks for (or ``raw`` itself)."""
        ext = os.path.splitext(base)[1].lower()
        inner = base[: -len(ext)] if ext else base
        if ext == ".gz":
            return gzip.GzipFile(filename=inner, mode="wb", fileobj=raw, mtime=0)
        if ext == ".bz2":
            return bz2.BZ2File(raw, "wb")
        if ext == ".xz":
            return lzma.LZMAFile(raw, "wb")
        return raw

    def __del__(self) -> None:
        # a sink dropped without commit() or abort() (an interrupt between its creation and
        # the caller's cleanup block) never leaves its temporary file behind
        if getattr(self, "_tmp", None) is not None:
            with contextlib.suppress(Exception):
                self.abort()

    def write(self, data: Any) -> int:
        """Write a bytes-like object (bytes, memoryview, contiguous NumPy array)."""
        if self.closed:
            raise ValueError("write to a closed sink")
        mv = memoryview(data)
        if mv.format != "B" or mv.ndim != 1:
            mv = mv.cast("B")
        self._out.write(mv)
        return len(mv)

    def flush(self) -> None:
        """Flush buffered bytes to the underlying file."""
        flush = getattr(self._out, "flush", None)
        if flush is not None:
            flush()

    def finish(self) -> None:
        """Flush and fsync everything written, leaving the temporary file in place: what can
        fail is done; ``commit()`` then only renames."""
        if self.closed or self._tmp is None or self._finished:
            return
        assert self._raw is not None and self.path is not None
        try:
            if self._out is not self._raw:
                self._out.close()
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            try:
                mode = os.stat(self.path).st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
            os.chmod(self._tmp, mode)
        except BaseException:
            self.abort()
            raise
        self._finished = True

    def commit(self) -> None:
        """Finish: for a path, flush, fsync and rename the temporary file onto the target."""
        if self.closed:
            return
        if self._tmp is None:
            self.flush()
            self.closed = True
            return
        self.finish()
        assert self.path is not None and self._tmp is not None
        try:
            with critical():
                self._rename()
                self._tmp = None
                self.closed = True
        except BaseException:
            self.abort()
            raise

    def _rename(self) -> None:
        assert self.path is not None and self._tmp is not None
        if self._overwrite:
            os.replace(self._tmp, self.path)
        else:
            try:
                os.link(self._tmp, self.path)  # fails if the target appeared meanwhile
            except FileExistsError:
                raise FileExistsError(f"{self.path} exists (overwrite=False)") from None
            except OSError:
                if os.path.lexists(self.path):
                    raise FileExistsError(f"{self.path} exists (overwrite=False)") from None
                os.replace(self._tmp, self.path)
            else:
                os.unlink(self._tmp)

    close = commit

    def abort(self) -> None:
        """Discard what was written to a path target; the target file is left untouched."""
        if self._tmp is not None:
            for f in (getattr(self, "_out", None), self._raw):
                try:
                    if f is not None:
                        f.close()
                except Exception:
                    pass
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp)
            self._tmp = None
        self.closed = True

    def __enter__(self) -> AtomicSink:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def open_sink(path_or_file: Any, *, overwrite: bool = True) -> AtomicSink:
    """An ``AtomicSink`` for a path (atomic rename on success; ``.gz``/``.bz2``/``.xz``
    compressed) or a binary file object / ``pyarrow.NativeFile`` (plain writes).

    ``overwrite=False`` raises ``FileExistsError`` before anything is written if the path
    exists.
    """
    return AtomicSink(path_or_file, overwrite=overwrite)
