"""The window must be able to appear before TensorFlow loads: the light modules stay light. And the
ML core stands alone: the sample store and the UI build on it, never the other way round."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import digitpad
import digitpad.ml

ML_MAY_NOT_IMPORT = ("digitpad.samples", "digitpad.ui", "PySide6")


def test_package_ink_preprocessing_jobs_and_cli_do_not_import_tensorflow() -> None:
    """The job/message protocol included: the window builds jobs and reads messages."""
    code = (
        "import sys, digitpad, digitpad.ml.ink, digitpad.ml.preprocess, digitpad.ml.digits, "
        "digitpad.ml.jobs, digitpad.cli, digitpad.paths, digitpad.samples; "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_no_ml_module_imports_the_sample_store_the_ui_or_qt() -> None:
    """Read from the source, so imports inside functions (the lazy ones) count too."""
    found = []
    for path in sorted(Path(digitpad.ml.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            found += [f"{path.name}:{node.lineno} imports {name}" for name in names
                      if name.startswith(ML_MAY_NOT_IMPORT)]
    assert found == []


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """digitpad modules a module imports at its top, type checkers' imports included: a circle
    hidden behind ``TYPE_CHECKING`` is still two modules that cannot be read apart. Imports inside
    functions (the lazy ones) are not edges."""
    imported: set[str] = set()
    for node in tree.body:
        for inner in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.ClassDef) else ():
            if isinstance(inner, ast.Import):
                imported |= {alias.name for alias in inner.names}
            elif isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                imported.add(inner.module)
                imported |= {f"{inner.module}.{alias.name}" for alias in inner.names}
    return {name for name in imported if name in known}


def test_no_import_circles_among_digitpad_modules() -> None:
    root = Path(digitpad.__file__).parent
    trees = {_module_name(path, root): ast.parse(path.read_text(encoding="utf-8"))
             for path in sorted(root.rglob("*.py"))}
    graph = {name: _top_level_imports(tree, set(trees)) - {name} for name, tree in trees.items()}
    circles: list[list[str]] = []
    finished: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            circles.append([*trail[trail.index(name):], name])
            return
        if name in finished:
            return
        for neighbour in sorted(graph[name]):
            if not name.startswith(neighbour + "."):  # a package's own __init__ is not a circle
                visit(neighbour, [*trail, name])
        finished.add(name)

    for start in sorted(graph):
        visit(start, [])
    assert circles == []
