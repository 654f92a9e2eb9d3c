"""Runs a case of the Cobrix conformance corpus through legacyio and compares the rows.

Each MANIFEST case gives Cobrix reader options; ``map_case`` turns them into legacyio read
options plus the post-processing that reproduces Cobrix's presentation rules (its code-page
tables, Java-style trimming, null rules, FILLER naming, generated columns). Everything legacyio
deliberately does differently is a tolerance rule (value level, checked precisely), listed in
``differences.md``; every Cobrix option the corpus uses is mapped (``MAPPED_OPTIONS``).
"""

from __future__ import annotations

import base64
import bz2
import functools
import gzip
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import legacyio
from legacyio.codecs.codepages import get_codepage
from tests.support.corpus import COBRIX, have_cobrix

CORPUS = COBRIX

# Cobrix options that only steer Spark (partitioning, index cache, option checking).
_SPARK_ONLY = {"input_split_records", "enable_index_cache", "pedantic", "rhp_additional_info"}

# Every Cobrix option the corpus uses, and how this harness maps it (``test_every_option_is
# _mapped`` keeps the list complete): a legacyio option of the same meaning, or a presentation
# rule applied to our values (differences.md, section 1).
MAPPED_OPTIONS = {
    # same name, same meaning
    "record_start_offset",
    "record_end_offset",
    "minimum_record_length",
    "occurs_mappings",
    "non_terminals",
    "debug",
    "segment_field",
    "segment_id_prefix",
    "segment_id_level<N>",
    "segment_id_root",
    "record_header_parser",
    # renamed (differences.md, section 1)
    "record_format",
    "encoding",
    "ebcdic_code_page",
    "ebcdic_code_page_class",
    "ascii_charset",
    "is_rdw_big_endian",
    "is_rdw_part_of_record_length",
    "rdw_adjustment",
    "record_length_field",
    "file_start_offset",
    "file_end_offset",
    "variable_size_occurs",
    "floating_point_format",
    "redefine_segment_id_map",
    "segment_children",
    # presentation rules applied by the harness
    "string_trimming_policy",
    "improved_null_detection",
    "schema_retention_policy",
    "generate_record_id",
    "drop_value_fillers",
    "drop_group_fillers",
    "filler_naming_policy",
    "segment_filter",
    # set to true by some cases; no value in the corpus data depends on them (the cases
    # match with legacyio's own rules: exact integers, signs where the PICTURE puts them)
    "strict_sign_overpunching",
    "strict_integral_precision",
}


def option_family(key: str) -> str:
    """A MANIFEST option key without its numbering (``segment_id_level2`` ->
    ``segment_id_level<N>``, ``redefine-segment-id-map:1`` -> ``redefine_segment_id_map``)."""
    k = re.sub(r":\d+$", "", key).replace("-", "_")
    return re.sub(r"level\d+$", "level<N>", k)


class CobrixTest10Headers:
    """The custom 5-byte record header of test11, written from MANIFEST's description of
    Cobrix's ``Test10CustomRDWParser`` (no Cobrix code): a record is valid when its first
    header byte is X'01'; its payload length is ``byte[3] + 256 * byte[4]``."""

    header_length = 5

    def boundaries(self, data: np.ndarray, final: bool) -> tuple[list[int], int, list[bool]]:
        frames: list[int] = []
        valid: list[bool] = []
        pos, n = 0, len(data)
        while pos + 5 <= n:
            size = 5 + int(data[pos + 3]) + 256 * int(data[pos + 4])
            if pos + size > n:
                break
            frames.append(size)
            valid.append(bool(data[pos] == 1))
            pos += size
        return frames, 5, valid

    def headers(self, lengths: np.ndarray) -> np.ndarray:
        out = np.zeros((len(lengths), 5), dtype=np.uint8)
        out[:, 0] = 1
        out[:, 3] = lengths & 0xFF
        out[:, 4] = lengths >> 8
        return out


HEADER_PARSERS = {
    "za.co.absa.cobrix.spark.cobol.source.utils.Test10CustomRDWParser": CobrixTest10Headers
}
"""Cobrix record_header_parser classes of the corpus -> their legacyio hook."""


# --------------------------------------------------------------------------------- corpus
@functools.cache
def manifest() -> list[dict[str, Any]]:
    """The MANIFEST cases (fails loudly when the corpus is missing)."""
    path = CORPUS / "MANIFEST.json"
    if not have_cobrix():
        return []  # the tests using it are skipped (or failed under CI): corpus_location
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


def case(name: str) -> dict[str, Any]:
    """One MANIFEST case by name."""
    for c in manifest():
        if c["name"] == name:
            return c
    raise KeyError(name)


@functools.cache
def cobrix_code_pages() -> dict[str, dict[str, Any]]:
    """codepages.json: Cobrix's EBCDIC tables as a Python codec plus byte overrides."""
    return json.loads((CORPUS / "codepages.json").read_text(encoding="utf-8"))["code_pages"]


