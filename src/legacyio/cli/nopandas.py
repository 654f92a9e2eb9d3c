"""Keep pyarrow from importing pandas in a command-line process.

pyarrow checks for pandas the first time it converts a NumPy array (``pa.array``,
``ListArray.from_arrays``) and imports it when it is installed: about 0.4 s added to every
command on a machine that has pandas, for a module the command line never uses. The finder
below refuses ``import pandas`` only when the import comes straight from legacyio's own code
(pyarrow's compiled probe leaves legacyio's frame on top); pyarrow then takes pandas as absent,
and an import from anywhere else (a user's record-header hook, say) still works.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from types import FrameType, ModuleType
from typing import Any


class _NoPandasProbe(importlib.abc.MetaPathFinder):
    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> Any:
        if name != "pandas":
            return None
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
            frame = frame.f_back  # importlib's own frames
        if frame is not None and str(frame.f_globals.get("__name__", "")).startswith("legacyio"):
            raise ModuleNotFoundError("pandas is not used by the legacyio command line")
        return None


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once; a no-op when pandas is loaded)."""
    if "pandas" in sys.modules or any(isinstance(f, _NoPandasProbe) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _NoPandasProbe())
