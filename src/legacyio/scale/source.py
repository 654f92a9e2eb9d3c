"""Sources through ``pyarrow.fs``: a local path or a URI, read by ranges (``read_at``), never
downloaded whole. ``RangeFile`` presents one byte range of a file as a binary file object,
which is what ``legacyio.open_reader`` and the framers read from."""

from __future__ import annotations

import io
import os
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from legacyio.errors import OptionsError

_COMPRESSED = (".gz", ".bz2", ".xz")


def resolve(source: str | os.PathLike[str]) -> tuple[pafs.FileSystem, str]:
    """The filesystem and the path in it for a local path or a URI (``s3://``, ``gs://``,
    ``hdfs://``, ``file://``). Credentials come from the environment, never from here."""
    s = os.fspath(source)
    if isinstance(s, bytes):
        s = os.fsdecode(s)
    if "://" in s:
        fs, path = pafs.FileSystem.from_uri(s)
        return fs, path
    return pafs.LocalFileSystem(), os.path.abspath(s)


def check_splittable(source: str | os.PathLike[str]) -> str:
    """The source as a string; compressed files cannot be read by byte ranges."""
    s = os.fspath(source)
    if isinstance(s, bytes):
        s = os.fsdecode(s)
    if s.lower().endswith(_COMPRESSED):
        raise OptionsError(
            f"{s}: a compressed file cannot be split by byte ranges; decompress it first "
            "or read it whole with read_table"
        )
    return s


class Source:
    """An open random-access file: its size, modification time and ranged reads."""

    def __init__(self, source: str | os.PathLike[str]) -> None:
        self.name = check_splittable(source)
        self.fs, self.path = resolve(self.name)
        info = self.fs.get_file_info(self.path)
        if info.type != pafs.FileType.File:
            raise OptionsError(f"{self.name}: not a file")
        self.mtime_ns: int | None = info.mtime_ns
        self.file: pa.NativeFile = self.fs.open_input_file(self.path)
        self.size: int = self.file.size()

    def read_at(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset`` (fewer at the end of the file)."""
        n = max(0, min(n, self.size - offset))
        return self.file.read_at(n, offset) if n else b""

    def range(self, start: int, end: int) -> RangeFile:
        return RangeFile(self.file, start, end, self.name, owned=False)

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RangeFile(io.RawIOBase):
    """Bytes ``[start, end)`` of a random-access file as a seekable binary file object."""

    def __init__(
        self, file: pa.NativeFile, start: int, end: int, name: str, owned: bool = True
    ) -> None:
        super().__init__()
        self._f = file
        self._start = start
        self._end = end
        self._pos = start
        self._owned = owned
        self.name = name

    @classmethod
    def open(cls, source: str, start: int, length: int) -> RangeFile:
        fs, path = resolve(source)
        f = fs.open_input_file(path)
        end = f.size() if length < 0 else min(start + length, f.size())
        return cls(f, start, end, source, owned=True)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos - self._start

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: self._start, io.SEEK_CUR: self._pos, io.SEEK_END: self._end}[whence]
        self._pos = min(max(base + offset, self._start), self._end)
        return self._pos - self._start

    def readinto(self, buf: Any) -> int:
        dst = memoryview(buf).cast("B")
        n = min(len(dst), self._end - self._pos)
        if n <= 0:
            return 0
        data = self._f.read_at(n, self._pos)
        got = len(data)
        dst[:got] = data
        self._pos += got
        return got

    def close(self) -> None:
        if self._owned and not self.closed:
            self._f.close()
        super().close()
