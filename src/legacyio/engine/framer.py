"""The framer for a plan: fixed, RDW/BDW, text lines, or variable lengths computed from the
record's own fields (OCCURS DEPENDING ON counts or a length field). Reading and writing both
get their framer here."""

from __future__ import annotations

from typing import Any

import numpy as np

from legacyio.codecs import make_codec
from legacyio.framing import framer_for
from legacyio.options import FileFormat
from legacyio.plan.core import Plan
from legacyio.plan.nodes import find_option_item
from legacyio.report import DecodeReport


def framer_for_plan(
    plan: Plan, fmt: FileFormat, *, lenient: bool = False, report: DecodeReport | None = None
) -> Any:
    """The framer for a plan: fixed, RDW/BDW, text lines or ODO-variable."""
    kw: dict[str, Any] = {"record_length": plan.width, "lenient": lenient, "report": report}
    if fmt.record_format == "ODO":
        kw["length_fn"] = plan.record_lengths
        kw["chain_fn"] = plan.record_chain
        kw["prefix_length"] = plan.length_prefix()
    elif fmt.length_field:
        item = find_option_item(plan.layout, fmt.length_field, "length field")
        codec = make_codec(item, fmt)
        off, adj = item.offset, fmt.rdw_adjustment

        def length_fn(prefix: np.ndarray) -> np.ndarray:
            vals, invalid = codec.decode(prefix[:, off : off + codec.width])
            out = (
                np.asarray(vals.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64) + adj
            )
            if invalid is not None:
                out[invalid] = -1
            return out

        kw["length_fn"] = length_fn
        kw["prefix_length"] = item.offset + item.size
    return framer_for(fmt, **kw)
