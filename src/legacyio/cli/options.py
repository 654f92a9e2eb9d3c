"""Command-line options: every flag that describes the file is defined once
(``file_format_options``) and turned into the option classes in one place (``build_format``,
``build_read_options``, ``build_write_options``), so every command describes a file with the
same flags; job files (``--job``) fill in what the command line does not say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import click

from legacyio.cli.jobfile import JobFile, load_job, pairs_value, segments_value
from legacyio.errors import OptionsError
from legacyio.options import FileFormat, ReadOptions, WriteOptions

_FORMAT_FIELDS = [a.name for a in attrs.fields(FileFormat)]


_READ_FIELDS = [a.name for a in attrs.fields(ReadOptions)]


_WRITE_FIELDS = [a.name for a in attrs.fields(WriteOptions)]


_CASED_FIELDS = ("occurs_mappings", "record_header_parser", "segment_children", "date_formats")
"""FileFormat fields given as text whose case matters (names and values, not keywords)."""

_PAIR_FIELDS = ("segments", "record_types", "field_code_page")
"""FileFormat fields given as repeated NAME=VALUE flags (or a table in a job file)."""

TABLE_VALUED = frozenset({"occurs_mappings"})
"""Options a job file may give as a table; the flag takes the same content as JSON text."""


class SegmentType(click.ParamType):
    """``ID=GROUP``: records whose segment field holds ID use the REDEFINES group GROUP."""

    name = "ID=GROUP"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple) and len(value) == 2:
            return value
        text = str(value)
        if "=" not in text:
            self.fail(f"{text!r} is not ID=GROUP", param, ctx)
        sid, grp = text.split("=", 1)
        if not grp.strip():
            self.fail(f"{text!r} has no group name", param, ctx)
        return sid.strip(), grp.strip()


class NamedValueType(click.ParamType):
    """``NAME=VALUE`` (the value may itself hold '='): a record-type rule or a field's code
    page."""

    def __init__(self, metavar: str) -> None:
        self.name = metavar

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple) and len(value) == 2:
            return value
        text = str(value)
        if "=" not in text:
            self.fail(f"{text!r} is not {self.name}", param, ctx)
        name, rest = text.split("=", 1)
        if not name.strip() or not rest.strip():
            self.fail(f"{text!r} is not {self.name}", param, ctx)
        return name.strip(), rest  # as written: a rule error's column counts in it


def _choice(*values: str) -> click.Choice:
    return click.Choice(values, case_sensitive=False)


def _stack(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(f: Any) -> Any:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


copybook_options = _stack(
    click.option(
        "-c",
        "--copybook",
        type=click.Path(dir_okay=False),
        help="Copybook file describing the records.",
    ),
    click.option(
        "-I",
        "--copybook-dir",
        "copybook_dir",
        multiple=True,
        type=click.Path(file_okay=False),
        help="Folder searched for COPY members (repeatable).",
    ),
    click.option(
        "--copybook-format",
        type=_choice("fixed", "free"),
        default=None,
        help="Copybook source format (default: detected).",
    ),
)


file_format_options = _stack(
    click.option(
        "--record-format",
        "record_format",
        type=_choice("F", "FB", "V", "VB", "VBS", "D", "ODO"),
        help="F/FB fixed, V RDW, VB blocked RDW, VBS blocked spanned (segments over "
        "blocks), D text lines, ODO length from "
        "OCCURS DEPENDING ON counts. [default: F]",
    ),
    click.option(
        "--record-length",
        type=click.IntRange(min=1),
        help="Fixed record length (default: from the copybook).",
    ),
    click.option(
        "--encoding",
        help="Code page: cp037 (default), cp1047, cp500, ..., or an "
        "ASCII-side codec (ascii, latin-1, utf-8).",
    ),
    click.option(
        "--rdw",
        "--rdw-byteorder",
        "rdw_byteorder",
        type=_choice("big", "little"),
        help="Byte order of RDW/BDW lengths. [default: big]",
    ),
    click.option(
        "--rdw-adjustment",
        type=int,
        help="Added to each RDW value to get the length including the RDW (GnuCOBOL: "
        "4). [default: 0]",
    ),
    click.option("--bdw-adjustment", type=int, help="Added to each BDW value. [default: 0]"),
    click.option(
        "--block-size",
        type=click.IntRange(min=8),
        help="Maximum block length when writing VB. [default: 32760]",
    ),
    click.option(
        "--header-bytes", type=click.IntRange(min=0), help="Bytes before the first record."
    ),
    click.option(
        "--header-records",
        type=click.IntRange(min=0),
        help="Records skipped after the header bytes.",
    ),
    click.option(
        "--trailer-bytes", type=click.IntRange(min=0), help="Bytes after the last record."
    ),
    click.option(
        "--record-start-offset",
        type=click.IntRange(min=0),
        help="Bytes in each record before the copybook's data (Cobrix record_start_offset).",
    ),
    click.option(
        "--record-end-offset",
        type=click.IntRange(min=0),
        help="Bytes in each record after the copybook's data (Cobrix record_end_offset).",
    ),
    click.option(
        "--minimum-record-length",
        type=click.IntRange(min=0),
        help="Leave out records with a shorter payload (counted, kept in the residue).",
    ),
    click.option(
        "--maximum-record-length",
        type=click.IntRange(min=0),
        help="Leave out records with a longer payload (counted, kept in the residue).",
    ),
    click.option(
        "--record-header-parser",
        metavar="MODULE:NAME",
        help="Python hook framing records with custom headers (see README).",
    ),
    click.option("--length-field", help="Copybook field holding each record's length."),
    click.option(
        "--variable-occurs/--fixed-occurs",
        "variable_occurs",
        default=None,
        help="OCCURS DEPENDING ON tables shrink the record (default: yes for "
        "V/VB/D/ODO) or take their maximum size.",
    ),
    click.option(
        "--float-format",
        type=_choice("ibm", "ieee"),
        help="COMP-1/COMP-2 representation. [default: ibm]",
    ),
    click.option(
        "--float-byteorder",
        type=_choice("big", "little"),
        help="Byte order of IEEE floats. [default: big]",
    ),
    click.option(
        "--binary-byteorder",
        type=_choice("big", "little"),
        help="Byte order of COMP/BINARY. [default: big]",
    ),
    click.option(
        "--comp5-byteorder",
        type=_choice("big", "little"),
        help="Byte order of COMP-5. [default: big]",
    ),
    click.option(
        "--ascii-sign",
        type=_choice("ibm", "mf"),
        help="Zoned sign convention written to ASCII files. [default: mf]",
    ),
    click.option(
        "--line-terminator",
        type=_choice("lf", "crlf"),
        help="Line end written to D (text line) files; reading accepts both. [default: lf]",
    ),
    click.option("--segment-field", help="Field whose value tells a record's segment."),
    click.option(
        "--segment",
        "segments",
        type=SegmentType(),
        multiple=True,
        help="Segment map entry ID=GROUP (repeatable).",
    ),
    click.option(
        "--record-type",
        "record_types",
        type=NamedValueType("GROUP=RULE"),
        multiple=True,
        help="Record-type rule (repeatable, tried in order): records for which RULE holds use "
        "the REDEFINES group or 01 record GROUP, e.g. \"ENT=REC-TYPE = 'E' and REGION in "
        "('01','02')\".",
    ),
    click.option(
        "--field-code-page",
        "field_code_page",
        type=NamedValueType("FIELD=CP"),
        multiple=True,
        help="Code page of one text field, both ways (repeatable; Cobrix field_code_page).",
    ),
    click.option("--record", help="Which 01-level record of the copybook to use."),
    click.option(
        "--numbers-as-text",
        "numbers_as_text",
        multiple=True,
        metavar="FIELDS",
        help="Unsigned DISPLAY numeric fields read as text, leading zeros kept "
        "(comma-separated, repeatable).",
    ),
    click.option(
        "--segment-children",
        "segment_children",
        multiple=True,
        metavar="PARENT=CHILD,...",
        help="Nest child segment groups under their parent (repeatable; Cobrix "
        "segment-children). One row per root record.",
    ),
    click.option(
        "--date-format",
        "date_formats",
        multiple=True,
        metavar="FIELD=FORMAT",
        help="Read FIELD as a date (Arrow date32) and write it back: yyyymmdd, yyyyddd, "
        "cyymmdd, yymmdd or yyddd (repeatable). Invalid dates are null and reported.",
    ),
    click.option(
        "--date-pivot-year",
        type=click.IntRange(min=1, max=9900),
        help="First year of the window of two-digit years (yymmdd, yyddd). [default: 1950]",
    ),
    click.option(
        "--binary-truncation",
        type=_choice("std", "bin"),
        help="COMP values beyond the PICTURE's digits: null and reported (std, IBM "
        "TRUNC(STD)) or decoded in full (bin, TRUNC(BIN)). [default: std]",
    ),
    click.option(
        "--occurs-mappings",
        "occurs_mappings",
        help='OCCURS DEPENDING ON through a value map, as JSON: \'{"TABLE": {"A": 0, "B": 1}}\' '
        "(Cobrix occurs_mappings).",
    ),
)


_batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Records per batch (memory bound). [default: 32768 reading, 65536 writing]",
)


_names_option = click.option(
    "--names",
    type=_choice("python", "cobol"),
    help="Column names: COBOL names with '-' as '_' (python) or as "
    "written (cobol). [default: python]",
)


_fillers_option = click.option(
    "--fillers/--no-fillers",
    default=None,
    help="Keep FILLER bytes as binary columns. [default: yes]",
)


read_options = _stack(
    _batch_size_option,
    click.option(
        "--batch-bytes",
        type=click.IntRange(min=1),
        help="At most this many bytes of records per batch (wide records get fewer "
        "than --batch-size). [default: 67108864]",
    ),
    click.option(
        "--columns",
        multiple=True,
        help="Decode only these top-level columns (comma-separated, repeatable).",
    ),
    click.option(
        "--strict/--no-strict",
        default=None,
        help="Stop at the first bad field (exit 1) instead of writing null and counting it.",
    ),
    click.option(
        "--trim",
        type=_choice("right", "left", "both", "none"),
        help="Spaces stripped from text. [default: right]",
    ),
    click.option(
        "--flatten/--no-flatten",
        default=None,
        help="Flat columns (GROUP_FIELD, ARR_1..n) instead of structs and lists.",
    ),
    _names_option,
    click.option(
        "--residue/--no-residue",
        default=None,
        help="Keep what a byte-exact round trip needs. [default: yes]",
    ),
    _fillers_option,
    click.option(
        "--record-number/--no-record-number", default=None, help="Add a record_number column."
    ),
    click.option(
        "--record-offset/--no-record-offset", default=None, help="Add a record_offset column."
    ),
    click.option("--file-name/--no-file-name", default=None, help="Add a file_name column."),
    click.option(
        "--lenient-framing/--no-lenient-framing",
        default=None,
        help="Report a trailing partial record instead of failing.",
    ),
    click.option("--threads", type=click.IntRange(min=1), help="Decoding threads."),
    click.option(
        "--segment-id-level",
        "segment_id_levels",
        multiple=True,
        metavar="IDS",
        help="Segment ids of the next hierarchy level, root first (repeatable; comma-separated "
        "ids, '*' any other): adds Seg_Id0..N key columns (Cobrix segment_id_level<N>).",
    ),
    click.option(
        "--debug-columns",
        "debug_columns",
        type=_choice("hex", "binary"),
        help="Add <FIELD>_debug columns with each field's raw bytes (Cobrix debug; job "
        'files: debug = "hex").',
    ),
    click.option(
        "--corrupt-fields/--no-corrupt-fields",
        default=None,
        help="Add a _corrupt_fields column: per row the fields that could not be decoded.",
    ),
    click.option(
        "--non-terminals",
        multiple=True,
        metavar="GROUPS",
        help="Groups also emitted as one text column <GROUP>_NT (comma-separated, repeatable).",
    ),
    click.option(
        "--segment-id-prefix",
        help="Prefix of the generated Seg_Id values (Cobrix segment_id_prefix).",
    ),
    click.option(
        "--max-bad-fields",
        type=click.IntRange(min=0),
        help="Fail (exit 1, no output) when more field values than this are bad.",
    ),
    click.option(
        "--max-bad-fraction",
        type=click.FloatRange(min=0, max=1),
        help="Fail (exit 1, no output) when more than this fraction (0-1) of the records "
        "has a bad field. Without either limit, a warning names the likely cause when "
        "more than half of the records are bad or kept raw.",
    ),
)


write_options = _stack(
    _batch_size_option,
    click.option(
        "--on-overflow",
        type=_choice("error", "truncate"),
        help="A value too large for its field: fail or truncate. [default: error]",
    ),
    click.option(
        "--null-as",
        type=_choice("error", "spaces", "low-values", "zero"),
        help="How to write a null into a field with no null form. [default: error]",
    ),
    click.option(
        "--use-residue/--no-use-residue",
        default=None,
        help="Write records from the raw copies a decoded table carries. [default: yes]",
    ),
    click.option(
        "--allow-float/--no-allow-float",
        default=None,
        help="Accept float columns for decimal/integer fields when every value is exact "
        "at the field's scale. [default: refuse floats]",
    ),
)


run_options = _stack(
    click.option(
        "--job",
        type=click.Path(dir_okay=False),
        help="TOML job file with the options of this step (flags override it).",
    ),
    click.option(
        "-q",
        "--quiet/--no-quiet",
        default=None,
        help="No progress bar and no summary (warnings are still shown).",
    ),
    click.option("--debug", is_flag=True, default=None, help="Show the traceback of an error."),
)


def format_fields(params: dict[str, Any]) -> dict[str, Any]:
    """The FileFormat fields given explicitly (flags or job file)."""
    out: dict[str, Any] = {}
    for name in _FORMAT_FIELDS:
        v = params.get(name)
        if v is None or (name in _PAIR_FIELDS and not v):
            continue
        if name == "record_format":
            v = str(v).upper()
        elif (
            isinstance(v, str)
            and name != "encoding"
            and name not in ("segment_field", "length_field", "record", *_CASED_FIELDS)
        ):
            v = v.lower()
        if name in ("segment_children", "numbers_as_text", "date_formats") and not v:
            continue
        if name == "numbers_as_text":
            v = tuple(x.strip() for part in v for x in str(part).split(",") if x.strip())
        out[name] = tuple(v) if name in (*_PAIR_FIELDS, "segment_children", "date_formats") else v
    return out


def build_format(params: dict[str, Any], base: dict[str, Any] | None = None) -> FileFormat:
    """The FileFormat the flags describe, over ``base`` (e.g. a table's stored format)."""
    fields = dict(base or {})
    fields.update(format_fields(params))
    try:
        fmt = FileFormat(**fields)
    except OptionsError:
        raise  # already names the option (a record-type rule: its column too)
    except (TypeError, ValueError) as e:
        raise OptionsError(f"invalid file format options: {e}") from None
    if fmt.segments and not fmt.segment_field:
        raise OptionsError("--segment needs --segment-field")
    from legacyio.codecs.codepages import get_codepage

    get_codepage(fmt.encoding)  # OptionsError for an unknown code page
    return fmt


def build_read_options(params: dict[str, Any], **defaults: Any) -> ReadOptions:
    """ReadOptions from the flags; ``defaults`` apply where no flag was given."""
    kw = dict(defaults)
    if params.get("debug_columns"):
        kw["debug"] = params["debug_columns"]
    for name in _READ_FIELDS:
        if name == "debug":
            continue  # --debug shows tracebacks; debug columns come from --debug-columns
        v = params.get(name)
        if v is None or (name == "columns" and not v):
            continue
        if name == "columns":
            v = tuple(c.strip() for part in v for c in str(part).split(",") if c.strip())
        elif name in ("segment_id_levels", "segment_id_prefix", "non_terminals"):
            pass  # ids, prefix and names: case kept
        elif isinstance(v, str):
            v = v.lower()
        kw[name] = v
    return ReadOptions(**kw)


def build_write_options(params: dict[str, Any]) -> WriteOptions:
    """WriteOptions from the flags."""
    kw: dict[str, Any] = {}
    for name in _WRITE_FIELDS:
        v = params.get(name)
        if v is not None:
            kw[name] = v.lower() if isinstance(v, str) else v
    return WriteOptions(**kw)


ALL_OPTION_NAMES: set[str] = set()


def apply_job(ctx: click.Context, params: dict[str, Any]) -> JobFile | None:
    """Fill the options not given on the command line from ``--job``."""
    path = params.get("job")
    if not path:
        return None
    job = load_job(path)
    job.check_known(ALL_OPTION_NAMES)
    cmd = ctx.command
    by_name = {p.name: p for p in cmd.params if p.name}
    name = ctx.info_name or cmd.name or ""
    if ctx.parent is not None and ctx.parent.parent is not None:
        name = ctx.parent.info_name or name  # `index build`: the [index] section
    for key, value in job.options_for(name).items():
        param = by_name.get(key)
        if param is None or key == "job":
            continue  # an option of another command (a job file may serve several)
        src = ctx.get_parameter_source(key)
        if src not in (None, click.core.ParameterSource.DEFAULT):
            continue  # the command line wins
        if key == "segments":
            params[key] = segments_value(value, job.path)
            continue
        if key in ("record_types", "field_code_page"):
            params[key] = pairs_value(key, value, job.path)
            continue
        if key == "debug" and isinstance(value, str):  # Cobrix's debug = "hex" | "raw"
            key, param = "debug_columns", by_name.get("debug_columns")
            value = {"true": "hex", "raw": "binary"}.get(value.lower(), value.lower())
            if param is None or ctx.get_parameter_source(key) not in (
                None,
                click.core.ParameterSource.DEFAULT,
            ):
                continue
        if key == "segment_children" and isinstance(value, dict):
            params[key] = tuple(
                f"{p}={v if isinstance(v, str) else ','.join(v)}" for p, v in value.items()
            )
            continue
        if key == "date_formats" and isinstance(value, dict):
            params[key] = tuple(f"{f}={form}" for f, form in value.items())
            continue
        if key in TABLE_VALUED and isinstance(value, (dict, list)):
            import json

            params[key] = json.dumps(value)
            continue
        try:
            if param.multiple and not isinstance(value, list):
                value = [value]
            params[key] = param.type_cast_value(ctx, value)
        except click.BadParameter as e:
            raise OptionsError(f"{job.path}: option {key!r}: {e.message}") from None
    return job
