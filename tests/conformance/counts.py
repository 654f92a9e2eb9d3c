"""Conformance counts: ``python -m tests.conformance.counts`` prints how many Cobrix corpus
cases match, match up to the tolerance rules of differences.md, are compared apart from an
unsupported feature's columns, or are not compared because of an unsupported feature."""

from __future__ import annotations

from . import harness as h
from .test_cobrix_corpus import KNOWN, LEGACYIO_BUGS, PASSING


def counts() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {
        "matching": [],
        "matching with tolerance rules": [],
        "failing": [],
        "unsupported, rest compared": [],
        "unsupported": [],
    }
    for c in h.manifest():
        name = c["name"]
        feats = KNOWN.get(name, set())
        if feats and not feats <= h.STRIPPABLE:
            out["unsupported"].append(name)
            continue
        r = h.run_case(c)
        ok = r.error is None or c["expected_kind"] == "error"
        if r.outcome is not None:
            ok = r.outcome.ok
        elif c["expected_kind"] == "row-count":
            ok = r.count == c["expected_count"]
        if not ok or name in LEGACYIO_BUGS:
            out["failing"].append(name)
        elif feats:
            out["unsupported, rest compared"].append(name)
        elif r.outcome is not None and r.outcome.tolerated:
            out["matching with tolerance rules"].append(name)
        else:
            out["matching"].append(name)
    assert set(PASSING) | set(KNOWN) <= {c["name"] for c in h.manifest()}
    return out


def main() -> None:
    res = counts()
    total = sum(len(v) for v in res.values())
    for k, v in res.items():
        print(f"{k:30} {len(v):3}  {' '.join(sorted(v)) if k != 'matching' else ''}")
    print(f"{'total':30} {total:3}")


if __name__ == "__main__":
    main()
