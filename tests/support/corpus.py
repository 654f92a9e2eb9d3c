"""Where the shared test corpora live, for the test suites that compare with them.

Default: ``../shared/corpus`` next to the repository (the project's workspace layout).
``LEGACYIO_CORPUS`` overrides it (used by tests only). A fresh clone has no corpus: the
suites that need it are then skipped with one line naming the missing folder, except under
CI (the ``CI`` environment variable set), where a missing corpus is an error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def corpus_root() -> Path:
    env = os.environ.get("LEGACYIO_CORPUS")
    return Path(env).resolve() if env else REPO.parent / "shared" / "corpus"


COBRIX = corpus_root() / "cobrix"
"""The Cobrix conformance corpus (copybooks, data files, expected outputs, MANIFEST.json)."""


MISSING = "Cobrix corpus not found at"


def have_cobrix() -> bool:
    return (COBRIX / "MANIFEST.json").is_file()


def require_cobrix() -> None:
    """Skip (or, under CI, fail) the calling test when the Cobrix corpus is missing. Every
    corpus-based test comes through here, so pytest folds the skips into one line."""
    if have_cobrix():
        return
    msg = (
        f"{MISSING} {COBRIX}: corpus-based tests skipped "
        "(put the corpus there or set LEGACYIO_CORPUS)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{msg}; CI is set, so a missing corpus is an error", pytrace=False)
    pytest.skip(msg)
