"""Option classes: plain frozen attrs classes, split by stage like ``pyarrow.csv``.

``FileFormat`` describes the file itself (framing, code page, representation conventions,
segments) and is shared by reading and writing, so one set of settings describes a file in
both directions. ``ReadOptions`` and ``WriteOptions`` hold what only one direction needs.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

RecordFormat = Literal["F", "FB", "V", "VB", "D", "ODO"]
"""F/FB fixed length; V RDW before each record; VB BDW blocks of RDW records; D text lines;
ODO variable length given by OCCURS DEPENDING ON counts, no header."""

EBCDIC_CODE_PAGES = frozenset(
    [
        "cp037",
        "cp1047",
        "cp500",
        "cp273",
        "cp277",
        "cp278",
        "cp280",
        "cp284",
        "cp285",
        "cp297",
        "cp871",
        "cp875",
        "cp1025",
        "cp1026",
        "cp1140",
        "cp1141",
        "cp1142",
        "cp1143",
        "cp1144",
        "cp1145",
        "cp1146",
        "cp1147",
        "cp1148",
        "cp1149",
        "cp424",
        "cp290",
        "cp420",
        "cp833",
        "cp838",
        "cp870",
        "cp1097",
        "cp1112",
        "cp1122",
        "cp1123",
    ]
)


def normalize_encoding(name: str) -> str:
    """Canonical lower-case codec name (``CP037``, ``ibm-037``, ``037`` -> ``cp037``)."""
    n = name.strip().lower().replace("_", "-")
    for prefix in ("ibm-", "ibm", "cp-", "ebcdic-cp-"):
        if n.startswith(prefix) and n[len(prefix) :].isdigit():
            n = n[len(prefix) :]
            break
    if n.isdigit():
        n = "cp" + n.lstrip("0").rjust(3, "0")
    if n.startswith("cp") and n[2:].isdigit():
        n = "cp" + n[2:].lstrip("0").rjust(3, "0")
    aliases = {
        "latin1": "latin-1",
        "iso-8859-1": "latin-1",
        "iso8859-1": "latin-1",
        "utf8": "utf-8",
        "us-ascii": "ascii",
    }
    return aliases.get(n, n)


def is_ebcdic(encoding: str) -> bool:
    """True for the EBCDIC code pages legacyio knows (zoned digits F0-F9, space X'40')."""
    return normalize_encoding(encoding) in EBCDIC_CODE_PAGES


def _enc(value: str) -> str:
    return normalize_encoding(value)


@attrs.frozen
class FileFormat:
    """How the bytes of a file are laid out. Used by the reader and the writer alike.

    Defaults describe a z/OS dataset: fixed-length records in code page 037, big-endian
    binary, IBM hexadecimal floating point.
    """

    record_format: RecordFormat = "F"
    """F/FB fixed; V (RDW); VB (BDW + RDW); D text lines (LF or CRLF); ODO (no header,
    length from OCCURS DEPENDING ON counts)."""
    record_length: int | None = None
    """Fixed record length; None takes it from the copybook."""
    encoding: str = attrs.field(default="cp037", converter=_enc)
    """Code page of text and zoned fields: an EBCDIC page (cp037, cp1047, ...) or a Python
    codec for ASCII-side files (ascii, latin-1, cp1252, utf-8)."""
    rdw_byteorder: Literal["big", "little"] = "big"
    """Byte order of RDW/BDW length fields; z/OS writes big-endian."""
    rdw_adjustment: int = 0
    """Added to each RDW (or length-field) value to get the length including the 4-byte RDW.
    IBM RDWs count themselves (0); GnuCOBOL's variable records do not (use 4)."""
    bdw_adjustment: int = 0
    """Added to each BDW value to get the block length including the 4-byte BDW."""
    block_size: int = 32760
    """Maximum block length when writing VB files from tables that carry no block layout."""
    header_bytes: int = 0
    """Bytes skipped at the start of the file (kept in the table metadata for the round trip)."""
    header_records: int = 0
    """Records skipped after the header bytes (kept in the table metadata)."""
    trailer_bytes: int = 0
    """Bytes at the end of the file that are not records (kept in the table metadata)."""
    length_field: str | None = None
    """Name of a copybook field that holds the record length (plus ``rdw_adjustment``)."""
    variable_occurs: bool | None = None
    """OCCURS DEPENDING ON tables: True shrinks the record (following fields shift), False
    reserves the maximum size. None: True for V/VB/D/ODO framing, False for F/FB."""
    float_format: Literal["ibm", "ieee"] = "ibm"
    """COMP-1/COMP-2: IBM hexadecimal floating point (z/OS) or IEEE 754 big-endian."""
    float_byteorder: Literal["big", "little"] = "big"
    """Byte order of IEEE floats (GnuCOBOL on x86 writes little-endian)."""
    binary_byteorder: Literal["big", "little"] = "big"
    """Byte order of COMP / COMP-4 / BINARY."""
    comp5_byteorder: Literal["big", "little"] = "big"
    """Byte order of COMP-5 (native binary: big-endian on z/OS, little-endian on x86)."""
    ascii_sign: Literal["ibm", "mf"] = "mf"
    """Signed zoned decimal in ASCII files, when writing: ``ibm`` overpunch ({ A-I } J-R) or
    ``mf`` Micro Focus/GnuCOBOL (negative last digit X'70'-X'79'). Reading accepts both."""
    line_terminator: Literal["lf", "crlf"] = "lf"
    """Line end written to D (text line) files; reading accepts both."""
    segment_field: str | None = None
    """Field whose value tells which REDEFINES alternative (segment) a record holds."""
    segments: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=lambda v: _pairs(v))
    """Map of segment-id values to the REDEFINES alternative (group name) they select."""
    record: str | None = None
    """Which 01-level record of a copybook with several to use (None: all, as alternatives)."""

    @property
    def ebcdic(self) -> bool:
        return is_ebcdic(self.encoding)

    @property
    def variable(self) -> bool:
        """Whether OCCURS DEPENDING ON tables shrink the record (following fields shift)."""
        if self.variable_occurs is not None:
            return self.variable_occurs
        return self.record_format in ("V", "VB", "D", "ODO")

    def segment_map(self) -> dict[str, str]:
        return dict(self.segments)


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    return tuple((str(k), str(v)) for k, v in value)


