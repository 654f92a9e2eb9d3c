"""Option classes: plain frozen attrs classes, split by stage like ``pyarrow.csv``.

``FileFormat`` describes the file itself (framing, code page, representation conventions,
segments) and is shared by reading and writing, so one set of settings describes a file in
both directions. ``ReadOptions`` and ``WriteOptions`` hold what only one direction needs.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from legacyio.errors import OptionsError

RecordFormat = Literal["F", "FB", "V", "VB", "VBS", "D", "ODO"]
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


RECORD_FORMATS = ("F", "FB", "V", "VB", "VBS", "D", "ODO")


def _record_format(value: Any) -> Any:
    """Record formats are case-insensitive (``"vb"`` is ``"VB"``); an unknown one is refused
    with the list of known ones."""
    if isinstance(value, str):
        up = value.strip().upper()
        if up in RECORD_FORMATS:
            return up
    raise OptionsError(f"unknown record format {value!r}; known: {', '.join(RECORD_FORMATS)}")


def _enc(value: str) -> str:
    return normalize_encoding(value)


@attrs.frozen
class FileFormat:
    """How the bytes of a file are laid out. Used by the reader and the writer alike.

    Defaults describe a z/OS dataset: fixed-length records in code page 037, big-endian
    binary, IBM hexadecimal floating point.
    """

    record_format: RecordFormat = attrs.field(default="F", converter=_record_format)
    """F/FB fixed; V (RDW); VB (BDW + RDW); VBS (BDW + segment descriptor words: records
    spanned over blocks); D text lines (LF or CRLF); ODO (no header,
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
    """Maximum block length when writing VB/VBS files from tables that carry no block layout
    (VBS spans a record over blocks to fill them)."""
    header_bytes: int = 0
    """Bytes skipped at the start of the file (kept in the table metadata for the round trip)."""
    header_records: int = 0
    """Records skipped after the header bytes (kept in the table metadata)."""
    trailer_bytes: int = 0
    """Bytes at the end of the file that are not records (kept in the table metadata)."""
    record_start_offset: int = 0
    """Bytes in each record before the copybook's payload (Cobrix ``record_start_offset``);
    kept in the residue unless they are the fill (EBCDIC/ASCII space)."""
    record_end_offset: int = 0
    """Bytes in each record after the copybook's payload (Cobrix ``record_end_offset``)."""
    minimum_record_length: int | None = None
    """Records with a shorter payload are left out of the rows (Cobrix
    ``minimum_record_length``): counted in ``DecodeReport.skipped_records`` and kept in the
    residue of the next row, so the round trip stays exact."""
    maximum_record_length: int | None = None
    """Records with a longer payload are left out the same way (``maximum_record_length``)."""
    record_header_parser: Any = None
    """Custom record headers (Cobrix ``record_header_parser``): a hook ``f(data, final)`` (or
    an object with ``boundaries(data, final)``) returning ``(frame_lengths, header_lengths,
    valid)`` of the complete records at the start of the uint8 array ``data``; or its import
    name ``"module:attr"``. Writing needs ``headers(lengths)`` and ``header_length`` on it.
    Records marked invalid are left out like ``minimum_record_length`` does."""
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
    numbers_as_text: tuple[str, ...] = attrs.field(default=(), converter=lambda v: _names(v))
    """Unsigned DISPLAY numeric fields (``PIC 9(n)``) read as text, keeping leading zeros
    (codes held in numeric fields: Cobrix #25, #584), and written back from that text. Field
    names (COBOL or Python style); the text must be digits when writing."""
    segment_children: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(
        default=(), converter=lambda v: _children(v)
    )
    """Parent/child segment hierarchy (Cobrix ``segment-children``): parent group -> its child
    groups (a list or a comma-separated string). Child records are nested as lists of structs
    under their parent, one row per root; writing flattens them back in file order."""
    record_types: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=lambda v: _record_types(v)
    )
    """Record-type rules: REDEFINES alternative (or 01 record) -> the condition over earlier
    fields that selects it, e.g. ``{"SEG-A": "REC-TYPE = 'A' and REGION in ('01', '02')"}``
    (syntax in ``legacyio.rules``). Tried in order, the first rule a record matches gives its
    alternative; a record matching none is reported and kept byte for byte. Instead of
    ``segment_field`` + ``segments`` (composite keys, ranges, lists, and/or/not)."""
    field_code_page: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=lambda v: _field_code_pages(v)
    )
    """Per-field code page (Cobrix ``field_code_page``): text field -> code page used for that
    field in both directions instead of ``encoding``."""
    record: str | None = None
    """Which 01-level record of a copybook with several to use (None: all, as alternatives)."""
    occurs_mappings: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = attrs.field(
        default=(), converter=lambda v: _occurs_mappings(v)
    )
    """OCCURS DEPENDING ON through a value map (Cobrix ``occurs_mappings``): table name ->
    {value of the DEPENDING ON field -> element count}. The object may then be a PIC X field.
    A dict, a JSON string (as Cobrix takes it) or pairs."""
    date_formats: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=lambda v: _date_formats(v)
    )
    """Typed dates, opt-in: field name -> ``yyyymmdd``, ``yyyyddd``, ``cyymmdd``, ``yymmdd`` or
    ``yyddd`` (a dict, pairs or ``"FIELD=FORMAT"`` strings). The field (numeric DISPLAY,
    packed or binary, or PIC X of digits) becomes an Arrow ``date32`` column; an invalid date
    (month 13, Feb 30, zeros, spaces) is null, reported as a bad field and its bytes kept in
    the residue. Writing encodes a date back in the same format. ``cyymmdd``: c=0 is 19xx,
    1 is 20xx (c is the century after 1900); two-digit years: see ``date_pivot_year``."""
    date_pivot_year: int = attrs.field(default=1950, validator=lambda i, a, v: _pivot(v))
    """First year of the hundred-year window of two-digit years (``yymmdd``, ``yyddd``):
    with 1950, 50-99 are 1950-1999 and 00-49 are 2000-2049. Writing refuses a date outside
    the window."""
    binary_truncation: Literal["std", "bin"] = attrs.field(
        default="std", converter=lambda v: _truncation(v)
    )
    """COMP / COMP-4 / BINARY values beyond the PICTURE's digits: ``std`` (IBM TRUNC(STD)) makes
    them null and reports them; ``bin`` (TRUNC(BIN)) decodes the full binary value, like
    COMP-5 (the column is wide enough for the storage range) and writes back any value the
    storage holds."""

    @property
    def ebcdic(self) -> bool:
        return is_ebcdic(self.encoding)

    @property
    def variable(self) -> bool:
        """Whether OCCURS DEPENDING ON tables shrink the record (following fields shift)."""
        if self.variable_occurs is not None:
            return self.variable_occurs
        return self.record_format in ("V", "VB", "VBS", "D", "ODO")

    def segment_map(self) -> dict[str, str]:
        return dict(self.segments)

    def date_map(self) -> dict[str, str]:
        """``date_formats`` as {FIELD NAME (upper case, '_' as '-'): format}."""
        return {f.upper().replace("_", "-"): form for f, form in self.date_formats}

    def code_page_map(self) -> dict[str, str]:
        """``field_code_page`` as {FIELD NAME (upper case, '_' as '-'): code page}."""
        return {f.upper().replace("_", "-"): cp for f, cp in self.field_code_page}

    def occurs_map(self) -> dict[str, dict[str, int]]:
        """``occurs_mappings`` as {TABLE NAME (upper case, '_' as '-'): {value: count}}."""
        return {t.upper().replace("_", "-"): dict(m) for t, m in self.occurs_mappings}

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values (table metadata); a header-parser hook is stored by
        its import name."""
        return attrs.asdict(
            self,
            value_serializer=lambda _i, a, v: (
                hook_name(v) if a is not None and a.name == "record_header_parser" else v
            ),
        )

    @property
    def odo_tables(self) -> tuple[str, ...]:
        """Names of the tables ``occurs_mappings`` covers (for ``load_copybook``)."""
        return tuple(self.occurs_map())


def hook_name(hook: Any) -> str | None:
    """An importable name for a record-header hook (stored in table metadata), or None."""
    if hook is None or isinstance(hook, str):
        return hook
    target = hook if callable(hook) and not hasattr(hook, "boundaries") else type(hook)
    mod, qual = getattr(target, "__module__", None), getattr(target, "__qualname__", "")
    if not mod or "<" in qual:
        return UNNAMED_HOOK  # writing then needs the hook again (never silently RDWs)
    return f"{mod}:{qual}"


UNNAMED_HOOK = "<unnamed record_header_parser>"


DATE_FORMATS = ("yyyymmdd", "yyyyddd", "cyymmdd", "yymmdd", "yyddd")
"""The date formats of ``FileFormat.date_formats``."""


def _date_formats(value: Any) -> tuple[tuple[str, str], ...]:
    if not value:
        return ()
    if isinstance(value, str):
        value = value.split(";") if ";" in value else [value]
    items = value.items() if isinstance(value, dict) else value
    out = []
    for item in items:
        if isinstance(item, str):
            if "=" not in item:
                raise OptionsError(f"date format {item!r} is not FIELD=FORMAT")
            field, form = item.split("=", 1)
        else:
            field, form = item
        field, form = str(field).strip(), str(form).strip().lower()
        if form not in DATE_FORMATS:
            raise OptionsError(
                f"unknown date format {form!r} for {field}; known: {', '.join(DATE_FORMATS)}"
            )
        if not field:
            raise OptionsError(f"date format {form!r} names no field")
        out.append((field, form))
    return tuple(out)


def _pivot(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9900:
        raise OptionsError(f"date_pivot_year must be a year from 1 to 9900, not {value!r}")


def _truncation(value: Any) -> Any:
    v = str(value).strip().lower() if isinstance(value, str) else value
    if v not in ("std", "bin"):
        raise OptionsError(f"binary_truncation must be 'std' or 'bin', not {value!r}")
    return v


def _named_pairs(value: Any, what: str, sep: str = "=") -> list[tuple[str, str]]:
    """A dict, (name, value) pairs or ``"NAME=VALUE"`` strings -> pairs of text."""
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    items = value.items() if isinstance(value, dict) else value
    out = []
    for item in items:
        if isinstance(item, str):
            if sep not in item:
                raise OptionsError(f"{what} entry {item!r} is not NAME{sep}VALUE")
            k, v = item.split(sep, 1)
        else:
            try:
                k, v = item
            except (TypeError, ValueError):
                raise OptionsError(f"{what} entry {item!r} is not a (name, value) pair") from None
        k = str(k).strip()
        if not k:
            raise OptionsError(f"{what} entry {item!r} has no name")
        out.append((k, v))  # a rule's text as written: error columns count in it
    return out


def _record_types(value: Any) -> tuple[tuple[str, str], ...]:
    from legacyio.rules import parse_rule

    out = []
    seen: set[str] = set()
    for name, text in _named_pairs(value, "record_types"):
        key = name.upper().replace("_", "-")
        if key in seen:
            raise OptionsError(f"record_types names {name} twice (join its rules with 'or')")
        seen.add(key)
        parse_rule(name, text)  # a RuleError (OptionsError) naming the rule and column
        out.append((name, text))
    return tuple(out)


def _field_code_pages(value: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for name, cp in _named_pairs(value, "field_code_page"):
        if not isinstance(cp, str) or not cp.strip():
            raise OptionsError(f"field_code_page: the code page of {name} must be a name")
        out.append((name, normalize_encoding(cp)))
    return tuple(out)


def _occurs_mappings(value: Any) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as e:
            raise ValueError(f"occurs_mappings is not valid JSON: {e}") from None
    items = value.items() if isinstance(value, dict) else value
    out = []
    for table, mapping in items:
        pairs = mapping.items() if isinstance(mapping, dict) else mapping
        conv = []
        for k, n in pairs:
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(
                    f"occurs_mappings: count for {table}[{k!r}] must be an integer >= 0"
                )
            conv.append((str(k), int(n)))
        out.append((str(table), tuple(conv)))
    return tuple(out)


def _children(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not value:
        return ()
    if isinstance(value, str):
        value = [value]
    items = value.items() if isinstance(value, dict) else value
    out = []
    for item in items:
        if isinstance(item, str):  # "PARENT=CHILD1,CHILD2" (Cobrix: "PARENT => CHILD1,CHILD2")
            if "=" not in item:
                raise ValueError(f"segment_children entry {item!r} is not PARENT=CHILD1,CHILD2")
            parent, kids = item.replace("=>", "=").split("=", 1)
        else:
            parent, kids = item
        names = kids.split(",") if isinstance(kids, str) else list(kids)
        out.append((str(parent).strip(), tuple(str(k).strip() for k in names if str(k).strip())))
    return tuple(out)


def _debug(value: Any) -> str | None:
    if value in (None, False, "", "none", "false", "False"):
        return None
    v = "hex" if value is True else str(value).lower()
    v = {"true": "hex", "raw": "binary"}.get(v, v)
    if v not in ("hex", "binary"):
        raise ValueError(f"debug must be 'hex' or 'binary' (Cobrix true/hex/raw), not {value!r}")
    return v


def _names(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(p).strip() for p in parts if str(p).strip())


def _levels(value: Any) -> tuple[tuple[str, ...], ...]:
    out = []
    for level in value or ():
        ids = level.split(",") if isinstance(level, str) else list(level)
        ids = [str(i).strip() for i in ids if str(i).strip()]
        if not ids:
            raise ValueError("segment_id_levels: a level without any segment id")
        out.append(tuple(ids))
    return tuple(out)


def _level_kwargs(kw: dict[str, Any]) -> dict[str, Any]:
    """``segment_id_level0=..``, ``segment_id_level1=..`` / ``segment_id_root=..`` keywords
    (Cobrix's names) -> ``segment_id_levels``."""
    import re

    numbered = {}
    for k in list(kw):
        m = re.fullmatch(r"segment_id_level(\d+)", k)
        if m:
            numbered[int(m.group(1))] = kw.pop(k)
        elif k == "segment_id_root":
            numbered[0] = kw.pop(k)
    if not numbered:
        return kw
    if "segment_id_levels" in kw:
        raise TypeError("give segment_id_levels or segment_id_level<N>, not both")
    if sorted(numbered) != list(range(len(numbered))):
        raise TypeError("segment_id_level<N> keywords must be numbered 0, 1, 2, ... without gaps")
    kw["segment_id_levels"] = [numbered[i] for i in range(len(numbered))]
    return kw


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    return tuple((str(k), str(v)) for k, v in value)


def _max_bad_fields(inst: Any, attr: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise OptionsError(f"max_bad_fields must be a whole number >= 0, not {value!r}")


def _max_bad_fraction(inst: Any, attr: Any, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise OptionsError(f"max_bad_fraction must be a number from 0 to 1, not {value!r}")


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
    debug: Literal["hex", "binary"] | None = attrs.field(
        default=None, converter=lambda v: _debug(v)
    )
    """Add after every elementary field a ``<NAME>_debug`` column with its raw bytes: upper-case
    hex text (``"hex"``; Cobrix ``debug=true``/``hex``) or binary (``"binary"``; Cobrix
    ``raw``). Read-only: writing ignores them."""
    corrupt_fields: bool = False
    """Add a ``_corrupt_fields`` column: per row the paths of the fields that could not be
    decoded (null and reported), so bad rows can be found with a filter."""
    non_terminals: tuple[str, ...] = attrs.field(default=(), converter=lambda v: _names(v))
    """Groups also emitted as one text column ``<GROUP>_NT`` right after the group (Cobrix
    ``non_terminals``); a list or a comma-separated string of group names."""
    segment_id_levels: tuple[tuple[str, ...], ...] = attrs.field(
        default=(), converter=lambda v: _levels(v)
    )
    """Segment ids of each hierarchy level, root first (Cobrix ``segment_id_level0..N``; the
    keywords ``segment_id_level0=...``, ``segment_id_root=...`` work too). Each level is a list
    of ids or a comma-separated string; ``"_"`` or ``"*"`` means any other id. Adds the
    columns ``Seg_Id0..N``: keys linking each record to its root and parents (for joins)."""
    segment_id_prefix: str = ""
    """Prefix of the generated segment ids: ``Seg_Id0`` is ``<prefix>_<root row index>``,
    ``Seg_IdN`` is ``<Seg_Id0>_L<N>_<count of level-N records since the root>``."""
    max_bad_fields: int | None = attrs.field(default=None, validator=_max_bad_fields)
    """Fail the read (``DecodeError``) as soon as more field values than this are bad."""
    max_bad_fraction: float | None = attrs.field(default=None, validator=_max_bad_fraction)
    """Fail the read (``DecodeError``, at the end) when more than this fraction of the
    records (0 to 1) has a bad field."""
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
    if stage_cls is ReadOptions:
        kw = _level_kwargs(dict(kw))
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
