"""legacyio: mainframe COBOL master files to typed Arrow tables and back, byte for byte.

The public API follows ``pyarrow.csv``: ``read_table`` / ``open_reader`` to decode,
``write_table`` / ``encode`` to encode, ``verify`` to prove a round trip, with the frozen
option classes ``FileFormat`` (the file, both directions), ``ReadOptions`` and
``WriteOptions``.
"""

__version__ = "0.1.0"

_API = {
    "CopybookError": "legacyio.errors",
    "DataWarning": "legacyio.errors",
    "DecodeError": "legacyio.errors",
    "EncodeError": "legacyio.errors",
    "LegacyioError": "legacyio.errors",
    "LegacyioWarning": "legacyio.errors",
    "OptionsError": "legacyio.errors",
    "FileFormat": "legacyio.options",
    "ReadOptions": "legacyio.options",
    "WriteOptions": "legacyio.options",
    "DecodeReport": "legacyio.report",
    "FieldIssue": "legacyio.report",
    "FramingIssue": "legacyio.report",
    "WriteReport": "legacyio.report",
    "load_copybook": "legacyio.layout",
    "read_table": "legacyio.api",
    "open_reader": "legacyio.api",
    "read_segments": "legacyio.api",
    "write_table": "legacyio.api",
    "encode": "legacyio.api",
    "verify": "legacyio.api",
    "VerifyResult": "legacyio.api",
    "Mismatch": "legacyio.api",
    "WriteStats": "legacyio.engine.write",
    "Layout": "legacyio.layout.model",
    "load_policy": "legacyio.protect",
    "Protector": "legacyio.protect",
    "Split": "legacyio.scale.splits",
    "plan_splits": "legacyio.scale.splits",
    "read_split": "legacyio.scale.splits",
    "build_index": "legacyio.scale.index",
    "verify_index": "legacyio.scale.index",
    "write_parts": "legacyio.scale.parts",
    "convert_parallel": "legacyio.scale.parallel",
    "encode_parallel": "legacyio.scale.parallel",
}


def __getattr__(name: str):
    """Import everything lazily: ``import legacyio`` stays cheap, and the command line
    installs its interrupt handlers before anything heavy is imported."""
    mod = _API.get(name)
    if mod is None:
        raise AttributeError(f"module 'legacyio' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


__all__ = sorted(_API)