def input_files(data: str) -> list[Path]:
    """A case's data: one file, or every file under a directory (recursively, name order)."""
    p = CORPUS / data
    if data.endswith("/"):
        return sorted(
            (f for f in p.rglob("*") if f.is_file()), key=lambda f: f.relative_to(p).as_posix()
        )
    return [p]


def file_bytes(path: Path) -> bytes:
    """Decompressed content of a corpus data file."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(raw)
    if path.suffix == ".bz2":
        return bz2.decompress(raw)
    return raw


# -------------------------------------------------------------------------------- mapping
@dataclass
class Mapping:
    """legacyio read options for a case and the Cobrix presentation rules to apply."""

    kwargs: dict[str, Any]
    copybook_text: str
    files: list[Path]
    ascii: bool
    overrides: dict[int, str]
    trim: str = "both"
    improved_nulls: bool = True
    keep_original: bool = False
    record_id: bool = False
    drop_value_fillers: bool = True
    drop_group_fillers: bool = False
    filler_naming: str = "sequence_numbers"
    segment_filter: tuple[str, str] | None = None
    header_len: int = 0
    children: dict[str, list[str]] = field(default_factory=dict)
    """segment_children with column names (hierarchical cases)."""

    @property
    def groups(self) -> list[str]:
        return [g.replace("-", "_") for g in self.kwargs.get("segments", {}).values()]

    @property
    def root_groups(self) -> set[str]:
        kids = {k for v in self.children.values() for k in v}
        return {g for g in self.groups if g not in kids}

    def descendants(self, g: str) -> set[str]:
        out = {g}
        for c in self.children.get(g, []):
            out |= self.descendants(c)
        return out


def _truthy(v: str) -> bool:
    return v.strip().lower() == "true"


def _segment_map(options: dict[str, str]) -> dict[str, str]:
    """redefine_segment_id_map:N / redefine-segment-id-map:N -> {segment id: group}."""
    out: dict[str, str] = {}
    for k, v in options.items():
        if k.replace("-", "_").startswith("redefine_segment_id_map"):
            group, ids = v.split("=>")
            for sid in ids.split(","):
                out[sid.strip()] = group.strip()
    return out


def map_case(c: dict[str, Any]) -> Mapping:
    """Cobrix options of a MANIFEST case -> legacyio options and comparison rules."""
    o = dict(c["options"])
    copybooks = c.get("copybooks") or [c["copybook"]]
    text = "\n".join((CORPUS / p).read_text(encoding="latin-1") for p in copybooks)
    ascii_mode = o.get("encoding", "ebcdic").lower() == "ascii" or o.get(
        "record_format", "F"
    ).upper() in ("D", "D2")
    kw: dict[str, Any] = {
        "residue": False,
        "trim": "none",
        "record_number": True,
        "record_offset": True,
    }
    overrides: dict[int, str] = {}
    if ascii_mode:
        charset = o.get("ascii_charset", "UTF-8").lower()
        kw["encoding"] = "latin-1" if charset in ("iso-8859-1", "latin1", "latin-1") else "utf-8"
    else:
        if "ebcdic_code_page_class" in o:
            page = "custom_test"
        else:
            page = o.get("ebcdic_code_page", "common").lower()
        pages = cobrix_code_pages()
        spec = next(v for k, v in pages.items() if k == page or k.startswith(page + " "))
        kw["encoding"] = {
            "common": "cp037",
            "common_extended": "cp037",
            "cp037_extended": "cp037",
            "custom_test": "cp037",
        }.get(page, page)
        overrides = {int(b, 16): ch for b, ch in spec["overrides"].items()}
    rf = o.get("record_format", "F").upper()
    variable = _truthy(o.get("variable_size_occurs", "false"))
    header_len = 0
    if rf in ("D", "D2"):  # Cobrix text records are ASCII whatever the encoding option
        kw["record_format"] = "D"
    elif rf == "V":
        kw["record_format"] = "V"
        header_len = 4
        kw["rdw_byteorder"] = "big" if _truthy(o.get("is_rdw_big_endian", "false")) else "little"
        if _truthy(o.get("is_rdw_part_of_record_length", "false")):
            kw["rdw_adjustment"] = 0
        else:  # Cobrix: RDW counts the payload; its adjustment is relative to that
            kw["rdw_adjustment"] = 4 + int(o.get("rdw_adjustment", "0"))
    elif rf == "F":
        kw["record_format"] = "ODO" if variable else "F"
        if "record_length_field" in o:  # length = field value + rdw_adjustment, like ours
            kw["length_field"] = o["record_length_field"]
            kw["rdw_adjustment"] = int(o.get("rdw_adjustment", "0"))
    else:
        raise ValueError(f"record_format {rf} is not mapped")
    kw["variable_occurs"] = variable
    if "file_start_offset" in o:
        kw["header_bytes"] = int(o["file_start_offset"])
    if "file_end_offset" in o:
        kw["trailer_bytes"] = int(o["file_end_offset"])
    if o.get("floating_point_format", "IBM").upper() == "IEEE754":
        kw["float_format"] = "ieee"
    if "record_header_parser" in o:
        kw["record_header_parser"] = HEADER_PARSERS[o["record_header_parser"]]()
    for opt in (
        "record_start_offset",
        "record_end_offset",
        "minimum_record_length",
        "maximum_record_length",
    ):  # same names, same meaning
        if opt in o:
            kw[opt] = int(o[opt])
    levels = {k: v for k, v in o.items() if k.startswith("segment_id_level")}
    if "segment_id_root" in o:
        levels["segment_id_level0"] = o["segment_id_root"]
    if levels:  # Seg_Id0..N; the prefix gets the file index per file (read_ours), as Cobrix's
        kw["segment_id_levels"] = [levels[f"segment_id_level{i}"] for i in range(len(levels))]
        kw["segment_id_prefix"] = o.get("segment_id_prefix", "")
        kw["segment_field"] = o["segment_field"].replace("_", "-")
    if "debug" in o:  # true/hex -> upper-case hex text; raw -> binary (shown as base64)
        kw["debug"] = o["debug"]
    if "non_terminals" in o:
        kw["non_terminals"] = o["non_terminals"]
    children = {
        v.split("=>")[0].strip(): [x.strip() for x in v.split("=>")[1].split(",")]
        for k, v in o.items()
        if k.replace("-", "_").startswith("segment_children")
    }
    if children:  # segment-children:N "PARENT => CHILD1,CHILD2"
        kw["segment_children"] = children
    if "occurs_mappings" in o:  # the same JSON text Cobrix takes
        kw["occurs_mappings"] = o["occurs_mappings"]
    seg_map = _segment_map(o)
    if seg_map:
        kw["segment_field"] = o["segment_field"].replace("_", "-")
        kw["segments"] = seg_map
    drop_value = _truthy(o.get("drop_value_fillers", "true"))
    drop_group = _truthy(o.get("drop_group_fillers", "false"))
    kw["fillers"] = True  # dropped here, after naming, to follow Cobrix's numbering
    m = Mapping(
        kwargs=kw,
        copybook_text=text,
        files=input_files(c["data"]) if c["data"] else [],
        ascii=ascii_mode,
        overrides=overrides,
        trim=o.get("string_trimming_policy", "both").lower(),
        improved_nulls=_truthy(o.get("improved_null_detection", "true")),
        keep_original=o.get("schema_retention_policy", "collapse_root") == "keep_original",
        record_id=_truthy(o.get("generate_record_id", "false")),
        drop_value_fillers=drop_value,
        drop_group_fillers=drop_group,
        filler_naming=o.get("filler_naming_policy", "sequence_numbers"),
        header_len=header_len,
    )
    m.children = {
        p.replace("-", "_"): [c.replace("-", "_") for c in cs] for p, cs in children.items()
    }
    if "segment_filter" in o:
        m.segment_filter = (o["segment_field"].replace("-", "_"), o["segment_filter"])
    return m


# ------------------------------------------------------------------------ Cobrix view
class F32(float):
    """A COMP-1 value: compared after rounding both sides to float32."""


class Filled(int):
    """A null that ``na_fill_numeric`` replaced (the tolerance rules still see a null)."""


@dataclass
class FieldInfo:
    """What the comparison needs to know about one of our fields."""

    path: str
    type: pa.DataType
    usage: str | None
    picture: str | None
    offset: int | None
    length: int | None
    in_occurs: bool


def _java_trim(s: str, how: str) -> str:
    if how in ("both", "left"):
        i = 0
        while i < len(s) and s[i] <= " ":
            i += 1
        s = s[i:]
    if how in ("both", "right"):
        j = len(s)
        while j > 0 and s[j - 1] <= " ":
            j -= 1
        s = s[:j]
    return s


class CobrixView:
    """Turns our decoded rows into what Cobrix would print for the same bytes."""

    def __init__(self, m: Mapping, schema: pa.Schema, root_name: str) -> None:
        self.m = m
        self.root_name = root_name
        self.fields: dict[str, FieldInfo] = {}
        page = get_codepage(m.kwargs["encoding"])
        self.page = page
        self.zero_char = chr(int(page.decode_table[0])) if page.single_byte else "\x00"
        # our character for byte b -> Cobrix's character for b (EBCDIC pages only)
        self.table = {int(page.decode_table[b]): ch for b, ch in m.overrides.items()}
        self._pseq = 0
        self._gseq = 0
        self._prev = root_name
        self.converters: list[tuple[str, str | None, Callable[[Any], Any]]] = []
        self.seg_ids = [f.name for f in schema if f.name.startswith("Seg_Id")]
        for f in schema:
            if f.name in ("record_number", "record_offset") or f.name in self.seg_ids:
                continue
            name, fn = self._conv(f, "", False)
            self.converters.append((f.name, name, fn))

    # -- strings ------------------------------------------------------------------------
    def text(self, s: str | None) -> str | None:
        """Cobrix's string for the bytes we decoded as ``s``."""
        if s is None:
            return None
        if self.m.improved_nulls and s and s == self.zero_char * len(s):
            return None
        if self.m.ascii:
            s = "".join(ch for ch in s if ch >= " ")
        elif self.table:
            s = s.translate(self.table)
        return _java_trim(s, self.m.trim)

    def raw_text(self, b: bytes | None) -> str | None:
        if b is None:
            return None
        if self.page.single_byte:
            return self.text(self.page.decode_bytes(b))
        return self.text(b.decode("utf-8", errors="replace"))

    # -- schema walk --------------------------------------------------------------------
    def _conv(
        self, f: pa.Field, prefix: str, in_occurs: bool
    ) -> tuple[str | None, Callable[[Any], Any]]:
        md = {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}
        if md.get("derived") == "debug":  # raw bytes: hex text as is, binary as Spark's base64
            path = prefix + f.name
            self.fields[path] = FieldInfo(path, pa.string(), None, None, None, None, in_occurs)
            if pa.types.is_binary(f.type):
                return f.name, lambda v: None if v is None else base64.b64encode(v).decode()
            return f.name, lambda v: v
        cobol = md.get("cobol_name", f.name)
        t = f.type
        is_list = pa.types.is_list(t)
        vt = t.value_type if is_list else t
        filler = cobol.upper() == "FILLER"
        name: str | None = f.name
        if filler and pa.types.is_struct(vt):
            self._gseq += 1
            name = None if self.m.drop_group_fillers else self._filler_name(False)
        elif filler:
            self._pseq += 1
            name = None if self.m.drop_value_fillers else self._filler_name(True)
        if not filler:
            self._prev = f.name
        elif name is not None:
            self._prev = name
        path = prefix + (name or f.name)
        occurs = in_occurs or is_list
        if pa.types.is_struct(vt):
            kids = [self._conv(vt.field(i), path + ".", occurs) for i in range(vt.num_fields)]
            kid_names = [vt.field(i).name for i in range(vt.num_fields)]
            live = [(kn, n, fn) for kn, (n, fn) in zip(kid_names, kids) if n is not None]
            if not live:
                name = None

            def elem(v: Any, live=live) -> Any:
                if v is None:
                    return None
                out = {}
                for kn, n, fn in live:
                    x = fn(v.get(kn))
                    if x is not None:
                        out[n] = x
                return out
        else:
            self.fields[path] = FieldInfo(
                path,
                vt,
                md.get("usage"),
                md.get("picture"),
                int(md["offset"]) if "offset" in md else None,
                int(md["length"]) if "length" in md else None,
                occurs,
            )
            elem = self._scalar(vt, filler)
        if is_list:

            def fn(v: Any, elem=elem) -> Any:
                return None if v is None else [elem(x) for x in v]

            return name, fn
        return name, elem

    def _filler_name(self, value: bool) -> str:
        if self.m.filler_naming == "previous_field_name":
            return f"FILLER_AFTER_{self._prev}"
        return f"FILLER_P{self._pseq}" if value else f"FILLER_{self._gseq}"

    def _scalar(self, t: pa.DataType, filler: bool) -> Callable[[Any], Any]:
        if filler and (pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t)):
            return self.raw_text
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return self.text
        if pa.types.is_float32(t):
            return lambda v: None if v is None else F32(v)
        return lambda v: v

    # -- rows ---------------------------------------------------------------------------
    def rows(
        self,
        table: pa.Table,
        file_id: int,
        lengths: np.ndarray,
        raws: list[bytes | None],
        record_ids: list[int] | None = None,
        records: list[list[tuple[str, bytes]]] | None = None,
    ) -> list[dict[str, Any]]:
        """Cobrix-style rows (nulls left out) of one file's table."""
        cols = []
        for col, name, fn in self.converters:
            if name is None:
                continue
            cols.append((name, [fn(v) for v in table.column(col).to_pylist()]))
        rnum = table.column("record_number").to_pylist()
        seg = [(n, table.column(n).to_pylist()) for n in self.seg_ids]
        out = []
        for i in range(table.num_rows):
            row: dict[str, Any] = {}
            if self.m.record_id:
                row["File_Id"] = file_id
                row["Record_Id"] = rnum[i] - 1 if record_ids is None else record_ids[i]
                row["Record_Byte_Length"] = int(lengths[i])
            for n, vals in seg:
                if vals[i] is not None:
                    row[n] = vals[i]
            body = {n: vals[i] for n, vals in cols if vals[i] is not None}
            if self.m.keep_original and len(body) and not self._multi_root:
                body = {self.root_name: body}
            row.update(body)
            row["__len__"] = int(lengths[i])
            row["__raw__"] = raws[i]
            if records is not None:
                row["__records__"] = records[i]
            out.append(row)
        return out

    _multi_root = False


