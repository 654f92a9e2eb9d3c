"""``verify --protected``: check a protected output against its manifest and its source.

A protected output is not byte-comparable to its source by design. What can be proved
instead, without the key:

- the output's SHA-256 and size are the ones its manifest recorded (and the source, copybook
  and policy are still the files the manifest names);
- the output re-decodes (a mainframe copy with the same copybook and file format; a table
  file with its reader), with the row count the manifest says;
- every kept field equals the source, row for row (rows filtered by the allow-list first);
- every field of a keyless action (mask, generalize, blank, null, and withheld fields
  blanked in a mainframe copy) holds exactly that action's result;
- no field of a keyed action (fpe, token, hash) holds its original value in any row, at its
  place in the record (for a mainframe copy: the value decoded at the field's offset).
  A ``date_shift`` may leave a date unchanged (a shift of 0 days is one of the
  2 * max_days + 1 shifts): such rows are counted, not failed.

The result names fields and counts, never a value.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import OptionsError
from legacyio.protect.audit import file_facts
from legacyio.protect.keys import ProtectionKey
from legacyio.protect.policy import Policy
from legacyio.protect.protector import GENERATED, Protector, _find_path

__all__ = ["KEYED", "ProtectedCheck", "load_manifest", "manifest_path", "verify_protected"]

KEYED = frozenset({"fpe", "token", "hash", "date_shift"})
"""Actions whose result depends on the key (a verifier without the key cannot recompute)."""
MAINFRAME = "mainframe"


@attrs.define
class ProtectedCheck:
    """Outcome of ``verify_protected``: ``problems`` is empty when every check passed."""

    rows: int = 0
    fields_checked: int = 0
    kept: int = 0
    recomputed: int = 0
    keyed: int = 0
    date_shift_unchanged: dict[str, int] = attrs.Factory(dict)
    problems: list[str] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        return not self.problems


def manifest_path(output: str | os.PathLike[str]) -> Path:
    """Where the manifest of an output lives: ``OUTPUT.manifest.json``."""
    return Path(f"{os.fspath(output)}.manifest.json")


def load_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(path)
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise OptionsError(f"manifest {p}: {e.strerror}") from None
    except ValueError:
        raise OptionsError(f"manifest {p} is not JSON") from None
    if not isinstance(m, dict) or m.get("tool") != "legacyio" or "action" not in m:
        raise OptionsError(f"manifest {p} is not a legacyio protect/unprotect manifest")
    return m


def format_from_manifest(m: dict[str, Any]) -> Any:
    from legacyio.options import FileFormat

    raw = dict(m.get("format") or {})
    raw["segments"] = tuple(tuple(x) for x in raw.get("segments", ()))
    return FileFormat(**raw)


def read_options_from_manifest(m: dict[str, Any]) -> Any:
    from legacyio.options import ReadOptions

    raw = dict(m.get("read") or {})
    raw["columns"] = None
    raw["residue"] = False
    raw["fillers"] = False
    return ReadOptions(**raw)


# ---- reading the output back ------------------------------------------------------------------
def _read_output(
    path: str, out_fmt: str, layout: Any, fmt: Any, ropts: Any
) -> Iterator[dict[str, Any]]:
    """The output's rows as dicts (nested values as Python objects)."""
    if out_fmt == MAINFRAME:
        import legacyio

        t = legacyio.read_table(path, layout, attrs.evolve(ropts, flatten=False), format=fmt)
        yield from t.to_pylist()
    elif out_fmt == "parquet":
        import pyarrow.parquet as pq

        yield from pq.read_table(path).to_pylist()
    elif out_fmt in ("arrow", "feather"):
        with pa.memory_map(path) as src:
            yield from pa.ipc.open_file(src).read_all().to_pylist()
    elif out_fmt == "arrows":
        with pa.input_stream(path) as src:
            yield from pa.ipc.open_stream(src).read_all().to_pylist()
    elif out_fmt == "jsonl":
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)
    elif out_fmt == "csv":
        with open(path, encoding="utf-8", newline="") as f:
            yield from csv.DictReader(f)
    else:
        raise OptionsError(f"unknown output format {out_fmt!r} in the manifest")


