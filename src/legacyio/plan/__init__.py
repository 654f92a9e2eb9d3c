"""Layout + options -> column operations: the node tree, the one Arrow schema (shared by
``legacyio schema`` and ``convert``), decode, encode and variable layouts."""

from legacyio.plan.core import Plan
from legacyio.plan.nodes import META_COPYBOOK, META_FORMAT, META_ORPHAN, META_READ, RESIDUE_COLUMN

__all__ = ["META_COPYBOOK", "META_FORMAT", "META_ORPHAN", "META_READ", "RESIDUE_COLUMN", "Plan"]
