"""A fix for PySide6 6.12.0 on Python 3.10/3.11, applied when ``digitpad.ui`` is imported.

That PySide6 returns ``None`` from every void method (``setObjectName``, ``QPainter.drawLine``,
``processEvents``...) and ``True`` from ``SignalInstance.emit`` without taking a reference, as if
they were immortal, which they are only from Python 3.12 on. Each call drops the interpreter's
count of them by one; a fresh interpreter holds a few thousand references to ``None`` and a few
hundred to ``True``, so a second of drawing ends in "Fatal Python error: none_dealloc".

The fix does what Python 3.12 does: it gives ``None``, ``True`` and ``False`` a reference count so
large that no number of calls can exhaust it. They are static objects that are never freed, so
nothing else changes. It is applied only where a probe shows the missing references.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_HEADROOM = 1 << 60
"""References added: dropping a billion a second would take 36 years to use them up."""
_PROBE_CALLS = 32


class _Probe(QObject):
    fired = Signal()


def _refcount_field(obj: object) -> ctypes.c_ssize_t | None:
    """``ob_refcnt`` of ``obj``, or None if this interpreter lays objects out differently."""
    field = ctypes.c_ssize_t.from_address(id(obj))
    return field if abs(field.value - (sys.getrefcount(obj) - 1)) <= 2 else None


def bindings_drop_references() -> bool:
    """Whether PySide6 calls drop references to ``None`` or ``True`` (the bug above)."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
        probe.fired.emit()
    dropped = (
        sys.getrefcount(None) <= none_before - _PROBE_CALLS
        or sys.getrefcount(True) <= true_before - _PROBE_CALLS
    )
    probe.deleteLater()
    return dropped


def apply() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal if needed; True if it did."""
    if sys.version_info >= (3, 12) or not bindings_drop_references():
        return False
    fields = [_refcount_field(obj) for obj in (None, True, False)]
    if any(field is None for field in fields):
        return False
    for field in fields:
        if field is not None and field.value < _HEADROOM:
            field.value += _HEADROOM
    return True
