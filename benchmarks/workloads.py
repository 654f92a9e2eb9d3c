"""Deterministic benchmark workloads: copybooks and EBCDIC files made with NumPy, not legacyio.

The benchmarks must not depend on the code under test to make their input, so every byte here
comes from NumPy (zoned, packed and binary by arithmetic on digit arrays, text by Python's cp037
codec over a small vocabulary and ``np.take``). Files are generated in fixed-size chunks, each
from its own seeded generator, so the first K records are the same whatever the file size, and
are cached under ``$BENCH_CACHE`` (default ``/tmp/legacyio-bench``) by name and record count.

Run ``python benchmarks/workloads.py`` to build the files for ``BENCH_RECORDS`` and print sizes.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

VERSION = 1  # bump when the generators change: part of the cache file names
CHUNK = 65_536  # records generated per seeded chunk
SEED = 20_240_917
ENC = "cp037"

SPACE = 0x40


def bench_records() -> int:
    """Master-file record count from ``BENCH_RECORDS`` (default 1,000,000)."""
    return int(os.environ.get("BENCH_RECORDS", "1000000"))


def cache_dir() -> Path:
    """Where generated files live (``$BENCH_CACHE`` or ``/tmp/legacyio-bench``)."""
    d = Path(os.environ.get("BENCH_CACHE") or Path(tempfile.gettempdir()) / "legacyio-bench")
    d.mkdir(parents=True, exist_ok=True)
    return d


# --------------------------------------------------------------------------------------------
# Copybooks
# --------------------------------------------------------------------------------------------

MASTER_COPYBOOK = """\
      * Individual taxpayer master record, 190 bytes, cp037.
       01  TAXPAYER-MASTER.
           05  TM-TIN                  PIC 9(9).
           05  TM-NAME.
               10  TM-LAST-NAME        PIC X(25).
               10  TM-FIRST-NAME       PIC X(15).
               10  TM-MIDDLE-INIT      PIC X.
           05  TM-ADDRESS.
               10  TM-STREET           PIC X(30).
               10  TM-CITY             PIC X(20).
               10  TM-STATE            PIC XX.
               10  TM-ZIP              PIC 9(5).
               10  TM-ZIP4             PIC 9(4).
           05  TM-BIRTH-DATE           PIC 9(8).
           05  TM-FILING-DATE          PIC 9(8).
           05  TM-STATUS               PIC X.
           05  TM-BALANCE              PIC S9(9)V99.
           05  TM-TOTAL-INCOME         PIC S9(11)V99 COMP-3.
           05  TM-TAX-DUE              PIC S9(9)V99 COMP-3.
           05  TM-DEPENDENTS           PIC S9(4) COMP.
           05  TM-FORM-COUNT           PIC S9(8) COMP.
           05  TM-QUARTERLY-PAYMENT    PIC S9(7)V99 COMP-3
                                       OCCURS 4 TIMES.
           05  TM-REGION               PIC XX.
           05  FILLER                  PIC X(10).
"""
MASTER_LENGTH = 190

TXN_COPYBOOK = """\
      * Transaction module: 32-byte header, 0 to 50 entries of 20 bytes.
       01  TXN-MODULE.
           05  TX-TIN                  PIC 9(9).
           05  TX-MODULE-ID            PIC X(8).
           05  TX-TAX-PERIOD           PIC 9(6).
           05  TX-MODULE-BALANCE       PIC S9(11)V99 COMP-3.
           05  TX-COUNT                PIC S9(4) COMP.
           05  TX-ENTRY OCCURS 0 TO 50 TIMES
                        DEPENDING ON TX-COUNT.
               10  TX-CODE             PIC X(3).
               10  TX-DATE             PIC 9(8).
               10  TX-AMOUNT           PIC S9(9)V99 COMP-3.
               10  TX-CYCLE            PIC S9(4) COMP.
               10  TX-FLAG             PIC X.
