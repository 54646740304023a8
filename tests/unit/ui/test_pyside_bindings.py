"""The installed PySide6 keeps the interpreter's books: a broken release fails here, loudly.

PySide6-Essentials 6.12.0 returned ``None`` from void methods and ``True`` from
``SignalInstance.emit`` without taking a reference, as if they were immortal (they are only from
Python 3.12 on); on Python 3.10/3.11 each call dropped the interpreter's count by one, and a
second of drawing ended in "Fatal Python error: none_dealloc". ``pyproject.toml`` excludes that
release. These tests are the probe that found it, so the next such release cannot slip in.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from PySide6.QtCore import QObject, Signal

PROBE_CALLS = 1_000


class _Probe(QObject):
    fired = Signal()


def test_void_calls_and_emit_keep_the_references_to_none_and_true() -> None:
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
        probe.fired.emit()
    assert sys.getrefcount(None) > none_before - PROBE_CALLS // 2
    assert sys.getrefcount(True) > true_before - PROBE_CALLS // 2


LONG_SESSION = textwrap.dedent("""
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


def test_a_long_drawing_session_of_signals_does_not_crash_the_interpreter() -> None:
    result = subprocess.run([sys.executable, "-c", LONG_SESSION], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"
