"""Property: no protected field's original value appears in the bytes of any output written
from the protected table — Parquet, CSV, JSON Lines and the mainframe layout — searched in
its EBCDIC, ASCII, zoned, packed and binary encodings (``leak_search``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.protect import Protector, load_policy

from .conftest import KEY, TAXPAYER_CPY
from .leak_search import distinctive, number_forms, search, text_forms, varied

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
# a fifth of the profile's examples: 8 by default (a few seconds), 120 with HYPOTHESIS_PROFILE=ci
EXAMPLES = max(5, settings.default.max_examples // 5)

name = st.text(UPPER, min_size=6, max_size=15).filter(varied)


def number(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi).filter(distinctive)


def _outputs(policy: Any, raw: bytes) -> dict[str, bytes]:
    """Every output format written from the protected decode of ``raw``."""
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
    return outputs


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    tins=st.lists(number(10**8, 10**9 - 1), min_size=5, max_size=5, unique=True),
    ssns=st.lists(number(10**8, 10**9 - 1), min_size=15, max_size=15, unique=True),
    last=st.lists(name, min_size=5, max_size=5),
    street=st.lists(
        st.text(UPPER + " 0123456789", min_size=8, max_size=30).filter(varied),
        min_size=5,
        max_size=5,
    ),
    city=st.lists(st.text(UPPER, min_size=8, max_size=20).filter(varied), min_size=5, max_size=5),
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

    def rows_with(tin: list[int], ssn: list[int], dl: list[int]) -> list[dict[str, Any]]:
        rows = base.to_pylist()
        for i, r in enumerate(rows):
            r["TP_TIN"] = tin[i]
            r["TP_NAME"]["TP_LAST_NAME"] = last[i]
            r["TP_ADDRESS"]["TP_STREET"] = street[i].strip() or "X1"
            r["TP_ADDRESS"]["TP_CITY"] = city[i]
            r["TP_DOC_LOCATOR"] = dl[i]
            for k, d in enumerate(r["TP_DEPENDENT"]):
                d["TP_DEP_SSN"] = ssn[3 * i + k]
        return rows

    def build(tin: list[int], ssn: list[int], dl: list[int]) -> dict[str, bytes]:
        src = pa.Table.from_pylist(rows_with(tin, ssn, dl), schema=base.schema)
        return _outputs(policy, legacyio.encode(src))  # a generated master file

    policy = load_policy_text(tmp)
    outputs = build(tins, ssns, doc)
    nested_schema = str(legacyio.read_table(legacyio.encode(base), TAXPAYER_CPY).schema)
    # bytes every output has whatever the data (the copybook text in the schema metadata,
    # names of fields): a value that happens to be spelled there is not a leak
    background = TAXPAYER_CPY.read_bytes() + outputs["metadata"] + nested_schema.encode()

    def confirm(vid: str, _output: str) -> dict[str, bytes]:
        """The outputs again with the value ``vid`` replaced by another one."""
        kind, idx = vid.split(":")
        k = int(idx)
        t, s, d = list(tins), list(ssns), list(doc)
        seq = {"tin": t, "ssn": s, "doc": d}[kind]
        seq[k] = seq[k] + 1 if seq[k] + 1 not in seq else seq[k] - 1
        return build(t, s, d)

    forms: list[tuple[str, str, bytes]] = []
    for i, v in enumerate(tins):
        forms += [(f"tin:{i}", k, f) for k, f in number_forms(v, 9)]
    for i, v in enumerate(ssns):
        forms += [(f"ssn:{i}", k, f) for k, f in number_forms(v, 9)]
    for i, v in enumerate(doc):
        forms += [(f"doc:{i}", k, f) for k, f in number_forms(v, 18) if len(f) >= 6]
    for s in last + city:
        forms += [("text:-", k, f) for k, f in text_forms(s)]
    for s in street:
        if len(s.strip()) >= 8:
            forms += [("street:-", k, f) for k, f in text_forms(s.strip())]
    leaks = search(outputs, forms, background, confirm)
    assert not leaks, leaks


def load_policy_text(tmp: Path):
    p = tmp / "leak.toml"
    p.write_text(POLICY)
    return load_policy(p, TAXPAYER_CPY)