"""
TXN_HEADER = 32
TXN_ENTRY = 20
TXN_MAX = 50

# Wide record: 50 groups of 40 elementary fields, a repeating quad of
# X(8) text, S9(7) zoned, S9(7)V99 COMP-3 and S9(9) COMP (24 bytes for 4 fields).
WIDE_GROUPS = 50
WIDE_QUADS_PER_GROUP = 10
WIDE_QUAD = 24
WIDE_FIELDS = WIDE_GROUPS * WIDE_QUADS_PER_GROUP * 4
WIDE_LENGTH = WIDE_GROUPS * WIDE_QUADS_PER_GROUP * WIDE_QUAD


def wide_copybook() -> str:
    """The 2,000-field copybook (fixed reference format, columns 8-72)."""
    lines = [
        "      * Wide record: 2,000 elementary fields in 50 groups.",
        "       01  WIDE-RECORD.",
    ]
    for g in range(1, WIDE_GROUPS + 1):
        lines.append(f"           05  WR-GROUP-{g:03d}.")
        for q in range(1, WIDE_QUADS_PER_GROUP + 1):
            p = f"WR-{g:03d}-{q:02d}"
            lines.append(f"               10  {p}-TEXT        PIC X(8).")
            lines.append(f"               10  {p}-ZONED       PIC S9(7).")
            lines.append(f"               10  {p}-PACKED      PIC S9(7)V99 COMP-3.")
            lines.append(f"               10  {p}-BINARY      PIC S9(9) COMP.")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Vectorized EBCDIC builders
# --------------------------------------------------------------------------------------------


def text_vocab(words: list[str], width: int) -> np.ndarray:
    """cp037 bytes of ``words``, space padded to ``width``: a (len(words), width) uint8 array."""
    return np.frombuffer(
        b"".join(w[:width].ljust(width).encode(ENC) for w in words), dtype=np.uint8
    ).reshape(len(words), width)


def digits_of(values: np.ndarray, ndigits: int) -> np.ndarray:
    """Decimal digits of ``abs(values)``, most significant first: (n, ndigits) uint8."""
    pow10 = 10 ** np.arange(ndigits - 1, -1, -1, dtype=np.int64)
    return ((np.abs(values).astype(np.int64)[:, None] // pow10) % 10).astype(np.uint8)


def zoned(values: np.ndarray, ndigits: int, signed: bool) -> np.ndarray:
    """Zoned decimal: F0-F9 per digit, sign C/D in the zone of the last byte when signed."""
    d = digits_of(values, ndigits)
    out = d | np.uint8(0xF0)
    if signed:
        out[:, -1] = np.where(values < 0, 0xD0, 0xC0).astype(np.uint8) | d[:, -1]
    return out


def packed(values: np.ndarray, ndigits: int, signed: bool) -> np.ndarray:
    """COMP-3: two digits a byte, last nibble C/D (F when unsigned); ndigits//2 + 1 bytes."""
    nbytes = ndigits // 2 + 1
    nib = np.empty((len(values), 2 * nbytes), dtype=np.uint8)
    nib[:, :-1] = digits_of(values, 2 * nbytes - 1)
    nib[:, -1] = np.where(values < 0, 0x0D, 0x0C) if signed else 0x0F
    return (nib[:, 0::2] << 4) | nib[:, 1::2]


def binary(values: np.ndarray, nbytes: int) -> np.ndarray:
    """Big-endian two's complement in ``nbytes`` (2, 4 or 8)."""
    dt = {2: ">i2", 4: ">i4", 8: ">i8"}[nbytes]
    return np.ascontiguousarray(values.astype(dt)).view(np.uint8).reshape(len(values), nbytes)


def _signed(rng: np.random.Generator, n: int, lo: int, hi: int, neg: float) -> np.ndarray:
    """Integers in [lo, hi) with a fraction ``neg`` made negative (never a negative zero)."""
    v = rng.integers(lo, hi, n, dtype=np.int64)
    return np.where((rng.random(n) < neg) & (v != 0), -v, v)