def _norm(v: Any) -> str:
    """A value as comparable text, whatever file format carried it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _flat_values(row: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in row.items():
        name = f"{prefix}_{k}" if prefix else k
        yield from _flat_value(name, v)


def _flat_value(name: str, v: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(v, dict):
        yield from _flat_values(v, name)
    elif isinstance(v, list):
        for i, x in enumerate(v, 1):
            yield from _flat_value(f"{name}_{i}", x)
    else:
        yield name, v


def _flat_paths(schema: pa.Schema, table: pa.Table) -> dict[str, str]:
    """Flat column name -> dotted layout path, for the columns of a decoded table."""
    out: dict[str, str] = {}
    lengths: dict[str, int] = {}

    def occurs(f: pa.Field, arr: Any) -> int:
        key = f.name
        if key not in lengths:
            lens = pc.list_value_length(arr)
            mx = pc.max(lens).as_py() if len(lens) else 0
            lengths[key] = int(mx or 0)
        return lengths[key]

    def walk(f: pa.Field, name: str, arr: Any) -> None:
        path = (f.metadata or {}).get(b"path", b"").decode()
        t = f.type
        if pa.types.is_struct(t):
            for i in range(t.num_fields):
                walk(t.field(i), f"{name}_{t.field(i).name}", pc.struct_field(arr, [i]))
        elif pa.types.is_list(t) or pa.types.is_large_list(t):
            vf = t.value_field.with_metadata(f.metadata) if path else t.value_field
            for k in range(1, occurs(f, arr) + 1):
                walk(vf, f"{name}_{k}", pc.list_flatten(arr))
        else:
            out[name] = path

    for f, col in zip(schema, table.columns):
        walk(f, f.name, col)
    return out


# ---- the check --------------------------------------------------------------------------------
def _allow_filter(table: pa.Table, policy: Policy) -> pa.Table:
    allow = policy.allow
    if allow is None:
        return table
    parts = []
    for b in table.to_batches():
        col = _find_path(b, allow.item.dotted)
        if col is None:
            raise OptionsError(f"the allow-list field {allow.item.dotted} is not in the table")
        col = col.cast(allow.values.type) if col.type != allow.values.type else col
        parts.append(b.filter(pc.fill_null(pc.is_in(col, value_set=allow.values), False)))
    if not parts:
        return table
    return pa.Table.from_batches(parts, schema=parts[0].schema)


def verify_protected(
    manifest: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    search_path: Any = (),
) -> ProtectedCheck:
    """Check a protected output against its manifest and its source (see the module)."""
    import legacyio
    from legacyio.protect.policy import load_policy

    m = load_manifest(manifest)
    res = ProtectedCheck()
    if m.get("action") != "protect" or m.get("outcome") != "success":
        raise OptionsError(f"manifest {manifest} does not describe a successful protect run")
    out = os.fspath(output)
    facts = file_facts(out)
    recorded = (m.get("outputs") or [{}])[0] or {}
    if not facts or facts.get("missing"):
        raise OptionsError(f"output {out} does not exist")
    if facts.get("sha256") != recorded.get("sha256") or facts.get("size") != recorded.get("size"):
        res.problems.append("the output's SHA-256 or size is not the one its manifest recorded")
        return res
    paths = m.get("paths") or {}
    for what in ("input", "copybook", "policy"):
        p = paths.get(what)
        if not p:
            raise OptionsError(f"manifest {manifest} does not name its {what}")
        now = file_facts(p) or {}
        want = (m.get(what) or {}).get("sha256")
        if now.get("missing"):
            raise OptionsError(f"the {what} {p} named by the manifest does not exist")
        if want and now.get("sha256") != want:
            res.problems.append(f"the {what} {p} changed since the protect run (SHA-256 differs)")
    if res.problems:
        return res
    layout = legacyio.load_copybook(
        paths["copybook"], search_path=tuple(search_path) or tuple(m.get("copybook_dirs") or ())
    )
    policy = load_policy(paths["policy"], layout)
    fmt = format_from_manifest(m)
    ropts = read_options_from_manifest(m)
    out_fmt = m.get("output_format", "parquet")
    mainframe = out_fmt == MAINFRAME
    if mainframe:
        ropts = attrs.evolve(ropts, flatten=False)
    source = legacyio.read_table(paths["input"], layout, ropts, format=fmt)
    source = _allow_filter(source, policy)
    # keyless actions recomputed with a throwaway key; keyed results are never compared to it
    expected = Protector(policy, key=ProtectionKey(os.urandom(32))).protect_table(
        source, keep_layout=mainframe
    )
    try:
        got_rows = list(_read_output(out, out_fmt, layout, fmt, ropts))
    except (pa.ArrowException, ValueError, UnicodeDecodeError) as e:
        res.problems.append(f"the output does not re-decode ({type(e).__name__})")
        return res
    except legacyio.LegacyioError as e:
        res.problems.append(f"the output does not re-decode: {e}")
        return res
    res.rows = len(got_rows)
    want_rows = (m.get("rows") or {}).get("released")
    if want_rows is not None and res.rows != want_rows:
        res.problems.append(f"the output has {res.rows} rows, the manifest says {want_rows}")
    if res.rows != source.num_rows:
        res.problems.append(
            f"the output has {res.rows} rows, the source has {source.num_rows} after the allow-list"
        )
        return res
    paths_of = _flat_paths(source.schema, source)
    src_rows = [dict(_flat_values(r)) for r in source.to_pylist()]
    exp_rows = [dict(_flat_values(r)) for r in expected.to_pylist()]
    out_rows = [dict(_flat_values(r)) for r in got_rows]
    names = list(out_rows[0]) if out_rows else []
    exp_keys: set[str] = set().union(*exp_rows) if exp_rows else set()
    for name in names:
        path = paths_of.get(name)
        if not path:
            if name in GENERATED:
                continue
            res.problems.append(f"output column {name} is not a field of the source")
            continue
        if mainframe and name not in exp_keys:
            # a REDEFINES alternative: its bytes are its base field's, checked there
            continue
        fa = policy.actions.get(path)
        if fa is None:
            res.problems.append(f"output column {name} ({path}) has no action in the policy")
            continue
        res.fields_checked += 1
        action = fa.action
        got = [_norm(r.get(name)) for r in out_rows]
        orig = [_norm(r.get(name)) for r in src_rows]
        if action == "keep":
            res.kept += 1
            bad = sum(1 for a, b in zip(got, orig) if a != b)
            if bad:
                res.problems.append(f"{path}: kept field differs from the source in {bad} rows")
        elif action in KEYED:
            res.keyed += 1
            same = sum(1 for a, b in zip(got, orig) if b != "" and a == b)
            if same and action == "date_shift":
                res.date_shift_unchanged[path] = same
            elif same:
                res.problems.append(
                    f"{path} (offset {fa.item.offset}, {action}): {same} rows hold their "
                    "original value"
                )
        else:
            res.recomputed += 1
            exp = [_norm(r.get(name)) for r in exp_rows]
            bad = sum(1 for a, b in zip(got, exp) if a != b)
            if bad:
                res.problems.append(
                    f"{path} (offset {fa.item.offset}, {action}): {bad} rows do not hold the "
                    "action's result"
                )
    return res