def load_layout(text: str, kwargs: dict[str, Any]) -> legacyio.Layout:
    """The case's copybook, with the tables its ``occurs_mappings`` covers accepted."""
    fmt = legacyio.FileFormat(occurs_mappings=kwargs.get("occurs_mappings", ()))
    return legacyio.load_copybook(text, odo_mappings=fmt.odo_tables)


def _flat_records(
    path: Path, layout: Any, kwargs: dict[str, Any], m: Mapping, data: bytes
) -> tuple[list[bytes | None], list[list[tuple[str, bytes]]]]:
    """For a hierarchical case: per root row, its raw record and the (group, bytes) of the
    records from it to the next root (read flat: one row a record)."""
    flat_kw = {k: v for k, v in kwargs.items() if k != "segment_children"}
    ft = legacyio.read_table(str(path), layout, **flat_kw)
    offs = np.asarray(ft.column("record_offset").to_numpy(), dtype=np.int64)
    end = len(data) - flat_kw.get("trailer_bytes", 0) + m.header_len
    lens = np.append(offs[1:], end) - offs - m.header_len
    groups = [g for g in m.groups if g in ft.column_names]
    valid = {g: ft.column(g).is_valid().to_pylist() for g in groups}
    recs = [
        (next((g for g in groups if valid[g][i]), ""), data[o : o + n])
        for i, (o, n) in enumerate(zip(offs.tolist(), lens.tolist()))
    ]
    raws: list[bytes | None] = []
    records: list[list[tuple[str, bytes]]] = []
    for g, b in recs:
        if g in m.root_groups:
            raws.append(b)
            records.append([(g, b)])
        elif records:
            records[-1].append((g, b))
    return raws, records


