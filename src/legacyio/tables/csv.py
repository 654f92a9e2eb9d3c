"""CSV, both ways: flat columns only, binary columns as hex; read back with the copybook's
types (the flattened schema), never sniffed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from legacyio.errors import EncodeError, OptionsError
from legacyio.tables.conform import Conformer, arrow_message, textual
from legacyio.tables.hexcodec import hexify

__all__ = ["CsvOutput", "read_batches"]


class CsvOutput:
    """Writes batches as CSV text (one header line) to a file object."""

    def __init__(
        self, file: Any, schema: pa.Schema, *, compression: str | None = None, **_: Any
    ) -> None:
        if compression not in (None, "none"):
            raise OptionsError(
                "CSV output is compressed by the file name (.csv.gz), not --compression"
            )
        for f in schema:
            if pa.types.is_struct(f.type) or pa.types.is_list(f.type):
                raise OptionsError(f"CSV needs flat columns; {f.name} is nested (use --flatten)")
        self.schema = schema
        self._file = file
        self._header = True

    def write_batch(self, batch: pa.RecordBatch) -> None:
        import pyarrow.csv as pcsv

        cols = [hexify(c) for c in batch.columns]
        table = pa.Table.from_arrays(cols, names=batch.schema.names)
        buf = pa.BufferOutputStream()
        pcsv.write_csv(table, buf, write_options=pcsv.WriteOptions(include_header=self._header))
        self._header = False
        self._file.write(buf.getvalue())

    def close(self) -> None:
        if self._header:
            self.write_batch(pa.RecordBatch.from_pylist([], schema=self.schema))

    def abort(self) -> None:
        pass


def read_batches(
    path: str, nested: pa.Schema, flat: pa.Schema, batch_size: int
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    import pyarrow.csv as pcsv

    types = {f.name: textual(f.type) for f in flat}
    types.update(
        {
            f.name: textual(f.type)
            for f in nested
            if not pa.types.is_struct(f.type) and not pa.types.is_list(f.type)
        }
    )
    convert = pcsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
    )
    parse = pcsv.ParseOptions(newlines_in_values=True)
    try:
        reader = pcsv.open_csv(
            pa.input_stream(path),
            parse_options=parse,
            convert_options=convert,
            read_options=pcsv.ReadOptions(block_size=1 << 22),
        )
    except pa.ArrowInvalid as e:
        raise EncodeError(f"{path}: {arrow_message(e, [])}") from None
    names = reader.schema.names
    conf = Conformer(path, nested, flat, names)

    def batches() -> Iterator[pa.RecordBatch]:
        while True:
            first = conf.records + 1
            try:
                b = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as e:
                raise EncodeError(
                    f"{path}: after record {first - 1}: {arrow_message(e, names)}"
                ) from None
            for i in range(0, b.num_rows, batch_size):
                yield conf(b.slice(i, batch_size))

    return conf.schema, batches()