def _dates(rng: np.random.Generator, n: int, y0: int, y1: int) -> np.ndarray:
    y = rng.integers(y0, y1, n)
    return y * 10000 + rng.integers(1, 13, n) * 100 + rng.integers(1, 29, n)


def _pick(rng: np.random.Generator, vocab: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    idx = rng.integers(0, len(vocab), n)
    return np.take(vocab, idx, axis=0), idx


# --------------------------------------------------------------------------------------------
# Master file
# --------------------------------------------------------------------------------------------

LAST_PLAIN = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "MILLER",
    "DAVIS",
    "WILSON",
    "ANDERSON",
    "TAYLOR",
    "THOMAS",
    "MOORE",
    "MARTIN",
    "JACKSON",
    "THOMPSON",
    "WHITE",
    "HARRIS",
    "CLARK",
    "LEWIS",
    "ROBINSON",
    "WALKER",
    "YOUNG",
    "ALLEN",
    "KING",
    "WRIGHT",
    "SCOTT",
    "HILL",
    "GREEN",
    "ADAMS",
    "BAKER",
    "NELSON",
    "CARTER",
    "MITCHELL",
    "ROBERTS",
    "TURNER",
    "PHILLIPS",
    "CAMPBELL",
    "PARKER",
    "EVANS",
    "EDWARDS",
    "COLLINS",
    "STEWART",
    "MORRIS",
    "ROGERS",
    "O'CONNOR",
    "VAN DER BERG",
    "MACDONALD-STUART",
]
LAST_ACCENTED = ["MUÑOZ", "NÚÑEZ", "PEÑA", "MÜLLER", "GÖRÜR", "BRONTË", "DESCHÊNES", "IBÁÑEZ"]
FIRST_PLAIN = [
    "JAMES",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "JOHN",
    "JENNIFER",
    "MICHAEL",
    "LINDA",
    "DAVID",
    "ELIZABETH",
    "WILLIAM",
    "BARBARA",
    "RICHARD",
    "SUSAN",
    "JOSEPH",
    "JESSICA",
    "THOMAS",
    "SARAH",
    "CHARLES",
    "KAREN",
    "MARIA",
    "ANN MARIE",
    "JEAN-PAUL",
]
FIRST_ACCENTED = ["JOSÉ", "RENÉE", "ZOË", "CHLOÉ", "JÜRGEN", "ÑUSTA", "ANDRÉ", "HÉLÈNE"]
STREET_NAMES = [
    "MAIN ST",
    "OAK AVE",
    "PINE RD",
    "MAPLE DR",
    "CEDAR LN",
    "ELM ST",
    "WASHINGTON BLVD",
    "LAKE VIEW TER",
    "PARK PL",
    "HILLCREST CT",
    "SUNSET WAY",
    "RIVER RD",
    "CHURCH ST",
    "MILL POND RD",
    "HIGHLAND AVE",
    "FOREST DR",
]
CITIES = [
    "SPRINGFIELD",
    "RIVERSIDE",
    "FRANKLIN",
    "GREENVILLE",
    "BRISTOL",
    "CLINTON",
    "FAIRVIEW",
    "SALEM",
    "MADISON",
    "GEORGETOWN",
    "ARLINGTON",
    "ASHLAND",
    "BURLINGTON",
    "MANCHESTER",
    "OXFORD",
    "JACKSONVILLE",
    "SAN JOSE",
    "LOS ANGELES",
    "NEW YORK",
    "KANSAS CITY",
]
STATES = [
    "CA",
    "NY",
    "TX",
    "FL",
    "IL",
    "PA",
    "OH",
    "GA",
    "NC",
    "MI",
    "NJ",
    "VA",
    "WA",
    "AZ",
    "MA",
    "TN",
    "IN",
    "MO",
    "MD",
    "WI",
]
ACCENT_RATE = 0.03