def read_ours(m: Mapping) -> tuple[list[dict[str, Any]], CobrixView, list[legacyio.DecodeReport]]:
    """Read every input file of a case with legacyio and present the rows as Cobrix would."""
    layout = load_layout(m.copybook_text, m.kwargs)
    multi = len(layout.records) > 1
    root = layout.records[0].name.replace("-", "_")
    view: CobrixView | None = None
    rows: list[dict[str, Any]] = []
    reports = []
    for file_id, path in enumerate(m.files):
        rep = legacyio.DecodeReport()
        kwargs = dict(m.kwargs)
        if "segment_id_levels" in kwargs:  # Cobrix: Seg_Id0 = <prefix>_<file id>_<root>
            kwargs["segment_id_prefix"] = f"{kwargs['segment_id_prefix']}_{file_id}"
        table = legacyio.read_table(str(path), layout, report=rep, **kwargs)
        reports.append(rep)
        if view is None:
            view = CobrixView(m, table.schema, root)
            view._multi_root = multi
        offs = np.asarray(table.column("record_offset").to_numpy(), dtype=np.int64)
        end = len(file_bytes(path)) - m.kwargs.get("trailer_bytes", 0) + m.header_len
        nxt = np.append(offs[1:], end) if len(offs) else offs
        lengths = nxt - offs - m.header_len
        data = file_bytes(path)
        raws: list[bytes | None] = [
            data[o : o + n] for o, n in zip(offs.tolist(), lengths.tolist())
        ]
        hook = m.kwargs.get("record_header_parser")
        if hook is not None:  # payloads of the valid records, by the hook itself
            buf = np.frombuffer(data, dtype=np.uint8)
            frames, hlen, valid = hook.boundaries(buf, True)
            starts = np.concatenate([[0], np.cumsum(frames)[:-1]]) + hlen
            keep = np.asarray(valid, dtype=bool)
            lengths = (np.asarray(frames) - hlen)[keep]
            raws = [data[s : s + n] for s, n in zip(starts[keep].tolist(), lengths.tolist())]
        if m.kwargs.get("record_format") == "D":
            lengths = np.full(len(offs), -1)
            raws = [None] * len(offs)
        record_ids = records = None
        if "segment_children" in kwargs:
            # Cobrix: Record_Id is the index of the record after the group (the next root),
            # Record_Byte_Length the payload bytes of the root and all its children
            rnum = np.asarray(table.column("record_number").to_numpy(), dtype=np.int64)
            nxt_num = np.append(rnum[1:], rep.records + 1)
            record_ids = (nxt_num - 1).tolist()
            lengths = nxt - offs - m.header_len * (nxt_num - rnum)
            raws, records = _flat_records(path, layout, kwargs, m, data)
        rows.extend(view.rows(table, file_id, lengths, raws, record_ids, records))
    if view is None:
        raise ValueError("case has no input files")
    if m.segment_filter is not None:
        fld, val = m.segment_filter
        rows = [r for r in rows if r.get(fld) == val]
    return rows, view, reports