@attrs.frozen
class ReadOptions:
    """Decoding choices that do not describe the file itself."""

    batch_size: int = 32768
    """Records per Arrow batch; memory is bounded by this, whatever the file size. Batches of
    a few MB keep the working set in cache (measured faster than 64k-record batches)."""
    batch_bytes: int = 64 << 20
    """At most this many bytes of records (in the copybook's maximum layout) per batch: wide
    records get fewer than ``batch_size`` records a batch, so that streaming stays within a
    few hundred MB whatever the record length (12 KB records: 5,592 a batch)."""
    columns: tuple[str, ...] | None = attrs.field(
        default=None, converter=lambda v: None if v is None else tuple(v)
    )
    """Decode only these columns (top-level column names or COBOL names)."""
    strict: bool = False
    """Raise DecodeError at the first bad field instead of making it null and reporting it."""
    trim: Literal["right", "left", "both", "none"] = "right"
    """Which spaces to strip from decoded text."""
    flatten: bool = False
    """Flat columns (GROUP_FIELD, ARR_1..ARR_n) instead of structs and lists."""
    names: Literal["python", "cobol"] = "python"
    """Column names: COBOL names with '-' replaced by '_' (python) or as written (cobol)."""
    residue: bool = True
    """Keep what a byte-exact round trip needs (FILLER bytes, raw copies of non-canonical
    records). False gives clean analytics tables; then only clean data round-trips."""
    fillers: bool = True
    """Keep FILLER items as binary columns (needed for the round trip unless they hold the
    canonical fill); False drops them."""
    record_number: bool = False
    """Add a ``record_number`` column (1-based)."""
    record_offset: bool = False
    """Add a ``record_offset`` column (byte offset of the record in the input)."""
    file_name: bool = False
    """Add a ``file_name`` column."""
    lenient_framing: bool = False
    """Report a trailing partial record instead of raising; it is kept as a short record."""
    threads: int = 1
    """Decode batches on this many threads."""
    engine: Literal["auto", "numpy", "native"] = attrs.field(
        default="auto", validator=attrs.validators.in_(("auto", "numpy", "native"))
    )
    """Codec engine: ``native`` (the Rust kernels of ``legacyio._native``), ``numpy`` (the
    reference), or ``auto``: ``LEGACYIO_ENGINE`` when set, else native when it is built. The
    engine applies it with ``legacyio.codecs.native.engine_scope`` around its codec calls."""


@attrs.frozen
class WriteOptions:
    """Encoding choices that do not describe the file itself."""

    on_overflow: Literal["error", "truncate"] = "error"
    """A value that does not fit its field: raise EncodeError, or truncate it explicitly."""
    null_as: Literal["error", "spaces", "low-values", "zero"] = "error"
    """How a null is written to a field that has no null representation."""
    batch_size: int = 65536
    """Records encoded at a time when streaming."""
    use_residue: bool = True
    """Use the raw copies a decoded table carries, so decoded files are written back exactly."""
    allow_float: bool = False
    """Accept float columns for decimal and integer fields, when every value's decimal form
    (the shortest one that reads back as the same float, as SQL tools print it) fits the
    field's digits and scale exactly. Off: a float column is refused."""
    engine: Literal["auto", "numpy", "native"] = attrs.field(
        default="auto", validator=attrs.validators.in_(("auto", "numpy", "native"))
    )
    """Codec engine: ``native`` (the Rust kernels of ``legacyio._native``), ``numpy`` (the
    reference), or ``auto``: ``LEGACYIO_ENGINE`` when set, else native when it is built. The
    engine applies it with ``legacyio.codecs.native.engine_scope`` around its codec calls."""


_FORMAT_FIELDS = {a.name for a in attrs.fields(FileFormat)}
_READ_FIELDS = {a.name for a in attrs.fields(ReadOptions)}
_WRITE_FIELDS = {a.name for a in attrs.fields(WriteOptions)}


def split_kwargs(
    kw: dict[str, Any],
    fmt: FileFormat | None,
    stage: ReadOptions | WriteOptions | None,
    stage_cls: type,
) -> tuple[FileFormat, Any]:
    """Route keyword arguments to FileFormat or the stage options class by field name."""
    fmt = fmt or FileFormat()
    stage = stage or stage_cls()
    stage_fields = _READ_FIELDS if stage_cls is ReadOptions else _WRITE_FIELDS
    f_kw = {k: v for k, v in kw.items() if k in _FORMAT_FIELDS}
    s_kw = {k: v for k, v in kw.items() if k in stage_fields and k not in _FORMAT_FIELDS}
    unknown = set(kw) - set(f_kw) - set(s_kw)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    if f_kw:
        fmt = attrs.evolve(fmt, **f_kw)
    if s_kw:
        stage = attrs.evolve(stage, **s_kw)
    return fmt, stage