def _street_vocab() -> list[str]:
    rng = np.random.default_rng(SEED - 1)
    nums = rng.integers(1, 20000, 512)
    return [f"{n} {STREET_NAMES[i % len(STREET_NAMES)]}" for i, n in enumerate(nums)]


@dataclass
class Chunk:
    """One generated block of records: its bytes and the values they encode (for checks)."""

    data: bytes
    values: dict[str, object] = field(default_factory=dict)


def _names(rng: np.random.Generator, n: int, plain: list[str], acc: list[str], width: int):
    vocab = text_vocab(plain + acc, width)
    words = plain + acc
    idx = np.where(
        rng.random(n) < ACCENT_RATE,
        len(plain) + rng.integers(0, len(acc), n),
        rng.integers(0, len(plain), n),
    )
    return np.take(vocab, idx, axis=0), [words[i] for i in idx[:8]]


def master_chunk(index: int, n: int = CHUNK) -> Chunk:
    """Records ``index*CHUNK`` .. ``index*CHUNK + n`` of the master file (n <= CHUNK)."""
    rng = np.random.default_rng([SEED, 1, index])
    m = CHUNK
    out = np.full((m, MASTER_LENGTH), SPACE, dtype=np.uint8)
    vals: dict[str, object] = {}
    pos = 0

    def put(block: np.ndarray) -> None:
        nonlocal pos
        out[:, pos : pos + block.shape[1]] = block
        pos += block.shape[1]

    tin = rng.integers(100_000_000, 1_000_000_000, m)
    put(zoned(tin, 9, False))
    last, vals["last_name"] = _names(rng, m, LAST_PLAIN, LAST_ACCENTED, 25)
    put(last)
    first, vals["first_name"] = _names(rng, m, FIRST_PLAIN, FIRST_ACCENTED, 15)
    put(first)
    put(_pick(rng, text_vocab([chr(c) for c in range(65, 91)] + [" "] * 6, 1), m)[0])
    streets = _street_vocab()
    blk, idx = _pick(rng, text_vocab(streets, 30), m)
    vals["street"] = [streets[i] for i in idx[:8]]
    put(blk)
    blk, idx = _pick(rng, text_vocab(CITIES, 20), m)
    vals["city"] = [CITIES[i] for i in idx[:8]]
    put(blk)
    put(_pick(rng, text_vocab(STATES, 2), m)[0])
    zip5 = rng.integers(501, 99951, m)
    put(zoned(zip5, 5, False))
    put(zoned(rng.integers(0, 10000, m), 4, False))
    birth = _dates(rng, m, 1930, 2006)
    put(zoned(birth, 8, False))
    put(zoned(_dates(rng, m, 2015, 2025), 8, False))
    put(_pick(rng, text_vocab(list("AAAAIISDX"), 1), m)[0])
    balance = _signed(rng, m, 0, 10**9, 0.3)
    put(zoned(balance, 11, True))
    income = _signed(rng, m, 0, 10**12, 0.02)
    put(packed(income, 13, True))
    tax = _signed(rng, m, 0, 10**10, 0.1)
    put(packed(tax, 11, True))
    deps = rng.integers(0, 10, m)
    put(binary(deps, 2))
    forms = _signed(rng, m, 0, 100_000, 0.0)
    put(binary(forms, 4))
    quarterly = _signed(rng, m * 4, 0, 10**8, 0.05).reshape(m, 4)
    put(packed(quarterly.ravel(), 9, True).reshape(m, 20))
    put(_pick(rng, text_vocab(["NE", "SE", "MW", "SW", "W ", "PR"], 2), m)[0])
    pos += 10  # FILLER stays spaces
    assert pos == MASTER_LENGTH
    vals.update(
        tin=tin[:8].tolist(),
        zip=zip5[:8].tolist(),
        birth_date=birth[:8].tolist(),
        balance_cents=balance[:8].tolist(),
        income_cents=income[:8].tolist(),
        tax_cents=tax[:8].tolist(),
        dependents=deps[:8].tolist(),
        forms=forms[:8].tolist(),
        quarterly_cents=quarterly[:8].tolist(),
    )
    return Chunk(out[:n].tobytes(), vals)