# ----------------------------------------------------------------------------- expected
def load_expected(c: dict[str, Any]) -> list[dict[str, Any]]:
    """Expected rows of a case, numbers as int/Decimal."""
    text = (CORPUS / c["expected"]).read_text(encoding="utf-8")
    kind = c["expected_kind"]
    if kind == "spark-json-lines":
        return [json.loads(line, parse_float=Decimal) for line in text.split("\n") if line.strip()]
    if kind == "spark-json-array-pretty":
        return json.loads(text, parse_float=Decimal)
    if kind == "spark-json-objects-pretty-concatenated":
        dec = json.JSONDecoder(parse_float=Decimal)
        out, i = [], 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                return out
            obj, i = dec.raw_decode(text, i)
            out.append(obj)
    raise ValueError(f"no rows for expected kind {kind}")


def get_path(row: dict[str, Any], dotted: str) -> Any:
    cur: Any = row
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _sort_key(v: Any) -> tuple:
    return (0, 0) if v is None else (1, v)


def apply_comparison(
    rows: list[dict[str, Any]], comp: dict[str, Any], view: CobrixView
) -> list[dict[str, Any]]:
    """drop_columns, na_fill_numeric, order_by and limit, as the Cobrix test does."""
    rows = [dict(r) for r in rows]
    for col in comp.get("drop_columns") or []:
        for r in rows:
            r.pop(col, None)
    fill = comp.get("na_fill_numeric")
    if fill is not None:
        numeric = [
            p
            for p, fi in view.fields.items()
            if "." not in p
            and (
                pa.types.is_integer(fi.type)
                or pa.types.is_floating(fi.type)
                or pa.types.is_decimal(fi.type)
            )
        ]
        order_of = {p: i for i, p in enumerate(view.fields)}
        for i, r in enumerate(rows):
            for p in numeric:
                r.setdefault(p, Filled(fill))
            # a filled column takes its schema place, as in Spark's row
            rows[i] = dict(sorted(r.items(), key=lambda kv: order_of.get(kv[0], -1)))
    order = comp.get("order_by")
    if order:
        rows.sort(key=lambda r: tuple(_sort_key(get_path(r, k)) for k in order))
    limit = comp.get("limit")
    if limit is not None:
        rows = rows[:limit]
    return rows


