"""Protection keys: where they may come from, and the subkeys derived from them.

A key is 32 random bytes, kept in a file readable by its owner only (raw, or base64 text) or
in an environment variable (base64). It is never accepted as a command-line value: command
lines are visible to every user of the machine (``ps``, ``/proc``) and end up in shell
histories and job logs. Each action and domain gets its own subkey, derived with
HKDF-SHA256, so that an FF1 token of a TIN and a keyed hash of a name never share a key.
The key's *fingerprint* is a hash of a subkey derived for that purpose only: it identifies
the key in manifests without revealing anything usable about it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from legacyio.errors import OptionsError

__all__ = [
    "KEY_FILE_ENV",
    "KEY_SIZE",
    "ProtectionKey",
    "ProtectionKeyError",
    "load_key",
    "load_key_env",
    "load_key_file",
    "refuse_key_value",
]

KEY_SIZE = 32
KEY_FILE_ENV = "LEGACYIO_PROTECT_KEY_FILE"
_INFO_PREFIX = b"legacyio/protect/v1/"


class ProtectionKeyError(OptionsError):
    """A protection key is missing, malformed, exposed, or offered in a way that is refused.
    A usage error (CLI exit status 2). Never contains key material."""


class ProtectionKey:
    """32 bytes of key material with an id; derives subkeys, never shows the key."""

    __slots__ = ("_fingerprint", "_material", "key_id", "source")

    def __init__(self, material: bytes, key_id: str | None = None, source: str = "") -> None:
        if len(material) != KEY_SIZE:
            raise ProtectionKeyError(f"a protection key is exactly {KEY_SIZE} bytes")
        self._material = bytes(material)
        fp = hashlib.sha256(self.subkey("fingerprint", "")).hexdigest()
        self._fingerprint = fp
        self.key_id = key_id or f"fp-{fp[:16]}"
        self.source = source

    def __repr__(self) -> str:
        return f"ProtectionKey(id={self.key_id!r}, fingerprint={self._fingerprint[:16]}...)"

    __str__ = __repr__

    def __reduce__(self) -> None:  # type: ignore[override]
        raise TypeError("a ProtectionKey cannot be pickled")

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of a subkey derived for identification only."""
        return self._fingerprint

    def subkey(self, action: str, domain: str, length: int = 32) -> bytes:
        """HKDF-SHA256 subkey for one action and domain (``info`` = action/domain)."""
        info = _INFO_PREFIX + action.encode() + b"/" + domain.encode("utf-8")
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(
            self._material
        )


def _decode(raw: bytes, where: str) -> bytes:
    if len(raw) == KEY_SIZE:
        return raw
    text = raw.strip()
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_SIZE:
        raise ProtectionKeyError(
            f"{where}: a protection key is exactly {KEY_SIZE} bytes, raw or base64 "
            f"(make one with: head -c {KEY_SIZE} /dev/urandom > FILE; chmod 600 FILE)"
        )
    return key


def load_key_file(path: str | os.PathLike[str], key_id: str | None = None) -> ProtectionKey:
    """Read a key file: exactly 32 raw bytes or their base64. Refused when the file is
    readable or writable by its group or by others."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ProtectionKeyError(f"key file {p} does not exist") from None
    except OSError as e:
        raise ProtectionKeyError(f"key file {p} cannot be read: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ProtectionKeyError(f"key file {p} is not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise ProtectionKeyError(
            f"key file {p} is accessible to its group or to others (mode {mode:04o}): a "
            f"protection key must be readable by its owner only; fix it with: chmod 600 {p}"
        )
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise ProtectionKeyError(f"key file {p} cannot be read: {e.strerror}") from None
    return ProtectionKey(_decode(raw, f"key file {p}"), key_id, source=f"file:{p}")


def load_key_env(
    name: str, key_id: str | None = None, environ: Mapping[str, str] | None = None
) -> ProtectionKey:
    """Read a base64 key from the environment variable ``name``."""
    env = os.environ if environ is None else environ
    value = env.get(name)
    if not value:
        raise ProtectionKeyError(f"environment variable {name} (the protection key) is not set")
    text = value.strip().encode("ascii", "replace")
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_SIZE:
        raise ProtectionKeyError(
            f"environment variable {name} must hold a base64 protection key of {KEY_SIZE} bytes"
        )
    return ProtectionKey(key, key_id, source=f"env:{name}")


def load_key(
    *,
    key_file: str | os.PathLike[str] | None = None,
    policy_file: str | os.PathLike[str] | None = None,
    policy_env: str | None = None,
    key_id: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ProtectionKey:
    """The key of a run, first found of: an explicit key file (``--key-file``), the file
    named by ``LEGACYIO_PROTECT_KEY_FILE``, the policy's ``[key] file``, its ``[key] env``."""
    env = os.environ if environ is None else environ
    if key_file is not None:
        return load_key_file(key_file, key_id)
    if env.get(KEY_FILE_ENV):
        return load_key_file(env[KEY_FILE_ENV], key_id)
    if policy_file is not None:
        return load_key_file(policy_file, key_id)
    if policy_env is not None:
        return load_key_env(policy_env, key_id, env)
    raise ProtectionKeyError(
        "no protection key: give --key-file PATH, set "
        f"{KEY_FILE_ENV}, or name one in the policy's [key] table (file = or env =)"
    )


def refuse_key_value(option: str = "--key") -> ProtectionKeyError:
    """The error for a key offered as a literal value (a command-line flag or an engine
    option). Returned, for the caller to raise; it never repeats the value."""
    return ProtectionKeyError(
        f"{option} VALUE is refused: a key given on the command line is visible to every "
        "user of the machine (ps, /proc) and is kept in shell history and job logs. Put the "
        f"{KEY_SIZE}-byte key in a file readable only by you (chmod 600) and pass "
        f"--key-file PATH, or set {KEY_FILE_ENV}=PATH"
    )
