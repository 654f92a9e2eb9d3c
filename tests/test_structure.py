"""The house rules of the source tree: no import cycle between modules or between the
packages of the data flow, and the copybook parser loads neither pyarrow nor NumPy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import legacyio

SRC = Path(legacyio.__file__).resolve().parent


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SRC.rglob("*.py")}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` outside ``if TYPE_CHECKING:`` blocks."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the legacyio modules it imports, at module level or inside functions (a lazy
    import still ties two modules together; imports for type checkers only do not run).
    ``from pkg import name`` points at the submodule ``pkg.name`` when there is one."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = mod.split(".") if is_pkg else mod.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append(sub if sub in mods else base)
            for t in targets:
                if t.startswith("legacyio") and t in mods and t != mod:
                    graph[mod].add(t)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m) :], m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def _package(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (SRC / parts[1]).is_dir()) else mod


def test_no_import_cycle_between_modules() -> None:
    assert _cycle(import_graph()) is None, _cycle(import_graph())


def test_no_import_cycle_between_packages() -> None:
    """Collapsed to the packages of the data flow (copybook, layout, plan, codecs, framing,
    engine, tables, cli, ...), the imports still form no cycle."""
    pkgs: dict[str, set[str]] = {}
    for mod, deps in import_graph().items():
        if mod == "legacyio":
            continue  # the facade's lazy exports point everywhere, by design
        p = _package(mod)
        pkgs.setdefault(p, set()).update(_package(d) for d in deps if _package(d) != p)
    pkgs = {p: {d for d in ds if d != "legacyio"} for p, ds in pkgs.items()}
    assert _cycle(pkgs) is None, _cycle(pkgs)


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = import_graph()
    # the CLI imports the layout inside its commands (so that --help stays cheap)
    assert "legacyio.layout" in graph["legacyio.cli.commands"]


def test_copybook_parser_loads_neither_pyarrow_nor_numpy() -> None:
    code = (
        "import sys, legacyio.copybook as c; "
        "c.parse('       01 R.\\n          05 A PIC X(3).\\n'); "
        "print(sorted(m for m in ('pyarrow', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_layout_is_arrow_free() -> None:
    code = (
        "import sys, legacyio.layout as l; "
        "l.load_copybook('       01 R.\\n          05 A PIC S9(5) COMP-3.\\n'); "
        "print(sorted(m for m in ('pyarrow', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
