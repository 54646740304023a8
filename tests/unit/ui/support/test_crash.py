"""Unhandled exceptions reach the log and a dialog instead of vanishing."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from digitpad.ui.support.crash import CrashReporter

shown: list[tuple[str, str, Path | None]] = []


@pytest.fixture
def reporter(qtbot) -> CrashReporter:
    shown.clear()
    crash = CrashReporter(Path("/logs/digitpad.log"), show=lambda *args: shown.append(args))
    yield crash
    crash.uninstall()


def raise_and_report(reporter: CrashReporter, error: BaseException) -> None:
    try:
        raise error
    except BaseException as exc:
        reporter.handle(type(exc), exc, exc.__traceback__)


def test_an_exception_is_logged_and_shown(reporter: CrashReporter, qtbot, caplog) -> None:
    with caplog.at_level(logging.CRITICAL, logger="digitpad"):
        raise_and_report(reporter, ValueError("the pad fell off"))
    qtbot.waitUntil(lambda: len(shown) == 1)
    summary, details, log_path = shown[0]
    assert summary == "ValueError: the pad fell off"
    assert "Traceback" in details and "raise_and_report" in details
    assert log_path == Path("/logs/digitpad.log")
    assert "unhandled exception" in caplog.text and "the pad fell off" in caplog.text


def test_install_and_uninstall_the_hook(reporter: CrashReporter) -> None:
    before = sys.excepthook
    reporter.install()
    assert sys.excepthook == reporter.handle
    reporter.uninstall()
    assert sys.excepthook is before


class Exploding(QObject):
    poke = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.poke.connect(self.explode)

    def explode(self) -> None:
        raise RuntimeError("slot failed")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_qt_slot_reaches_the_dialog(reporter: CrashReporter, qtbot) -> None:
    reporter.install()
    exploding = Exploding()
    QTimer.singleShot(0, exploding.poke.emit)
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown[0][0] == "RuntimeError: slot failed"


def test_an_error_while_the_dialog_is_up_does_not_stack_dialogs(qtbot) -> None:
    seen: list[str] = []

    def show(summary: str, details: str, log_path: Path | None) -> None:
        seen.append(summary)
        raise_and_report(crash, KeyError("again"))  # e.g. a repaint behind the dialog fails too
        QApplication.processEvents()  # what the modal dialog's event loop does

    crash = CrashReporter(show=show)
    raise_and_report(crash, ValueError("first"))
    qtbot.waitUntil(lambda: len(seen) == 1)
    QApplication.processEvents()
    assert seen == ["ValueError: first"]
