"""Scale-out commands and flags: ``convert --workers N`` (a Parquet dataset or one file
assembled in order), ``encode`` of such a dataset, ``index build|verify`` and ``splits``.

Registered on the command group when imported (``legacyio.cli.main`` does). The ``convert``
and ``encode`` commands stay in ``commands.py``; they hand over to this module when the
flags here ask for (or allow) the parallel path.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import click

from legacyio.cli.commands import (
    SCALE_HOOKS,
    _check_names,
    _check_output,
    _existing_file,
    _load_layout,
    _need,
    _resolve_out_format,
    cli,
    convert,
    encode,
)
from legacyio.cli.errors import EXIT_DATA, command
from legacyio.cli.options import (
    _choice,
    build_format,
    build_read_options,
    build_write_options,
    copybook_options,
    file_format_options,
    run_options,
)
from legacyio.cli.progress import finish, input_size, progress_bar, summary_line
from legacyio.cli.savejob import prepare_job
from legacyio.errors import OptionsError
from legacyio.options import FileFormat

__all__ = ["convert_scaled", "encode_dataset", "index", "splits", "use_scaled"]


class SizeType(click.ParamType):
    """A byte count: ``134217728``, ``128m``, ``1g``, ``64k``."""

    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            n = value
        else:
            s = str(value).strip().lower().removesuffix("ib").removesuffix("b")
            mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(s[-1:], 1)
            try:
                n = int(s[:-1] if mult > 1 else s) * mult
            except ValueError:
                self.fail(f"{value!r} is not a size (128m, 1g, 65536)", param, ctx)
        if n < 1:
            self.fail("a size must be at least 1 byte", param, ctx)
        return n


_workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes (default: the cores this process may use); 1 = one process.",
)
_split_size_option = click.option(
    "--split-size",
    type=SizeType(),
    help="Bytes per split (default: about four splits a worker, 16 MiB to 128 MiB).",
)
_index_option = click.option(
    "--index",
    "index",
    type=_choice("auto", "build", "ignore"),
    help="Sidecar index FILE.lxidx of V/VB/ODO boundaries: use a fresh one (auto), always "
    "rebuild it (build) or neither read nor write it (ignore). [default: ignore for convert]",
)

# added to `convert` (and `encode` takes --workers): click stores a decorated Command's params
for _opt in (
    _workers_option,
    _split_size_option,
    _index_option,
    click.option(
        "--dataset/--single-file",
        "dataset",
        default=None,
        help="OUTPUT is a folder of Parquet parts (one a split, in record order, with "
        "_common_metadata and a manifest) or one file. [default: a folder when OUTPUT is one "
        "or ends with /]",
    ),
):
    _opt(convert)
_workers_option(encode)


def _is_dataset_path(out: str) -> bool:
    return out.endswith(("/", os.sep)) or os.path.isdir(out)


def _split_size(p: dict[str, Any], size: int, workers: int) -> int:
    from legacyio.scale.parallel import auto_split_size

    given = p.get("split_size")
    return int(given) if given else auto_split_size(size, workers)


def use_scaled(p: dict[str, Any]) -> bool:
    """Whether ``convert`` takes the parallel path: a dataset was asked for, or several
    workers may run (the default) and the input is a plain file larger than one split."""
    out = str(p.get("output") or "")
    if out == "-" or str(p.get("input") or "") == "-":
        return False  # stdin / stdout stream through one process
    if p.get("dataset") or (p.get("dataset") is None and out and _is_dataset_path(out)):
        return True
    if p.get("dataset") is False and p.get("workers") == 1:
        return False
    from legacyio.scale.parallel import cpu_count

    workers = p.get("workers") or cpu_count()
    if workers <= 1 or p.get("split_segments"):
        return False
    src = str(p.get("input") or "")
    size = input_size(src) if src else None
    if size is None or src.lower().endswith((".gz", ".bz2", ".xz")):
        return False
    fmt = (p.get("record_format") or "F").upper()
    if fmt == "D":
        return False
    return size > _split_size(p, size, workers)


def convert_scaled(ctx: click.Context, p: dict[str, Any]) -> None:
    """``convert`` on worker processes: splits decoded in parallel into a dataset or, in
    order, into one output file (the same rows and columns as the one-process path)."""
    import attrs

    from legacyio.report import DecodeReport
    from legacyio.scale.parallel import convert_parallel, cpu_count

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    out = _need(p, "output", "OUTPUT")
    dataset = p.get("dataset")
    if dataset is None:
        dataset = _is_dataset_path(out)
    out = out.rstrip("/" + os.sep) or out
    overwrite = bool(p.get("overwrite"))
    if p.get("split_segments"):
        raise OptionsError("--split-segments runs on one process: give --workers 1")
    if dataset:
        to = (p.get("to") or "parquet").lower()
        if to != "parquet":
            raise OptionsError(f"a dataset is written as Parquet, not {to}")
        out_fmt = "parquet"
    else:
        out_fmt = _resolve_out_format(out, p.get("to"))
    _check_output(out, overwrite, (src,))
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    if fmt.record_format == "D":
        raise OptionsError(
            "D (text line) files cannot be split yet: convert them with --workers 1 "
            "into a single file"
        )
    ropts = build_read_options(p)
    if out_fmt == "csv" and not ropts.flatten:
        ropts = attrs.evolve(ropts, flatten=True)
    workers = p.get("workers") or cpu_count()
    size = os.path.getsize(src)
    job = prepare_job(p, fmt, ropts, out_fmt)  # finished now, renamed after the output
    report = DecodeReport()
    bar = progress_bar(p, "converting", size)
    t0 = time.monotonic()
    try:
        stats = convert_parallel(
            src,
            layout,
            out,
            fmt,
            ropts,
            workers=workers,
            split_size=_split_size(p, size, workers),
            index=(p.get("index") or "ignore").lower(),
            single_file=not dataset,
            compression=p.get("compression"),
            compression_level=p.get("compression_level"),
            row_group_size=p.get("row_group_size"),
            out_format=out_fmt,
            decimals=(p.get("decimals") or "string").lower(),
            record_column=bool(dataset),
            overwrite=overwrite,
            report=report,
            progress=bar,
        )
        if job is not None:
            job.commit()
    except BaseException:
        if job is not None:
            job.abort()
        raise
    finally:
        bar.close()
    line = summary_line("converted", stats.records, stats.bytes, time.monotonic() - t0, report)
    line += f"; {stats.splits:,} splits on {min(workers, stats.splits)} workers"
    finish(p, line, report)


def encode_dataset(ctx: click.Context, p: dict[str, Any]) -> None:
    """``encode`` of a dataset folder written by ``convert --dataset``: its parts encoded on
    worker processes and assembled in record order, after checking they tile the records."""
    import pyarrow.parquet as pq

    from legacyio.scale.parallel import cpu_count, dataset_files, encode_parallel
    from legacyio.tables.files import inspect_input

    src = _need(p, "input", "INPUT")
    out = _need(p, "output", "OUTPUT")
    overwrite = bool(p.get("overwrite"))
    _check_output(out, overwrite, (src,))
    if p.get("from_") and p["from_"].lower() != "parquet":
        raise OptionsError("a dataset folder holds Parquet files (--from parquet)")
    files = dataset_files(src)
    if not files:
        raise OptionsError(f"{src}: no Parquet files in the folder")
    info = inspect_input(files[0], "parquet")
    if not p.get("copybook") and info.copybook is None:
        raise click.UsageError("missing option -c/--copybook (the dataset carries no copybook)")
    layout = _load_layout(p, info.copybook)
    fmt = build_format(p, info.file_format)
    _check_names(layout, fmt)
    wopts = build_write_options(p)
    workers = p.get("workers") or cpu_count()
    records = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    t0 = time.monotonic()
    nbytes = encode_parallel(src, out, layout, fmt, wopts, workers=workers, overwrite=overwrite)
    finish(p, summary_line("encoded", records, nbytes, time.monotonic() - t0))


def _convert_hook(ctx: click.Context, p: dict[str, Any]) -> bool:
    if not use_scaled(p):
        if (p.get("workers") or 1) > 1 and not p.get("quiet"):
            why = "the input is one split (see --split-size)"
            if (p.get("record_format") or "").upper() == "D":
                why = "D (text line) files cannot be split"
            elif p.get("split_segments"):
                why = "--split-segments runs on one process"
            click.echo(f"legacyio: note: converting on one process: {why}", err=True)
        return False
    convert_scaled(ctx, p)
    return True


def _encode_hook(ctx: click.Context, p: dict[str, Any]) -> bool:
    if not (p.get("input") and os.path.isdir(str(p["input"]))):
        return False
    encode_dataset(ctx, p)
    return True


SCALE_HOOKS["convert"] = _convert_hook
SCALE_HOOKS["encode"] = _encode_hook


def _format_and_layout(p: dict[str, Any]) -> tuple[Any, FileFormat]:
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    return layout, fmt


_plan_options = [
    copybook_options,
    file_format_options,
    _split_size_option,
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        help="Processes that walk the splits (default: the cores this process may use).",
    ),
]


def _apply(f: Any, decorators: list[Any]) -> Any:
    for d in reversed(decorators):
        f = d(f)
    return f


@cli.group()
def index() -> None:
    """The sidecar index FILE.lxidx of a V, VB, ODO or length-field file: its proven split
    boundaries, so that later runs plan without reading the file."""


def _index_command(name: str, doc: str, extra: list[Any]) -> Any:
    def deco(body: Any) -> Any:
        body.__doc__ = doc
        f = command(body)
        f = _apply(f, [*_plan_options, *extra, run_options])
        f = click.argument("input", required=False, type=click.Path(dir_okay=False))(f)
        return index.command(name)(f)

    return deco


@_index_command(
    "build",
    "Plan FILE's splits from its data (in parallel, guess then check) and write FILE.lxidx.",
    [
        click.option(
            "--index-file",
            type=click.Path(dir_okay=False),
            help="Where to write the index. [default: FILE.lxidx]",
        )
    ],
)
def index_build(ctx: click.Context, p: dict[str, Any]) -> None:
    from legacyio.scale import build_index
    from legacyio.scale.bounds import DEFAULT_SPLIT_SIZE

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    layout, fmt = _format_and_layout(p)
    _splittable(fmt, need_index=True)
    t0 = time.monotonic()
    st = build_index(
        src,
        layout,
        fmt,
        split_size=int(p.get("split_size") or DEFAULT_SPLIT_SIZE),
        index_path=p.get("index_file"),
        workers=p.get("workers"),
    )
    recs = "unknown" if st.records is None else f"{st.records:,}"
    click.echo(f"index:      {st.path}")
    click.echo(f"boundaries: {st.boundaries:,}")
    click.echo(f"records:    {recs}")
    if not p.get("quiet"):
        click.echo(f"built in {time.monotonic() - t0:.2f} s", err=True)


@_index_command(
    "verify",
    "Check that FILE.lxidx is fresh (size, mtime, first and last blocks, options); with "
    "--deep also that its boundaries are the ones the data gives. Exit 1 when stale.",
    [
        click.option(
            "--index-file",
            type=click.Path(dir_okay=False),
            help="The index to check. [default: FILE.lxidx]",
        ),
        click.option(
            "--deep/--no-deep",
            default=None,
            help="Also re-plan the file and compare the boundaries.",
        ),
    ],
)
def index_verify(ctx: click.Context, p: dict[str, Any]) -> None:
    from legacyio.scale import verify_index

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    layout, fmt = _format_and_layout(p)
    _splittable(fmt, need_index=True)
    st = verify_index(
        src,
        layout,
        fmt,
        index_path=p.get("index_file"),
        deep=bool(p.get("deep")),
        workers=p.get("workers"),
    )
    click.echo(f"index:      {st.path}")
    word = "fresh" if st.ok else "STALE"
    click.echo(f"result:     {word}" + ("" if st.reason == word.lower() else f" ({st.reason})"))
    if st.ok:
        click.echo(f"boundaries: {st.boundaries:,}")
    else:
        ctx.exit(EXIT_DATA)


def _splittable(fmt: FileFormat, need_index: bool = False) -> None:
    if fmt.record_format == "D":
        raise OptionsError("D (text line) files cannot be split")
    if need_index and fmt.record_format in ("F", "FB") and not fmt.length_field:
        raise OptionsError(
            "F/FB files need no index: their splits are computed from the record length"
        )


def splits_body(ctx: click.Context, p: dict[str, Any]) -> None:
    """Print FILE's record-aligned splits: byte range, first record and record count, as a
    table or as JSON (``Split.from_dict`` reads each entry back)."""
    from legacyio.scale import plan_splits
    from legacyio.scale.bounds import DEFAULT_SPLIT_SIZE

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    layout, fmt = _format_and_layout(p)
    _splittable(fmt)
    t0 = time.monotonic()
    got = plan_splits(
        src,
        layout,
        fmt,
        split_size=int(p.get("split_size") or DEFAULT_SPLIT_SIZE),
        index=(p.get("index") or "auto").lower(),  # type: ignore[arg-type]
        workers=p.get("workers"),
    )
    secs = time.monotonic() - t0
    if (p.get("out_format") or "text").lower() == "json":
        click.echo(json.dumps([s.to_dict() for s in got], indent=1))
    else:
        click.echo(f"{'split':>5}  {'start':>15}  {'length':>15}  {'first record':>13}  records")
        for s in got:
            first = "?" if s.first_record is None else f"{s.first_record:,}"
            n = "?" if s.records is None else f"{s.records:,}"
            click.echo(f"{s.index:>5}  {s.start:>15,}  {s.length:>15,}  {first:>13}  {n}")
    if not p.get("quiet"):
        click.echo(f"planned {len(got):,} splits in {secs:.2f} s", err=True)


splits = cli.command("splits")(
    click.argument("input", required=False, type=click.Path(dir_okay=False))(
        _apply(
            command(splits_body),
            [
                *_plan_options,
                click.option(
                    "--index",
                    "index",
                    type=_choice("auto", "build", "ignore"),
                    help="Sidecar index FILE.lxidx (V/VB/ODO): use a fresh one and write one "
                    "(auto), rebuild it (build) or neither (ignore). [default: auto]",
                ),
                click.option(
                    "--format",
                    "out_format",
                    type=_choice("text", "json"),
                    help="text (a table) or json (one object a split). [default: text]",
                ),
                run_options,
            ],
        )
    )
)
