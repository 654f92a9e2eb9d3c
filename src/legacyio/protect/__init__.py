"""Need-to-know protection of decoded master files: policies, keys, FF1 tokens, masks, row
allow-lists and a tamper-evident audit trail (issue 13, phase 1: the engine-independent core).

``load_policy(path, copybook)`` checks a TOML policy against the layout before any data is
read; ``Protector(policy, key=...)`` applies it to the Arrow batches legacyio decodes.
"""

from legacyio.protect.actions import ProtectError
from legacyio.protect.keys import (
    KEY_FILE_ENV,
    ProtectionKey,
    ProtectionKeyError,
    load_key,
    load_key_env,
    load_key_file,
    refuse_key_value,
)
from legacyio.protect.policy import (
    FieldAction,
    Policy,
    PolicyError,
    check_table,
    format_check_table,
    load_policy,
    parse_policy,
)
from legacyio.protect.protector import PROTECTION_METADATA, Protector, ProtectStats

__all__ = [
    "KEY_FILE_ENV",
    "PROTECTION_METADATA",
    "FieldAction",
    "Policy",
    "PolicyError",
    "ProtectError",
    "ProtectStats",
    "ProtectionKey",
    "ProtectionKeyError",
    "Protector",
    "check_table",
    "format_check_table",
    "load_key",
    "load_key_env",
    "load_key_file",
    "load_policy",
    "parse_policy",
    "refuse_key_value",
]
