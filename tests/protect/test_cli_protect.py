"""End to end through the command line: policy check, protect (every output format),
head --policy, verify --protected, unprotect, audit verify, and the refusals (a key on the
command line, a missing key, an output that would replace its input, unsafe policies)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli
from legacyio.protect.audit import verify_chain

from .conftest import KEY, TAXPAYER_CPY, TAXPAYER_DAT
from .leak_search import distinctive, number_forms, search, text_forms, varied

CPY = str(TAXPAYER_CPY)

LEAK_POLICY = """
version = 1
name = "cli-leak"
purpose = "end-to-end test"
default = "drop"

[[rule]]
field = ["TP-TIN", "TP-DEP-SSN"]
action = "fpe"
domain = "tin"

[[rule]]
field = ["TP-LAST-NAME", "TP-FIRST-NAME", "TP-DEP-NAME"]
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

FPE_ONLY_POLICY = """
version = 1
name = "fpe-only"
default = "keep"

[[rule]]
field = ["TP-TIN", "TP-DEP-SSN"]
action = "fpe"
domain = "tin"
"""


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("LEGACYIO_PROTECT_KEY_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.dat").write_bytes(TAXPAYER_DAT.read_bytes())
    key = tmp_path / "k.key"
    key.write_bytes(KEY)
    key.chmod(0o600)
    (tmp_path / "leak.toml").write_text(LEAK_POLICY)
    (tmp_path / "fpe.toml").write_text(FPE_ONLY_POLICY)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def protect(*extra: str, out: str = "out.parquet", policy: str = "leak.toml") -> Any:
    return run(
        "protect", "-c", CPY, "in.dat", out, "--policy", policy, "--key-file", "k.key", "-q",
        *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def source() -> pa.Table:
    return legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, residue=False, fillers=False)


def original_forms(source: pa.Table) -> list[tuple[str, str, bytes]]:
    """Byte forms of the golden file's values of the fields LEAK_POLICY protects."""
    rows = source.to_pylist()
    forms: list[tuple[str, str, bytes]] = []
    for r in rows:
        nums = [r["TP_TIN"]] + [d["TP_DEP_SSN"] for d in r["TP_DEPENDENT"]]
        for v in nums:
            if v is not None and v >= 10**8 and distinctive(v):
                forms += [("tin:-", k, f) for k, f in number_forms(v, 9)]
        doc = r["TP_DOC_LOCATOR"]
        if doc is not None and doc >= 10**12 and distinctive(doc):
            forms += [("doc:-", k, f) for k, f in number_forms(doc, 18) if len(f) >= 6]
        texts = [
            r["TP_NAME"]["TP_LAST_NAME"],
            r["TP_NAME"]["TP_FIRST_NAME"],
            r["TP_ADDRESS"]["TP_STREET"],
            r["TP_ADDRESS"]["TP_CITY"],
            *(d["TP_DEP_NAME"] for d in r["TP_DEPENDENT"]),
        ]
        for s in texts:
            # a mask keeps what is neither a letter nor a digit ("½ ¼ ¾" stays as it is)
            if (
                s
                and len(s.strip()) >= 6
                and varied(s)
                and sum(c.isalpha() or c.isdigit() for c in s) >= 3
            ):
                forms += [("text:-", k, f) for k, f in text_forms(s.strip())]
    return forms


def test_key_on_the_command_line_is_refused(work: Path) -> None:
    r = run("protect", "-c", CPY, "in.dat", "o.parquet", "--policy", "leak.toml",
            "--key", "c2VjcmV0LWtleS12YWx1ZQ==")  # fmt: skip
    assert r.exit_code == 2
    assert "--key VALUE is refused" in r.output and "visible to every user" in r.output
    assert "c2VjcmV0" not in r.output
    assert not (work / "o.parquet").exists() and not (work / "o.parquet.manifest.json").exists()
    r = run("head", "-c", CPY, "in.dat", "--policy", "leak.toml", "--key", "x")
    assert r.exit_code == 2 and "refused" in r.output


