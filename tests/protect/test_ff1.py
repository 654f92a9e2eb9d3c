"""FF1: the NIST SP 800-38G sample vectors, agreement with an independent implementation
(fastfpe, Rust), and the batched paths against each other."""

from __future__ import annotations

import numpy as np
import pytest
from fastfpe import ff1 as ref
from hypothesis import given
from hypothesis import strategies as st

from legacyio.protect.ff1 import FF1, Alphabet, FF1DomainError

K128 = "2B7E151628AED2A6ABF7158809CF4F3C"
K192 = K128 + "EF4359D8D580AA4F"
K256 = K192 + "7F036D6F04FC6A94"
T10 = "39383736353433323130"
T36 = "3737373770717273373737"
A36 = "0123456789abcdefghijklmnopqrstuvwxyz"

# NIST SP 800-38G FF1 samples 1-9: (key, radix, tweak, plaintext, ciphertext)
NIST = [
    (K128, 10, "", "0123456789", "2433477484"),
    (K128, 10, T10, "0123456789", "6124200773"),
    (K128, 36, T36, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
    (K192, 10, "", "0123456789", "2830668132"),
    (K192, 10, T10, "0123456789", "2496655549"),
    (K192, 36, T36, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
    (K256, 10, "", "0123456789", "6657667009"),
    (K256, 10, T10, "0123456789", "1001623463"),
    (K256, 36, T36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"),
]


@pytest.mark.parametrize(("key", "radix", "tweak", "pt", "ct"), NIST)
def test_nist_sample(key: str, radix: int, tweak: str, pt: str, ct: str) -> None:
    f = FF1(bytes.fromhex(key), radix)
    alpha = Alphabet(A36[:radix])
    t = bytes.fromhex(tweak)
    mat = alpha.to_numerals([pt], len(pt))
    enc = f.encrypt(mat, t)
    assert alpha.from_numerals(enc) == [ct]
    assert alpha.from_numerals(f.decrypt(enc, t)) == [pt]
    if radix == 10:  # the integer interface gives the same numbers
        assert f.encrypt_int([int(pt)], len(pt), t).tolist() == [int(ct)]


def test_nist_sample_in_a_column() -> None:
    """The same sample repeated and mixed with other values: rows do not interfere."""
    f = FF1(bytes.fromhex(K256), 10)
    xs = np.array([123456789, 0, 123456789, 999999999] * 1000, dtype=np.int64)
    out = f.encrypt_int(xs, 10, bytes.fromhex(T10))
    assert (out[0::4] == 1001623463).all()
    assert (f.decrypt_int(out, 10, bytes.fromhex(T10)) == xs).all()


@given(
    key=st.binary(min_size=32, max_size=32),
    tweak=st.binary(max_size=40),
    values=st.lists(st.integers(0, 10**9 - 1), min_size=1, max_size=20),
)
def test_agrees_with_fastfpe_digits(key: bytes, tweak: bytes, values: list[int]) -> None:
    out = FF1(key, 10).encrypt_int(values, 9, tweak)
    for v, c in zip(values, out.tolist()):
        assert f"{c:09d}" == ref.encrypt(key.hex(), tweak.hex(), "0123456789", f"{v:09d}")


@given(
    key=st.sampled_from([bytes(16), bytes(range(24)), bytes(range(32))]),
    tweak=st.binary(max_size=20),
    alphabet=st.sampled_from(
        ["0123456789", A36, A36 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ ", "01", "0123456789ABCDEF"]
    ),
    data=st.data(),
)
def test_agrees_with_fastfpe_alphabets(
    key: bytes, tweak: bytes, alphabet: str, data: st.DataObject
) -> None:
    radix = len(alphabet)
    n_min = 1
    while radix**n_min < 10**6 or n_min < 2:
        n_min += 1
    n = data.draw(st.integers(n_min, n_min + 30))
    vals = data.draw(st.lists(st.text(alphabet, min_size=n, max_size=n), min_size=1, max_size=5))
    alpha = Alphabet(alphabet)
    f = FF1(key, radix)
    enc = alpha.from_numerals(f.encrypt(alpha.to_numerals(vals, n), tweak))
    assert enc == [ref.encrypt(key.hex(), tweak.hex(), alphabet, v) for v in vals]
    assert alpha.from_numerals(f.decrypt(alpha.to_numerals(enc, n), tweak)) == vals


@pytest.mark.parametrize("n", [6, 9, 13, 18, 19, 25, 38])
def test_integer_paths_round_trip(n: int) -> None:
    """uint64 halves (small n) and Python-int halves (n >= 34 or so) both invert."""
    rng = np.random.default_rng(n)
    f = FF1(bytes(range(32)), 10)
    if 10**n <= 2**63:
        xs = rng.integers(0, 10**n, 500, dtype=np.int64)
    else:
        xs = np.array([int(rng.integers(0, 10**9)) * 10 ** (n - 9) + 7 for _ in range(50)])
    enc = f.encrypt_int(xs, n, b"d")
    assert [int(v) for v in f.decrypt_int(enc, n, b"d")] == [int(v) for v in xs]
    s = [f"{int(v):0{n}d}" for v in xs[:5]]
    assert [f"{int(v):0{n}d}" for v in enc[:5]] == [
        ref.encrypt(bytes(range(32)).hex(), b"d".hex(), "0123456789", x) for x in s
    ]


def test_batch_equals_one_at_a_time() -> None:
    f = FF1(bytes(32), 10)
    xs = np.arange(100_000, 100_000 + 70_000, dtype=np.int64)  # crosses the chunk size
    col = f.encrypt_int(xs, 9, b"tin")
    one = [int(f.encrypt_int([x], 9, b"tin")[0]) for x in xs[::9973]]
    assert col[::9973].tolist() == one


def test_small_domain_refused() -> None:
    f = FF1(bytes(16), 10)
    with pytest.raises(FF1DomainError, match="at least 1,000,000"):
        f.encrypt_int([1], 5)
    with pytest.raises(FF1DomainError):
        FF1(bytes(16), 36).check_length(3)  # 46,656 values
    FF1(bytes(16), 36).check_length(4)  # 1,679,616: fine


def test_out_of_domain_value_refused() -> None:
    with pytest.raises(FF1DomainError):
        FF1(bytes(16), 10).encrypt_int([10**9], 9)


def test_repr_hides_key() -> None:
    assert "00" not in repr(FF1(bytes(16), 10))
