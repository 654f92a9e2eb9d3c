"""Job files (``legacyio ... --job job.toml``): the options of a migration step in a reviewable
file, so the step is repeatable. Command-line flags override the job file.

Layout of a job file (every key is optional; names are the long flag names, ``-`` or ``_``)::

    copybook = "copybooks/taxpayer.cpy"      # paths are relative to the job file's folder
    copybook-dir = ["copybooks/copy"]
    input = "data/TAXMAST.dat"
    output = "out/taxmast.parquet"

    [format]                                 # FileFormat fields
    record-format = "FB"
    encoding = "cp037"
    segment-field = "SEG-TYPE"
    segments = { E = "ENTITY-SEG", F = "FILING-SEG" }
    # or record-type rules, tried in order (instead of segment-field + segments):
    # record-types = { ENTITY-SEG = "SEG-TYPE = 'E' and REGION in ('01', '02')" }
    field-code-page = { NAME-LATIN = "cp500" }

    [read]                                   # ReadOptions fields
    strict = true

    [write]                                  # WriteOptions fields
    null-as = "spaces"

    [convert]                                # applies only to `legacyio convert`
    compression = "zstd"
    overwrite = true

Sections only group keys for the reader; ``[convert]``, ``[encode]``, ``[head]``,
``[verify]``, ``[schema]``, ``[policy]``, ``[protect]``, ``[unprotect]``, ``[audit]``,
``[index]`` and ``[splits]`` hold keys for that command alone and win over the others
(``[policy]``, ``[audit]`` and ``[index]`` for their subcommands). A ``key`` in a job file is refused like ``--key``. A
``.json`` file with the same structure is accepted too (e.g. a golden-file manifest).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable
from typing import Any

from legacyio.errors import OptionsError

__all__ = ["COMMAND_SECTIONS", "GROUP_SECTIONS", "PATH_KEYS", "JobFile", "load_job"]

GROUP_SECTIONS = ("format", "read", "write", "job", "options")
COMMAND_SECTIONS = (
    "convert",
    "encode",
    "head",
    "verify",
    "schema",
    "policy",
    "protect",
    "unprotect",
    "audit",
    "index",
    "splits",
)
PATH_KEYS = frozenset(
    {
        "copybook",
        "copybook_dir",
        "input",
        "output",
        "report_file",
        "policy",
        "policy_file",
        "key_file",
        "audit_log",
        "manifest",
        "protected",
        "log",
    }
)
"""Keys holding paths: relative paths are taken from the job file's folder."""

ALIASES = {
    "rdw": "rdw_byteorder",
    "search_path": "copybook_dir",
    "segment": "segments",
    "record_type": "record_types",
    "format_": "to",
    "data": "input",
}
"""Alternative key spellings -> the option name."""

TABLE_KEYS = frozenset(
    {
        "segments",
        "occurs_mappings",
        "segment_children",
        "date_formats",
        "record_types",
        "field_code_page",
    }
)
"""Options whose value is itself a table (a map)."""

IGNORED = frozenset({"description", "records", "comment", "name", "expected", "read_back"})
"""Informational keys of golden-file manifests (JSON job files) that set no option."""


def _key(name: str) -> str:
    k = name.strip().replace("-", "_").lower()
    return ALIASES.get(k, k)


class JobFile:
    """The options of one job file, flattened to ``{option name: value}``, per command."""

    def __init__(self, path: str, common: dict[str, Any], per_command: dict[str, dict[str, Any]]):
        self.path = path
        self.base_dir = os.path.dirname(os.path.abspath(path))
        self.common = common
        self.per_command = per_command

    def options_for(self, command: str) -> dict[str, Any]:
        """Options for one command: the common keys, then that command's section."""
        out = dict(self.common)
        out.update(self.per_command.get(command, {}))
        return out

    def check_known(self, known: Iterable[str]) -> None:
        """OptionsError naming the job file and key for a key no command knows."""
        known = set(known)
        for section, opts in [("", self.common), *self.per_command.items()]:
            for k in opts:
                if k not in known:
                    where = f"[{section}] " if section else ""
                    raise OptionsError(f"{self.path}: {where}unknown option {k!r}")

    def resolve_path(self, value: str, existing: bool = False) -> str:
        """A path from the job file, relative to the job file's folder. For a path that must
        exist (copybook, input) and is not there, the current directory is tried next (as
        golden-file manifests give paths from the repository root)."""
        value = os.path.expanduser(value)
        if value == "-" or os.path.isabs(value):  # "-": stdin / stdout
            return value
        here = os.path.normpath(os.path.join(self.base_dir, value))
        if existing and not os.path.exists(here) and os.path.exists(value):
            return os.path.abspath(value)
        return here