def test_missing_key_exits_2_and_leaves_no_output(work: Path) -> None:
    r = run("protect", "-c", CPY, "in.dat", "o.parquet", "--policy", "leak.toml",
            "--audit-log", "audit.log")  # fmt: skip
    assert r.exit_code == 2
    assert "no protection key" in r.output
    assert not (work / "o.parquet").exists() and not (work / "o.parquet.manifest.json").exists()
    # the failed run is in the audit log all the same
    lines = (work / "audit.log").read_text().splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["outcome"] == "failure" and "no protection key" in rec["error"]
    assert rec["outputs"] == []
    assert verify_chain(work / "audit.log").ok
    # a key file others can read is refused too
    (work / "k.key").chmod(0o644)
    r = protect(out="o2.parquet")
    assert r.exit_code == 2 and "chmod 600" in r.output
    assert not (work / "o2.parquet").exists()


def test_key_file_from_the_environment(work: Path) -> None:
    r = run("protect", "-c", CPY, "in.dat", "o.arrow", "--policy", "leak.toml", "-q",
            env={"LEGACYIO_PROTECT_KEY_FILE": str(work / "k.key")})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (work / "o.arrow").exists()


@pytest.mark.parametrize(
    "out,extra",
    [
        ("o.parquet", ()),
        ("o.arrow", ()),
        ("o.csv", ()),
        ("o.jsonl", ()),
        ("o.dat", ("--to", "mainframe")),
    ],
)
def test_protected_outputs_hold_no_original_value(
    work: Path, source: pa.Table, out: str, extra: tuple[str, ...]
) -> None:
    r = protect(*extra, out=out)
    assert r.exit_code == 0, r.output
    data = (work / out).read_bytes()
    manifest = (work / f"{out}.manifest.json").read_bytes()
    outputs = {out: data, "manifest": manifest}
    leaks = search(outputs, original_forms(source), TAXPAYER_CPY.read_bytes())
    assert not leaks, leaks
    # the output checks out against its manifest and source
    r = run("verify", "--protected", f"{out}.manifest.json", out, "-q")
    assert r.exit_code == 0, r.output
    assert "consistent" in r.output


def test_mainframe_copy_decodes_with_the_same_copybook(work: Path, source: pa.Table) -> None:
    r = protect("--to", "mainframe", out="copy.dat")
    assert r.exit_code == 0, r.output
    copy = legacyio.read_table(work / "copy.dat", TAXPAYER_CPY, residue=False, fillers=False)
    assert copy.num_rows == source.num_rows
    assert copy.schema.names == source.schema.names
    assert copy.column("TP_TAX_YEAR").equals(source.column("TP_TAX_YEAR"))
    tins = [(a, b) for a, b in zip(copy["TP_TIN"].to_pylist(), source["TP_TIN"].to_pylist())]
    assert all(a != b for a, b in tins if b is not None)
    # withheld fields are blanked, not released
    assert set(copy["TP_PAYMENT_SEQ"].to_pylist()) <= {0}
    # plain verify: not byte-comparable by design
    r = run("verify", "-c", CPY, "copy.dat")
    assert r.exit_code == 1
    assert "not byte-comparable" in r.output
    # a changed byte is caught by verify --protected (the manifest's hash)
    raw = bytearray((work / "copy.dat").read_bytes())
    raw[0] ^= 0x01
    (work / "copy.dat").write_bytes(bytes(raw))
    r = run("verify", "--protected", "copy.dat.manifest.json", "copy.dat")
    assert r.exit_code == 1 and "SHA-256" in r.output


def test_verify_protected_catches_a_released_original(work: Path) -> None:
    """A file claiming to be the protect output but holding the original TINs fails."""
    r = protect("--to", "mainframe", out="copy.dat", policy="fpe.toml")
    assert r.exit_code == 0, r.output
    man = json.loads((work / "copy.dat.manifest.json").read_text())
    (work / "copy.dat").write_bytes(
        legacyio.encode(legacyio.read_table(work / "in.dat", TAXPAYER_CPY, residue=False))
    )
    facts = legacyio.protect.audit.file_facts(work / "copy.dat")
    man["outputs"] = [facts]  # a forged manifest: the hash check passes, the values do not
    (work / "copy.dat.manifest.json").write_text(json.dumps(man))
    r = run("verify", "--protected", "copy.dat.manifest.json", "copy.dat")
    assert r.exit_code == 1
    assert "TP-TIN" in r.output and "original value" in r.output


