"""The layering, checked on the source: ``core`` never imports Qt or the app; ``training`` (PyTorch) is
reached only from the ``train`` command, inside the function that needs it; no import cycles (lazy
imports included); no module much over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "hairtint_desktop", "training")
QT = ("PySide6", "shiboken6", "superqt")
MAX_LINES = 420


def modules(package: str) -> dict[str, Path]:
    root = REPO / package
    return {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted(root.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports(path: Path) -> tuple[set[str], set[str]]:
    """(module-level imports, imports inside functions), as dotted names."""
    top, inner = set(), set()

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in child.names] if isinstance(child, ast.Import) else \
                    [child.module or ""] + [f"{child.module}.{a.name}" for a in child.names]
                (inner if in_function else top).update(names)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return top, inner


def _under(name: str, roots) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


@pytest.mark.parametrize("name, path", sorted(modules("core").items()))
def test_core_never_imports_qt_the_app_or_training(name, path):
    top, inner = imports(path)
    bad = sorted(n for n in top | inner if _under(n, (*QT, "hairtint_desktop", "training")))
    assert not bad, f"{name} imports {bad}"


def test_training_is_imported_only_lazily_by_the_train_command():
    for name, path in modules("hairtint_desktop").items():
        top, inner = imports(path)
        assert not any(_under(n, ("training", "torch")) for n in top), f"{name} imports training at module level"
        if any(_under(n, ("training",)) for n in inner):
            assert name == "hairtint_desktop.commands", f"{name} imports training"


def test_no_import_cycles():
    known = {}
    for package in ("core", "hairtint_desktop"):
        known.update(modules(package))
    graph = {}
    for name, path in known.items():
        top, inner = imports(path)  # a lazy import is still a dependency: count both
        graph[name] = {n for n in top | inner if n in known and n != name}

    def cycle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return trail + [start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))
        return None

    cycles = [c for c in map(cycle_from, graph) if c]
    # a package importing its own submodules in __init__ is not a cycle of design
    packages = {name for name, path in known.items() if path.name == "__init__.py"}
    cycles = [c for c in cycles if not any(p in c and all(n.startswith(p) for n in c) for p in packages)]
    assert not cycles, " -> ".join(cycles[0])


def test_no_module_over_about_400_lines():
    long = {name: n for package in ("core", "hairtint_desktop") for name, path in modules(package).items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long
