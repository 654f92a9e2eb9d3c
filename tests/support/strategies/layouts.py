"""Hypothesis strategies for small record layouts, shared by every property test.

A layout is drawn as a tree of specs (``FieldSpec`` / ``GroupSpec``), which can be rendered
two ways: as fixed-format copybook TEXT (``render_copybook``, parsed by
``legacyio.copybook.load_copybook``) and directly as a ``legacyio.layout.model.Layout``
(``build_layout``: offsets by the IBM size rules, no parser involved). Tests that exercise the
engine use the parsed copybook when the parser is importable; the direct builder keeps the
strategies usable on their own and lets a test check the parser against it.

Layouts stay small: at most 12 elementary fields and 300 bytes.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import strategies as st

from legacyio.layout.model import Category, Item, Layout, Occurs, Picture, Usage
from legacyio.layout.types import storage_size
from legacyio.options import FileFormat

MAX_FIELDS = 12
MAX_BYTES = 300

KINDS = (
    "text",
    "national",
    "zoned",
    "packed",
    "packed_nosign",
    "binary",
    "comp5",
    "float4",
    "float8",
)
USAGE_CLAUSE = {
    "text": "",
    "national": " USAGE NATIONAL",
    "zoned": "",
    "packed": " COMP-3",
    "packed_nosign": " COMP-6",
    "binary": " COMP",
    "comp5": " COMP-5",
    "float4": " COMP-1",
    "float8": " COMP-2",
}
USAGE = {
    "text": Usage.DISPLAY,
    "national": Usage.NATIONAL,
    "zoned": Usage.DISPLAY,
    "packed": Usage.PACKED,
    "packed_nosign": Usage.PACKED_NOSIGN,
    "binary": Usage.BINARY,
    "comp5": Usage.COMP5,
    "float4": Usage.FLOAT4,
    "float8": Usage.FLOAT8,
    "filler": Usage.DISPLAY,
}


@attrs.define
class FieldSpec:
    """An elementary item: kind, picture shape, sign clause, OCCURS and REDEFINES."""

    name: str
    kind: str
    length: int = 0  # characters of text / national / FILLER
    int_digits: int = 0  # 9s before V (or before trailing P)
    frac_digits: int = 0  # 9s after V
    p_left: int = 0  # VPP99: P positions between the point and the digits
    p_right: int = 0  # 9(3)PP: P positions after the digits
    signed: bool = False
    sign_leading: bool = False
    sign_separate: bool = False
    occurs: int | None = None
    odo_min: int | None = None
    odo_object: str | None = None
    redefines: str | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in ("zoned", "packed", "packed_nosign", "binary", "comp5")

    def picture_string(self) -> str | None:
        """The PICTURE as written in the copybook (None for COMP-1/COMP-2)."""
        if self.kind in ("float4", "float8"):
            return None
        if self.kind in ("text", "filler"):
            return f"X({self.length})"
        if self.kind == "national":
            return f"N({self.length})"
        s = "S" if self.signed else ""
        if self.int_digits:
            s += f"9({self.int_digits})"
        s += "P" * self.p_right
        if self.frac_digits:
            s += "V" + "P" * self.p_left + f"9({self.frac_digits})"
        return s

    def picture(self) -> Picture | None:
        """The analysed Picture, built by hand from the spec (no parser)."""
        src = self.picture_string()
        if src is None:
            return None
        if self.kind in ("text", "filler"):
            return Picture(src, Category.ALPHANUMERIC, self.length, symbols="X" * self.length)
        if self.kind == "national":
            return Picture(src, Category.NATIONAL, self.length, symbols="N" * self.length)
        digits = self.int_digits + self.frac_digits
        scale = self.frac_digits + self.p_left if self.frac_digits else -self.p_right
        symbols = ("S" if self.signed else "") + "9" * self.int_digits + "P" * self.p_right
        if self.frac_digits:
            symbols += "V" + "P" * self.p_left + "9" * self.frac_digits
        return Picture(
            src,
            Category.NUMERIC,
            digits,
            digits=digits,
            scale=scale,
            signed=self.signed,
            p_count=self.p_left + self.p_right,
            symbols=symbols,
        )

    def size(self) -> int:
        """Bytes of one occurrence."""
        return storage_size(USAGE[self.kind], self.picture(), self.sign_separate)

    def count_fields(self) -> int:
        return 1


@attrs.define
class GroupSpec:
    """A group item with its members, optionally OCCURS and REDEFINES."""

    name: str
    children: list[Any]
    occurs: int | None = None
    odo_min: int | None = None
    odo_object: str | None = None
    redefines: str | None = None
    kind: str = "group"

    def size(self) -> int:
        total, offsets = 0, {}
        for c in self.children:
            start = offsets[c.redefines] if c.redefines else total
            offsets[c.name] = start
            total = max(total, start + c.size() * (c.occurs or 1))
        return total

    def count_fields(self) -> int:
        return sum(c.count_fields() for c in self.children)


# ------------------------------------------------------------------------------------------
# rendering
# ------------------------------------------------------------------------------------------
def _clauses(spec: Any) -> list[str]:
    out = []
    if spec.redefines:
        out.append(f"REDEFINES {spec.redefines}")
    if isinstance(spec, FieldSpec):
        pic = spec.picture_string()
        if pic:
            out.append(f"PIC {pic}")
        usage = USAGE_CLAUSE.get(spec.kind, "").strip()
        if usage:
            out.append(usage)
        if spec.sign_separate or spec.sign_leading:
            out.append(
                "SIGN "
                + ("LEADING" if spec.sign_leading else "TRAILING")
                + (" SEPARATE" if spec.sign_separate else "")
            )
    if spec.occurs is not None:
        if spec.odo_object:
            out.append(
                f"OCCURS {spec.odo_min} TO {spec.occurs} TIMES DEPENDING ON {spec.odo_object}"
            )
        else:
            out.append(f"OCCURS {spec.occurs} TIMES")
    return out


def render_copybook(root: GroupSpec) -> str:
    """Fixed-format copybook text (code in columns 8-72, one clause a line when long)."""
    lines: list[str] = []

    def emit(spec: Any, level: int, depth: int) -> None:
        name = "FILLER" if getattr(spec, "kind", "") == "filler" else spec.name
        head = " " * 7 + "  " * depth + f"{level:02d}  {name}"
        clauses = _clauses(spec)
        text = " ".join([head, *clauses]) + "."
        if len(text) <= 72:
            lines.append(text)
        else:
            lines.append(head)
            for i, c in enumerate(clauses):
                lines.append(
                    " " * 7 + "  " * depth + "    " + c + ("." if i == len(clauses) - 1 else "")
                )
        if isinstance(spec, GroupSpec):
            for c in spec.children:
                emit(c, level + 5 if level > 1 else 5, depth + 1)

    emit(root, 1, 0)
    return "\n".join(lines) + "\n"


def build_layout(root: GroupSpec) -> Layout:
    """The Layout of a spec tree, computed directly by the IBM size rules (no parser)."""

    def build(
        spec: Any,
        level: int,
        parent_path: tuple[str, ...],
        offset: int,
        odo_paths: dict[str, tuple[str, ...]],
    ) -> Item:
        is_filler = getattr(spec, "kind", "") == "filler"
        name = "FILLER" if is_filler else spec.name
        path = (*parent_path, name)
        occurs = None
        if spec.occurs is not None:
            if spec.odo_object:
                occurs = Occurs(
                    spec.odo_min or 0,
                    spec.occurs,
                    depending_on=spec.odo_object,
                    depending_path=odo_paths[spec.odo_object],
                )
            else:
                occurs = Occurs(spec.occurs, spec.occurs)
        if isinstance(spec, FieldSpec):
            pic = spec.picture()
            usage = USAGE[spec.kind]
            item = Item(
                level=level,
                name=name,
                path=path,
                usage=usage,
                offset=offset,
                size=spec.size(),
                picture=pic,
                occurs=occurs,
                redefines=spec.redefines,
                sign_leading=spec.sign_leading,
                sign_separate=spec.sign_separate,
                is_filler=is_filler,
            )
            odo_paths[spec.name] = path
            return item
        children: list[Item] = []
        starts: dict[str, int] = {}
        pos = offset
        end = offset
        for c in spec.children:
            start = starts[c.redefines] if c.redefines else pos
            child = build(c, level + 5 if level > 1 else 5, path, start, odo_paths)
            starts[c.name] = start
            children.append(child)
            end = max(end, start + child.total_size)
            if not c.redefines:
                pos = max(pos, start + child.total_size)
        return Item(
            level=level,
            name=name,
            path=path,
            usage=Usage.DISPLAY,
            offset=offset,
            size=end - offset,
            occurs=occurs,
            redefines=spec.redefines,
            children=tuple(children),
        )

    rec = build(root, 1, (), 0, {})
    return Layout(records=(rec,), source_text=render_copybook(root), source_name="generated")


# ------------------------------------------------------------------------------------------
# strategies
# ------------------------------------------------------------------------------------------
@st.composite
def numeric_shapes(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """Digits, scale (V or P) and sign of a numeric item of ``kind``."""
    max_digits = {"zoned": 20, "packed": 20, "packed_nosign": 20, "binary": 18, "comp5": 18}[kind]
    shape = draw(st.sampled_from(["int", "int", "dec", "dec", "p_right", "p_left"]))
    if kind == "packed_nosign" and shape in ("p_right", "p_left"):
        shape = "int"
    d = draw(st.integers(1, max_digits))
    out: dict[str, Any] = {"int_digits": d}
    if shape == "dec":
        f = draw(st.integers(1, d))
        out = {"int_digits": d - f, "frac_digits": f}
    elif shape == "p_right":
        d = min(d, max_digits - 3)
        out = {"int_digits": max(d, 1), "p_right": draw(st.integers(1, 3))}
    elif shape == "p_left":
        d = min(d, max_digits - 3)
        out = {"frac_digits": max(d, 1), "p_left": draw(st.integers(1, 3))}
    signed = kind != "packed_nosign" and draw(st.booleans())
    out["signed"] = signed
    if kind == "zoned" and signed:
        out["sign_leading"] = draw(st.booleans())
        out["sign_separate"] = draw(st.booleans())
    return out


@st.composite
def field_specs(
    draw: st.DrawFn, name: str, kinds: tuple[str, ...] = KINDS, max_size: int = 60
) -> FieldSpec:
    """One elementary item of at most ``max_size`` bytes."""
    for _ in range(20):
        kind = draw(st.sampled_from(kinds))
        if kind == "text":
            spec = FieldSpec(name, kind, length=draw(st.integers(1, min(20, max_size))))
        elif kind == "national":
            spec = FieldSpec(name, kind, length=draw(st.integers(1, 6)))
        elif kind in ("float4", "float8"):
            spec = FieldSpec(name, kind)
        else:
            spec = FieldSpec(name, kind, **draw(numeric_shapes(kind)))
        if spec.size() <= max_size:
            return spec
    return FieldSpec(name, "text", length=max(1, min(4, max_size)))


def _fits(total: int, extra: int) -> bool:
    return total + extra <= MAX_BYTES


@st.composite
def layout_specs(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = KINDS,
    allow_groups: bool = True,
    allow_occurs: bool = True,
    allow_odo: bool = True,
    allow_redefines: bool = True,
    allow_filler: bool = True,
) -> GroupSpec:
    """A random 01 record: nested groups, OCCURS, one ODO table, REDEFINES, FILLER."""
    counter = iter(range(1, 1000))
    budget = {"fields": MAX_FIELDS, "bytes": MAX_BYTES}

    def new_name(prefix: str) -> str:
        return f"{prefix}-{next(counter)}"

    def take(spec: Any) -> Any | None:
        size = spec.size() * (spec.occurs or 1)
        n = spec.count_fields()
        if n > budget["fields"] or size > budget["bytes"]:
            return None
        budget["fields"] -= n
        budget["bytes"] -= size
        return spec

    def draw_entry(depth: int) -> Any | None:
        roll = draw(st.integers(0, 9))
        if allow_groups and depth < 2 and roll >= 8 and budget["fields"] >= 2:
            members = []
            for _ in range(draw(st.integers(1, 3))):
                m = draw_entry(depth + 1)
                if m is not None:
                    members.append(m)
            if not members:
                return None
            group = GroupSpec(new_name("GRP"), members)
            size = group.size()
            if allow_occurs and draw(st.integers(0, 3)) == 0 and size * 2 <= budget["bytes"]:
                group.occurs = draw(st.integers(2, 3))
                budget["bytes"] -= size * (group.occurs - 1)
            return group
        if allow_filler and roll == 7:
            return take(FieldSpec(new_name("FILL"), "filler", length=draw(st.integers(1, 5))))
        spec = draw(field_specs(new_name("FLD"), kinds, max_size=min(60, budget["bytes"])))
        if allow_occurs and roll == 6:
            spec.occurs = draw(st.integers(1, 4))
        return take(spec)

    children: list[Any] = []
    for _ in range(draw(st.integers(1, 6))):
        if budget["fields"] <= 0 or budget["bytes"] <= 0:
            break
        entry = draw_entry(0)
        if entry is None:
            continue
        children.append(entry)
        if (
            allow_redefines
            and entry.occurs is None
            and entry.kind != "filler"
            and draw(st.integers(0, 4)) == 0
        ):
            alt = draw_redefines(draw, entry, new_name, kinds, budget)
            if alt is not None:
                children.append(alt)
    if allow_odo and budget["fields"] >= 2 and draw(st.booleans()):
        odo = draw_odo(draw, new_name, kinds, budget)
        if odo is not None:
            children.extend(odo)
    if all(getattr(c, "kind", "") == "filler" for c in children):
        children.append(FieldSpec(new_name("FLD"), "text", length=3))
    return GroupSpec("REC", children)


def draw_redefines(
    draw: st.DrawFn, base: Any, new_name: Any, kinds: tuple[str, ...], budget: dict[str, int]
) -> Any | None:
    """An item redefining ``base`` that is no longer than it."""
    size = base.size()
    if budget["fields"] < 1:
        return None
    if isinstance(base, GroupSpec) or draw(st.booleans()):
        spec = draw(field_specs(new_name("ALT"), kinds, max_size=size))
        if spec.size() > size:
            spec = FieldSpec(spec.name, "text", length=size)
    else:
        spec = FieldSpec(new_name("ALT"), "text", length=size)
    spec.redefines = base.name
    budget["fields"] -= 1
    return spec


def draw_odo(
    draw: st.DrawFn, new_name: Any, kinds: tuple[str, ...], budget: dict[str, int]
) -> list[Any] | None:
    """A count field and the table that depends on it (the table last in the record)."""
    count_kind = draw(st.sampled_from(["binary", "zoned", "packed"]))
    maximum = draw(st.integers(1, 5))
    count = FieldSpec(
        new_name("CNT"), count_kind, int_digits=draw(st.integers(1, 4)), signed=draw(st.booleans())
    )
    if count_kind == "zoned":
        count.int_digits = max(count.int_digits, 1)
    elem = draw(field_specs(new_name("ODO"), kinds, max_size=30))
    elem.occurs = maximum
    elem.odo_min = draw(st.integers(0, maximum))
    elem.odo_object = count.name
    need = count.size() + elem.size() * maximum
    if need > budget["bytes"]:
        return None
    budget["bytes"] -= need
    budget["fields"] -= 2
    return [count, elem]


def layouts(**kw: Any) -> st.SearchStrategy[tuple[GroupSpec, Layout]]:
    """(spec, Layout) pairs; the Layout comes from the copybook parser when it is available
    (``legacyio.copybook.load_copybook``), else from the direct builder."""
    return layout_specs(**kw).map(lambda spec: (spec, to_layout(spec)))


def to_layout(spec: GroupSpec) -> Layout:
    """Parse the rendered copybook when the parser exists, else build the layout directly."""
    try:
        from legacyio.layout import load_copybook
    except ImportError:
        return build_layout(spec)
    return load_copybook(render_copybook(spec))


def file_formats(ebcdic_only: bool = False) -> st.SearchStrategy[FileFormat]:
    """Fixed-length file formats over the representation options the reference covers."""
    encodings = ["cp037", "cp500"] if ebcdic_only else ["cp037", "cp037", "cp500", "latin-1"]
    return st.builds(
        FileFormat,
        record_format=st.just("F"),
        encoding=st.sampled_from(encodings),
        float_format=st.sampled_from(["ibm", "ieee"]),
        float_byteorder=st.sampled_from(["big", "little"]),
        binary_byteorder=st.sampled_from(["big", "big", "little"]),
        comp5_byteorder=st.sampled_from(["big", "little"]),
        ascii_sign=st.sampled_from(["mf", "ibm"]),
    )
