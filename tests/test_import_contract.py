"""The layering, checked on the source. The contracts themselves are in pyproject.toml's
[tool.importlinter] (the app over training over core, core's and training's layers, no Qt in core or
training, no cycles), checked here by import-linter's ``lint-imports``. What it cannot see is checked
here too: ``training`` (PyTorch) is imported only inside the functions of the train and models quantize
commands that need it, and no module is much over 400 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "hairtint_desktop", "training")
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


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint_imports), "--no-cache", "--config", str(REPO / "pyproject.toml")],
                          cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert done.returncode == 0, done.stdout
    assert "0 broken" in done.stdout, done.stdout


def test_training_is_imported_only_lazily_by_the_commands_that_train():
    for name, path in modules("hairtint_desktop").items():
        top, inner = imports(path)
        assert not any(_under(n, ("training", "torch")) for n in top), f"{name} imports training at module level"
        if any(_under(n, ("training",)) for n in inner):
            assert name == "hairtint_desktop.commands.models", f"{name} imports training"


def test_no_module_over_about_400_lines():
    long = {name: n for package in PACKAGES for name, path in modules(package).items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long
