"""Spark: read and write mainframe files with the engine migration teams already run.

Spark >= 4.0, a Python Data Source registered once per session::

    import legacyio.spark
    legacyio.spark.register(spark)
    df = (spark.read.format("legacyio").option("copybook", "master.cpy")
          .option("record_format", "V").load("s3://bucket/master.dat"))
    df.write.format("legacyio").option("copybook", "master.cpy")
        .option("record_format", "V").mode("overwrite").save("/out/master.dat")

One partition per split (``legacyio.scale.plan_splits``); each partition hands Spark Arrow
record batches, never Python row objects. Options are strings: ``copybook`` (a path, seen
from the executors too, or the copybook text), any ``FileFormat`` or ``ReadOptions`` field
(``record_format``, ``rdw_adjustment``, ``strict``, ``columns`` as a comma list or JSON,
``segments`` as ``E=ENTITY,F=FILING`` or JSON, ``record_types`` as JSON, Cobrix's
``field_code_page:cp500`` = ``F1,F2``, ...), and ``split_size``, ``index``
(``auto``/``build``/``ignore``), ``planning_workers``. An option whose name looks like a key or
a secret is refused: Spark options show in query plans, the UI and event logs; executors read
keys from a file or an environment variable.

Writing: each task encodes its rows back to mainframe bytes, one part per run of consecutive
``_legacyio_record`` numbers (rows are sorted within the partition first, so a shuffle is
fine); the job commit assembles the parts in record order, atomically, after checking that
they tile the record sequence (``legacyio.scale.parts.write_parts``). Option ``assemble``
``false`` keeps the parts (for a later ``write_parts``), ``records`` gives the expected total.

Spark 3.4/3.5 have no Python Data Source: ``legacyio.spark.read(spark, path, copybook, ...)``
gives the same DataFrame with ``mapInArrow`` over a DataFrame of splits.
"""

from __future__ import annotations

import functools
import glob as _glob
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.fs as pafs

from legacyio.errors import OptionsError
from legacyio.options import FileFormat, ReadOptions
from legacyio.scale.parts import Part, record_runs, write_part, write_parts
from legacyio.scale.source import resolve
from legacyio.scale.splits import (
    DEFAULT_SPLIT_SIZE,
    RECORD_COLUMN,
    Split,
    plan_splits,
    read_split,
)

try:  # Spark >= 4.0
    from pyspark.sql.datasource import (
        DataSource,
        DataSourceArrowWriter,
        DataSourceReader,
        InputPartition,
        WriterCommitMessage,
    )
except ImportError:  # pragma: no cover - Spark 3.x: only ``read`` (mapInArrow) is available
    DataSource = DataSourceReader = DataSourceArrowWriter = object  # type: ignore[misc,assignment]
    InputPartition = WriterCommitMessage = object  # type: ignore[misc,assignment]

__all__ = ["SparkConf", "arrow_to_spark", "parse_options", "read", "register", "spark_arrow_schema"]

_SECRET_WORDS = ("key", "secret", "password", "passwd", "token", "credential")
_FORMAT_FIELDS = {a.name: a for a in attrs.fields(FileFormat)}
_READ_FIELDS = {a.name: a for a in attrs.fields(ReadOptions)}
_OWN = {"copybook", "path", "paths", "split_size", "index", "planning_workers", "assemble"}
_OWN |= {"records"}


# ---------------------------------------------------------------------------------- options
@attrs.frozen
class SparkConf:
    """Parsed options: what to read and how (plain values, picklable to the executors)."""

    paths: tuple[str, ...]
    copybook: str
    fmt: FileFormat
    ropts: ReadOptions
    split_size: int = DEFAULT_SPLIT_SIZE
    index: str = "auto"
    planning_workers: int | None = None
    assemble: bool = True
    records: int | None = None


def _parse_bool(name: str, v: str) -> bool:
    s = v.strip().lower()
    if s in ("true", "1", "yes", "on"):
        return True
    if s in ("false", "0", "no", "off"):
        return False
    raise OptionsError(f"option {name}: expected true or false")


def _parse_size(name: str, v: str) -> int:
    s = v.strip().lower().removesuffix("b")
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(s[-1:], 1)
    try:
        return int(s[:-1] if mult > 1 else s) * mult
    except ValueError:
        raise OptionsError(f"option {name}: expected a number of bytes (128m, 1g, ...)") from None


