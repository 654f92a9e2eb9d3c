"""The need-to-know commands: ``policy check``, ``protect``, ``unprotect``, ``audit verify``,
and the protection options of ``head`` and ``verify`` (``--policy``, ``--protected``).

A key is never taken from a command-line value: ``--key`` exists only to refuse it with the
reason (exit 2). Every ``protect`` / ``unprotect`` run writes ``OUTPUT.manifest.json`` and,
with ``--audit-log``, appends one hash-chained line, also when the run fails (outcome
``failure``, no output left behind); the manifest records the sha256 of its audit line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import click

from legacyio.cli.commands import (
    _check_names,
    _check_output,
    _existing_file,
    _load_layout,
    _need,
    _resolve_out_format,
    cli,
)
from legacyio.cli.errors import EXIT_DATA, classify, command
from legacyio.cli.options import (
    _choice,
    _stack,
    build_format,
    build_read_options,
    copybook_options,
    file_format_options,
    read_options,
    run_options,
)
from legacyio.cli.progress import finish, input_size, progress_bar, summary_line
from legacyio.cli.protect_options import (
    audit_options,
    check_key_flag,
    key_options,
    load_protector,
    policy_option,
)
from legacyio.errors import OptionsError

__all__ = ["audit", "policy", "policy_check", "protect", "unprotect"]

TABLE_FORMATS = ("parquet", "arrow", "feather", "arrows", "csv", "jsonl")


def _same_file(a: str, b: str) -> bool:
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_protected_output(out: str, overwrite: bool, inputs: tuple[str, ...]) -> str:
    """A protected output may never overwrite its input (nor its own manifest / log)."""
    from legacyio.protect.check import manifest_path

    for inp in inputs:
        if inp and _same_file(out, inp):
            raise OptionsError(
                f"output {out} is the input file: a protected output never replaces its input"
            )
    _check_output(out, overwrite, inputs)
    man = str(manifest_path(out))
    for inp in inputs:
        if inp and _same_file(man, inp):
            raise OptionsError(f"the manifest {man} would replace the input file")
    if not overwrite and os.path.lexists(man):
        raise OptionsError(f"manifest {man} exists; use --overwrite to replace it")
    return man


def _options_record(fmt: Any, ropts: Any) -> dict[str, Any]:
    read = attrs.asdict(ropts)
    read.pop("columns", None)
    return {"format": attrs.asdict(fmt), "read": read}


@contextlib.contextmanager
def audited_run(
    p: dict[str, Any], action: str, state: dict[str, Any]
) -> Iterator[Callable[[dict[str, Any]], dict[str, Any]]]:
    """Run a protect/unprotect body; on failure append an ``outcome=failure`` line to the
    audit log (when one is given) and re-raise. Yields ``succeed(extra)``, which appends the
    success line and returns the ``audit`` entry for the manifest."""
    from legacyio.protect.audit import append_audit, build_manifest, now

    started = now()
    run_id = str(uuid.uuid4())
    state.update(started=started, run_id=run_id)
    log = p.get("audit_log")
    if log:
        for what in ("input", "output"):
            if p.get(what) and _same_file(str(log), str(p[what])):
                raise OptionsError(f"--audit-log {log} is the {what} file")
        parent = os.path.dirname(os.path.abspath(log))
        if not os.path.isdir(parent):
            raise OptionsError(f"the folder of --audit-log {log} does not exist")

    def manifest(outcome: str, error: str | None = None) -> dict[str, Any]:
        pr = state.get("protector")
        m = build_manifest(
            command=["legacyio", *sys.argv[1:]],
            outcome=outcome,
            started=started,
            run_id=run_id,
            action=action,
            purpose=p.get("purpose"),
            ticket=p.get("ticket"),
            input=p.get("input"),
            copybook=p.get("copybook"),
            policy=pr.policy if pr is not None else None,
            outputs=state.get("outputs", ()),
            key=pr.key if pr is not None else None,
            stats=pr.stats if pr is not None and outcome == "success" else None,
            allow_unmatched=pr.allow_unmatched if pr is not None else None,
            report=state.get("report"),
            error=error,
        )
        m.update(state.get("extra", {}))
        return m

    def succeed(extra: dict[str, Any]) -> dict[str, Any]:
        state.setdefault("extra", {}).update(extra)
        m = manifest("success")
        if log:
            rec = append_audit(log, m)
            m["audit"] = {
                "log": os.path.abspath(log),
                "seq": rec["seq"],
                "prev_sha256": rec["prev_sha256"],
                "sha256": rec["sha256"],
            }
        return m

    try:
        yield succeed
    except BaseException as e:
        if log and not isinstance(e, SystemExit):
            outcome = "interrupted" if isinstance(e, KeyboardInterrupt) else "failure"
            msg = "interrupted" if isinstance(e, KeyboardInterrupt) else classify(e)[1]
            state["outputs"] = ()
            with contextlib.suppress(Exception):
                append_audit(log, manifest(outcome, msg))
        raise


_protect_output_options = _stack(
    click.option(
        "--to",
        "to",
        type=_choice(*TABLE_FORMATS, "mainframe"),
        help="Output format (default: from OUTPUT's extension); mainframe writes a record file "
        "in the input's own layout (a de-identified copy that decodes with the same copybook).",
    ),
    click.option(
        "--compression",
        type=_choice("none", "snappy", "gzip", "brotli", "zstd", "lz4"),
        help="Parquet / Arrow compression. [default: snappy for Parquet]",
    ),
    click.option("--compression-level", type=int, help="Codec compression level."),
    click.option("--row-group-size", type=click.IntRange(min=1), help="Parquet rows per group."),
    click.option(
        "--decimals",
        type=_choice("string", "number"),
        help="JSON Lines decimals: exact strings or exact JSON numbers. [default: string]",
    ),
    click.option(
        "--null-as",
        type=_choice("error", "spaces", "low-values", "zero"),
        help="--to mainframe: how a null (action null, or an undecodable source value) is "
        "written. [default: spaces]",
    ),
    click.option("--overwrite/--no-overwrite", default=None, help="Replace an existing OUTPUT."),
    click.option(
        "--report-file",
        type=click.Path(dir_okay=False),
        help="Write the decode report (counts and places, no values) as JSON.",
    ),
    click.option(
        "-v", "--verbose/--no-verbose", default=None, help="Print where each bad field occurs."
    ),
)


# ---- policy check ---------------------------------------------------------------------------
@cli.group(context_settings={"help_option_names": ["-h", "--help"]})
def policy() -> None:
    """Need-to-know policies."""


@policy.command("check")
@copybook_options
@file_format_options
@click.option("--format", "out_format", type=_choice("text", "json"), help="[default: text]")
@run_options
@click.argument("policy_file", required=False, type=click.Path(dir_okay=False))
@command
def policy_check(ctx: click.Context, p: dict[str, Any]) -> None:
    """Check POLICY against the copybook and print the field -> action table. Reads no data.
    Exit 2 with the reason when the policy is refused."""
    import json

    from legacyio.protect import check_table, format_check_table, load_policy

    pol_path = _existing_file(_need(p, "policy_file", "POLICY"), "policy")
    fmt = build_format(p)
    layout = _load_layout(p)
    if fmt.record:
        from legacyio.layout import load_copybook

        layout = load_copybook(
            p["copybook"], search_path=tuple(p.get("copybook_dir") or ()), record=fmt.record
        )
    pol = load_policy(pol_path, layout)
    if (p.get("out_format") or "text").lower() == "json":
        click.echo(json.dumps(check_table(pol), indent=2))
        return
    released = sum(1 for fa in pol.actions.values() if fa.released)
    click.echo(format_check_table(pol))
    click.echo(
        f"policy {pol.name or pol_path}: {released} fields released, "
        f"{len(pol.actions) - released} withheld (default {pol.default}); sha256 {pol.sha256}"
    )


# ---- protect --------------------------------------------------------------------------------
@cli.command()
@copybook_options
@file_format_options
@read_options
@_protect_output_options
@policy_option
@key_options
@audit_options
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@click.argument("output", required=False, type=click.Path())
@command
def protect(ctx: click.Context, p: dict[str, Any]) -> None:
    """Decode INPUT under a need-to-know policy into OUTPUT: only what the policy releases,
    transformed as it says (Parquet, Arrow, CSV, JSON Lines by extension, or --to mainframe).
    Writes OUTPUT.manifest.json; with --audit-log appends one hash-chained line."""
    check_key_flag(p)
    state: dict[str, Any] = {}
    with audited_run(p, "protect", state) as succeed:
        _protect(p, state, succeed)


def _protect(p: dict[str, Any], state: dict[str, Any], succeed: Any) -> None:
    from contextlib import closing

    import legacyio
    from legacyio.engine.prefetch import prefetch
    from legacyio.options import WriteOptions
    from legacyio.protect.audit import write_manifest
    from legacyio.report import DecodeReport
    from legacyio.tables.files import open_output

    if not p.get("policy"):
        raise click.UsageError("missing option --policy")
    src = _existing_file(_need(p, "input", "INPUT"), "input")
    out = _need(p, "output", "OUTPUT")
    overwrite = bool(p.get("overwrite"))
    out_fmt = _resolve_out_format(out, p.get("to"))
    man = _check_protected_output(out, overwrite, (src, str(p.get("policy") or "")))
    layout = _load_layout(p)
    fmt = build_format(p)
    _check_names(layout, fmt)
    pr = load_protector(p, layout)
    state["protector"] = pr
    ropts = build_read_options(p)
    if out_fmt == "csv" and not ropts.flatten:
        ropts = attrs.evolve(ropts, flatten=True)
    if out_fmt == "mainframe" and ropts.flatten:
        raise OptionsError("--to mainframe writes the copybook's layout: drop --flatten")
    report = DecodeReport()
    state["report"] = report
    bar = progress_bar(p, "protecting", input_size(src))
    t0 = time.monotonic()
    try:
        reader = legacyio.open_reader(
            src,
            layout,
            ropts,
            format=fmt,
            report=report,
            progress=bar,
            protect=pr,
            protect_layout=out_fmt == "mainframe",
        )
        if out_fmt == "mainframe":
            null_as: Any = (p.get("null_as") or "spaces").lower()
            wopts = WriteOptions(null_as=null_as, use_residue=False)
            stats = legacyio.write_table(
                reader, out, layout, wopts, format=fmt, overwrite=overwrite
            )
            records = stats.records
        else:
            writer_kw = {
                "compression": p.get("compression"),
                "compression_level": p.get("compression_level"),
                "row_group_size": p.get("row_group_size"),
                "decimals": (p.get("decimals") or "string").lower(),
            }
            with (
                open_output(
                    out, reader.schema, format=out_fmt, overwrite=overwrite, **writer_kw
                ) as w,
                closing(prefetch(reader)) as batches,  # type: ignore[type-var]
            ):
                for batch in batches:
                    w.write_batch(batch)
            records = w.records
    finally:
        bar.close()
    state["outputs"] = [out]
    try:
        m = succeed(
            {
                "output_format": out_fmt,
                "paths": {
                    "input": os.path.abspath(src),
                    "copybook": os.path.abspath(str(p["copybook"])),
                    "policy": os.path.abspath(str(p["policy"])),
                    "output": os.path.abspath(out),
                },
                "copybook_dirs": [os.path.abspath(d) for d in p.get("copybook_dir") or ()],
                **_options_record(fmt, ropts),
            }
        )
        write_manifest(man, m)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(out)
        raise
    nbytes = report.bytes or bar.bytes
    line = summary_line("protected", records, nbytes, time.monotonic() - t0, report)
    finish(p, f"{line}; manifest {man}", report)


# ---- unprotect ------------------------------------------------------------------------------
@cli.command()
@copybook_options
@file_format_options
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    help="Manifest of the protect run that wrote INPUT (default: INPUT.manifest.json).",
)
@click.option(
    "--to",
    "to",
    type=_choice(*TABLE_FORMATS, "mainframe"),
    help="Output format (default: the protected file's own format).",
)
@click.option("--overwrite/--no-overwrite", default=None, help="Replace an existing OUTPUT.")
@key_options
@audit_options
@run_options
@click.argument("input", required=False, type=click.Path(dir_okay=False))
@click.argument("output", required=False, type=click.Path())
@command
def unprotect(ctx: click.Context, p: dict[str, Any]) -> None:
    """Reverse the fpe fields (and only those: every other action is one-way) of INPUT, a
    protected output, into OUTPUT. Needs the protect run's manifest and its key. Writes
    OUTPUT.manifest.json; with --audit-log appends one hash-chained line."""
    check_key_flag(p)
    state: dict[str, Any] = {}
    with audited_run(p, "unprotect", state) as succeed:
        _unprotect(p, state, succeed)


def _unprotect(p: dict[str, Any], state: dict[str, Any], succeed: Any) -> None:
    import pyarrow as pa

    import legacyio
    from legacyio.options import WriteOptions
    from legacyio.protect import ProtectionKeyError, Protector, load_policy
    from legacyio.protect.audit import file_facts, write_manifest
    from legacyio.protect.check import (
        format_from_manifest,
        load_manifest,
        manifest_path,
        read_options_from_manifest,
    )
    from legacyio.tables.files import open_output

    src = _existing_file(_need(p, "input", "INPUT"), "input")
    out = _need(p, "output", "OUTPUT")
    overwrite = bool(p.get("overwrite"))
    mpath = str(p.get("manifest") or manifest_path(src))
    m = load_manifest(_existing_file(mpath, "manifest"))
    if m.get("action") != "protect" or m.get("outcome") != "success":
        raise OptionsError(f"manifest {mpath} does not describe a successful protect run")
    recorded = (m.get("outputs") or [{}])[0] or {}
    if (file_facts(src) or {}).get("sha256") != recorded.get("sha256"):
        raise OptionsError(f"{src} is not the output manifest {mpath} describes (SHA-256 differs)")
    paths = m.get("paths") or {}
    if not p.get("copybook"):
        p["copybook"] = paths.get("copybook")
    in_fmt = m.get("output_format", "parquet")
    out_fmt = (p.get("to") or "").lower() or in_fmt
    if out_fmt != "mainframe" and not p.get("to"):
        with contextlib.suppress(OptionsError):
            out_fmt = _resolve_out_format(out, None, default="")
    man = _check_protected_output(out, overwrite, (src, str(paths.get("input") or "")))
    layout = _load_layout(p)
    pol_path = _existing_file(str(paths.get("policy") or ""), "policy")
    pol = load_policy(pol_path, layout)
    if pol.sha256 != (m.get("policy") or {}).get("sha256"):
        raise OptionsError(f"the policy {pol_path} changed since the protect run")
    pr = Protector(pol, key_file=p.get("key_file"))
    state["protector"] = pr
    if pr.key.fingerprint != (m.get("key") or {}).get("fingerprint"):
        raise ProtectionKeyError(
            "the key is not the one the protect run used (its fingerprint differs)"
        )
    if in_fmt in ("csv", "jsonl"):
        raise OptionsError(
            f"unprotect reads Parquet, Arrow or mainframe copies: a {in_fmt} file keeps no "
            "field metadata to tell which columns hold fpe values"
        )
    fmt = format_from_manifest(m)
    if in_fmt == "mainframe":
        ropts = attrs.evolve(read_options_from_manifest(m), flatten=False)
        table = legacyio.read_table(src, layout, ropts, format=fmt)
        table = pr.unprotect_table(table, assume_protected=True)
        table = table.drop_columns([c for c in ("_legacyio_residue",) if c in table.column_names])
    elif in_fmt == "parquet":
        import pyarrow.parquet as pq

        table = pr.unprotect_table(pq.read_table(src))
    else:
        with pa.memory_map(src) as f:
            reader = pa.ipc.open_stream(f) if in_fmt == "arrows" else pa.ipc.open_file(f)
            table = pr.unprotect_table(reader.read_all())
    if out_fmt == "mainframe":
        if in_fmt != "mainframe":
            raise OptionsError("--to mainframe needs a mainframe protected copy as INPUT")
        null_as = (m.get("write") or {}).get("null_as", "spaces")
        legacyio.write_table(
            table,
            out,
            layout,
            WriteOptions(null_as=null_as, use_residue=False),
            format=fmt,
            overwrite=overwrite,
        )
    else:
        with open_output(out, table.schema, format=out_fmt, overwrite=overwrite) as w:
            for b in table.to_batches():
                w.write_batch(b)
    state["outputs"] = [out]
    reversed_ = sorted(pth for pth, fa in pol.actions.items() if fa.action == "fpe")
    try:
        res = succeed(
            {
                "output_format": out_fmt,
                "protect_manifest": file_facts(mpath),
                "protect_run_id": m.get("run_id"),
                "fields_unprotected": reversed_,
                "paths": {
                    "input": os.path.abspath(src),
                    "copybook": os.path.abspath(str(p["copybook"])),
                    "policy": os.path.abspath(pol_path),
                    "output": os.path.abspath(out),
                },
                "rows": {"read": table.num_rows, "released": table.num_rows, "filtered_out": 0},
            }
        )
        write_manifest(man, res)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(out)
        raise
    finish(
        p,
        f"unprotected {table.num_rows:,} records ({len(reversed_)} fpe fields reversed) "
        f"to {out}; manifest {man}",
    )


# ---- audit verify ---------------------------------------------------------------------------
@cli.group(context_settings={"help_option_names": ["-h", "--help"]})
def audit() -> None:
    """The audit log of protect / unprotect runs."""


@audit.command("verify")
@click.option(
    "--manifest",
    "manifests",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A run's manifest: its audit line must still be in the log, unchanged (catches a "
    "log truncated after it). Repeatable.",
)
@run_options
@click.argument("log", required=False, type=click.Path(dir_okay=False))
@command
def audit_verify(ctx: click.Context, p: dict[str, Any]) -> None:
    """Check the hash chain of LOG: exit 0 when intact, 1 naming the first broken line."""
    import json

    from legacyio.protect.audit import _line_hash, verify_chain
    from legacyio.protect.check import load_manifest

    log = _existing_file(_need(p, "log", "LOG"), "audit log")
    res = verify_chain(log)
    problems = [] if res.ok else [res.message]
    if res.ok:
        lines = Path(log).read_bytes().splitlines()
        for mp in p.get("manifests") or ():
            a = load_manifest(_existing_file(mp, "manifest")).get("audit") or {}
            seq, sha = a.get("seq"), a.get("sha256")
            if not isinstance(seq, int) or not sha:
                problems.append(f"manifest {mp} records no audit line")
            elif seq > len(lines):
                problems.append(
                    f"manifest {mp}: its audit line {seq} is missing: the log was truncated"
                )
            elif _line_hash(lines[seq - 1]) != sha:
                problems.append(f"manifest {mp}: audit line {seq} is not the line it recorded")
            elif json.loads(lines[seq - 1]).get("run_id") is None:
                problems.append(f"manifest {mp}: audit line {seq} has no run id")
    click.echo(f"lines:  {res.lines:,}")
    click.echo(f"head:   {res.head_sha256}")
    if problems:
        for msg in problems:
            click.echo(f"BROKEN: {msg}")
        ctx.exit(EXIT_DATA)
    click.echo("result: chain intact")
