"""Fixtures for widget tests: app identity, throwaway settings, scripted dialogs, a fake model,
the recogniser thread, a sample store and the teaching features wired as the app wires them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread

from digitpad.ml.recognizer import ModelError
from digitpad.samples import SampleStore
from digitpad.ui.main_window import MainWindow
from digitpad.ui.recognition import LiveRecognition
from digitpad.ui.teaching import Teaching, install_teaching
from digitpad.ui.workers import RecognizerWorker
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
    """Loads a FakeModel for any path except one named ``broken*``, which fails like Keras would."""

    def load(path: Path) -> FakeModel:
        if path.name.startswith("broken"):
            raise ModelError(f"{path}: not a Keras model (a .keras file is a zip archive)")
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


@dataclass
class Taught:
    """A main window with the teaching features, wired as ``digitpad.app`` wires them."""

    window: MainWindow
    live: LiveRecognition
    worker: RecognizerWorker
    store: SampleStore
    dialogs: FakeDialogs
    settings: QSettings
    teaching: Teaching


@pytest.fixture
def taught(
    qtbot, settings: QSettings, dialogs: FakeDialogs, recognizer_thread: RunningRecognizer,
    sample_store: SampleStore,
) -> Iterator[Taught]:
    """A shown, focused main window with teaching installed and the fake model loaded."""
    window = MainWindow(settings, dialogs=dialogs)
    qtbot.addWidget(window)
    live = recognizer_thread.live
    window.canvas.strokes_changed.connect(live.update_strokes)
    window.canvas.stroke_finished.connect(live.finish_strokes)
    live.prediction_changed.connect(window.show_prediction)
    live.model_ready.connect(window.show_model_ready)
    teaching = install_teaching(window, live, recognizer_thread.worker, settings, sample_store)
    assert teaching is not None
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts reach the active window only
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    with qtbot.waitSignal(live.model_ready):
        live.load_model("/models/fake.keras")
    yield Taught(window, live, recognizer_thread.worker, sample_store, dialogs, settings,
                 teaching)
    teaching.shutdown()