def _parse_value(name: str, raw: str, typ: Any) -> Any:
    """A string option as the type of the attrs field it sets."""
    t = str(typ)
    s = raw.strip()
    if "None" in t and s.lower() in ("none", "null", ""):
        return None
    if t.startswith("bool"):
        return _parse_bool(name, s)
    if t.startswith("int"):
        try:
            return int(s)
        except ValueError:
            raise OptionsError(f"option {name}: expected an integer") from None
    if t.startswith("tuple"):
        if s.startswith(("[", "{")):
            value = json.loads(s)
            return value
        if name == "record_types":  # rules hold commas: JSON only
            raise OptionsError(
                'option record_types: give a JSON object {"GROUP": "RULE", ...} (in order)'
            )
        items = [x.strip() for x in s.split(",") if x.strip()]
        if name == "segments":
            return tuple(tuple(x.split("=", 1)) for x in items)
        return tuple(items)
    return raw


def parse_options(options: Mapping[str, str]) -> SparkConf:
    """Spark's string options -> SparkConf. Unknown options and secrets are refused."""
    fmt_kw: dict[str, Any] = {}
    read_kw: dict[str, Any] = {}
    own: dict[str, str] = {}
    for key, raw in options.items():
        name = key.lower()
        if any(w in name for w in _SECRET_WORDS):
            raise OptionsError(
                f"option {key!r} looks like a key or secret: Spark options show in query plans, "
                "the UI and event logs; give keys to the executors in a file or an "
                "environment variable instead"
            )
        if name.startswith("field_code_page:"):  # Cobrix: field_code_page:cp500 = F1,F2
            page = name.split(":", 1)[1].strip()
            pairs = list(fmt_kw.get("field_code_page", ()))
            pairs += [(f.strip(), page) for f in raw.split(",") if f.strip()]
            fmt_kw["field_code_page"] = tuple(pairs)
        elif name in _FORMAT_FIELDS:
            fmt_kw[name] = _parse_value(name, raw, _FORMAT_FIELDS[name].type)
        elif name in _READ_FIELDS:
            read_kw[name] = _parse_value(name, raw, _READ_FIELDS[name].type)
        elif name in _OWN:
            own[name] = raw
        else:
            raise OptionsError(f"unknown option {key!r}")
    if "copybook" not in own:
        raise OptionsError("option copybook is required (a path or the copybook text)")
    if "paths" in own:
        paths = tuple(json.loads(own["paths"]))
        if "path" in own:
            paths = (own["path"], *paths)
    elif "path" in own:
        paths = (own["path"],)
    else:
        paths = ()
    return SparkConf(
        paths=paths,
        copybook=own["copybook"],
        fmt=FileFormat(**fmt_kw),
        ropts=ReadOptions(**read_kw),
        split_size=_parse_size("split_size", own.get("split_size", str(DEFAULT_SPLIT_SIZE))),
        index=own.get("index", "auto"),
        planning_workers=int(own["planning_workers"]) if "planning_workers" in own else None,
        assemble=_parse_bool("assemble", own.get("assemble", "true")),
        records=int(own["records"]) if "records" in own else None,
    )


def expand_paths(paths: tuple[str, ...]) -> list[str]:
    """Paths with glob patterns expanded (local or through ``pyarrow.fs``), in name order."""
    out: list[str] = []
    for p in paths:
        if not any(c in p for c in "*?["):
            out.append(p)
            continue
        if "://" not in p:
            out.extend(sorted(_glob.glob(p)))
            continue
        import fnmatch

        fs, fpath = resolve(p)
        parent = fpath.rsplit("/", 1)[0]
        scheme = p.split("://", 1)[0]
        infos = fs.get_file_info(pafs.FileSelector(parent))
        out.extend(
            f"{scheme}://{i.path}"
            for i in sorted(infos, key=lambda i: i.path)
            if i.type == pafs.FileType.File and fnmatch.fnmatch(i.path, fpath)
        )
    if not out:
        raise OptionsError("no input file matches the path")
    return [p for p in out if not p.endswith(".lxidx")]


# ----------------------------------------------------------------------------------- schema
def legacyio_schema(conf: SparkConf) -> pa.Schema:
    """The Arrow schema ``read_split`` gives for these options."""
    from legacyio.api import open_reader
    from legacyio.scale.splits import record_schema

    r = open_reader(b"", conf.copybook, conf.ropts, format=conf.fmt)
    return record_schema(r.schema, conf.fmt)