def _merge(into: dict[str, Any], table: dict[str, Any], path: str, section: str) -> None:
    for raw_key, value in table.items():
        k = _key(raw_key)
        if k in IGNORED and path.lower().endswith(".json") and not section:
            continue
        if isinstance(value, dict) and k not in TABLE_KEYS:
            raise OptionsError(f"{path}: [{section or raw_key}] {raw_key!r} must not be a table")
        if k in into and into[k] != value:
            raise OptionsError(f"{path}: option {k!r} is given twice with different values")
        into[k] = value


def load_job(path: str | os.PathLike[str]) -> JobFile:
    """Parse a TOML (or JSON) job file; OptionsError naming the file (and line) if invalid."""
    p = os.fspath(path)
    try:
        with open(p, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise OptionsError(f"job file {p}: {e.strerror or e}") from None
    try:
        if p.lower().endswith(".json"):
            data = json.loads(raw.decode("utf-8"))
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise OptionsError(f"job file {p}: {e}") from None
    if not isinstance(data, dict):
        raise OptionsError(f"job file {p}: the top level must be a table")
    common: dict[str, Any] = {}
    per_command: dict[str, dict[str, Any]] = {}
    for raw_key, value in data.items():
        k = _key(raw_key)
        if k in GROUP_SECTIONS and isinstance(value, dict):
            _merge(common, value, p, k)
        elif k in COMMAND_SECTIONS and isinstance(value, dict):
            cmd: dict[str, Any] = {}
            _merge(cmd, value, p, k)
            per_command[k] = cmd
        else:
            _merge(common, {raw_key: value}, p, "")
    for opts in [common, *per_command.values()]:
        _numbered_levels(opts, p)
    job = JobFile(p, common, per_command)
    for opts in [common, *per_command.values()]:
        for k in list(opts):
            if k in PATH_KEYS:
                v = opts[k]
                existing = k != "output" and k != "report_file"
                if isinstance(v, str):
                    opts[k] = job.resolve_path(v, existing)
                elif isinstance(v, list):
                    opts[k] = [
                        job.resolve_path(x, existing) if isinstance(x, str) else x for x in v
                    ]
    return job


def _numbered_levels(opts: dict[str, Any], path: str) -> None:
    """Cobrix's ``segment_id_level0 = "C"``, ``segment_id_level1 = "P"`` (or
    ``segment_id_root``) keys -> one ``segment_id_levels`` list, in level order."""
    import re

    numbered: dict[int, Any] = {}
    for k in list(opts):
        m = re.fullmatch(r"segment_id_level(\d+)", k)
        if m or k == "segment_id_root":
            numbered[int(m.group(1)) if m else 0] = opts.pop(k)
    if not numbered:
        return
    if "segment_id_levels" in opts or sorted(numbered) != list(range(len(numbered))):
        raise OptionsError(
            f"{path}: segment_id_level<N> keys must be numbered 0, 1, 2, ... (and not mixed "
            "with segment_id_levels)"
        )
    opts["segment_id_levels"] = [numbered[i] for i in range(len(numbered))]


def segments_value(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """A segment map from a job file: a table ``{id = "GROUP"}`` or a list of ``"ID=GROUP"``."""
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, str) and "=" in item:
                sid, grp = item.split("=", 1)
                out.append((sid.strip(), grp.strip()))
            elif isinstance(item, list) and len(item) == 2:
                out.append((str(item[0]), str(item[1])))
            else:
                raise OptionsError(f'{where}: segments entries are "ID=GROUP" strings')
        return tuple(out)
    raise OptionsError(f'{where}: segments must be a table {{ID = "GROUP"}} or a list')


def pairs_value(key: str, value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """``record_types`` / ``field_code_page`` from a job file: a table ``{NAME = "VALUE"}``
    (in file order) or a list of ``"NAME=VALUE"`` strings."""
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = []
        for item in value:
            if not isinstance(item, str) or "=" not in item:
                raise OptionsError(f'{where}: {key} entries are "NAME=VALUE" strings')
            name, rest = item.split("=", 1)
            pairs.append((name, rest))
    else:
        raise OptionsError(f'{where}: {key} must be a table {{NAME = "VALUE"}} or a list')
    out = []
    for name, v in pairs:
        if not isinstance(v, str):
            raise OptionsError(f"{where}: {key}.{name} must be text")
        out.append((str(name).strip(), v))
    return tuple(out)
