"""Conformance counts: ``python -m tests.conformance.counts`` prints how many Cobrix corpus
cases match exactly (after the presentation rules of differences.md, section 1), match up to
the tolerance rules (section 2), or fail."""

from __future__ import annotations

from . import harness as h
from .test_cobrix_corpus import LEGACYIO_BUGS


def counts() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {
        "matching": [],
        "matching with tolerance rules": [],
        "failing": [],
    }
    for c in h.manifest():
        name = c["name"]
        r = h.run_case(c)
        ok = r.error is None or c["expected_kind"] == "error"
        if r.outcome is not None:
            ok = r.outcome.ok
        elif c["expected_kind"] == "row-count":
            ok = r.count == c["expected_count"]
        if not ok or name in LEGACYIO_BUGS:
            out["failing"].append(name)
        elif r.outcome is not None and r.outcome.tolerated:
            out["matching with tolerance rules"].append(name)
        else:
            out["matching"].append(name)
    return out


def main() -> None:
    res = counts()
    for k, v in res.items():
        names = " ".join(sorted(v)) if k != "matching" else ""
        print(f"{k:30} {len(v):3}  {names}")
    print(f"{'total':30} {sum(len(v) for v in res.values()):3}")


if __name__ == "__main__":
    main()