def _spark_arrow_type(t: pa.DataType, path: str) -> pa.DataType:
    """The Arrow type Spark holds a column of type ``t`` as (refusing what it cannot hold)."""
    if pa.types.is_boolean(t) or pa.types.is_floating(t) or pa.types.is_date32(t):
        return t  # date32: typed dates (FileFormat.date_formats) are Spark DateType
    if pa.types.is_signed_integer(t):
        return t
    if pa.types.is_unsigned_integer(t):
        if t.bit_width >= 64:
            raise OptionsError(
                f"field {path}: unsigned 64-bit integers do not fit a Spark type "
                "(read it with columns=... leaving it out)"
            )
        return {8: pa.int16(), 16: pa.int32(), 32: pa.int64()}[t.bit_width]
    if pa.types.is_decimal(t):
        if t.precision > 38 or isinstance(t, pa.Decimal256Type):
            raise OptionsError(
                f"field {path}: decimal of {t.precision} digits does not fit Spark's decimal "
                "(38 digits at most)"
            )
        return pa.decimal128(t.precision, max(t.scale, 0)) if t.scale >= 0 else _neg_scale(path)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return pa.binary()
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return pa.list_(_spark_arrow_type(t.value_type, path + "[]"))
    if pa.types.is_struct(t):
        return pa.struct(
            [
                pa.field(f.name, _spark_arrow_type(f.type, f"{path}.{f.name}"), True)
                for f in (t.field(i) for i in range(t.num_fields))
            ]
        )
    raise OptionsError(f"field {path}: Arrow type {t} has no Spark type")


def _neg_scale(path: str) -> pa.DataType:
    raise OptionsError(f"field {path}: a decimal with a negative scale has no Spark type")


def spark_arrow_schema(schema: pa.Schema) -> pa.Schema:
    """The legacyio schema as Spark holds it (checked field by field, named in errors)."""
    return pa.schema([pa.field(f.name, _spark_arrow_type(f.type, f.name), True) for f in schema])


def arrow_to_spark(t: pa.DataType) -> Any:
    """A Spark SQL type for an Arrow type of ``spark_arrow_schema``."""
    from pyspark.sql import types as T

    if pa.types.is_boolean(t):
        return T.BooleanType()
    if pa.types.is_integer(t):
        return {8: T.ByteType(), 16: T.ShortType(), 32: T.IntegerType(), 64: T.LongType()}[
            t.bit_width
        ]
    if pa.types.is_float32(t):
        return T.FloatType()
    if pa.types.is_float64(t):
        return T.DoubleType()
    if pa.types.is_decimal(t):
        return T.DecimalType(t.precision, t.scale)
    if pa.types.is_string(t):
        return T.StringType()
    if pa.types.is_date32(t):
        return T.DateType()
    if pa.types.is_binary(t):
        return T.BinaryType()
    if pa.types.is_list(t):
        return T.ArrayType(arrow_to_spark(t.value_type), True)
    if pa.types.is_struct(t):
        return T.StructType([T.StructField(f.name, arrow_to_spark(f.type), True) for f in list(t)])
    raise OptionsError(f"Arrow type {t} has no Spark type")  # pragma: no cover


def spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField(f.name, arrow_to_spark(f.type), True) for f in schema])


