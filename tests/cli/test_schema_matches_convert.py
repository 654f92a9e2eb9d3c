"""`legacyio schema --format json` shows exactly the Arrow schema `convert` writes with the same
options: FILLER groups and the named fields under them included (a regression: `schema` used
to build its own types and left them out)."""

from __future__ import annotations

import itertools
import json

import pyarrow as pa
import pytest

FILLER_GROUP_CPY = """\
       01 REC.
          05 ID         PIC 9(4).
          05 FILLER.
             10 HIDDEN-NAME PIC X(3).
             10 FILLER      PIC X(2).
          05 AMOUNTS    PIC S9(3)V9 COMP-3 OCCURS 2 TIMES.
          05 FILLER     PIC X.
"""
REC_LEN = 4 + 5 + 3 * 2 + 1


def _fields(schema: pa.Schema) -> list[dict[str, object]]:
    return [{"name": f.name, "type": str(f.type)} for f in schema]


@pytest.mark.parametrize(
    ("fillers", "flatten", "names"),
    list(itertools.product([True, False], [False, True], ["python", "cobol"])),
)
def test_schema_json_is_the_convert_schema(run, tmp_path, fillers, flatten, names) -> None:
    (tmp_path / "fg.cpy").write_text(FILLER_GROUP_CPY)
    (tmp_path / "fg.dat").write_bytes(
        ("0001ABC  ".encode("cp037") + bytes.fromhex("00123C00456D") + b"\x40") * 3
    )
    flags = [
        "--fillers" if fillers else "--no-fillers",
        "--flatten" if flatten else "--no-flatten",
        "--names",
        names,
    ]
    res = run("schema", "-c", str(tmp_path / "fg.cpy"), "--format", "json", *flags)
    assert res.exit_code == 0, res.output
    shown = [{"name": f["name"], "type": f["type"]} for f in json.loads(res.stdout)["arrow_schema"]]
    out = tmp_path / "fg.arrow"  # IPC keeps the schema exactly (Parquet renames list items)
    res = run("convert", "-c", str(tmp_path / "fg.cpy"), str(tmp_path / "fg.dat"), str(out), *flags)
    assert res.exit_code == 0, res.output
    with pa.memory_map(str(out)) as src:
        written = pa.ipc.open_file(src).schema
    assert shown == _fields(written)
    hidden = "HIDDEN_NAME" if names == "python" else "HIDDEN-NAME"
    assert (hidden in json.dumps(shown)) == fillers


def test_schema_text_types_come_from_the_plan(run, tmp_path) -> None:
    (tmp_path / "fg.cpy").write_text(FILLER_GROUP_CPY)
    res = run("schema", "-c", str(tmp_path / "fg.cpy"))
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.stdout.splitlines() if "HIDDEN-NAME" in ln)
    assert line.rstrip().endswith("string")