# --------------------------------------------------------------------------- comparison
@dataclass
class Diff:
    """One value that differs: dotted path (list indexes as [i]), expected and ours."""

    path: str
    expected: Any
    ours: Any
    tolerated: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected!r}, ours {self.ours!r}"


def _strip_index(path: str) -> str:
    out, depth = [], 0
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def values_equal(exp: Any, ours: Any, lenient_decimals: bool) -> bool:
    """Numbers by value (decimals exactly unless the file went through Jackson doubles),
    COMP-1 after float32 rounding, everything else by ==."""
    if isinstance(ours, F32):
        if not isinstance(exp, (int, Decimal, float)) or isinstance(exp, bool):
            return False
        return bool(np.float32(float(exp)) == np.float32(float(ours)))
    if isinstance(ours, float):
        if not isinstance(exp, (int, Decimal, float)) or isinstance(exp, bool):
            return False
        return float(exp) == ours
    if isinstance(ours, Decimal):
        if not isinstance(exp, (int, Decimal)) or isinstance(exp, bool):
            return False
        if lenient_decimals:
            return float(exp) == float(ours)
        if isinstance(exp, int):
            return ours == exp and ours.as_tuple().exponent == 0
        return ours == exp and ours.as_tuple().exponent == exp.as_tuple().exponent
    if isinstance(ours, int) and not isinstance(ours, bool):
        if isinstance(exp, Decimal):
            return lenient_decimals and exp == ours
        return isinstance(exp, int) and not isinstance(exp, bool) and exp == ours
    return type(exp) is type(ours) and exp == ours


def diff_rows(exp: Any, ours: Any, path: str, lenient: bool, out: list[Diff]) -> None:
    """Collect the differences between an expected and one of our values."""
    if isinstance(exp, dict) and isinstance(ours, dict):
        common_exp = [k for k in exp if k in ours]
        common_ours = [k for k in ours if k in exp]
        if common_exp != common_ours:  # Cobrix's column order is the copybook's order
            out.append(Diff(f"{path}<key order>", common_exp, common_ours))
        for k in list(exp) + [k for k in ours if k not in exp]:
            if k in ("__len__", "__raw__", "__records__"):
                continue
            diff_rows(exp.get(k), ours.get(k), f"{path}.{k}" if path else k, lenient, out)
        return
    if isinstance(exp, list) and isinstance(ours, list):
        if len(exp) != len(ours):
            out.append(Diff(path + ".length", len(exp), len(ours)))
        for i, (a, b) in enumerate(zip(exp, ours)):
            diff_rows(a, b, f"{path}[{i}]", lenient, out)
        return
    if exp is None and ours is None:
        return
    if exp is None or ours is None or not values_equal(exp, ours, lenient):
        out.append(Diff(path, exp, ours))


# Tolerance rules: deliberate differences, each recognised precisely from the record's bytes
# (see differences.md). A rule gets the diff, our field and the field's raw bytes.
def _is_null(v: Any) -> bool:
    return v is None or isinstance(v, Filled)


def _field_bytes(fi: FieldInfo | None, raw: bytes | None) -> bytes | None:
    """The bytes of a (non-OCCURS) field in the record; may be cut by the record end."""
    if fi is None or fi.in_occurs or raw is None or fi.offset is None or fi.length is None:
        return None
    return raw[fi.offset : fi.offset + fi.length]


def _rule_binary_beyond_picture(
    d: Diff, fi: FieldInfo | None, b: bytes | None, view: CobrixView
) -> bool:
    """Binary (COMP) value with more digits than its PICTURE: legacyio makes it null and
    reports it; Cobrix prints it when it fits the Java type."""
    if not _is_null(d.ours) or b is None or fi is None or fi.usage != "binary":
        return False
    if not isinstance(d.expected, int) or len(b) != fi.length or fi.picture is None:
        return False
    signed = fi.picture.upper().startswith("S")
    value = int.from_bytes(b, "big", signed=signed)
    digits = sum(int(r[2:-1]) if "(" in r else len(r) for r in _digit_runs(fi.picture))
    return value == d.expected and abs(value) >= 10**digits


