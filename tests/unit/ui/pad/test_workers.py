"""The recogniser thread: loads models off the GUI thread, classifies only the latest drawing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, Signal

from digitpad.ml.recognizer import ModelError
from digitpad.ui.pad.workers import BATCH_CHUNK, BatchResult, ModelInfo, RecognizerWorker
from tests.unit.ui.fakes import FakeModel, GatedModel


class Driver(QObject):
    """Talks to the worker the way the app does: by queued signals, in both directions.

    Results are relayed through this GUI-thread object so that test callbacks run on the GUI
    thread, as the app's slots do.
    """

    load = Signal(str)
    model_loaded = Signal(object)
    model_failed = Signal(str, str)
    predicted = Signal(object)
    batch_classified = Signal(object)


@dataclass
class Running:
    worker: RecognizerWorker
    thread: QThread
    driver: Driver
    models: dict[str, object] = field(default_factory=dict)


@pytest.fixture
def running() -> Iterator[Running]:
    models: dict[str, object] = {}

    def load(path: Path) -> object:
        model = models[path.name]
        if isinstance(model, Exception):
            raise model
        return model

    worker = RecognizerWorker(load)
    thread = QThread()
    worker.moveToThread(thread)
    driver = Driver()
    driver.load.connect(worker.load_model)
    worker.model_loaded.connect(driver.model_loaded)
    worker.model_failed.connect(driver.model_failed)
    worker.predicted.connect(driver.predicted)
    worker.batch_classified.connect(driver.batch_classified)
    thread.start()
    yield Running(worker, thread, driver, models)
    thread.quit()
    thread.wait()


def image_with(value: float) -> np.ndarray:
    image = np.zeros((28, 28), np.float32)
    image[10:18, 10:18] = value
    return image


def load(running: Running, qtbot, name: str, model: object) -> None:
    running.models[name] = model
    with qtbot.waitSignal(running.driver.model_loaded):
        running.driver.load.emit(f"/models/{name}")


def test_a_model_loads_and_describes_itself(running: Running, qtbot) -> None:
    running.models["a.keras"] = FakeModel("a.keras")
    with qtbot.waitSignal(running.driver.model_loaded) as loaded:
        running.driver.load.emit("/models/a.keras")
    info = loaded.args[0]
    assert isinstance(info, ModelInfo)
    assert (info.name, info.path) == ("a.keras", Path("/models/a.keras"))
    assert info.card.architecture == "fake"
    assert "Total params" in info.summary


def test_a_broken_model_is_reported_and_the_old_one_stays(running: Running, qtbot) -> None:
    load(running, qtbot, "good.keras", FakeModel("good.keras"))
    running.models["bad.keras"] = ModelError("/models/bad.keras: not a Keras model")
    with qtbot.waitSignal(running.driver.model_failed) as failed:
        running.driver.load.emit("/models/bad.keras")
    assert failed.args == ["/models/bad.keras", "/models/bad.keras: not a Keras model"]
    with qtbot.waitSignal(running.driver.predicted) as predicted:
        running.worker.submit_picture(1, image_with(1.0))
    assert predicted.args[0].request_id == 1  # still classifying with good.keras


@pytest.mark.parametrize(("error", "expected"), [
    (PermissionError(13, "Permission denied", "/models/locked.keras"),
     "/models/locked.keras: Permission denied. Check that the file is there and that you may "
     "read it, or choose another model."),
    (ModuleNotFoundError("No module named 'ai_edge_litert'", name="ai_edge_litert"),
     "digitpad cannot run models: a part of it is missing (ai_edge_litert). Reinstall digitpad."),
], ids=["unreadable", "missing-part"])
def test_a_model_that_cannot_be_read_is_explained_in_words(
        running: Running, qtbot, error: Exception, expected: str) -> None:
    """Not "[Errno 13] Permission denied: '/models/locked.keras'": what it means, what to do."""
    running.models["locked.keras"] = error
    with qtbot.waitSignal(running.driver.model_failed) as failed:
        running.driver.load.emit("/models/locked.keras")
    assert failed.args == ["/models/locked.keras", expected]


def test_prediction_runs_off_the_gui_thread(running: Running, qtbot) -> None:
    model = GatedModel()
    model.gate.set()
    load(running, qtbot, "gated.keras", model)
    with qtbot.waitSignal(running.driver.predicted) as predicted:
        running.worker.submit_picture(7, image_with(0.5))
    assert predicted.args[0].request_id == 7
    assert predicted.args[0].prediction.digit is not None
    assert threading.get_ident() not in model.threads


def test_requests_made_while_busy_collapse_into_the_latest(running: Running, qtbot) -> None:
    model = GatedModel()
    load(running, qtbot, "gated.keras", model)
    results: list[int] = []
    running.driver.predicted.connect(lambda result: results.append(result.request_id))
    running.worker.submit_picture(1, image_with(1.0))
    assert model.entered.wait(5)  # request 1 is being classified...
    for request_id in range(2, 51):  # ...while the pen keeps moving
        running.worker.submit_picture(request_id, image_with(0.3 + request_id / 100))
    model.gate.set()
    qtbot.waitUntil(lambda: results[-1:] == [50], timeout=5000)
    assert results == [1, 50]
    assert len(model.seen) == 2


def test_requests_before_the_model_is_ready_are_answered_once_it_is(running, qtbot) -> None:
    results: list[int] = []
    running.driver.predicted.connect(lambda result: results.append(result.request_id))
    running.models["late.keras"] = FakeModel("late.keras")
    running.driver.load.emit("/models/late.keras")
    running.worker.submit_picture(3, image_with(1.0))
    qtbot.waitUntil(lambda: results == [3], timeout=5000)


class GatedBatchModel(FakeModel):
    """Holds each batch chunk until the test opens the gate; records the thread it ran on."""

    def __init__(self) -> None:
        super().__init__("gated.keras")
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.threads: set[int] = set()

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        self.threads.add(threading.get_ident())
        self.entered.set()
        self.gate.wait(5)
        return super().probabilities(images)


def images_with(count: int) -> np.ndarray:
    return np.stack([image_with((i % 50) / 50) for i in range(count)])


def test_a_batch_is_answered_in_chunks_in_order_off_the_gui_thread(running, qtbot) -> None:
    model = GatedBatchModel()
    model.gate.set()
    load(running, qtbot, "gated.keras", model)
    images = images_with(2 * BATCH_CHUNK + 5)
    results: list[BatchResult] = []
    running.driver.batch_classified.connect(results.append)
    running.worker.submit_batch(4, images)
    qtbot.waitUntil(lambda: sum(len(r.probabilities) for r in results) == len(images))
    assert [r.start for r in results] == [0, BATCH_CHUNK, 2 * BATCH_CHUNK]
    assert {(r.request_id, r.total, r.model) for r in results} == {(4, len(images), "gated.keras")}
    expected = FakeModel().probabilities(images)
    np.testing.assert_allclose(np.concatenate([r.probabilities for r in results]), expected)
    assert threading.get_ident() not in model.threads


def test_the_live_drawing_is_answered_between_the_chunks_of_a_batch(running, qtbot) -> None:
    model = GatedBatchModel()
    load(running, qtbot, "gated.keras", model)
    answers: list[tuple[str, int]] = []
    running.driver.batch_classified.connect(lambda r: answers.append(("batch", r.start)))
    running.driver.predicted.connect(lambda r: answers.append(("live", r.request_id)))
    running.worker.submit_batch(1, images_with(3 * BATCH_CHUNK))
    assert model.entered.wait(5)  # the first chunk is being classified...
    running.worker.submit_picture(9, image_with(0.5))  # ...when the pen moves
    model.gate.set()
    qtbot.waitUntil(lambda: len(answers) == 4)
    assert answers == [("batch", 0), ("live", 9), ("batch", BATCH_CHUNK),
                       ("batch", 2 * BATCH_CHUNK)]


def test_a_new_batch_replaces_the_one_in_progress(running, qtbot) -> None:
    model = GatedBatchModel()
    load(running, qtbot, "gated.keras", model)
    results: list[BatchResult] = []
    running.driver.batch_classified.connect(results.append)
    running.worker.submit_batch(1, images_with(3 * BATCH_CHUNK))
    assert model.entered.wait(5)
    running.worker.submit_batch(2, images_with(3))
    model.gate.set()
    qtbot.waitUntil(lambda: any(r.request_id == 2 for r in results))
    qtbot.wait(50)
    assert [(r.request_id, r.start, len(r.probabilities)) for r in results] == [(2, 0, 3)]


def test_a_batch_asked_for_before_a_model_is_answered_once_one_loads(running, qtbot) -> None:
    results: list[BatchResult] = []
    running.driver.batch_classified.connect(results.append)
    running.worker.submit_batch(5, images_with(2))
    qtbot.wait(50)
    assert results == []
    load(running, qtbot, "late.keras", FakeModel("late.keras"))
    qtbot.waitUntil(lambda: len(results) == 1)
    assert (results[0].request_id, results[0].model) == (5, "late.keras")
