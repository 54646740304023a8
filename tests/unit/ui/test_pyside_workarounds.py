"""Signals and void Qt calls can run forever without corrupting the interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import digitpad.ui  # noqa: F401 - applies the workaround
from digitpad.ui import pyside_workarounds

LOOP = textwrap.dedent("""
    import sys
    {prelude}
    from PySide6.QtCore import QCoreApplication, QObject, Signal

    class Source(QObject):
        changed = Signal(object)

    app = QCoreApplication([])
    source = Source()
    source.changed.connect(lambda value: None)
    for _ in range(50_000):  # far more than the interpreter's references to None and True
        source.changed.emit(None)
        source.setObjectName("x")
        app.processEvents()
    print("survived")
""")


def run(prelude: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LOOP.format(prelude=prelude)],
                          capture_output=True, text=True, timeout=120)


def test_a_long_drawing_session_of_signals_does_not_crash() -> None:
    result = run("import digitpad.ui")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"


def test_the_fix_is_applied_only_where_the_bindings_need_it() -> None:
    if pyside_workarounds.bindings_drop_references():
        assert sys.getrefcount(None) > 1 << 59  # effectively immortal, as in Python 3.12
        assert run("").returncode != 0  # and without it the same loop would abort Python
    else:
        assert pyside_workarounds.apply() is False