# --------------------------------------------------------------------------------------------
# Transaction modules (RDW, OCCURS DEPENDING ON)
# --------------------------------------------------------------------------------------------

TX_CODES = ["150", "290", "300", "420", "570", "610", "670", "766", "806", "846", "971"]


def txn_chunk(index: int, n: int = CHUNK) -> Chunk:
    """Variable-length transaction modules with IBM RDWs (length includes the RDW)."""
    rng = np.random.default_rng([SEED, 2, index])
    m = CHUNK
    width = 4 + TXN_HEADER + TXN_MAX * TXN_ENTRY
    out = np.full((m, width), SPACE, dtype=np.uint8)
    count = rng.integers(0, TXN_MAX + 1, m)
    length = 4 + TXN_HEADER + TXN_ENTRY * count
    out[:, 0:4] = binary(length * 65536, 4)  # 2-byte length then two zero bytes
    p = 4
    out[:, p : p + 9] = zoned(rng.integers(100_000_000, 1_000_000_000, m), 9, False)
    p += 9
    out[:, p : p + 8] = _pick(rng, text_vocab(["IMF", "BMF", "IRAF", "EPMF", "NMF"], 8), m)[0]
    p += 8
    out[:, p : p + 6] = zoned(rng.integers(2015, 2025, m) * 100 + rng.integers(1, 13, m), 6, False)
    p += 6
    balance = _signed(rng, m, 0, 10**12, 0.2)
    out[:, p : p + 7] = packed(balance, 13, True)
    p += 7
    out[:, p : p + 2] = binary(count, 2)
    p += 2
    assert p == 4 + TXN_HEADER
    k = m * TXN_MAX
    ent = np.empty((k, TXN_ENTRY), dtype=np.uint8)
    ent[:, 0:3] = _pick(rng, text_vocab(TX_CODES, 3), k)[0]
    ent[:, 3:11] = zoned(_dates(rng, k, 2015, 2025), 8, False)
    ent[:, 11:17] = packed(_signed(rng, k, 0, 10**9, 0.25), 11, True)
    ent[:, 17:19] = binary(rng.integers(2401, 2453, k), 2)
    ent[:, 19:20] = _pick(rng, text_vocab(["", "R", "X"], 1), k)[0]
    out[:, p:] = ent.reshape(m, TXN_MAX * TXN_ENTRY)
    out, count, length = out[:n], count[:n], length[:n]
    keep = np.arange(width) < length[:, None]
    vals = {"count": count[:8].tolist(), "balance_cents": balance[:8].tolist()}
    return Chunk(out[keep].tobytes(), vals)


# --------------------------------------------------------------------------------------------
# Wide records
# --------------------------------------------------------------------------------------------

WIDE_WORDS = [
    "ALPHA",
    "BRAVO",
    "CHARLIE",
    "DELTA",
    "ECHO",
    "FOXTROT",
    "GOLF",
    "HOTEL",
    "INDIA",
    "JULIET",
    "KILO",
    "LIMA",
    "",
    "MIKE",
    "NOVEMBER",
    "OSCAR",
]