def _digit_runs(picture: str) -> list[str]:
    runs, i, pic = [], 0, picture.upper()
    while i < len(pic):
        if pic[i] == "9":
            j = i + 1
            if j < len(pic) and pic[j] == "(":
                j = pic.index(")", j) + 1
            runs.append(pic[i:j])
            i = j
        else:
            i += 1
    return runs


def _rule_partial_string(d: Diff, fi: FieldInfo | None, b: bytes | None, view: CobrixView) -> bool:
    """Text field cut by the end of a short record: legacyio makes it null and reports
    'record too short'; Cobrix decodes the bytes that are there."""
    if not _is_null(d.ours) or b is None or fi is None or not isinstance(d.expected, str):
        return False
    return 0 < len(b) < (fi.length or 0) and view.raw_text(b) == d.expected


def _rule_invalid_utf8(d: Diff, fi: FieldInfo | None, b: bytes | None, view: CobrixView) -> bool:
    """Invalid UTF-8 in an ASCII-side text field: legacyio makes it null and reports it;
    Cobrix replaces the bad bytes with U+FFFD."""
    if not _is_null(d.ours) or b is None or not view.m.ascii or not isinstance(d.expected, str):
        return False
    kept = bytes(x for x in b if x >= 0x20)
    try:
        kept.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    return _java_trim(kept.decode("utf-8", errors="replace"), view.m.trim) == d.expected


def _display_text(b: bytes, view: CobrixView) -> str:
    return b.decode("latin-1") if view.m.ascii else b.decode("cp037")


def _decimal_scale(fi: FieldInfo) -> int:
    return fi.type.scale if pa.types.is_decimal(fi.type) else 0


def _rule_padded_display_number(
    d: Diff, fi: FieldInfo | None, b: bytes | None, view: CobrixView
) -> bool:
    """A DISPLAY number with spaces or low-values in place of digits ('33' + X'00' in a
    PIC 9(3), '789.09    ' in a PIC 9(8).9(2)): legacyio makes it null and reports it;
    Cobrix ignores the padding."""
    if not _is_null(d.ours) or b is None or fi is None or fi.usage != "display":
        return False
    if not isinstance(d.expected, (int, Decimal)) or len(b) != fi.length:
        return False
    text = _display_text(b, view).replace("\x00", " ")
    if " " not in text or not text.strip():
        return False
    body = text.replace(" ", "")
    if not body.replace(".", "", 1).isdigit():
        return False
    value = Decimal(body) if "." in body else Decimal(int(body)).scaleb(-_decimal_scale(fi))
    return value == d.expected


def _rule_plus_in_minus_picture(
    d: Diff, fi: FieldInfo | None, b: bytes | None, view: CobrixView
) -> bool:
    """An edited picture with a '-' sign symbol holding '+' for a positive value: legacyio
    follows the editing rules (a positive value shows a space) and makes it null; Cobrix
    accepts '+'."""
    if not _is_null(d.ours) or b is None or fi is None or "-" not in (fi.picture or ""):
        return False
    if "+" in (fi.picture or "") or not isinstance(d.expected, (int, Decimal)):
        return False
    text = _display_text(b, view)
    if text.count("+") != 1:
        return False
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or d.expected <= 0:
        return False
    return Decimal(int(digits)).scaleb(-_decimal_scale(fi)) == d.expected


def _rule_blank_numeric_zero(
    d: Diff, fi: FieldInfo | None, b: bytes | None, view: CobrixView
) -> bool:
    """A blank DISPLAY decimal with improved_null_detection=false: Cobrix gives 0 (but null
    for a blank integer); legacyio makes every blank number null."""
    if not _is_null(d.ours) or b is None or view.m.improved_nulls or d.expected != 0:
        return False
    return (
        fi is not None
        and fi.usage == "display"
        and b == (b" " if view.m.ascii else b"\x40") * len(b)
    )


TOLERANCES: dict[str, Callable[[Diff, FieldInfo | None, bytes | None, CobrixView], bool]] = {
    "binary_beyond_picture": _rule_binary_beyond_picture,
    "partial_string": _rule_partial_string,
    "invalid_utf8": _rule_invalid_utf8,
    "padded_display_number": _rule_padded_display_number,
    "plus_in_minus_picture": _rule_plus_in_minus_picture,
    "blank_numeric_zero": _rule_blank_numeric_zero,
}


