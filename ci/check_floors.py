"""Fail unless every package pinned in the constraints file given as argument is installed at
exactly that version (so the floors run of .ci/run really ran on the floors)."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version


def main(path: str) -> int:
    bad = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, pinned = line.partition("==")
            try:
                got = version(name.strip())
            except PackageNotFoundError:
                got = "not installed"
            if got != pinned.strip():
                bad.append(f"{name.strip()}: {got}, floor {pinned.strip()}")
            else:
                print(f"floor {name.strip()}=={got}")
    for b in bad:
        print(f"not at its floor: {b}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
