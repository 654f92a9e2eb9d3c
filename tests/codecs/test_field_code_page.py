"""Per-field code page (Cobrix ``field_code_page``): one text field decoded and encoded with
its own code page, in both engines. The bytes are made by Python's codecs (and the ``ebcdic``
package for cp1047), never by legacyio."""

from __future__ import annotations

import ebcdic  # noqa: F401  (registers cp1047 as a Python codec)
import pytest
from tests.support.builders import cobol, zoned

import legacyio
from legacyio.codecs import native

ENGINES = ["numpy", "native"] if native.available() else ["numpy"]

CB = cobol("""
01 REC.
   05 US-NAME   PIC X(6).
   05 INTL-NAME PIC X(6).
   05 OPEN-NAME PIC X(6).
   05 AMOUNT    PIC 9(3).
""")
# brackets, exclamation mark, bar, caret and not-sign sit at different bytes in these pages
TEXT = "[a]!|^"
TEXT_1047 = "[a]^¬!"
DATA = (
    TEXT.encode("cp037")
    + TEXT.encode("cp500")
    + TEXT_1047.encode("cp1047")
    + zoned(42, 3, signed=False)
)
PAGES = {"INTL-NAME": "cp500", "OPEN_NAME": "IBM-1047"}


def test_the_pages_really_differ_for_these_characters() -> None:
    assert TEXT.encode("cp037") != TEXT.encode("cp500")
    assert TEXT_1047.encode("cp1047") != TEXT_1047.encode("cp037")
    assert TEXT_1047.encode("cp1047") != TEXT_1047.encode("cp500")


@pytest.mark.parametrize("engine", ENGINES)
def test_each_field_decodes_and_encodes_with_its_page(engine: str) -> None:
    t = legacyio.read_table(DATA, CB, field_code_page=PAGES, engine=engine)
    assert t.column("US_NAME").to_pylist() == [TEXT]
    assert t.column("INTL_NAME").to_pylist() == [TEXT]
    assert t.column("OPEN_NAME").to_pylist() == [TEXT_1047]
    assert t.column("AMOUNT").to_pylist() == [42]
    # written back from the values alone (no residue): every field in its own page
    plain = t.drop_columns(["_legacyio_residue"])
    assert legacyio.encode(plain, CB, field_code_page=PAGES, engine=engine) == DATA


@pytest.mark.parametrize("engine", ENGINES)
def test_many_records_in_batches(engine: str) -> None:
    data = DATA * 50
    t = legacyio.read_table(data, CB, field_code_page=PAGES, engine=engine, batch_size=16)
    assert set(t.column("INTL_NAME").to_pylist()) == {TEXT}
    assert t.column("_legacyio_residue").null_count == 50
    assert legacyio.encode(t, engine=engine) == data  # the page is kept in the metadata


def test_without_the_option_the_file_page_is_used() -> None:
    t = legacyio.read_table(DATA, CB)
    assert t.column("INTL_NAME").to_pylist() != [TEXT]


@pytest.mark.parametrize(
    ("pages", "words"),
    [
        ({"NO-SUCH": "cp500"}, "field_code_page names no field of the copybook: NO-SUCH"),
        ({"AMOUNT": "cp500"}, "REC.AMOUNT is not a text field"),
        ({"US-NAME": "cp99999"}, "field_code_page: US-NAME: unsupported encoding 'cp99999'"),
        ({"US-NAME": ""}, "the code page of US-NAME must be a name"),
    ],
)
def test_unknown_field_or_page_is_an_options_error(pages: dict[str, str], words: str) -> None:
    with pytest.raises(legacyio.OptionsError) as info:
        legacyio.read_table(DATA, CB, field_code_page=pages)
    assert words in str(info.value)


@pytest.mark.skipif(not native.available(), reason="legacyio._native is not built")
def test_the_native_kernels_get_each_fields_page(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = native._text_tables

    def spy(codec: object) -> tuple[bytes, bytes, bytes]:
        seen.append(codec.cp.name)  # type: ignore[attr-defined]
        return real(codec)

    monkeypatch.setattr(native, "_text_tables", spy)
    t = legacyio.read_table(DATA, CB, field_code_page=PAGES, engine="native")
    assert t.column("OPEN_NAME").to_pylist() == [TEXT_1047]
    assert {"cp037", "cp500", "cp1047"} <= set(seen)