def _to_spark_batch(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    t = pa.Table.from_batches([batch]).cast(target)
    return (
        t.combine_chunks().to_batches()[0]
        if t.num_rows
        else pa.RecordBatch.from_pylist([], schema=target)
    )


@functools.lru_cache(maxsize=16)
def _cached_layout(copybook: str, stamp: int | None) -> Any:
    from legacyio.layout import load_copybook

    return load_copybook(copybook)


def executor_layout(copybook: str) -> Any:
    """The copybook parsed once per executor process (Spark reuses its Python workers), not
    once per task; a copybook file that changed is parsed again."""
    try:
        stamp: int | None = os.stat(copybook).st_mtime_ns if "\n" not in copybook else None
    except (OSError, ValueError):
        stamp = None
    return _cached_layout(copybook, stamp)


def read_partition(split_json: str, conf: SparkConf, target: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The Arrow batches of one split, in Spark's types (runs on an executor)."""
    split = Split.from_json(split_json)
    for batch in read_split(split, executor_layout(conf.copybook), conf.fmt, conf.ropts):
        if batch.num_rows:
            yield _to_spark_batch(batch, target)


def plan(conf: SparkConf) -> list[Split]:
    """Splits of every input file (planned on the driver)."""
    out: list[Split] = []
    for p in expand_paths(conf.paths):
        out.extend(
            plan_splits(
                p,
                conf.copybook,
                conf.fmt,
                split_size=conf.split_size,
                index=conf.index,  # type: ignore[arg-type]
                workers=conf.planning_workers,
            )
        )
    return out


# ------------------------------------------------------------------------ Spark >= 4.0 source
class _SplitPartition(InputPartition):  # type: ignore[misc,valid-type]
    def __init__(self, split_json: str) -> None:
        super().__init__(split_json)


class LegacyioDataSource(DataSource):  # type: ignore[misc,valid-type]
    """``spark.read.format("legacyio")`` / ``df.write.format("legacyio")``."""

    @classmethod
    def name(cls) -> str:
        return "legacyio"

    def _conf(self) -> SparkConf:
        return parse_options(dict(self.options))

    def schema(self) -> Any:
        return spark_schema(spark_arrow_schema(legacyio_schema(self._conf())))

    def reader(self, schema: Any) -> _Reader:
        return _Reader(self._conf())

    def writer(self, schema: Any, overwrite: bool) -> _Writer:
        return _Writer(self._conf(), overwrite)


class _Reader(DataSourceReader):  # type: ignore[misc,valid-type]
    def __init__(self, conf: SparkConf) -> None:
        self.conf = conf
        self.target = spark_arrow_schema(legacyio_schema(conf))

    def partitions(self) -> list[_SplitPartition]:
        return [_SplitPartition(s.to_json()) for s in plan(self.conf)]

    def read(self, partition: Any) -> Iterator[pa.RecordBatch]:
        yield from read_partition(partition.value, self.conf, self.target)


@attrs.frozen
class _PartsMessage(WriterCommitMessage):  # type: ignore[misc,valid-type]
    parts: tuple[tuple[str, int, int, int], ...]


class _Writer(DataSourceArrowWriter):  # type: ignore[misc,valid-type]
    def __init__(self, conf: SparkConf, overwrite: bool) -> None:
        if len(conf.paths) != 1:
            raise OptionsError("writing needs one output path")
        self.conf = conf
        self.overwrite = overwrite
        self.output = conf.paths[0]
        self.parts_dir = f"{self.output}.parts-{uuid.uuid4().hex[:12]}"
        self.schema = legacyio_schema(conf)

    def write(self, iterator: Iterator[pa.RecordBatch]) -> _PartsMessage:
        # the partition's rows, sorted and cut into runs of consecutive record numbers
        batches = [b for b in iterator if b.num_rows]
        if not batches:
            return _PartsMessage(())
        table = from_spark(pa.Table.from_batches(batches), self.schema)
        parts = [
            write_part(run, self.parts_dir, self.conf.copybook, self.conf.fmt)
            for run in record_runs(table)
        ]
        return _PartsMessage(tuple((p.path, p.first_record, p.records, p.bytes) for p in parts))

    def commit(self, messages: list[Any]) -> None:
        parts = [Part(*p) for m in messages if m is not None for p in m.parts]
        if not self.conf.assemble:
            return
        if not parts and self.conf.records in (None, 0):
            # no rows: an empty file
            fs, path = resolve(self.output)
            with fs.open_output_stream(path):
                pass
            return
        write_parts(
            parts,
            self.output,
            records=self.conf.records,
            overwrite=self.overwrite,
            remove_parts=True,
        )
        fs, d = resolve(self.parts_dir)
        fs.delete_dir(d)

    def abort(self, messages: list[Any]) -> None:
        fs, d = resolve(self.parts_dir)
        if fs.get_file_info(d).type == pafs.FileType.Directory:
            fs.delete_dir(d)


def from_spark(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows as Spark hands them to a writer, back in the legacyio schema (binary FILLERs to
    fixed size, wider integers back to their own width), columns matched by name."""
    cols = []
    for f in schema:
        if f.name not in table.column_names:
            if f.name == RECORD_COLUMN:
                raise OptionsError(f"the rows carry no {RECORD_COLUMN} column")
            cols.append(pa.nulls(table.num_rows, f.type))
            continue
        cols.append(table.column(f.name).cast(f.type))
    return pa.Table.from_arrays(cols, schema=schema)


def register(spark: Any) -> None:
    """Register the ``legacyio`` data source with a Spark >= 4.0 session."""
    if DataSource is object:
        raise OptionsError(
            "this Spark has no Python Data Source API (Spark >= 4.0); use legacyio.spark.read"
        )
    spark.dataSource.register(LegacyioDataSource)


# ------------------------------------------------------------------- Spark 3.4/3.5: mapInArrow
def read(spark: Any, path: str | list[str], copybook: str, **options: Any) -> Any:
    """A DataFrame of the file(s), one partition per split, through ``mapInArrow`` (works on
    Spark 3.4+, no Data Source API needed). ``options`` as for the data source."""
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in options.items()}
    for k, v in options.items():
        if isinstance(v, bool):
            raw[k] = "true" if v else "false"
    paths = [path] if isinstance(path, str) else list(path)
    conf = parse_options({**raw, "copybook": copybook, "paths": json.dumps(paths)})
    target = spark_arrow_schema(legacyio_schema(conf))
    splits = [s.to_json() for s in plan(conf)]
    rows = [(s,) for s in splits]
    try:
        df = spark.createDataFrame(
            spark.sparkContext.parallelize(rows, max(len(rows), 1)), "split string"
        )
    except Exception:  # Spark Connect has no sparkContext
        df = spark.createDataFrame(rows, "split string").repartition(max(len(rows), 1))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            for sj in b.column(0).to_pylist():
                yield from read_partition(sj, conf, target)

    return df.mapInArrow(run, spark_schema(target))
