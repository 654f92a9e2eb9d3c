"""The ``legacyio`` command line: convert, encode, head, verify, schema.

A thin shell over the library: every option that describes the file is defined once
(``file_format_options``) and turned into a ``FileFormat`` in one place (``build_format``), so
convert, encode, verify and head describe a file with the same flags. Outputs are atomic,
progress goes to stderr only on a terminal, and errors are one line naming a file and a place,
never a field's content. Exit status: 0 success, 1 data errors, 2 usage errors, 130 Ctrl-C.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import click

from legacyio.cli.jobfile import COMMAND_SECTIONS, JobFile, load_job, segments_value
from legacyio.errors import CopybookError, DecodeError, EncodeError, LegacyioError, OptionsError
from legacyio.options import FileFormat, ReadOptions, WriteOptions

__all__ = [
    "build_format",
    "build_read_options",
    "build_write_options",
    "cli",
    "file_format_options",
    "main",
]

_FORMAT_FIELDS = [a.name for a in attrs.fields(FileFormat)]
_READ_FIELDS = [a.name for a in attrs.fields(ReadOptions)]
_WRITE_FIELDS = [a.name for a in attrs.fields(WriteOptions)]

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERRUPT = 0, 1, 2, 130


# ---- option types -------------------------------------------------------------------------


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


def _choice(*values: str) -> click.Choice:
    return click.Choice(values, case_sensitive=False)


def _stack(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(f: Any) -> Any:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


# ---- shared option groups (each defined ONCE) -----------------------------------------------

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
        type=_choice("F", "FB", "V", "VB", "D", "ODO"),
        help="F/FB fixed, V RDW, VB blocked RDW, D text lines, ODO length from "
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
    click.option("--record", help="Which 01-level record of the copybook to use."),
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
)

run_options = _stack(
    click.option(
        "--job",
        type=click.Path(dir_okay=False),
        help="TOML job file with the options of this step (flags override it).",
    ),
    click.option("-q", "--quiet/--no-quiet", default=None, help="No progress bar and no summary."),
    click.option("--debug", is_flag=True, default=None, help="Show the traceback of an error."),
)


# ---- building option objects (ONE place each) -------------------------------------------


def format_fields(params: dict[str, Any]) -> dict[str, Any]:
    """The FileFormat fields given explicitly (flags or job file)."""
    out: dict[str, Any] = {}
    for name in _FORMAT_FIELDS:
        v = params.get(name)
        if v is None or (name == "segments" and not v):
            continue
        if name == "record_format":
            v = str(v).upper()
        elif (
            isinstance(v, str)
            and name != "encoding"
            and name not in ("segment_field", "length_field", "record")
        ):
            v = v.lower()
        out[name] = tuple(v) if name == "segments" else v
    return out


def build_format(params: dict[str, Any], base: dict[str, Any] | None = None) -> FileFormat:
    """The FileFormat the flags describe, over ``base`` (e.g. a table's stored format)."""
    fields = dict(base or {})
    fields.update(format_fields(params))
    try:
        fmt = FileFormat(**fields)
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
    for name in _READ_FIELDS:
        v = params.get(name)
        if v is None or (name == "columns" and not v):
            continue
        if name == "columns":
            v = tuple(c.strip() for part in v for c in str(part).split(",") if c.strip())
        elif isinstance(v, str):
            v = v.lower()
        kw[name] = v
    return ReadOptions(**kw)


def build_write_options(params: dict[str, Any]) -> WriteOptions:
    """WriteOptions from the flags."""
    kw = {}
    for name in _WRITE_FIELDS:
        v = params.get(name)
        if v is not None:
            kw[name] = v.lower() if isinstance(v, str) else v
    return WriteOptions(**kw)


# ---- job files -------------------------------------------------------------------------------

_ALL_OPTION_NAMES: set[str] = set()


def _apply_job(ctx: click.Context, params: dict[str, Any]) -> JobFile | None:
    """Fill the options not given on the command line from ``--job``."""
    path = params.get("job")
    if not path:
        return None
    job = load_job(path)
    job.check_known(_ALL_OPTION_NAMES)
    cmd = ctx.command
    by_name = {p.name: p for p in cmd.params if p.name}
    for key, value in job.options_for(ctx.info_name or cmd.name or "").items():
        param = by_name.get(key)
        if param is None or key == "job":
            continue  # an option of another command (a job file may serve several)
        src = ctx.get_parameter_source(key)
        if src not in (None, click.core.ParameterSource.DEFAULT):
            continue  # the command line wins
        if key == "segments":
            params[key] = segments_value(value, job.path)
            continue
        try:
            if param.multiple and not isinstance(value, list):
                value = [value]
            params[key] = param.type_cast_value(ctx, value)
        except click.BadParameter as e:
            raise OptionsError(f"{job.path}: option {key!r}: {e.message}") from None
    return job


# ---- errors and exit status -------------------------------------------------------------------


class _Abort(Exception):
    """Carries an exit status out of a command after the message was printed."""

    def __init__(self, code: int) -> None:
        self.code = code


def _err(message: str) -> None:
    click.echo(f"legacyio: error: {message}", err=True)


@contextlib.contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Map exceptions to one clear line and an exit status (tracebacks with --debug)."""
    try:
        yield
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        _err("interrupted; no output was left behind")
        raise _Abort(EXIT_INTERRUPT) from None
    except BaseException as e:
        if isinstance(e, SystemExit):
            raise
        if debug:
            traceback.print_exc()
        code, msg = _classify(e)
        _err(msg)
        raise _Abort(code) from None


def _classify(e: BaseException) -> tuple[int, str]:
    if isinstance(e, (CopybookError, OptionsError)):
        return EXIT_USAGE, str(e)
    if isinstance(e, (DecodeError, EncodeError)):
        return EXIT_DATA, str(e)
    if isinstance(e, LegacyioError):
        return EXIT_DATA, str(e)
    if isinstance(e, FileExistsError):
        return (
            EXIT_USAGE,
            f"{e.filename or e} exists; use --overwrite to replace it"
            if e.filename
            else f"{e}; use --overwrite to replace it",
        )
    if isinstance(e, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        return EXIT_USAGE, f"{e.filename}: {e.strerror}" if e.filename else str(e)
    if isinstance(e, OSError):
        return EXIT_DATA, f"{e.filename}: {e.strerror}" if e.filename else (
            e.strerror or type(e).__name__
        )
    if isinstance(e, KeyError):  # an item name the copybook does not have
        return EXIT_USAGE, f"not in the copybook: {e.args[0] if e.args else e}"
    # anything else could quote data in its message: name the kind only
    return EXIT_DATA, (f"internal error ({type(e).__name__}); rerun with --debug for the traceback")


def _command(f: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command body with job-file merging and error mapping."""

    @functools.wraps(f)
    def wrapper(**params: Any) -> None:
        ctx = click.get_current_context()
        debug = bool(params.get("debug"))
        try:
            with _errors(debug):
                _apply_job(ctx, params)
                debug = bool(params.get("debug"))
            with _errors(debug):
                f(ctx, params)
        except _Abort as a:
            ctx.exit(a.code)

    return wrapper


# ---- progress and summary -------------------------------------------------------------------


class ProgressBar:
    """A one-line progress display on stderr (records, MB, MB/s, ETA from the input size),
    redrawn at most ten times a second; does nothing unless enabled."""

    def __init__(self, verb: str, total_bytes: int | None, enabled: bool) -> None:
        self.verb = verb
        self.total = total_bytes if total_bytes else None
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.records = 0
        self.bytes = 0
        self.drawn = False

    def __call__(self, records: int, nbytes: int) -> None:
        self.records, self.bytes = records, nbytes
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        self._draw(now)

    def _draw(self, now: float) -> None:
        el = max(now - self.start, 1e-9)
        rate = self.bytes / el
        parts = [
            f"{self.verb} {self.records:,} records",
            f"{self.bytes / 1e6:,.1f} MB",
            f"{rate / 1e6:,.1f} MB/s",
        ]
        if self.total:
            frac = min(self.bytes / self.total, 1.0)
            width = 20
            fill = int(frac * width)
            parts.append(f"[{'#' * fill}{'.' * (width - fill)}] {frac * 100:3.0f}%")
            if rate > 0 and frac < 1:
                eta = (self.total - self.bytes) / rate
                parts.append(f"ETA {int(eta // 60)}:{int(eta % 60):02d}")
        cols = shutil.get_terminal_size((80, 20)).columns
        line = "  ".join(parts)[: max(cols - 1, 10)]
        sys.stderr.write("\r" + line + "\x1b[K")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        """Erase the bar."""
        if self.drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.drawn = False


def _progress(params: dict[str, Any], verb: str, total: int | None) -> ProgressBar:
    enabled = not params.get("quiet") and sys.stderr.isatty()
    return ProgressBar(verb, total, enabled)


def _short_path(path: str) -> str:
    return path.split(".", 1)[1] if "." in path else path


def summary_line(verb: str, records: int, nbytes: int, seconds: float, report: Any = None) -> str:
    """``converted 1,000 records (187,000 bytes) in 0.42 s, 0.4 MB/s; bad fields: BAL 3``."""
    rate = nbytes / seconds / 1e6 if seconds > 0 else 0.0
    line = f"{verb} {records:,} records ({nbytes:,} bytes) in {seconds:.2f} s, {rate:,.1f} MB/s"
    if report is not None:
        if report.fields:
            items = sorted(report.fields.items(), key=lambda kv: -kv[1].count)
            line += "; bad fields: " + ", ".join(f"{_short_path(k)} {v.count:,}" for k, v in items)
        if report.framing:
            line += f"; framing issues: {len(report.framing):,}"
        if report.unmatched_segments:
            line += f"; records of no known segment: {report.unmatched_segments:,}"
    return line


def _finish(params: dict[str, Any], line: str, report: Any = None) -> None:
    if params.get("report_file") and report is not None:
        from legacyio.sources import open_sink

        with open_sink(params["report_file"]) as out:
            out.write(json.dumps(report.to_dict(), indent=2).encode() + b"\n")
    if params.get("quiet"):
        return
    click.echo(line, err=True)
    if params.get("verbose") and report is not None:
        for detail in report.summary_lines():
            click.echo(f"  {detail}", err=True)


def _input_size(path: str) -> int | None:
    if path.lower().endswith((".gz", ".bz2", ".xz")):
        return None
    try:
        return os.path.getsize(path)
    except OSError:
        return None


# ---- helpers shared by the commands -----------------------------------------------------------


def _need(params: dict[str, Any], name: str, label: str) -> str:
    v = params.get(name)
    if not v:
        raise click.UsageError(f"missing {label} (give it as an argument or in --job)")
    return str(v)


def _existing_file(path: str, label: str) -> str:
    if not os.path.exists(path):
        raise OptionsError(f"{label} file {path} does not exist")
    if os.path.isdir(path):
        raise OptionsError(f"{label} {path} is a directory, not a file")
    return path


def _load_layout(params: dict[str, Any], text: str | None = None) -> Any:
    from legacyio.copybook import load_copybook

    source = params.get("copybook")
    if not source:
        if text is None:
            raise click.UsageError("missing option -c/--copybook")
        source = text
    else:
        if not os.path.exists(source):
            raise CopybookError("copybook file not found", file=str(source))
    return load_copybook(
        source,
        search_path=tuple(params.get("copybook_dir") or ()),
        format=params.get("copybook_format"),
    )


def _check_names(layout: Any, fmt: FileFormat) -> None:
    """Fields named by options must exist: a usage error (exit 2) before reading."""
    for opt, name in (("--segment-field", fmt.segment_field), ("--length-field", fmt.length_field)):
        if name:
            try:
                layout.find(name)
            except KeyError:
                raise OptionsError(f"{opt}: {name} is not in the copybook") from None
            except ValueError as e:
                raise OptionsError(f"{opt}: {name}: {e}") from None


def _check_output(
    path: str, overwrite: bool, inputs: tuple[str, ...], parent_made: bool = False
) -> None:
    for inp in inputs:
        if inp and os.path.abspath(inp) == os.path.abspath(path):
            raise OptionsError(f"output {path} is the input file")
    if not overwrite and os.path.lexists(path):
        raise OptionsError(f"output {path} exists; use --overwrite to replace it")
    parent = os.path.dirname(os.path.abspath(path))
    if not parent_made and not os.path.isdir(parent):
        raise OptionsError(f"the folder of output {path} does not exist")


# ---- head rendering ---------------------------------------------------------------------------


def _cell(value: Any, width: int) -> str:
    """One value as short text: lists compactly, bytes as hex, long text cut with an ellipsis."""
    if value is None:
        text = "null"
    elif isinstance(value, list):
        if value and all(not isinstance(v, (dict, list)) for v in value):
            shown = "[" + ", ".join(_cell(v, width) for v in value) + "]"
            text = shown if len(shown) <= width else f"[{len(value)} items]"
        else:
            text = f"[{len(value)} items]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_cell(v, width)}" for k, v in value.items()) + "}"
    elif isinstance(value, (bytes, bytearray)):
        text = "x'" + bytes(value).hex().upper() + "'"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    text = "".join(c if c.isprintable() else "\u00b7" for c in text)
    if len(text) > width and isinstance(value, (str, bytes, bytearray, dict)):
        text = text[: max(width - 1, 1)] + "\u2026"
    return text