def test_unprotect_restores_exactly(work: Path, source: pa.Table) -> None:
    r = protect("--to", "mainframe", "--audit-log", "audit.log", out="copy.dat", policy="fpe.toml")
    assert r.exit_code == 0, r.output
    copy = legacyio.read_table(work / "copy.dat", TAXPAYER_CPY, residue=False, fillers=False)
    assert not copy.column("TP_TIN").equals(source.column("TP_TIN"))
    r = run("unprotect", "copy.dat", "back.dat", "--manifest", "copy.dat.manifest.json",
            "--key-file", "k.key", "--audit-log", "audit.log", "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    back = legacyio.read_table(work / "back.dat", TAXPAYER_CPY, residue=False, fillers=False)
    assert back.equals(source)
    um = json.loads((work / "back.dat.manifest.json").read_text())
    assert um["action"] == "unprotect" and um["fields_unprotected"] == [
        "TAXPAYER-MASTER.TP-DEPENDENT.TP-DEP-SSN",
        "TAXPAYER-MASTER.TP-TIN",
    ]
    assert um["audit"]["seq"] == 2
    assert verify_chain(work / "audit.log").ok
    # Parquet too; the wrong key is refused (exit 2) and writes nothing
    r = protect(out="o.parquet", policy="fpe.toml")
    assert r.exit_code == 0, r.output
    other = work / "other.key"
    other.write_bytes(bytes(range(1, 33)))
    other.chmod(0o600)
    r = run("unprotect", "o.parquet", "b2.parquet", "--key-file", "other.key")
    assert r.exit_code == 2 and "fingerprint" in r.output
    assert not (work / "b2.parquet").exists()
    r = run("unprotect", "o.parquet", "b.parquet", "--key-file", "k.key", "-q")
    assert r.exit_code == 0, r.output
    import pyarrow.parquet as pq

    assert pq.read_table(work / "b.parquet").column("TP_TIN").equals(source.column("TP_TIN"))


def test_audit_chain_detects_an_edited_line_and_truncation(work: Path) -> None:
    for i in range(3):
        r = protect("--audit-log", "audit.log", "--ticket", f"T-{i}", out=f"o{i}.parquet")
        assert r.exit_code == 0, r.output
    r = run("audit", "verify", "audit.log", "--manifest", "o2.parquet.manifest.json")
    assert r.exit_code == 0 and "chain intact" in r.output
    log = work / "audit.log"
    lines = log.read_text().splitlines()
    # truncation after the last run: the chain alone cannot see it, the manifest can
    log.write_text("\n".join(lines[:2]) + "\n")
    assert run("audit", "verify", "audit.log").exit_code == 0
    r = run("audit", "verify", "audit.log", "--manifest", "o2.parquet.manifest.json")
    assert r.exit_code == 1 and "truncated" in r.output
    # an edited line breaks the chain at the next line
    edited = lines[0].replace('"ticket":"T-0"', '"ticket":"T-9"')
    assert edited != lines[0]
    log.write_text("\n".join([edited, *lines[1:]]) + "\n")
    r = run("audit", "verify", "audit.log")
    assert r.exit_code == 1
    assert "line 2" in r.output and "line 1 was edited" in r.output


def test_allow_list_filters_rows(work: Path, source: pa.Table) -> None:
    tins = [t for t in source["TP_TIN"].to_pylist() if t is not None and t >= 10**8]
    chosen = tins[:3]
    missing = 987654329
    assert missing not in tins
    (work / "accounts.txt").write_text("\n".join(str(t) for t in [*chosen, missing]) + "\n")
    (work / "rows.toml").write_text(
        LEAK_POLICY + '\n[rows]\nfield = "TP-TIN"\nallow_file = "accounts.txt"\n'
    )
    r = protect("--audit-log", "audit.log", out="o.jsonl", policy="rows.toml")
    assert r.exit_code == 0, r.output
    rows = (work / "o.jsonl").read_text().splitlines()
    assert len(rows) == len(chosen)
    m = json.loads((work / "o.jsonl.manifest.json").read_text())
    assert m["rows"] == {"read": source.num_rows, "released": 3, "filtered_out": 37}
    assert m["allow_list"]["count"] == 4 and m["allow_list"]["unmatched"] == 1
    # the allow-list is sensitive: neither manifest nor log holds its values
    text = (work / "o.jsonl.manifest.json").read_text() + (work / "audit.log").read_text()
    for t in [*chosen, missing]:
        assert str(t) not in text
    r = run("verify", "--protected", "o.jsonl.manifest.json", "o.jsonl", "-q")
    assert r.exit_code == 0, r.output


def test_head_with_a_policy_shows_protected_values_only(work: Path, source: pa.Table) -> None:
    r = run("head", "-c", CPY, "in.dat", "-n", "40", "--format", "jsonl",
            "--policy", "leak.toml", "--key-file", "k.key")  # fmt: skip
    assert r.exit_code == 0, r.output
    shown = [json.loads(x) for x in r.output.splitlines()]
    assert len(shown) == 40
    assert set(shown[0]) == {
        "TP_TIN", "TP_NAME", "TP_ADDRESS", "TP_TAX_YEAR", "TP_DOC_LOCATOR", "TP_DEPENDENT",
    }  # fmt: skip
    leaks = search({"head": r.output.encode()}, original_forms(source))
    assert not leaks, leaks
    r = run("head", "-c", CPY, "in.dat", "--key-file", "k.key")
    assert r.exit_code == 2 and "--key-file needs --policy" in r.output


def test_protected_output_never_replaces_its_input(work: Path) -> None:
    before = (work / "in.dat").read_bytes()
    r = protect("--overwrite", "--to", "mainframe", out="in.dat")
    assert r.exit_code == 2 and "never replaces its input" in r.output
    os.link(work / "in.dat", work / "alias.dat")
    r = protect("--overwrite", "--to", "mainframe", out="alias.dat")
    assert r.exit_code == 2 and "never replaces its input" in r.output
    assert (work / "in.dat").read_bytes() == before


@pytest.mark.parametrize(
    "rule,message",
    [
        ('field = "TP-NO-SUCH"\naction = "keep"', "TP-NO-SUCH"),
        ('field = "TP-ZIP5"\naction = "fpe"', "too small for fpe"),
        (
            'field = "TP-LAST-UPDATE"\naction = "fpe"\n\n[[rule]]\n'
            'field = "TP-LAST-UPDATE-YYYY"\naction = "keep"',
            "Protection follows bytes",
        ),
    ],
)
def test_policy_check_refusals(work: Path, rule: str, message: str) -> None:
    (work / "bad.toml").write_text(f'version = 1\ndefault = "drop"\n\n[[rule]]\n{rule}\n')
    r = run("policy", "check", "bad.toml", "-c", CPY)
    assert r.exit_code == 2
    assert message in r.output
    assert "bad.toml:" in r.output  # names the policy file (and line)
    # protect refuses it too, before reading any data
    r = protect(out="o.parquet", policy="bad.toml")
    assert r.exit_code == 2 and not (work / "o.parquet").exists()


def test_policy_check_table(work: Path) -> None:
    r = run("policy", "check", "leak.toml", "-c", CPY)
    assert r.exit_code == 0, r.output
    lines = {ln.split()[0]: ln for ln in r.output.splitlines() if ln.startswith("TAXPAYER")}
    assert " fpe " in lines["TAXPAYER-MASTER.TP-TIN"]
    assert " drop " in lines["TAXPAYER-MASTER.TP-PAYMENT-SEQ"]
    assert "default" in lines["TAXPAYER-MASTER.TP-PAYMENT-SEQ"]
    r = run("policy", "check", "leak.toml", "-c", CPY, "--format", "json")
    rows = json.loads(r.output)
    assert {x["path"]: x["action"] for x in rows}["TAXPAYER-MASTER.TP-ADDRESS.TP-CITY"] == "token"


def test_readme_policy_is_the_shipped_example() -> None:
    """The README's example policy and examples/taxpayer-policy.toml say the same thing, and
    the shipped one passes the check against the shipped copybook."""
    import re
    import tomllib

    root = TAXPAYER_CPY.parents[2]
    readme = (root / "README.md").read_text()
    block = re.search(r'```toml\n(version = 1\nname = "taxpayer-research".*?)```', readme, re.S)
    assert block is not None
    shipped = root / "examples" / "taxpayer-policy.toml"
    assert tomllib.loads(block.group(1)) == tomllib.loads(shipped.read_text())
    r = run("policy", "check", str(shipped), "-c", CPY)
    assert r.exit_code == 0, r.output