def wide_chunk(index: int, n: int = CHUNK) -> Chunk:
    """Wide records of 2,000 fields (12,000 bytes); chunk of at most ``CHUNK // 64`` rows."""
    rng = np.random.default_rng([SEED, 3, index])
    m = CHUNK // 64
    q = WIDE_GROUPS * WIDE_QUADS_PER_GROUP
    out = np.empty((m, q, WIDE_QUAD), dtype=np.uint8)
    k = m * q
    out[:, :, 0:8] = _pick(rng, text_vocab(WIDE_WORDS, 8), k)[0].reshape(m, q, 8)
    z = _signed(rng, k, 0, 10**7, 0.2)
    out[:, :, 8:15] = zoned(z, 7, True).reshape(m, q, 7)
    pk = _signed(rng, k, 0, 10**9, 0.2)
    out[:, :, 15:20] = packed(pk, 9, True).reshape(m, q, 5)
    b = _signed(rng, k, 0, 10**9, 0.2)
    out[:, :, 20:24] = binary(b, 4).reshape(m, q, 4)
    vals = {"zoned": z[:8].tolist(), "packed_cents": pk[:8].tolist(), "binary": b[:8].tolist()}
    return Chunk(out[:n].tobytes(), vals)


WIDE_CHUNK = CHUNK // 64


# --------------------------------------------------------------------------------------------
# Workloads and the on-disk cache
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """A generated file with its copybook, record count, byte size and reader options."""

    name: str
    path: Path
    copybook: Path
    records: int
    nbytes: int
    options: dict[str, object]

    @property
    def mb(self) -> float:
        return self.nbytes / 1e6


_GENERATORS: dict[str, tuple[Callable[[int, int], Chunk], int, str, dict[str, object]]] = {
    "master": (master_chunk, CHUNK, MASTER_COPYBOOK, {"record_format": "F"}),
    "txn": (txn_chunk, CHUNK, TXN_COPYBOOK, {"record_format": "V"}),
    "wide": (wide_chunk, WIDE_CHUNK, "", {"record_format": "F"}),
}

TXN_AVG = 4 + TXN_HEADER + TXN_ENTRY * TXN_MAX / 2  # mean record length with its RDW


def scaled_records(name: str, master_records: int | None = None) -> int:
    """Record count of a workload: the master count, others scaled to about the same bytes."""
    n = bench_records() if master_records is None else master_records
    if name == "master":
        return n
    if name == "txn":
        return max(64, round(n * MASTER_LENGTH / TXN_AVG))
    if name == "wide":
        return max(16, round(n * MASTER_LENGTH / WIDE_LENGTH))
    raise KeyError(name)


def iter_chunks(name: str, records: int) -> Iterator[bytes]:
    """The bytes of a workload of ``records`` records, chunk by chunk."""
    gen, size, _, _ = _GENERATORS[name]
    done, i = 0, 0
    while done < records:
        n = min(size, records - done)
        yield gen(i, n).data
        done += n
        i += 1


def _atomic_write(path: Path, chunks: Iterator[bytes] | list[bytes]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def workload(name: str, records: int | None = None) -> Workload:
    """The cached workload ``name`` ("master", "txn", "wide") with ``records`` records
    (default: scaled from BENCH_RECORDS), generating the file on first use."""
    records = scaled_records(name) if records is None else records
    _, _, text, opts = _GENERATORS[name]
    text = text or wide_copybook()
    d = cache_dir()
    cpy = d / f"{name}-v{VERSION}.cpy"
    if not cpy.exists() or cpy.read_text() != text:
        _atomic_write(cpy, [text.encode()])
    path = d / f"{name}-v{VERSION}-{records}.dat"
    if not path.exists():
        _atomic_write(path, iter_chunks(name, records))
    return Workload(name, path, cpy, records, path.stat().st_size, dict(opts))


def main() -> None:
    """Build (or find) the cached files for the current BENCH_RECORDS and print their sizes."""
    for name in ("master", "txn", "wide"):
        t = time.perf_counter()
        w = workload(name)
        print(
            f"{name:7s} {w.records:>10,d} records {w.mb:9.1f} MB  {w.path}  "
            f"({time.perf_counter() - t:.1f} s)"
        )


if __name__ == "__main__":
    main()
