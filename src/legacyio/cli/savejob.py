"""``convert --save-job FILE``: the job file (``cli/jobfile.py`` format) that encodes the
converted table back, for when the table no longer carries its copybook and file format
(CSV and JSON Lines never do; DuckDB, Polars or pandas drop the Parquet metadata).

What it holds: the copybook (and ``copybook-dir``, ``copybook-format``), every field of the
file format in ``[format]`` (defaults included, so a later change of a default cannot change
the meaning of a saved job), the read options that name the table's columns (``names``,
``fillers``) and the other read options the conversion used in ``[read]``, and the
conversion's own INPUT, OUTPUT and ``--to`` in ``[convert]`` (so ``convert --job FILE``
repeats it; ``encode`` ignores that section).

Paths are written relative to the job file's folder (how ``load_job`` reads them), so the
job file moves with its folder; a path on another drive is written absolute.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

from legacyio.errors import OptionsError
from legacyio.options import FileFormat, ReadOptions

if TYPE_CHECKING:  # sources imports pyarrow: the command line imports it only when it runs
    from legacyio.sources import AtomicSink

__all__ = ["job_text", "prepare_job"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")

_READ_KEYS = ("names", "fillers", "trim", "flatten", "residue", "strict", "lenient_framing")
"""ReadOptions saved: the column naming encode needs, and what decides the table's values."""


def _key(name: str) -> str:
    return name if _BARE.fullmatch(name) else _string(name)


def _string(value: str) -> str:
    # a JSON string is a TOML basic string (the same escapes), once non-ASCII is kept as is
    return json.dumps(value, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()) + "}"
    raise OptionsError(f"--save-job: cannot write a {type(value).__name__} value")


def _path(path: str, base: str) -> str:
    absolute = os.path.abspath(path)
    try:
        return os.path.relpath(absolute, base)
    except ValueError:  # another drive (Windows): only an absolute path will do
        return absolute


def _format_table(fmt: FileFormat) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fmt.to_dict().items():
        if value is None:
            continue
        if name == "segments":
            value = {str(sid): str(group) for sid, group in value}
        elif name == "segment_children":
            value = {str(parent): [str(c) for c in kids] for parent, kids in value}
        elif name == "occurs_mappings":
            value = {str(t): {str(k): v for k, v in pairs} for t, pairs in value}
        elif name in ("record_types", "field_code_page"):
            # "NAME=VALUE" strings in order (rules are tried in order; a name may repeat)
            value = [f"{n}={v}" for n, v in value]
        elif name == "date_formats":
            value = {str(field): str(form) for field, form in value}
        if isinstance(value, (dict, list, tuple)) and not value:
            continue  # an empty map or list: the default
        out[name.replace("_", "-")] = value
    return out


def job_text(
    path: str,
    params: dict[str, Any],
    fmt: FileFormat,
    ropts: ReadOptions,
    out_format: str,
) -> str:
    """The TOML text of the job file ``path`` for a ``convert`` run with these options."""
    base = os.path.dirname(os.path.abspath(path))
    lines = [
        "# Written by `legacyio convert --save-job`: how the table was decoded. Encode an",
        "# edited copy of it back with `legacyio encode --job THIS-FILE TABLE OUTPUT`.",
        "# Paths are relative to this file's folder.",
    ]
    copybook = params.get("copybook")
    if not copybook:  # pragma: no cover - convert always has a copybook
        raise OptionsError("--save-job needs the copybook as a file (-c)")
    lines.append(f"copybook = {_value(_path(str(copybook), base))}")
    dirs = [_path(str(d), base) for d in params.get("copybook_dir") or ()]
    if dirs:
        lines.append(f"copybook-dir = {_value(dirs)}")
    if params.get("copybook_format"):
        lines.append(f"copybook-format = {_value(str(params['copybook_format']).lower())}")
    lines += ["", "[format]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in _format_table(fmt).items()]
    lines += ["", "[read]"]
    for name in _READ_KEYS:
        lines.append(f"{name.replace('_', '-')} = {_value(getattr(ropts, name))}")
    convert = {}
    for name in ("input", "output"):
        v = params.get(name)
        if v and v != "-":
            convert[name] = _path(str(v), base)
    convert["to"] = out_format
    lines += ["", "[convert]"]
    lines += [f"{k} = {_value(v)}" for k, v in convert.items()]
    return "\n".join(lines) + "\n"


def prepare_job(
    params: dict[str, Any], fmt: FileFormat, ropts: ReadOptions, out_format: str
) -> AtomicSink | None:
    """For ``--save-job``: the job file written to a temporary file and finished, not yet
    renamed (the caller commits it with the outputs, or aborts it); None without the flag."""
    path = params.get("save_job")
    if not path:
        return None
    path = str(path)
    if path == "-":
        raise OptionsError("--save-job needs a file name, not - (stdout)")
    here = os.path.abspath(path)
    for other, label in (
        (params.get("input"), "the input file"),
        (params.get("output"), "the output"),
        (params.get("job"), "the --job file"),
        (params.get("copybook"), "the copybook"),
        (params.get("report_file"), "the --report-file"),
    ):
        if other and other != "-" and os.path.abspath(str(other)) == here:
            raise OptionsError(f"--save-job {path} is {label}")
    if not os.path.isdir(os.path.dirname(here)):
        raise OptionsError(f"the folder of --save-job {path} does not exist")
    if os.path.isdir(here):
        raise OptionsError(f"--save-job {path} is a directory")
    text = job_text(path, params, fmt, ropts, out_format)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise OptionsError(
            "--save-job: a path or option is not valid UTF-8 and cannot be written to a job file"
        ) from None
    from legacyio.sources import open_sink

    sink = open_sink(path)
    try:
        sink.write(data)
        sink.finish()
    except BaseException:
        sink.abort()
        raise
    return sink
