"""Fixtures for widget tests: app identity, throwaway settings, scripted dialogs, a fake model,
the recogniser thread, a sample store and the app as ``digitpad.app.build`` wires it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread

from digitpad.app import Digitpad, build
from digitpad.ml.recognizer import ModelError
from digitpad.samples import SampleStore
from digitpad.ui.main_window import MainWindow
from digitpad.ui.pad.recognition import LiveRecognition
from digitpad.ui.pad.workers import RecognizerWorker
from digitpad.ui.teaching.teaching import Teaching
from tests.unit.ui.fakes import FakeDialogs, FakeModel

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Qt warnings fail the widget tests (a warning usually means a misused API)."""
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def app_identity(qapp) -> None:
    QCoreApplication.setApplicationName("digitpad")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def dialogs() -> FakeDialogs:
    return FakeDialogs()


@pytest.fixture
def fake_loader() -> Callable[[Path], FakeModel]:
    """Loads a FakeModel for any path except one named ``broken*``, which fails like Keras would;
    one named ``sure*`` is sure of every answer (99.9 %), the others unsure (90 % in float32)."""

    def load(path: Path) -> FakeModel:
        if path.name.startswith("broken"):
            raise ModelError(f"{path}: not a Keras model (a .keras file is a zip archive)")
        if path.name.startswith("sure"):
            return FakeModel(path.name, confidence=0.999)
        return FakeModel(path.name)

    return load


@dataclass
class RunningRecognizer:
    """A recogniser worker on its own thread, as the app runs it, and the live glue over it."""

    worker: RecognizerWorker
    live: LiveRecognition


@pytest.fixture
def recognizer_thread(
    qtbot, fake_loader: Callable[[Path], FakeModel]
) -> Iterator[RunningRecognizer]:
    """Its models come from ``fake_loader``; none is loaded yet."""
    worker = RecognizerWorker(fake_loader)
    thread = QThread()
    worker.moveToThread(thread)
    thread.start()
    yield RunningRecognizer(worker, LiveRecognition(worker))
    thread.quit()
    thread.wait()


@pytest.fixture
def sample_store(tmp_path: Path) -> Iterator[SampleStore]:
    """An empty sample store in a temporary data folder."""
    with SampleStore.open_in(tmp_path / "data") as store:
        yield store


@pytest.fixture
def built(
    qtbot, tmp_path: Path, settings: QSettings, dialogs: FakeDialogs,
    fake_loader: Callable[[Path], FakeModel],
) -> Iterator[Callable[[], Digitpad]]:
    """Builds the app with ``digitpad.app.build`` (fake models, data in the test's folder,
    scripted dialogs), not yet shown; shut down after the test."""
    started: list[Digitpad] = []

    def start() -> Digitpad:
        parts = build(settings, loader=fake_loader, data_dir=tmp_path / "data")
        parts.window.dialogs = dialogs
        qtbot.addWidget(parts.window)
        started.append(parts)
        return parts

    yield start
    for parts in started:
        parts.window.close()
        parts.shutdown()


@pytest.fixture
def shown(built: Callable[[], Digitpad], qtbot) -> Digitpad:
    """The app as built, its window shown and exposed (no model loaded yet)."""
    parts = built()
    parts.window.show()
    qtbot.waitExposed(parts.window)
    return parts


@dataclass
class Taught:
    """The app's main window with the teaching features, as ``digitpad.app.build`` wires it."""

    window: MainWindow
    live: LiveRecognition
    worker: RecognizerWorker
    store: SampleStore
    dialogs: FakeDialogs
    settings: QSettings
    teaching: Teaching


@pytest.fixture
def taught(
    qtbot, built: Callable[[], Digitpad], settings: QSettings, dialogs: FakeDialogs
) -> Taught:
    """A shown, focused main window with teaching installed and the fake model loaded."""
    parts = built()
    window, live = parts.window, parts.recognition
    assert parts.samples is not None and parts.teaching is not None
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts reach the active window only
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    with qtbot.waitSignal(live.model_ready):
        live.load_model("/models/fake.keras")
    return Taught(window, live, parts.worker, parts.samples, dialogs, settings, parts.teaching)
