"""Unhandled exceptions end in the log and a dialog, not in a silently dead window.

Python exceptions raised inside Qt slots and event handlers reach ``sys.excepthook`` (on whichever
thread raised them); the hook logs the traceback and hands it to the GUI thread by a queued signal.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def show_crash_dialog(summary: str, details: str, log_path: Path | None) -> None:
    box = QMessageBox(QApplication.activeWindow())
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("digitpad: unexpected error")
    where = f" The details are also in the log at {log_path}." if log_path else ""
    box.setText(f"Something went wrong inside digitpad:\n{summary}")
    box.setInformativeText(
        "You can keep working, but save your drawing if you want to keep it, and restart "
        f"digitpad if the window misbehaves.{where}"
    )
    box.setDetailedText(details)
    box.exec()


class CrashReporter(QObject):
    """Installs itself as ``sys.excepthook``; shows one dialog at a time, logs every exception."""

    crashed = Signal(str, str)
    """(one-line summary, full traceback)"""

    def __init__(
        self,
        log_path: Path | None = None,
        show: Callable[[str, str, Path | None], None] = show_crash_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._log_path = log_path
        self._show = show
        self._showing = False
        self._previous: ExceptHook | None = None
        self.crashed.connect(self._on_crashed, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        if self._previous is not None and sys.excepthook == self.handle:
            sys.excepthook = self._previous
        self._previous = None

    def handle(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("unhandled exception", exc_info=(kind, error, trace))
        details = "".join(traceback.format_exception(kind, error, trace))
        summary = traceback.format_exception_only(kind, error)[-1].strip()
        self.crashed.emit(summary, details)

    @Slot(str, str)
    def _on_crashed(self, summary: str, details: str) -> None:
        if self._showing:  # e.g. a paint handler failing on every repaint: one dialog is enough
            return
        self._showing = True
        try:
            self._show(summary, details, self._log_path)
        finally:
            self._showing = False
