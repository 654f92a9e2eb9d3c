"""Spark local[2]: the legacyio data source reads one partition per split and writes the
file back byte for byte, also after a shuffle; options are parsed and secrets refused."""

from __future__ import annotations

import pyarrow as pa
import pytest

import legacyio
from legacyio.errors import OptionsError
from legacyio.scale import RECORD_COLUMN
from legacyio.spark import parse_options, spark_arrow_schema

pytestmark = pytest.mark.spark

BIG_CPY = """\
       01 WIDE-REC.
          05 W-ID        PIC 9(4).
          05 W-HUGE      PIC S9(40) COMP-3.
"""


def _reader(spark, path, kw, cb, **extra):
    r = spark.read.format("legacyio").option("copybook", cb).option("index", "ignore")
    for k, v in {**kw, **extra}.items():
        r = r.option(k, str(v))
    return r.load(str(path))


def test_read_matches_read_table_with_one_partition_per_split(spark, generated) -> None:
    path, kw, cb = generated["V"]
    df = _reader(spark, path, kw, cb, split_size=12000)
    whole = legacyio.read_table(path, cb, **kw)
    got = df.orderBy(RECORD_COLUMN).toArrow()
    assert got.num_rows == whole.num_rows
    assert df.rdd.getNumPartitions() == len(
        legacyio.plan_splits(path, cb, split_size=12000, index="ignore", **kw)
    )
    for name in whole.column_names:
        assert got.column(name).cast(whole.schema.field(name).type).equals(whole.column(name)), name
    assert got.column(RECORD_COLUMN).to_pylist() == list(range(1, whole.num_rows + 1))


def test_golden_file_decimals_through_spark(spark) -> None:
    from tests.scale.test_splits import ROOT

    cb = ROOT / "copybooks/golden/taxpayer.cpy"
    path = ROOT / "golden_files/taxpayer_ebcdic.dat"
    df = _reader(spark, path, {}, str(cb), split_size=12000)
    whole = legacyio.read_table(path, cb)
    got = df.orderBy(RECORD_COLUMN).toArrow()
    target = spark_arrow_schema(whole.schema)
    assert got.select(whole.column_names).cast(target).equals(whole.cast(target))


def test_write_back_after_shuffle_is_byte_identical(spark, generated, tmp_path) -> None:
    path, kw, cb = generated["VB-padded"]
    df = _reader(spark, path, kw, cb, split_size=10000)
    out = tmp_path / "out.dat"
    w = df.repartition(3).write.format("legacyio").option("copybook", cb)
    for k, v in kw.items():
        w = w.option(k, str(v))
    w.mode("overwrite").save(str(out))
    assert out.read_bytes() == path.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["out.dat"]  # parts cleaned up


def test_mapinarrow_fallback_reads_the_same(spark, generated) -> None:
    from legacyio.spark import read

    path, kw, cb = generated["ODO"]
    df = read(spark, str(path), cb, split_size=12000, index="ignore", **kw)
    whole = legacyio.read_table(path, cb, **kw)
    got = df.orderBy(RECORD_COLUMN).toArrow()
    assert got.column("TXN_ID").to_pylist() == whole.column("TXN_ID").to_pylist()


def test_unholdable_types_are_refused_at_planning_naming_the_field(spark, tmp_path) -> None:
    p = tmp_path / "w.dat"
    p.write_bytes(b"\xf0" * 4 + b"\x00" * 20 + b"\x0c")
    with pytest.raises(Exception, match="W_HUGE"):
        spark.read.format("legacyio").option("copybook", BIG_CPY).load(str(p)).schema  # noqa: B018


def test_options_are_typed_and_secrets_refused() -> None:
    conf = parse_options(
        {
            "copybook": "x.cpy",
            "path": "f.dat",
            "record_format": "V",
            "rdw_adjustment": "4",
            "strict": "true",
            "record_length": "none",
            "columns": "A,B",
            "segments": "E=ENT,F=FIL",
            "split_size": "64m",
        }
    )
    assert conf.fmt.rdw_adjustment == 4 and conf.ropts.strict is True
    assert conf.fmt.record_length is None and conf.ropts.columns == ("A", "B")
    assert conf.fmt.segments == (("E", "ENT"), ("F", "FIL")) and conf.split_size == 64 << 20
    for bad in ("key", "aws_secret", "protection_key_file_password", "token"):
        with pytest.raises(OptionsError, match="secret") as e:
            parse_options({"copybook": "x", bad: "s3cr3t-value"})
        assert "s3cr3t-value" not in str(e.value)
    with pytest.raises(OptionsError, match="unknown option"):
        parse_options({"copybook": "x", "recordformat": "V"})
    with pytest.raises(OptionsError, match=r"uint64|unsigned 64"):
        spark_arrow_schema(pa.schema([pa.field("U", pa.struct([pa.field("X", pa.uint64())]))]))
    dates = spark_arrow_schema(pa.schema([pa.field("D", pa.list_(pa.date32()))]))
    assert dates.field("D").type == pa.list_(pa.date32())  # typed dates: Spark DateType


def test_record_types_and_field_code_pages_as_spark_options() -> None:
    conf = parse_options(
        {
            "copybook": "x.cpy",
            "record_types": "{\"ENT\": \"T = 'E' and R in ('1', '2')\", \"PER\": \"T = 'P'\"}",
            "field_code_page:cp500": "NAME, CITY",  # Cobrix's form
            "field_code_page:cp1047": "STREET",
        }
    )
    assert conf.fmt.record_types == (("ENT", "T = 'E' and R in ('1', '2')"), ("PER", "T = 'P'"))
    assert conf.fmt.code_page_map() == {"NAME": "cp500", "CITY": "cp500", "STREET": "cp1047"}
    with pytest.raises(OptionsError, match="JSON"):
        parse_options({"copybook": "x", "record_types": "ENT=T = 'E'"})
    with pytest.raises(OptionsError, match="column 5"):
        parse_options({"copybook": "x", "record_types": '{"ENT": "T = "}'})
