"""The commands: convert, encode, head, verify, schema. Each reads its options, calls the
library and reports; nothing here decodes or encodes by itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import click

from legacyio.cli.errors import EXIT_DATA, command
from legacyio.cli.group import LegacyioGroup
from legacyio.cli.options import (
    _choice,
    _fillers_option,
    _names_option,
    _stack,
    build_format,
    build_read_options,
    build_write_options,
    copybook_options,
    file_format_options,
    read_options,
    run_options,
    write_options,
)
from legacyio.cli.progress import ProgressBar, finish, input_size, progress_bar, summary_line
from legacyio.cli.protect_options import (
    ProtectedInput,
    head_protector,
    key_options,
    policy_option,
    refuse_protected_verify,
    verify_protected_cli,
)
from legacyio.cli.render import render_table, render_vertical
from legacyio.errors import CopybookError, OptionsError
from legacyio.options import FileFormat, ReadOptions

__all__ = ["SCALE_HOOKS", "cli", "convert", "encode", "head", "schema", "verify"]

SCALE_HOOKS: dict[str, Callable[[click.Context, dict[str, Any]], bool]] = {}
"""``convert`` and ``encode`` first offer their run to these (``legacyio.cli.scale``
registers them): a hook returns True when it did the work on worker processes."""


def _need(params: dict[str, Any], name: str, label: str) -> str:
    v = params.get(name)
    if not v:
        raise click.UsageError(f"missing {label} (give it as an argument or in --job)")
    return str(v)


STDIO = "-"
"""INPUT ``-`` reads stdin; OUTPUT ``-`` writes stdout."""


def _input_path(p: dict[str, Any]) -> str:
    src = _need(p, "input", "INPUT")
    return src if src == STDIO else _existing_file(src, "input")


def _source(src: str) -> Any:
    return sys.stdin.buffer if src == STDIO else src


def _existing_file(path: str, label: str) -> str:
    if not os.path.exists(path):
        raise OptionsError(f"{label} file {path} does not exist")
    if os.path.isdir(path):
        raise OptionsError(f"{label} {path} is a directory, not a file")
    return path


def _load_layout(params: dict[str, Any], text: str | None = None) -> Any:
    from legacyio.layout import load_copybook

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
        odo_mappings=_odo_tables(params),
    )


def _odo_tables(params: dict[str, Any]) -> tuple[str, ...]:
    """Tables whose DEPENDING ON object may be non-numeric (``--occurs-mappings``)."""
    value = params.get("occurs_mappings")
    if not value:
        return ()
    try:
        return FileFormat(occurs_mappings=value).odo_tables
    except (TypeError, ValueError) as e:
        raise OptionsError(f"--occurs-mappings: {e}") from None


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
    if path == STDIO:
        return
    for inp in inputs:
        if inp == STDIO:
            continue
        if inp and os.path.abspath(inp) == os.path.abspath(path):
            raise OptionsError(f"output {path} is the input file")
    if not overwrite and os.path.lexists(path):
        raise OptionsError(f"output {path} exists; use --overwrite to replace it")
    parent = os.path.dirname(os.path.abspath(path))
    if not parent_made and not os.path.isdir(parent):
        raise OptionsError(f"the folder of output {path} does not exist")


@click.group(
    cls=LegacyioGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
    """--to, else OUTPUT's extension; ``default`` only when OUTPUT has no extension at all
    (an unknown extension is an error that lists the known ones)."""
    from legacyio.tables.files import format_for_path

    if to:
        return to.lower()
    if output == STDIO:
        raise click.UsageError(
            "OUTPUT - (stdout) needs --to (parquet, arrow, feather, arrows, csv or jsonl)"
        )
    base = os.path.basename(output.rstrip("/" + os.sep))
    for suffix in (".gz", ".bz2", ".xz"):
        base = base.removesuffix(suffix)
    if default and not os.path.splitext(base)[1]:
        return default
    return format_for_path(output)


def _commit(p: dict[str, Any], report: Any, writers: list[Any], summary: str | None = None) -> None:
    """Write the report file (if asked), then rename every finished output into place. What
    can fail (footers, fsync, the report's folder) happens before any rename; if a rename
    fails anyway, what was already renamed is removed: a failed run leaves nothing."""
    from legacyio import interrupts
    from legacyio.cli.progress import report_json
    from legacyio.sources import open_sink

    for w in writers:
        w.finish()
    rsink = None
    if p.get("report_file") and report is not None:
        rsink = open_sink(p["report_file"])
        try:
            rsink.write(report_json(report))
            rsink.finish()
        except BaseException:
            rsink.abort()
            raise
    done: list[str] = []
    # an interrupt from here on lets the run finish: the outputs are complete
    with interrupts.critical(raise_after=False):
        try:
            if rsink is not None:
                rsink.commit()
                done.append(str(rsink.path))
            for w in writers:
                w.commit()
                if not w.path.startswith("<"):  # a path, not stdout
                    done.append(w.path)
        except BaseException:
            for w in writers:
                w.abort()
            if rsink is not None:
                rsink.abort()
            for path in done:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            raise


@cli.command()
@copybook_options
@file_format_options
@read_options
@_output_options
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@click.argument("output", required=False, type=click.Path())
@command
def convert(ctx: click.Context, p: dict[str, Any]) -> None:
    """Decode INPUT (a mainframe file) into OUTPUT: Parquet, Arrow IPC / Feather, CSV
    (flattened) or JSON Lines (exact decimals). Streaming; OUTPUT appears only when complete."""
    from contextlib import closing

    import legacyio
    from legacyio.engine.prefetch import prefetch
    from legacyio.report import DecodeReport
    from legacyio.tables.files import open_output

    hook = SCALE_HOOKS.get("convert")
    if hook is not None and hook(ctx, p):
        return  # done on worker processes (legacyio.cli.scale)
    src = _input_path(p)
    out = _need(p, "output", "OUTPUT")
    split = bool(p.get("split_segments"))
    if split and out == STDIO:
        raise click.UsageError("--split-segments writes a folder; OUTPUT cannot be - (stdout)")
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
    if split and not fmt.segments and not fmt.record_types:
        raise OptionsError(
            "--split-segments needs --segment-field and --segment ID=GROUP (or --record-type)"
        )
    report = DecodeReport()
    bar = progress_bar(p, "converting", input_size(src))
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
                legacyio,
                p,
                src,
                out,
                out_fmt,
                layout,
                fmt,
                ropts,
                report,
                bar,
                overwrite,
                writer_kw,
            )
        else:
            reader = legacyio.open_reader(
                _source(src), layout, ropts, format=fmt, report=report, progress=bar
            )
            target = sys.stdout.buffer if out == STDIO else out
            w = open_output(target, reader.schema, format=out_fmt, overwrite=overwrite, **writer_kw)
            try:
                # the next batch decodes while this one is written
                with closing(prefetch(reader)) as batches:  # type: ignore[type-var]
                    for batch in batches:
                        w.write_batch(batch)
                _commit(p, report, [w])
            except BaseException:
                w.abort()
                raise
            records = w.records
    finally:
        bar.close()
    nbytes = report.bytes or bar.bytes
    line = summary_line("converted", records, nbytes, time.monotonic() - t0, report)
    finish(p, line, report, write_report=False)  # the report file was written by _commit


def _convert_split(
    legacyio: Any,
    p: dict[str, Any],
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

    from legacyio.engine.segments import segment_columns, segment_keep, select_segment
    from legacyio.plan.flatten import flatten_table
    from legacyio.tables.files import open_output

    flat = ropts.flatten
    reader = legacyio.open_reader(
        _source(src),
        layout,
        attrs.evolve(ropts, flatten=False),
        format=fmt,
        report=report,
        progress=bar,
    )
    seg_cols = segment_columns(reader.schema, fmt)
    if not seg_cols:
        raise OptionsError("none of the segment groups is a top-level column of the record")
    ext = {"arrows": "arrows"}.get(out_fmt, out_fmt)
    targets = {}
    for col, (_, group) in seg_cols.items():
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
    try:
        for col in seg_cols:
            keep = segment_keep(reader.schema, col, seg_cols)
            sch = pa.schema([reader.schema.field(n) for n in keep], metadata=reader.schema.metadata)
            if flat:
                sch = flatten_table(sch.empty_table()).schema
            schemas[col] = sch
            writers[col] = open_output(
                targets[col], sch, format=out_fmt, overwrite=overwrite, **writer_kw
            )
        for batch in reader:
            for col, w in writers.items():
                sub = select_segment(batch, col, seg_cols)
                if flat:
                    t = flatten_table(pa.Table.from_batches([sub])).cast(schemas[col])
                    for b in t.to_batches():
                        w.write_batch(b)
                else:
                    w.write_batch(sub)
        _commit(p, report, list(writers.values()))
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
@click.argument("input", required=False, type=click.Path())
@click.argument("output", required=False, type=click.Path())
@command
def encode(ctx: click.Context, p: dict[str, Any]) -> None:
    """Encode INPUT (Parquet, Arrow IPC / Feather, JSON Lines or CSV, or a dataset folder
    written by `convert --dataset`) back to the mainframe format in OUTPUT. A table written
    by `legacyio convert` carries its copybook and file format; flags override them."""
    hook = SCALE_HOOKS.get("encode")
    if hook is not None and hook(ctx, p):
        return  # a dataset folder, encoded on worker processes (legacyio.cli.scale)
    src = _input_path(p)
    out = _need(p, "output", "OUTPUT")
    overwrite = bool(p.get("overwrite"))
    _check_output(out, overwrite, (src,))
    if src != STDIO:
        _encode(p, src, out, overwrite)
        return
    if not p.get("from_"):
        raise click.UsageError(
            "INPUT - (stdin) needs --from (parquet, arrow, feather, arrows, csv or jsonl)"
        )
    import shutil
    import tempfile

    # the table readers need a file (Parquet and Arrow files are read from their end):
    # stdin is spooled to a private temporary folder, removed whatever happens
    with tempfile.TemporaryDirectory(prefix="legacyio-stdin-") as tmp:
        spooled = os.path.join(tmp, f"stdin.{p['from_'].lower()}")
        with open(spooled, "wb") as f:
            shutil.copyfileobj(sys.stdin.buffer, f, 1 << 20)
        _encode(p, spooled, out, overwrite)


def _encode(p: dict[str, Any], src: str, out: str, overwrite: bool) -> None:
    import legacyio
    from legacyio.tables.files import inspect_input, open_input

    info = inspect_input(src, p.get("from_"))
    if not p.get("copybook") and info.copybook is None:
        raise click.UsageError("missing option -c/--copybook (the input carries no copybook)")
    fmt = build_format(p, info.file_format)
    layout = _load_layout(dict(p, occurs_mappings=fmt.occurs_mappings), info.copybook)
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
        allow_float=wopts.allow_float,
    )
    bar = progress_bar(p, "encoding", None)
    t0 = time.monotonic()
    wreport = legacyio.WriteReport()
    try:
        stats = legacyio.write_table(
            _nonempty(batches, schema),
            sys.stdout.buffer if out == STDIO else out,
            layout,
            wopts,
            format=fmt,
            progress=bar,
            overwrite=overwrite,
            report=wreport,
        )
    finally:
        bar.close()
    line = summary_line("encoded", stats.records, stats.bytes, time.monotonic() - t0)
    if wreport.unchanged + wreport.merged + wreport.reencoded:
        line += "\n" + wreport.summary()
    finish(p, line)


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
@policy_option
@key_options
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@command
def head(ctx: click.Context, p: dict[str, Any]) -> None:
    """Show the first records of INPUT as a readable table (nested fields as dotted paths), to
    check a copybook against a file in seconds. With --policy only protected values."""
    import pyarrow as pa

    import legacyio
    from legacyio.tables.jsonl import json_lines

    src = _input_path(p)
    n = 10 if p.get("records") is None else int(p["records"])
    skip = int(p.get("skip") or 0)
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    protector = head_protector(p, layout)
    ropts = build_read_options(
        p, residue=False, fillers=False, batch_size=max(min(n + skip, 65536), 1)
    )
    reader = legacyio.open_reader(_source(src), layout, ropts, format=fmt, protect=protector)
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
@click.option(
    "--protected",
    type=click.Path(dir_okay=False),
    help="MANIFEST of a protect run: check INPUT (its output) against the manifest and the "
    "source instead of a byte-for-byte round trip.",
)
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@command
def verify(ctx: click.Context, p: dict[str, Any]) -> None:
    """Decode INPUT and re-encode it in streaming fashion, and compare: exit 0 when the bytes
    are identical, 1 with the first differing record, byte offset and field otherwise.
    `verify --protected MANIFEST OUTPUT` checks a protected output instead."""
    import legacyio

    if p.get("protected"):
        verify_protected_cli(ctx, p)
        return
    src = _input_path(p)
    try:
        refuse_protected_verify(src)
    except ProtectedInput:
        ctx.exit(EXIT_DATA)
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    ropts = build_read_options(p)
    bar = progress_bar(p, "verifying", input_size(src))
    t0 = time.monotonic()
    try:
        res = legacyio.verify(
            _source(src),
            layout,
            format=fmt,
            options=ropts,
            via=(p.get("via") or None),
            progress=bar,
        )
    finally:
        bar.close()
    secs = time.monotonic() - t0
    click.echo(f"records checked: {res.records:,}")
    click.echo(f"bytes checked:   {res.bytes:,}")
    click.echo(f"sha256 input:    {res.sha256_input}")
    click.echo(f"sha256 output:   {res.sha256_output}")
    share = f" ({res.residue_records / res.records:.0%})" if res.records else ""
    plural = "" if res.residue_records == 1 else "s"
    spanned = res.report.spanned_records  # VBS: kept raw for their segmenting alone
    extra = f", {spanned:,} of them spanned over segments" if spanned else ""
    click.echo(f"from residue:    {res.residue_records:,} record{plural}{share}{extra}")
    if res.ok and res.records and (res.residue_records - spanned) * 2 > res.records:
        click.echo("result:          identical, but most records were written back from their")
        click.echo("                 raw copy: the layout probably does not fit the file")
    elif res.ok:
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
    finish(p, summary_line("verified", res.records, res.bytes, secs, res.report), res.report)
    if not res.ok:
        ctx.exit(EXIT_DATA)


@cli.command()
@copybook_options
@file_format_options
@read_options
@click.option(
    "--format",
    "out_format",
    type=_choice("text", "json"),
    help="text (aligned) or json (machine-readable, with the Arrow schema convert writes "
    "with the same options). [default: text]",
)
@run_options
@command
def schema(ctx: click.Context, p: dict[str, Any]) -> None:
    """Print the record layout of a copybook: level, name, picture, usage, offset, length,
    occurs and Arrow type of every item, as `convert` with the same options decodes it."""
    from legacyio.layout import load_copybook
    from legacyio.plan.core import Plan
    from legacyio.plan.describe import render_json, render_text

    source = p.get("copybook")
    if not source:
        raise click.UsageError("missing option -c/--copybook")
    if not os.path.exists(source):
        raise CopybookError("copybook file not found", file=str(source))
    fmt = build_format(p)
    layout = load_copybook(
        source,
        search_path=tuple(p.get("copybook_dir") or ()),
        record=fmt.record,
        format=p.get("copybook_format"),
        odo_mappings=fmt.odo_tables,
    )
    plan = Plan(layout, fmt, build_read_options(p))
    if (p.get("out_format") or "text").lower() == "json":
        click.echo(render_json(plan))
    else:
        click.echo(render_text(plan))