def _child_record(path: str, records: list[tuple[str, bytes]], view: CobrixView) -> bytes | None:
    """Raw bytes of the child record a hierarchical path (``COMPANY.DEPT[1].OFFICE[0].X``)
    points at: the k-th record of each segment after its parent, within the parent's subtree
    (``records``: the root's flat records in file order, as (group, bytes))."""
    steps = [(t.split("[")[0], int(t.split("[")[1][:-1])) for t in path.split(".") if "[" in t]
    pos, cur = 0, records[0][0]
    for group, k in steps:
        inside = view.m.descendants(cur) - {cur}
        count, found = 0, None
        for j in range(pos + 1, len(records)):
            g = records[j][0]
            if g not in inside:
                break
            if g == group:
                if count == k:
                    found = j
                    break
                count += 1
        if found is None:
            return None
        pos, cur = found, group
    return records[pos][1]


def classify(
    diffs: list[Diff],
    view: CobrixView,
    raw: bytes | None,
    records: list[tuple[str, bytes]] | None = None,
) -> None:
    """Mark the diffs that a tolerance rule explains."""
    for d in diffs:
        p = _strip_index(d.path)
        if view.m.keep_original and not view._multi_root and p.startswith(view.root_name + "."):
            p = p[len(view.root_name) + 1 :]
        fi = view.fields.get(p)
        b = _field_bytes(fi, raw)
        if records and "[" in d.path and fi is not None and fi.offset is not None:
            child = _child_record(d.path, records, view)  # a field of a nested child segment
            b = None if child is None else child[fi.offset : fi.offset + (fi.length or 0)]
        for name, rule in TOLERANCES.items():
            if rule(d, fi, b, view):
                d.tolerated = name
                break


@dataclass
class Outcome:
    """Result of comparing a case: failing diffs, tolerated diffs, row counts."""

    expected_rows: int
    our_rows: int
    failures: list[tuple[int, Diff]] = field(default_factory=list)
    tolerated: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures and self.expected_rows == self.our_rows

    def summary(self, limit: int = 12) -> str:
        lines = [
            f"rows: expected {self.expected_rows}, ours {self.our_rows}; "
            f"{len(self.failures)} differing values; tolerated {self.tolerated}"
        ]
        lines += [f"  row {i}: {d}" for i, d in self.failures[:limit]]
        return "\n".join(lines)


def _order_key(row: dict[str, Any], order: list[str]) -> tuple:
    return tuple(_sort_key(get_path(row, k)) for k in order)


def compare_case(
    c: dict[str, Any], m: Mapping, ours: list[dict[str, Any]], view: CobrixView
) -> Outcome:
    """Compare our (Cobrix-view) rows with the case's expected rows."""
    comp = c.get("comparison") or {}
    expected = load_expected(c)
    ours = apply_comparison(ours, comp, view)
    lenient = c["expected_kind"] != "spark-json-lines"
    out = Outcome(len(expected), len(ours))
    order = comp.get("order_by") or []
    used: set[int] = set()
    for i, exp in enumerate(expected):
        candidates = [i] if i < len(ours) else []
        if order and i < len(ours):  # rows tied on the sort key may come in any order
            key = _order_key(exp, order)
            candidates = [
                j for j in range(len(ours)) if j not in used and _order_key(ours[j], order) == key
            ] or candidates
        best: list[Diff] | None = None
        best_j = None
        for j in candidates:
            diffs: list[Diff] = []
            diff_rows(exp, ours[j], "", lenient, diffs)
            classify(diffs, view, ours[j]["__raw__"], ours[j].get("__records__"))
            if best is None or sum(d.tolerated is None for d in diffs) < sum(
                d.tolerated is None for d in best
            ):
                best, best_j = diffs, j
            if not any(d.tolerated is None for d in diffs):
                break
        if best_j is None:
            continue
        used.add(best_j)
        for d in best or []:
            if d.tolerated:
                out.tolerated[d.tolerated] = out.tolerated.get(d.tolerated, 0) + 1
            else:
                out.failures.append((i, d))
    return out


# ------------------------------------------------------------------------------ running
@dataclass
class CaseResult:
    """What running a case gave: the comparison, a count, or an error."""

    name: str
    mapping: Mapping | None
    outcome: Outcome | None = None
    count: int | None = None
    error: BaseException | None = None
    reports: list[legacyio.DecodeReport] = field(default_factory=list)


def run_case(c: dict[str, Any]) -> CaseResult:
    """Read a case with legacyio and compare it (rows, count or expected error)."""
    kind = c["expected_kind"]
    if kind == "error" and c["data"] is None:
        m = map_case(c)
        try:
            layout = legacyio.load_copybook(m.copybook_text)
            legacyio.read_table(b"", layout, **m.kwargs)
        except legacyio.LegacyioError as e:
            return CaseResult(c["name"], m, error=e)
        return CaseResult(c["name"], m)
    m = map_case(c)
    try:
        rows, view, reports = read_ours(m)
    except (legacyio.LegacyioError, TypeError, ValueError) as e:
        return CaseResult(c["name"], m, error=e)
    if kind == "row-count":
        return CaseResult(c["name"], m, count=len(rows), reports=reports)
    if kind == "error":
        return CaseResult(c["name"], m, count=len(rows), reports=reports)
    return CaseResult(c["name"], m, outcome=compare_case(c, m, rows, view), reports=reports)


def iter_cases() -> Iterable[dict[str, Any]]:
    return iter(manifest())
