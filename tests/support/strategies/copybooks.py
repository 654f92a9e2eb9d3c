"""Hypothesis strategies for random record layouts, rendered as fixed-format copybook text,
with the offsets and sizes IBM rules give them (computed here independently of the builder).

``layouts()`` draws a ``Spec``: ``spec.text`` is the copybook, ``spec.expected`` maps each
dotted path to ``(offset, size, occurs_max, usage, picture)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from legacyio.layout.model import Usage

# (clause text, Usage, needs numeric picture, takes a picture)
USAGE_SPELLINGS = [
    ("", Usage.DISPLAY, False, True),
    ("DISPLAY", Usage.DISPLAY, False, True),
    ("COMP", Usage.BINARY, True, True),
    ("COMPUTATIONAL-4", Usage.BINARY, True, True),
    ("BINARY", Usage.BINARY, True, True),
    ("COMP-5", Usage.COMP5, True, True),
    ("COMP-3", Usage.PACKED, True, True),
    ("PACKED-DECIMAL", Usage.PACKED, True, True),
    ("COMP-1", Usage.FLOAT4, False, False),
    ("COMP-2", Usage.FLOAT8, False, False),
]


@dataclass
class Node:
    """One generated item."""

    name: str
    picture: str | None = None
    digits: int = 0
    length: int = 0
    usage_text: str = ""
    usage: Usage = Usage.DISPLAY
    occurs: int | None = None
    redefines: str | None = None
    children: list[Node] = field(default_factory=list)


@dataclass
class Spec:
    """A generated copybook and the layout it must produce."""

    text: str
    expected: dict[str, tuple[int, int, int | None, Usage, str | None]]
    record_length: int


def elem_size(n: Node) -> int:
    """IBM storage size of a generated elementary item."""
    u = n.usage
    if u == Usage.FLOAT4:
        return 4
    if u == Usage.FLOAT8:
        return 8
    if u in (Usage.BINARY, Usage.COMP5):
        return 2 if n.digits <= 4 else 4 if n.digits <= 9 else 8
    if u == Usage.PACKED:
        return n.digits // 2 + 1
    return n.length


@st.composite
def elementary(draw: st.DrawFn, name: str) -> Node:
    usage_text, usage, numeric, has_pic = draw(st.sampled_from(USAGE_SPELLINGS))
    if not has_pic:
        return Node(name, usage_text=usage_text, usage=usage)
    kind = "9" if numeric else draw(st.sampled_from(["X", "A", "9", "S9V9"]))
    if kind in ("X", "A"):
        n = draw(st.integers(1, 40))
        return Node(name, f"{kind}({n})", 0, n, usage_text, usage)
    if kind == "9" and not numeric:
        n = draw(st.integers(1, 18))
        return Node(name, f"9({n})", n, n, usage_text, usage)
    whole = draw(st.integers(1, 12))
    frac = draw(st.integers(0, 6))
    signed = draw(st.booleans())
    pic = ("S" if signed else "") + f"9({whole})" + (f"V9({frac})" if frac else "")
    return Node(name, pic, whole + frac, whole + frac, usage_text, usage)


@st.composite
def group(draw: st.DrawFn, prefix: str, depth: int) -> Node:
    count = draw(st.integers(1, 4))
    kids: list[Node] = []
    for k in range(count):
        name = f"{prefix}-{k + 1}"
        if depth < 3 and draw(st.integers(0, 3)) == 0:
            child = draw(group(name, depth + 1))
        else:
            child = draw(elementary(name))
        if draw(st.integers(0, 4)) == 0:
            child.occurs = draw(st.integers(1, 5))
        kids.append(child)
        base = kids[-1]
        if base.occurs is None and draw(st.integers(0, 4)) == 0:
            alt = draw(elementary(name + "-R"))
            alt.redefines = base.name
            kids.append(alt)
    return Node(prefix, children=kids)


def _place(n: Node, offset: int, path: tuple[str, ...], out: dict) -> int:
    """Offsets/sizes by the IBM rules: returns the item's total size."""
    path = (*path, n.name)
    if n.children:
        cursor = offset
        area_start = offset
        for c in n.children:
            if c.redefines:
                end = area_start + _place(c, area_start, path, out)
                cursor = max(cursor, end)
            else:
                area_start = cursor
                cursor += _place(c, cursor, path, out)
        size = cursor - offset
    else:
        size = elem_size(n)
    out[".".join(path)] = (offset, size, n.occurs, n.usage if not n.children else None, n.picture)
    return size * (n.occurs or 1)


def render(root: Node) -> str:
    """Fixed-format copybook text (code in columns 8-72, one clause a line when needed)."""
    lines: list[str] = []

    def emit(n: Node, level: int, depth: int) -> None:
        clauses = []
        if n.redefines:
            clauses.append(f"REDEFINES {n.redefines}")
        if n.picture:
            clauses.append(f"PIC {n.picture}")
        if n.usage_text:
            clauses.append(n.usage_text)
        if n.occurs:
            clauses.append(f"OCCURS {n.occurs} TIMES")
        indent = " " * (7 + min(depth, 6) * 2)
        head = f"{indent}{level:02d}  {n.name}"
        for cl in clauses:
            if len(head) + 1 + len(cl) + 1 > 72:
                lines.append(head)
                head = indent + "    "
            head += " " + cl
        lines.append(head + ".")
        for c in n.children:
            emit(c, level + 5 if level > 1 else 5, depth + 1)

    emit(root, 1, 0)
    return "\n".join(lines) + "\n"


@st.composite
def layouts(draw: st.DrawFn) -> Spec:
    """A random record: groups, elementary items of every usage, OCCURS and REDEFINES."""
    root = draw(group("R", 0))
    expected: dict = {}
    total = _place(root, 0, (), expected)
    return Spec(render(root), expected, total)
