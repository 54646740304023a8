"""View → Inside the Model in the app as ``digitpad.app.build`` wires it (fake models and layers):
its key and menu entry, remembered across sessions, live while drawing, following every model
switch; and, with a stand-in preparer, a model whose layers must be prepared first (progress and
Cancel in the status bar, a way to try again)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow

from digitpad.app import Digitpad, build
from digitpad.ml.card import ModelCard
from digitpad.ui.inside.inside import InsideModel
from digitpad.ui.pad.workers import ModelInfo
from tests.unit.ui.fakes import FakeDialogs, FakeModel
from tests.unit.ui.inside.fake_layers import CNN, MLP, FakeLayers, fake_layers_loader


class RecordingLoader:
    """``fake_layers_loader``, keeping what it loaded (to count the drawings run)."""

    def __init__(self) -> None:
        self.loaded: list[FakeLayers] = []

    def __call__(self, path: Path) -> FakeLayers:
        layers = fake_layers_loader(path)
        self.loaded.append(layers)
        return layers

    def runs(self) -> int:
        return sum(layers.runs for layers in self.loaded)


@pytest.fixture
def loader() -> RecordingLoader:
    return RecordingLoader()


@pytest.fixture
def start(qtbot, tmp_path: Path, settings: QSettings, dialogs: FakeDialogs,
          fake_loader: Callable[[Path], FakeModel], loader: RecordingLoader
          ) -> Iterator[Callable[[], Digitpad]]:
    """Builds and shows the app (fake models and layers), the fake model loaded."""
    started: list[Digitpad] = []

    def start() -> Digitpad:
        parts = build(settings, loader=fake_loader, data_dir=tmp_path / "data",
                      layers_loader=loader)
        parts.window.dialogs = dialogs
        qtbot.addWidget(parts.window)
        started.append(parts)
        parts.window.show()
        qtbot.waitExposed(parts.window)
        with qtbot.waitSignal(parts.recognition.model_ready):
            parts.recognition.load_model("/models/fake.keras")
        return parts

    yield start
    for parts in started:
        parts.window.close()
        parts.shutdown()


def draw(parts: Digitpad, qtbot, *points: tuple[float, float]) -> None:
    canvas = parts.window.canvas
    canvas.draw_stroke([(canvas.to_widget(x, y).x(), canvas.to_widget(x, y).y())
                        for x, y in points])
    qtbot.waitUntil(lambda: parts.recognition.is_up_to_date() and (
        parts.inside.is_up_to_date() or not parts.inside.is_open()))


def use(parts: Digitpad, qtbot, path: str) -> None:
    with qtbot.waitSignal(parts.recognition.model_ready):
        parts.recognition.load_model(path)
    qtbot.waitUntil(parts.inside.is_up_to_date)


def titles(parts: Digitpad) -> list[str]:
    return [row.title for row in parts.inside.view.stack.rows()]


def test_view_inside_the_model_has_its_own_key_and_is_off_at_first(start) -> None:
    parts = start()
    action = parts.inside.dock.toggleViewAction()
    assert action in parts.window.view_menu.actions()
    assert action.text() == "Inside the Model" and action.isCheckable()
    assert action.shortcut() == QKeySequence("Ctrl+I")
    everywhere = [key for other in parts.window.findChildren(type(action))
                  for key in other.shortcuts()]
    assert everywhere.count(QKeySequence("Ctrl+I")) == 1  # no other action has it
    assert not action.isChecked() and not parts.inside.dock.isVisible()


def test_opened_it_follows_the_drawing_live(start, loader: RecordingLoader, qtbot) -> None:
    parts = start()
    draw(parts, qtbot, (300, 250), (700, 250))
    assert loader.loaded == []  # hidden: nothing is read or run
    parts.inside.dock.toggleViewAction().trigger()
    qtbot.waitUntil(parts.inside.is_up_to_date)
    assert parts.inside.dock.isVisible()
    assert titles(parts)[1:] == [f"{layer.name} ({layer.class_name})" for layer in CNN]
    first = parts.inside.view.stack.rows()[2].picture.values
    assert first is not None
    np.testing.assert_array_equal(parts.inside.view.stack.rows()[0].picture.values,
                                  parts.recognition.current_input())
    draw(parts, qtbot, (450, 250), (450, 900))
    again = parts.inside.view.stack.rows()[2].picture.values
    assert again is not None and again.max() > first.max()  # more ink, brighter maps
    parts.window.clear_action.trigger()
    qtbot.waitUntil(lambda: parts.inside.view.stack.rows()[2].picture.values is None)
    parts.inside.dock.toggleViewAction().trigger()
    runs = loader.runs()
    draw(parts, qtbot, (300, 250), (700, 250))
    assert loader.runs() == runs  # hidden again: no work


def test_switching_models_twice_over_shows_each_ones_layers(start, qtbot) -> None:
    parts = start()
    parts.inside.dock.toggleViewAction().trigger()
    draw(parts, qtbot, (300, 250), (700, 250), (450, 800))
    for _ in range(2):
        use(parts, qtbot, "/models/mlp.keras")
        assert titles(parts)[1:] == ["flatten (Flatten)", "dense (Dense)", "dense_1 (Dense)"]
        assert parts.inside.view.stack.rows()[2].picture.values is not None
        use(parts, qtbot, "/models/fake.keras")
        assert len(titles(parts)) == len(CNN) + 1
    stack = parts.inside.view.stack
    rect = stack.unit_rect(2, 1)
    assert rect is not None
    stack.unit_clicked.emit(2, 1)
    use(parts, qtbot, "/models/mlp.keras")  # a new model: nothing of the old one is selected
    assert parts.inside.view.detail.selected() is None
    assert len(titles(parts)) == len(MLP) + 1


def test_shown_or_hidden_is_remembered_across_sessions(start, qtbot) -> None:
    parts = start()
    parts.inside.dock.toggleViewAction().trigger()
    parts.window.close()
    again = start()
    assert again.inside.dock.toggleViewAction().isChecked()
    qtbot.waitUntil(again.inside.is_up_to_date)  # opened on the model loaded at start
    assert len(titles(again)) == len(CNN) + 1
    again.inside.dock.toggleViewAction().trigger()
    again.window.close()
    assert not start().inside.dock.toggleViewAction().isChecked()


# -- a model whose layers must be prepared -------------------------------------------------------


class FakePreparer(QObject):
    """Records what it is asked to prepare; the test says how each preparation ends."""

    prepared = Signal(str)
    failed = Signal(str, str)
    cancelled = Signal(str)
    stage_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []
        self.cancels = 0

    def prepare(self, path: str) -> None:
        self.asked.append(path)

    def cancel(self) -> None:
        self.cancels += 1

    def shutdown(self) -> None:
        pass


class PreparingLoader:
    """No layers form for ``unprepared*`` until ``made`` says it is there."""

    def __init__(self) -> None:
        self.made: set[str] = set()

    def __call__(self, path: Path) -> FakeLayers:
        if str(path) in self.made:
            return FakeLayers(MLP, fake_layers_loader(Path("mlp.keras")).weights)
        return fake_layers_loader(path)


@pytest.fixture
def preparing(qtbot) -> Iterator[tuple[InsideModel, FakePreparer, PreparingLoader]]:
    preparer, loader = FakePreparer(), PreparingLoader()
    window = QMainWindow()
    qtbot.addWidget(window)
    inside = InsideModel(loader, preparer)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, inside.dock)
    window.statusBar().addPermanentWidget(inside.status)
    inside.dock.hide()  # as the app's window starts it
    window.show()
    qtbot.waitExposed(window)
    yield inside, preparer, loader
    inside.shutdown()


def model(path: str) -> ModelInfo:
    return ModelInfo(Path(path), Path(path).name, "", ModelCard())


UNPREPARED = "/models/unprepared.keras"


def test_layers_not_yet_prepared_are_prepared_with_progress_in_the_status_bar(
        preparing, qtbot) -> None:
    inside, preparer, loader = preparing
    inside.set_model(model(UNPREPARED))
    assert preparer.asked == []  # hidden: nothing is prepared
    inside.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: preparer.asked == [UNPREPARED])
    assert inside.status.isVisible() and "unprepared.keras" in inside.status_text.text()
    assert "Preparing the layers" in (inside.view.message_text() or "")
    preparer.stage_changed.emit("Starting TensorFlow\N{HORIZONTAL ELLIPSIS}")
    assert inside.status_text.text() == "Starting TensorFlow\N{HORIZONTAL ELLIPSIS}"
    loader.made.add(UNPREPARED)
    preparer.prepared.emit(UNPREPARED)
    qtbot.waitUntil(inside.is_up_to_date)
    assert not inside.status.isVisible()
    assert inside.view.message_text() is None


def test_a_cancelled_or_failed_preparation_can_be_tried_again(preparing, qtbot) -> None:
    inside, preparer, loader = preparing
    inside.set_model(model(UNPREPARED))
    inside.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: len(preparer.asked) == 1)
    inside.cancel_button.click()
    assert preparer.cancels == 1
    preparer.cancelled.emit(UNPREPARED)
    assert not inside.status.isVisible()
    assert inside.view.message_text() == "The layers were not prepared."
    assert inside.view.retry_button.text() == "Prepare the Layers"
    inside.view.retry_button.click()
    qtbot.waitUntil(lambda: len(preparer.asked) == 2)
    preparer.failed.emit(UNPREPARED, "No room on the disk.")
    assert "No room on the disk." in (inside.view.message_text() or "")
    assert inside.view.retry_button.text() == "Try Again"
    loader.made.add(UNPREPARED)
    inside.view.retry_button.click()
    qtbot.waitUntil(inside.is_up_to_date)


def test_another_model_or_closing_the_panel_stops_a_preparation(preparing, qtbot) -> None:
    inside, preparer, _ = preparing
    inside.set_model(model(UNPREPARED))
    inside.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: len(preparer.asked) == 1)
    inside.set_model(model("/models/fake.keras"))
    assert preparer.cancels == 1 and not inside.status.isVisible()
    qtbot.waitUntil(inside.is_up_to_date)
    preparer.cancelled.emit(UNPREPARED)  # the stopped one: nothing changes
    assert inside.view.message_text() is None
    inside.set_model(model("/models/unprepared-too.keras"))
    qtbot.waitUntil(lambda: len(preparer.asked) == 2)
    inside.dock.toggleViewAction().trigger()
    assert preparer.cancels == 2