def _flat_for_display(table: Any) -> Any:
    """Structs become dotted columns (``GRP.FIELD``), at any depth."""
    import pyarrow as pa

    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return table


def render_table(table: Any, width: int = 24) -> str:
    """A plain aligned text table of the records; numbers right-aligned."""
    import pyarrow as pa

    table = _flat_for_display(table)
    if table.num_columns == 0:
        return ""
    heads = list(table.column_names)
    cols = [
        [_cell(v, width) for v in table.column(i).to_pylist()] for i in range(table.num_columns)
    ]
    right = [
        pa.types.is_integer(f.type) or pa.types.is_decimal(f.type) or pa.types.is_floating(f.type)
        for f in table.schema
    ]
    widths = [max([len(h), *(len(c) for c in col)]) for h, col in zip(heads, cols)]
    lines = [
        "  ".join(
            h.rjust(w) if r else h.ljust(w) for h, w, r in zip(heads, widths, right)
        ).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for i in range(table.num_rows):
        lines.append(
            "  ".join(
                col[i].rjust(w) if r else col[i].ljust(w) for col, w, r in zip(cols, widths, right)
            ).rstrip()
        )
    return "\n".join(lines)


def render_vertical(table: Any, width: int = 72, first: int = 1) -> str:
    """One block a record, one ``path : value`` line a field (for wide records)."""
    table = _flat_for_display(table)
    heads = list(table.column_names)
    w = max((len(h) for h in heads), default=0)
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    out = []
    for i in range(table.num_rows):
        out.append(f"-- record {first + i} --")
        for h, col in zip(heads, cols):
            out.append(f"{h.ljust(w)} : {_cell(col[i], width)}")
    return "\n".join(out)


# ---- commands ---------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="legacyio", prog_name="legacyio")
def cli() -> None:
    """Mainframe COBOL files (copybook + EBCDIC records) to Arrow formats and back, byte for
    byte. Exit status: 0 success, 1 data error or verify mismatch, 2 usage error."""


_output_options = _stack(
    click.option(
        "--to",
        "to",
        type=_choice("parquet", "arrow", "feather", "arrows", "csv", "jsonl"),
        help="Output format (default: from OUTPUT's extension; parquet when none).",
    ),
    click.option(
        "--compression",
        type=_choice("none", "snappy", "gzip", "brotli", "zstd", "lz4"),
        help="Parquet / Arrow compression. [default: snappy for Parquet]",
    ),
    click.option("--compression-level", type=int, help="Codec compression level."),
    click.option(
        "--row-group-size",
        type=click.IntRange(min=1),
        help="Parquet rows per row group (default: one row group per batch).",
    ),
    click.option(
        "--decimals",
        type=_choice("string", "number"),
        help="JSON Lines decimals: exact strings or exact JSON numbers. [default: string]",
    ),
    click.option(
        "--split-segments/--no-split-segments",
        default=None,
        help="One output per segment; OUTPUT is then a folder.",
    ),
    click.option("--overwrite/--no-overwrite", default=None, help="Replace an existing OUTPUT."),
    click.option(
        "--report-file",
        type=click.Path(dir_okay=False),
        help="Write the decode report (counts and places, no values) as JSON.",
    ),
    click.option(
        "-v",
        "--verbose/--no-verbose",
        default=None,
        help="Print where each bad field first occurs.",
    ),
)


def _resolve_out_format(output: str, to: str | None, default: str = "parquet") -> str:
    from legacyio.tables.outputs import format_for_path

    if to:
        return to.lower()
    try:
        return format_for_path(output)
    except OptionsError:
        if default:
            return default
        raise


@cli.command()
@copybook_options
@file_format_options
@read_options
@_output_options
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@click.argument("output", required=False, type=click.Path())
@_command
def convert(ctx: click.Context, p: dict[str, Any]) -> None:
    """Decode INPUT (a mainframe file) into OUTPUT: Parquet, Arrow IPC / Feather, CSV
    (flattened) or JSON Lines (exact decimals). Streaming; OUTPUT appears only when complete."""
    from contextlib import closing

    import legacyio
    from legacyio.engine.prefetch import prefetch
    from legacyio.report import DecodeReport
    from legacyio.tables.outputs import open_output

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    out = _need(p, "output", "OUTPUT")
    split = bool(p.get("split_segments"))
    out_fmt = _resolve_out_format(out, p.get("to"))
    overwrite = bool(p.get("overwrite"))
    if not split:
        _check_output(out, overwrite, (src,))
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    flat_out = out_fmt == "csv"
    ropts = build_read_options(p)
    if flat_out and not ropts.flatten:
        ropts = attrs.evolve(ropts, flatten=True)
    if split and not fmt.segments:
        raise OptionsError("--split-segments needs --segment-field and --segment ID=GROUP")
    report = DecodeReport()
    bar = _progress(p, "converting", _input_size(src))
    writer_kw = {
        "compression": p.get("compression"),
        "compression_level": p.get("compression_level"),
        "row_group_size": p.get("row_group_size"),
        "decimals": (p.get("decimals") or "string").lower(),
    }
    t0 = time.monotonic()
    try:
        if split:
            records = _convert_split(
                legacyio, src, out, out_fmt, layout, fmt, ropts, report, bar, overwrite, writer_kw
            )
        else:
            reader = legacyio.open_reader(
                src, layout, ropts, format=fmt, report=report, progress=bar
            )
            # the next batch decodes while this one is written
            with (
                open_output(
                    out, reader.schema, format=out_fmt, overwrite=overwrite, **writer_kw
                ) as w,
                closing(prefetch(reader)) as batches,
            ):
                for batch in batches:
                    w.write_batch(batch)
            records = w.records
    finally:
        bar.close()
    nbytes = report.bytes or bar.bytes
    _finish(p, summary_line("converted", records, nbytes, time.monotonic() - t0, report), report)


def _segment_columns(schema: Any, fmt: FileFormat) -> dict[str, str]:
    """Top-level column -> segment group name, for the groups of the segment map."""
    groups = {g.upper(): g for _, g in fmt.segments}
    out = {}
    for f in schema:
        md = f.metadata or {}
        cobol = md.get(b"cobol_name", b"").decode().upper()
        if cobol in groups:
            out[f.name] = groups[cobol]
    return out


def _convert_split(
    legacyio: Any,
    src: str,
    out: str,
    out_fmt: str,
    layout: Any,
    fmt: FileFormat,
    ropts: ReadOptions,
    report: Any,
    bar: ProgressBar,
    overwrite: bool,
    writer_kw: dict[str, Any],
) -> int:
    """One output file per segment in the folder ``out``: the common columns plus that
    segment's group, only the records of that segment."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from legacyio.plan.flatten import flatten_table
    from legacyio.tables.outputs import open_output

    flat = ropts.flatten
    reader = legacyio.open_reader(
        src, layout, attrs.evolve(ropts, flatten=False), format=fmt, report=report, progress=bar
    )
    seg_cols = _segment_columns(reader.schema, fmt)
    if not seg_cols:
        raise OptionsError("none of the segment groups is a top-level column of the record")
    ext = {"arrows": "arrows"}.get(out_fmt, out_fmt)
    targets = {}
    for col, group in seg_cols.items():
        targets[col] = os.path.join(out, f"{group}.{ext}")
    if os.path.exists(out) and not os.path.isdir(out):
        raise OptionsError(f"output {out} exists and is not a folder")
    for t in targets.values():
        _check_output(t, overwrite, (src,), parent_made=True)
    if not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        raise OptionsError(f"the folder of output {out} does not exist")
    created = not os.path.exists(out)
    os.makedirs(out, exist_ok=True)
    writers: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    keeps: dict[str, list[str]] = {}
    try:
        for col in seg_cols:
            keep = [n for n in reader.schema.names if n not in seg_cols or n == col]
            keeps[col] = keep
            sch = pa.schema([reader.schema.field(n) for n in keep], metadata=reader.schema.metadata)
            if flat:
                sch = flatten_table(sch.empty_table()).schema
            schemas[col] = sch
            writers[col] = open_output(
                targets[col], sch, format=out_fmt, overwrite=overwrite, **writer_kw
            )
        for batch in reader:
            for col, w in writers.items():
                mask = pc.is_valid(batch.column(col))
                sub = batch.select(keeps[col]).filter(mask)
                if flat:
                    t = flatten_table(pa.Table.from_batches([sub])).cast(schemas[col])
                    for b in t.to_batches():
                        w.write_batch(b)
                else:
                    w.write_batch(sub)
        for w in writers.values():
            w.close()
    except BaseException:
        for w in writers.values():
            w.abort()
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(out)
        raise
    return sum(w.records for w in writers.values())


@cli.command()
@copybook_options
@file_format_options
@write_options
@_names_option
@_fillers_option
@click.option(
    "--from",
    "from_",
    type=_choice("parquet", "arrow", "feather", "arrows", "csv", "jsonl"),
    help="Input format (default: from INPUT's extension).",
)
@click.option("--overwrite/--no-overwrite", default=None, help="Replace an existing OUTPUT.")
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@click.argument("output", required=False, type=click.Path())
@_command
def encode(ctx: click.Context, p: dict[str, Any]) -> None:
    """Encode INPUT (Parquet, Arrow IPC / Feather, JSON Lines or CSV) back to the mainframe
    format in OUTPUT. A table written by `legacyio convert` carries its copybook and file
    format; flags override them."""
    import legacyio
    from legacyio.tables.inputs import inspect_input, open_input

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    out = _need(p, "output", "OUTPUT")
    overwrite = bool(p.get("overwrite"))
    _check_output(out, overwrite, (src,))
    info = inspect_input(src, p.get("from_"))
    if not p.get("copybook") and info.copybook is None:
        raise click.UsageError("missing option -c/--copybook (the input carries no copybook)")
    layout = _load_layout(p, info.copybook)
    fmt = build_format(p, info.file_format)
    _check_names(layout, fmt)
    wopts = build_write_options(p)
    names = p.get("names")
    schema, batches = open_input(
        src,
        layout,
        fmt,
        format=info.format,
        names=names.lower() if names else None,
        fillers=p.get("fillers"),
        batch_size=wopts.batch_size,
    )
    bar = _progress(p, "encoding", None)
    t0 = time.monotonic()
    try:
        stats = legacyio.write_table(
            _nonempty(batches, schema),
            out,
            layout,
            wopts,
            format=fmt,
            progress=bar,
            overwrite=overwrite,
        )
    finally:
        bar.close()
    _finish(p, summary_line("encoded", stats.records, stats.bytes, time.monotonic() - t0))


def _nonempty(batches: Iterator[Any], schema: Any) -> Iterator[Any]:
    """The batches, or one empty batch when there are none (an empty input is valid)."""
    import pyarrow as pa

    any_ = False
    for b in batches:
        any_ = True
        yield b
    if not any_:
        yield pa.RecordBatch.from_pylist([], schema=schema)


@cli.command()
@copybook_options
@file_format_options
@read_options
@click.option(
    "-n",
    "--records",
    "records",
    type=click.IntRange(min=0),
    help="How many records to show. [default: 10]",
)
@click.option("--skip", type=click.IntRange(min=0), help="Records to skip first.")
@click.option(
    "--format",
    "out_format",
    type=_choice("table", "vertical", "jsonl"),
    help="table (aligned columns), vertical (one field a line) or jsonl. [default: table]",
)
@click.option(
    "--max-width",
    type=click.IntRange(min=4),
    help="Longest value shown in a table cell. [default: 24]",
)
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@_command
def head(ctx: click.Context, p: dict[str, Any]) -> None:
    """Show the first records of INPUT as a readable table (nested fields as dotted paths), to
    check a copybook against a file in seconds."""
    import pyarrow as pa

    import legacyio
    from legacyio.tables.outputs import json_lines

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    n = 10 if p.get("records") is None else int(p["records"])
    skip = int(p.get("skip") or 0)
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    ropts = build_read_options(
        p, residue=False, fillers=False, batch_size=max(min(n + skip, 65536), 1)
    )
    reader = legacyio.open_reader(src, layout, ropts, format=fmt)
    got: list[Any] = []
    rows = 0
    try:
        for batch in reader:
            got.append(batch)
            rows += batch.num_rows
            if rows >= n + skip:
                break
    finally:
        reader.close()
    table = pa.Table.from_batches(got, schema=reader.schema).slice(skip, n)
    fmt_name = (p.get("out_format") or "table").lower()
    if fmt_name == "jsonl":
        sys.stdout.buffer.write(json_lines(table))
        sys.stdout.flush()
        return
    width = int(p.get("max_width") or 24)
    text = (
        render_vertical(table, width * 3, first=skip + 1)
        if fmt_name == "vertical"
        else render_table(table, width)
    )
    click.echo(text)


@cli.command()
@copybook_options
@file_format_options
@read_options
@click.option(
    "--via",
    type=_choice("parquet"),
    help="Also go through a Parquet file on disk between decoding and encoding.",
)
@click.option(
    "--report-file",
    type=click.Path(dir_okay=False),
    help="Write the decode report (counts and places, no values) as JSON.",
)
@click.option(
    "-v", "--verbose/--no-verbose", default=None, help="Print where each bad field first occurs."
)
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@_command
def verify(ctx: click.Context, p: dict[str, Any]) -> None:
    """Decode INPUT and re-encode it in streaming fashion, and compare: exit 0 when the bytes
    are identical, 1 with the first differing record, byte offset and field otherwise."""
    import legacyio

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    ropts = build_read_options(p)
    bar = _progress(p, "verifying", _input_size(src))
    t0 = time.monotonic()
    try:
        res = legacyio.verify(
            src, layout, format=fmt, options=ropts, via=(p.get("via") or None), progress=bar
        )
    finally:
        bar.close()
    secs = time.monotonic() - t0
    click.echo(f"records checked: {res.records:,}")
    click.echo(f"bytes checked:   {res.bytes:,}")
    click.echo(f"sha256 input:    {res.sha256_input}")
    click.echo(f"sha256 output:   {res.sha256_output}")
    if res.ok:
        click.echo("result:          identical")
    else:
        m = res.mismatch
        if m is not None:
            where = f"record {m.record:,}, byte offset {m.offset:,}"
            if m.field:
                where += f", field {m.field}"
            click.echo(f"result:          MISMATCH at {where}")
        else:
            click.echo("result:          MISMATCH (hashes differ)")
    _finish(p, summary_line("verified", res.records, res.bytes, secs, res.report), res.report)
    if not res.ok:
        ctx.exit(EXIT_DATA)


@cli.command()
@copybook_options
@click.option("--record", help="Show only this 01-level record.")
@click.option(
    "--format",
    "out_format",
    type=_choice("text", "json"),
    help="text (aligned) or json (machine-readable). [default: text]",
)
@run_options
@_command
def schema(ctx: click.Context, p: dict[str, Any]) -> None:
    """Print the record layout of a copybook: level, name, picture, usage, offset, length,
    occurs and Arrow type of every item."""
    from legacyio.copybook import load_copybook
    from legacyio.plan.describe import render_json, render_text

    source = p.get("copybook")
    if not source:
        raise click.UsageError("missing option -c/--copybook")
    if not os.path.exists(source):
        raise CopybookError("copybook file not found", file=str(source))
    layout = load_copybook(
        source,
        search_path=tuple(p.get("copybook_dir") or ()),
        record=p.get("record"),
        format=p.get("copybook_format"),
    )
    if (p.get("out_format") or "text").lower() == "json":
        click.echo(render_json(layout))
    else:
        click.echo(render_text(layout))


def _collect_option_names() -> None:
    for cmd in cli.commands.values():
        for param in cmd.params:
            if param.name:
                _ALL_OPTION_NAMES.add(param.name)
    _ALL_OPTION_NAMES.discard("job")
    _ALL_OPTION_NAMES.update({"input", "output"})


_collect_option_names()
assert set(COMMAND_SECTIONS) == set(cli.commands), "job file sections must match the commands"


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``legacyio``) and ``python -m legacyio``."""
    cli.main(args=argv, prog_name="legacyio")
