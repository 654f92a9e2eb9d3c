"""Property: no protected field's original value appears in the bytes of any output written
from the protected table — Parquet, CSV, JSON Lines and the mainframe layout — searched in
its EBCDIC, ASCII, zoned, packed and binary encodings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.protect import Protector, load_policy

from .conftest import KEY, TAXPAYER_CPY

POLICY = """
version = 1
name = "leak"
default = "drop"

[[rule]]
field = ["TP-TIN", "TP-DEP-SSN"]
action = "fpe"
domain = "tin"

[[rule]]
field = ["TP-LAST-NAME", "TP-FIRST-NAME"]
action = "mask"

[[rule]]
field = "TP-STREET"
action = "hash"

[[rule]]
field = "TP-CITY"
action = "token"

[[rule]]
field = "TP-DOC-LOCATOR"
action = "token"

[[rule]]
field = ["TP-STATE", "TP-TAX-YEAR"]
action = "keep"
"""

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _packed(v: int, digits: int) -> list[bytes]:
    s = f"{v:0{digits}d}"
    if len(s) % 2 == 0:
        s = "0" + s
    return [bytes.fromhex(s + sign) for sign in "FCD"]


def _number_forms(v: int, digits: int) -> list[bytes]:
    s = f"{v:0{digits}d}"
    zoned = s.encode("cp037")
    forms = [s.encode(), zoned, zoned[:-1] + bytes([0xC0 | int(s[-1])]), *_packed(v, digits)]
    forms.append(str(v).encode())
    if digits <= 9:
        forms += [v.to_bytes(4, "big"), v.to_bytes(4, "little")]
    else:
        forms += [v.to_bytes(8, "big"), v.to_bytes(8, "little")]
    return forms


def _text_forms(s: str) -> list[bytes]:
    return [s.encode(), s.encode("cp037"), json.dumps(s).encode()]


def _varied(s: str) -> bool:
    """Degenerate values (AAAAAA, 00000000) occur in any binary file (base64 of zero bytes in
    Parquet's schema, padding): they would make the search meaningless."""
    return len(set(s.strip())) >= 3


name = st.text(UPPER, min_size=6, max_size=15).filter(_varied)


def number(lo: int, hi: int) -> st.SearchStrategy[int]:
    """Numbers with at least four distinct digits (round numbers such as 10^8 or 2^27 are
    everywhere in binary files as lengths and offsets)."""
    return st.integers(lo, hi).filter(lambda v: len(set(str(v))) >= 4)


@settings(max_examples=10, deadline=None)
@given(
    tins=st.lists(number(10**8, 10**9 - 1), min_size=5, max_size=5, unique=True),
    ssns=st.lists(number(10**8, 10**9 - 1), min_size=15, max_size=15, unique=True),
    last=st.lists(name, min_size=5, max_size=5),
    street=st.lists(
        st.text(UPPER + " 0123456789", min_size=8, max_size=30).filter(_varied),
        min_size=5,
        max_size=5,
    ),
    city=st.lists(st.text(UPPER, min_size=8, max_size=20).filter(_varied), min_size=5, max_size=5),
    doc=st.lists(number(10**12, 10**18 - 1), min_size=5, max_size=5),
)
def test_no_original_value_in_any_output(
    taxpayer: pa.Table,
    tmp_path_factory,
    tins: list[int],
    ssns: list[int],
    last: list[str],
    street: list[str],
    city: list[str],
    doc: list[int],
) -> None:
    tmp: Path = tmp_path_factory.mktemp("leak")
    base = taxpayer.slice(4, 5).drop_columns(["_legacyio_residue"])
    rows = base.to_pylist()
    for i, r in enumerate(rows):
        r["TP_TIN"] = tins[i]
        r["TP_NAME"]["TP_LAST_NAME"] = last[i]
        r["TP_ADDRESS"]["TP_STREET"] = street[i].strip() or "X1"
        r["TP_ADDRESS"]["TP_CITY"] = city[i]
        r["TP_DOC_LOCATOR"] = doc[i]
        for k, d in enumerate(r["TP_DEPENDENT"]):
            d["TP_DEP_SSN"] = ssns[3 * i + k]
    src = pa.Table.from_pylist(rows, schema=base.schema)
    raw = legacyio.encode(src)  # a generated master file
    policy = load_policy_text(tmp)
    nested = Protector(policy, key=KEY).protect_table(legacyio.read_table(raw, TAXPAYER_CPY))
    flat = Protector(policy, key=KEY).protect_table(
        legacyio.read_table(raw, TAXPAYER_CPY, flatten=True)
    )
    layout = Protector(policy, key=KEY).protect_table(
        legacyio.read_table(raw, TAXPAYER_CPY), keep_layout=True
    )
    outputs: dict[str, bytes] = {}
    buf = io.BytesIO()
    pq.write_table(nested, buf)
    outputs["parquet"] = buf.getvalue()
    buf = io.BytesIO()
    pq.write_table(flat, buf, compression="none")
    outputs["parquet-flat"] = buf.getvalue()
    buf = io.BytesIO()
    pcsv.write_csv(flat, buf)
    outputs["csv"] = buf.getvalue()
    outputs["jsonl"] = "\n".join(json.dumps(r, default=str) for r in nested.to_pylist()).encode()
    outputs["mainframe"] = legacyio.encode(layout)
    outputs["metadata"] = b"".join(v for v in (nested.schema.metadata or {}).values())
    # bytes every output has whatever the data (the copybook text in the schema metadata,
    # names of fields): a value that happens to be spelled there is not a leak
    background = TAXPAYER_CPY.read_bytes() + outputs["metadata"] + str(nested.schema).encode()

    forms: list[tuple[str, bytes]] = []
    for v in tins + ssns:
        forms += [("tin", f) for f in _number_forms(v, 9)]
    for v in doc:
        forms += [("doc", f) for f in _number_forms(v, 18) if len(f) >= 6]
    for s in last + city:
        forms += [("text", f) for f in _text_forms(s)]
    for s in street:
        if len(s.strip()) >= 8:
            forms += [("street", f) for f in _text_forms(s.strip())]
    forms = [(k, f) for k, f in forms if f not in background and len(set(f)) >= 3]
    for fmt, data in outputs.items():
        for kind, f in forms:
            assert f not in data, f"a {kind} value appears in the {fmt} output ({f.hex()})"


def load_policy_text(tmp: Path):
    p = tmp / "leak.toml"
    p.write_text(POLICY)
    return load_policy(p, TAXPAYER_CPY)
