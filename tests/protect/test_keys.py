"""Key loading: files readable by their owner only, base64 or raw, env vars, the literal-key
refusal, fingerprints and HKDF subkeys."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from legacyio.errors import OptionsError
from legacyio.protect.keys import (
    KEY_FILE_ENV,
    ProtectionKey,
    ProtectionKeyError,
    load_key,
    load_key_env,
    load_key_file,
    refuse_key_value,
)

from .conftest import KEY


def _key_file(tmp_path: Path, data: bytes, mode: int = 0o600) -> Path:
    p = tmp_path / "k.key"
    p.write_bytes(data)
    p.chmod(mode)
    return p


def test_raw_and_base64_files_give_the_same_key(tmp_path: Path) -> None:
    raw = load_key_file(_key_file(tmp_path, KEY))
    p2 = tmp_path / "b64.key"
    p2.write_bytes(base64.b64encode(KEY) + b"\n")
    p2.chmod(0o400)
    assert load_key_file(p2).fingerprint == raw.fingerprint


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_group_or_other_access_refused(tmp_path: Path, mode: int) -> None:
    p = _key_file(tmp_path, KEY, mode)
    with pytest.raises(ProtectionKeyError) as e:
        load_key_file(p)
    msg = str(e.value)
    assert f"chmod 600 {p}" in msg and "owner only" in msg and f"{mode:04o}" in msg
    assert isinstance(e.value, OptionsError)  # a usage error: CLI exit 2


@pytest.mark.parametrize("data", [b"short", b"x" * 31, b"x" * 33, base64.b64encode(b"x" * 16)])
def test_wrong_size_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ProtectionKeyError, match="exactly 32 bytes"):
        load_key_file(_key_file(tmp_path, data))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProtectionKeyError, match="does not exist"):
        load_key_file(tmp_path / "nope")


def test_env_key() -> None:
    env = {"MYKEY": base64.b64encode(KEY).decode()}
    assert load_key_env("MYKEY", environ=env).fingerprint == ProtectionKey(KEY).fingerprint
    with pytest.raises(ProtectionKeyError, match="not set"):
        load_key_env("OTHER", environ=env)
    with pytest.raises(ProtectionKeyError, match="base64"):
        load_key_env("MYKEY", environ={"MYKEY": "not a key"})


def test_precedence(tmp_path: Path) -> None:
    a = _key_file(tmp_path, KEY)
    other = tmp_path / "o.key"
    other.write_bytes(bytes(32))
    other.chmod(0o600)
    env = {KEY_FILE_ENV: str(other)}
    assert load_key(key_file=a, environ=env).fingerprint == ProtectionKey(KEY).fingerprint
    assert load_key(policy_file=a, environ=env).fingerprint == ProtectionKey(bytes(32)).fingerprint
    assert load_key(policy_file=a, environ={}).fingerprint == ProtectionKey(KEY).fingerprint
    with pytest.raises(ProtectionKeyError, match="no protection key"):
        load_key(environ={})


def test_literal_key_refusal_says_why() -> None:
    err = refuse_key_value("--key")
    msg = str(err)
    assert "--key VALUE is refused" in msg and "ps" in msg and "--key-file" in msg
    assert KEY_FILE_ENV in msg


def test_key_never_shown() -> None:
    k = ProtectionKey(KEY, "research")
    for text in (repr(k), str(k), k.fingerprint, k.key_id):
        assert KEY.hex() not in text
        assert base64.b64encode(KEY).decode() not in text
    assert k.fingerprint != ProtectionKey(bytes(32)).fingerprint
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(k)


def test_subkeys_per_action_and_domain() -> None:
    k = ProtectionKey(KEY)
    subs = {k.subkey(a, d) for a in ("fpe", "token", "hash") for d in ("tin", "name")}
    assert len(subs) == 6
    assert KEY not in subs
    assert k.subkey("fpe", "tin") == ProtectionKey(KEY).subkey("fpe", "tin")
    assert ProtectionKey(KEY).key_id.startswith("fp-")


def test_env_var_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = _key_file(tmp_path, KEY)
    monkeypatch.setenv(KEY_FILE_ENV, str(p))
    assert load_key().fingerprint == ProtectionKey(KEY).fingerprint
    os.chmod(p, 0o644)
    with pytest.raises(ProtectionKeyError):
        load_key()
