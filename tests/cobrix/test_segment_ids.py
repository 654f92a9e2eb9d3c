"""Segment id columns (``segment_id_level0..N`` / ``segment_id_prefix``): generated keys
linking every record to its root and parents. The file is built byte by byte; the expected
keys are worked out by hand from the rules in the docstring of ``engine/segids.py`` (the
same rules the Cobrix corpus cases test17b and test5a check on real files)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli

CPY = """\
       01 REC.
          05 SEG   PIC X.
          05 TXT   PIC X(3).
"""
# R root, D dept (level 1), E employee (level 2), X an id at no level
SEGS = "XRDEEDERXEDRE"
EXPECTED = {
    # row: (Seg_Id0, Seg_Id1, Seg_Id2)
    0: (None, None, None),  # before any root
    1: ("K_1", None, None),
    2: ("K_1", "K_1_L1_1", None),
    3: ("K_1", "K_1_L1_1", "K_1_L2_1"),
    4: ("K_1", "K_1_L1_1", "K_1_L2_2"),
    5: ("K_1", "K_1_L1_2", None),  # a new dept closes the employee level
    6: ("K_1", "K_1_L1_2", "K_1_L2_3"),  # counts run on since the root
    7: ("K_7", None, None),  # a new root resets them
    8: ("K_7", None, None),  # X: the open ids, no level of its own
    9: ("K_7", None, "K_7_L2_1"),  # an employee without an open dept
    10: ("K_7", "K_7_L1_1", None),
    11: ("K_11", None, None),
    12: ("K_11", None, "K_11_L2_1"),
}


def data() -> bytes:
    return b"".join((s + f"{i:03d}").encode("cp037") for i, s in enumerate(SEGS))


@pytest.mark.parametrize("batch_size", [1, 4, 100])
def test_ids_follow_the_hierarchy_across_batches(batch_size) -> None:
    t = legacyio.read_table(
        data(),
        CPY,
        segment_field="SEG",
        segment_id_levels=["R", "D", "E"],
        segment_id_prefix="K",
        batch_size=batch_size,
    )
    got = list(zip(*(t.column(f"Seg_Id{k}").to_pylist() for k in range(3))))
    assert got == [EXPECTED[i] for i in range(len(SEGS))]
    assert legacyio.encode(t) == data()  # generated columns are not written


def test_cobrix_keywords_and_any_level() -> None:
    t = legacyio.read_table(
        data(), CPY, segment_field="SEG", segment_id_root="R", segment_id_level1="D,E,X"
    )
    assert t.column_names[-2:] == ["Seg_Id0", "Seg_Id1"]
    assert t.column("Seg_Id0").to_pylist()[:3] == [None, "1", "1"]
    star = legacyio.read_table(
        data(), CPY, segment_field="SEG", segment_id_level0="R", segment_id_level1="*"
    )
    assert star.column("Seg_Id1").to_pylist()[8] == "7_L1_1"  # X is level 1 under '*'
    with pytest.raises(TypeError, match="without gaps"):
        legacyio.read_table(data(), CPY, segment_field="SEG", segment_id_level1="D")
    with pytest.raises(legacyio.OptionsError, match="segment_field"):
        legacyio.read_table(data(), CPY, segment_id_levels=["R"])


def test_cli_and_job_file(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    (tmp_path / "r.dat").write_bytes(data())
    runner = CliRunner()
    args = ["-c", str(tmp_path / "r.cpy"), str(tmp_path / "r.dat")]
    res = runner.invoke(
        cli,
        [
            "convert",
            *args,
            str(tmp_path / "a.parquet"),
            "--quiet",
            "--segment-field",
            "SEG",
            "--segment-id-level",
            "R",
            "--segment-id-level",
            "D",
            "--segment-id-level",
            "E",
            "--segment-id-prefix",
            "K",
        ],
    )
    assert res.exit_code == 0, res.output
    t = pq.read_table(tmp_path / "a.parquet")
    assert t.column("Seg_Id2").to_pylist()[12] == "K_11_L2_1"
    (tmp_path / "job.toml").write_text(
        '[format]\nsegment-field = "SEG"\n'
        '[read]\nsegment_id_level0 = "R"\nsegment_id_level1 = "D"\nsegment_id_prefix = "k"\n'
    )
    res = runner.invoke(
        cli,
        [
            "convert",
            *args,
            str(tmp_path / "b.parquet"),
            "--quiet",
            "--job",
            str(tmp_path / "job.toml"),
        ],
    )
    assert res.exit_code == 0, res.output
    t = pq.read_table(tmp_path / "b.parquet")
    assert t.column("Seg_Id1").to_pylist()[5] == "k_1_L1_2"
