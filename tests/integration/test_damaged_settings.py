"""The real app started twice on a settings file someone edited by hand or that was damaged: the
window comes up with digitpad's defaults and the bundled model, and the file it leaves reads
cleanly (digitpad writes it afresh when it closes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QSettings
from PySide6.QtWidgets import QWidget

from digitpad.app import Digitpad, build, open_window
from digitpad.paths import bundled_model_path
from digitpad.ui.models.choice import MODEL_KEY
from digitpad.ui.pad.canvas import DEFAULT_PEN, PEN_WIDTHS
from digitpad.ui.support.dialogs import last_folder
from digitpad.ui.support.settings import read_bytes, read_choice
from digitpad.ui.teaching.samples_window import GEOMETRY_KEY as SAMPLES_GEOMETRY_KEY
from tests.unit.ui.fakes import FakeDialogs

MODEL_TIMEOUT_MS = 60_000
GONE_MODEL = "Your chosen model could not be loaded"


def _far_off_window() -> QByteArray:
    """A real saved geometry whose window is enormous and far beyond any screen."""
    widget = QWidget()
    widget.resize(300, 200)
    saved = bytearray(widget.saveGeometry().data())
    saved[8:40] = (np.array([40_000, 40_000, 90_000, 90_000] * 2, ">i4")).tobytes()
    return QByteArray(bytes(saved))


def _ini(text: str) -> Callable[[Path, Path], None]:
    def write(path: Path, folder: Path) -> None:
        path.write_text(text.replace("{folder}", str(folder)), encoding="utf-8")
    return write


def _values(values: Callable[[], dict[str, object]]) -> Callable[[Path, Path], None]:
    """Values written by QSettings itself (so that bytes are escaped as Qt reads them)."""
    def write(path: Path, folder: Path) -> None:
        settings = QSettings(str(path.with_suffix(".tmp")), QSettings.Format.IniFormat)
        for key, value in values().items():
            settings.setValue(key, value)
        settings.sync()
        path.write_bytes(path.with_suffix(".tmp").read_bytes())
    return write


CASES: dict[str, Callable[[Path, Path], None]] = {
    "random bytes": lambda path, folder: path.write_bytes(
        np.random.default_rng(7).bytes(4000) + b"\0[pen]\nwidth=\0Bold"),
    "values of the wrong kind": _ini(
        "[window]\ngeometry=not bytes\n[pen]\nwidth=a, b\n[teaching]\nclear_after_label=garbage\n"
        "[model]\npath=12\n[files]\nlast_dir=@Size(1 2)\n[training]\nmnist_path=true\n"
        "[samples_window]\ngeometry=@Rect(0 0 99999 99999)\n"),
    "huge values and NUL bytes": _values(lambda: {
        "pen/width": "Bold" * 250_000, MODEL_KEY: "/models/\0.keras", "files/last_dir": "\0",
        "window/geometry": QByteArray(b"\x01\xd9\xd0\xcb" + b"\xff" * 1_000_000),
    }),
    "paths to nothing": _ini(  # the chosen model is tried, and the user told it is gone
        "[model]\npath={folder}/gone.keras\n[files]\nlast_dir={folder}/gone\n"
        "[training]\nmnist_path={folder}\n"),
    "a model path that is a folder": _ini("[model]\npath={folder}\n"),
    "windows far off the screen": _values(  # made when the test runs: a widget needs the app
        lambda: {"window/geometry": _far_off_window(), SAMPLES_GEOMETRY_KEY: _far_off_window()}),
    "a folder where the file belongs": lambda path, folder: path.mkdir(),
}


def _start(qtbot, settings: QSettings, data_dir: Path) -> tuple[Digitpad, FakeDialogs]:
    """Start as ``launch`` does, until the model in use is ready (after any fall-back)."""
    QCoreApplication.setApplicationName("digitpad")
    parts = build(settings, data_dir=data_dir)
    dialogs = FakeDialogs()
    parts.window.dialogs = dialogs
    qtbot.addWidget(parts.window)
    with qtbot.waitSignal(parts.recognition.model_ready, timeout=MODEL_TIMEOUT_MS,
                          check_params_cb=lambda info: info.path == bundled_model_path()):
        open_window(parts)
    return parts, dialogs


def _assert_on_screen(window: QWidget) -> None:
    assert window.isVisible()
    assert window.screen().availableGeometry().intersects(window.frameGeometry())


def _assert_defaults(parts: Digitpad, settings: QSettings) -> None:
    """What the user sees: the pad with the default pen and the bundled model, labelling that
    clears the pad, My Samples and Retrain opening on screen, a file dialog starting in a folder
    that exists."""
    window = parts.window
    _assert_on_screen(window)
    checked = window.pen_actions.checkedAction()
    assert checked is not None and checked.data() == DEFAULT_PEN
    assert window.canvas.pen_width() == PEN_WIDTHS[DEFAULT_PEN]
    model = parts.recognition.model()
    assert model is not None and model.path == bundled_model_path()
    assert parts.teaching is not None
    assert parts.teaching.teacher.clear_after_label()  # the pad is cleared for the next digit
    parts.teaching.show_samples()
    samples = parts.teaching.samples_window()
    _assert_on_screen(samples)
    samples.close()
    parts.training.open_dialog()
    assert parts.training.form.data_label.text()
    parts.training.close()
    assert last_folder(settings).is_dir()


TOLD_THE_MODEL_IS_GONE = {"paths to nothing", "a model path that is a folder"}


@pytest.mark.parametrize("case", list(CASES))
def test_the_app_starts_with_its_defaults_on_a_damaged_settings_file(
    qtbot, tmp_path: Path, case: str
) -> None:
    path = tmp_path / "digitpad.ini"
    CASES[case](path, tmp_path)
    for start in ("first", "again"):
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        parts, dialogs = _start(qtbot, settings, tmp_path / "data")
        try:
            _assert_defaults(parts, settings)
            # Only a chosen model that is gone is worth a word, and only once: it is forgotten.
            told = case in TOLD_THE_MODEL_IS_GONE and start == "first"
            assert [title for title, _ in dialogs.errors] == ([GONE_MODEL] if told else [])
            warning = parts.window.settings_warning
            if case == "a folder where the file belongs":  # said where it does not block
                assert warning.isVisible() and "will not be remembered" in warning.toolTip()
            else:
                assert not warning.isVisible()
        finally:
            parts.window.close()
            parts.shutdown()
        if not path.is_file():
            continue  # neither read nor written: the next start has the defaults again
        # The next start reads the file as left, not QSettings' memory of it in this process.
        copy = tmp_path / f"{start}.ini"
        copy.write_bytes(path.read_bytes())
        left = QSettings(str(copy), QSettings.Format.IniFormat)
        assert read_choice(left, "pen/width", PEN_WIDTHS, "none") == DEFAULT_PEN
        assert read_bytes(left, "window/geometry") is not None
        path = copy
