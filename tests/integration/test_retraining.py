"""Retraining inside the running app: Model → Retrain…, the new model in use at once, History,
cancel and failure leaving the app as it was, and the choice remembered across restarts."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from digitpad.app import Digitpad, build, open_window
from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import Mnist
from digitpad.ml.jobs import SAVE_PROBLEM, BatchEnd, EpochEnd
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.presets import BEST
from digitpad.paths import bundled_model_path
from digitpad.ui.models.choice import MODEL_KEY
from digitpad.ui.models.history import IN_USE
from digitpad.ui.training.form import MNIST_PATH_KEY
from digitpad.ui.training.plots import TRAINING, VALIDATION
from tests.unit.ml.mnist_files import write_mnist_slice
from tests.unit.ui.fakes import FakeDialogs

MODEL_MS = 60_000
TRAINING_MS = 180_000
"""The child imports TensorFlow and trains on a slice of MNIST, on two cores others use too."""

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture(scope="module")
def mnist_file(mnist: Mnist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mnist_slice(mnist, tmp_path_factory.mktemp("data") / "mnist-slice.npz")


@pytest.fixture
def settings(tmp_path: Path, mnist_file: Path) -> QSettings:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(MNIST_PATH_KEY, str(mnist_file))
    return settings


@pytest.fixture
def start(qtbot, tmp_path: Path, settings: QSettings) -> Iterator[Callable[[], Digitpad]]:
    """Starts the app as ``launch`` does; may be called again to start it a second time with
    the same settings and data folder."""
    started: list[Digitpad] = []

    def start_app() -> Digitpad:
        QCoreApplication.setApplicationName("digitpad")
        parts = build(settings, data_dir=tmp_path / "data")
        for window in (parts.window, parts.training, parts.history):
            window.dialogs = FakeDialogs()
        qtbot.addWidget(parts.window)
        started.append(parts)
        with qtbot.waitSignal(parts.recognition.model_ready, timeout=MODEL_MS):
            open_window(parts)
        return parts

    yield start_app
    for parts in started:
        parts.window.close()
        parts.shutdown()


def model_path(app: Digitpad) -> Path:
    model = app.recognition.model()
    assert model is not None
    return model.path


def draw_something(app: Digitpad, qtbot) -> None:
    """A stroke on the pad gets an answer: the app is working."""
    canvas = app.window.canvas
    with qtbot.waitSignal(app.recognition.prediction_changed, timeout=MODEL_MS):
        canvas.draw_stroke([(p.x(), p.y()) for p in (canvas.to_widget(300, 250),
                            canvas.to_widget(700, 250), canvas.to_widget(450, 800))])
    assert app.window.panel.headline.text() != ""


def test_retrain_use_the_new_model_and_find_it_in_history(start, qtbot) -> None:
    app = start()
    app.window.retrain_action.trigger()
    dialog = app.training
    assert dialog.isVisible()
    dialog.form.arch.setCurrentIndex(dialog.form.arch.findData("mlp"))
    dialog.form.epochs.setValue(2)
    dialog.form.batch_size.setValue(64)
    batches: list[BatchEnd] = []
    epochs: list[EpochEnd] = []
    dialog.runner.batch_ended.connect(batches.append)
    dialog.runner.epoch_ended.connect(epochs.append)

    with qtbot.waitSignal(dialog.runner.finished, timeout=TRAINING_MS) as finished:
        dialog.train_button.click()
        draw_something(app, qtbot)  # the pad answers while the model trains
    outcome = finished.args[0]
    new_path = Path(outcome.path)

    # Progress: epoch by epoch, batch by batch, to the end of each epoch.
    done = [b.epoch + (b.batch + 1) / b.batches for b in batches]
    assert done == sorted(done) and done[-1] == 2.0 and 1.0 in done
    assert [e.epoch for e in epochs] == [0, 1]
    # The curves are the epochs' figures, training against validation.
    accuracy, loss = dialog.plots.plots()
    assert accuracy.points(VALIDATION) == [
        (e.epoch + 1.0, e.logs["val_sparse_categorical_accuracy"]) for e in epochs]
    assert loss.points(TRAINING) == [(e.epoch + 1.0, e.logs["loss"]) for e in epochs]
    # The result next to the model in use.
    message = dialog.banner_message()
    bundled = ModelCard.read(bundled_model_path())
    assert (f"New model\ndigitpad-cnn.keras\nMNIST test\n{outcome.test_accuracy:.2%}\n"
            f"{bundled.mnist_test_accuracy:.2%}\nPen writers\n{outcome.pen_accuracy:.2%}\n"
            f"{bundled.ink_evaluation['accuracy']:.2%}") in message  # the default's pen digits
    assert model_path(app) == bundled_model_path()  # nothing changes until the user says so

    with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_MS):
        dialog.use_button.click()
    assert model_path(app) == new_path
    assert app.window.model_status.text() == f"Model: {new_path.name}"
    # The default recipe keeps the bundled model's twelve outputs: it can say "not a digit".
    assert app.recognition.model().card.outputs == list(OUTPUT_NAMES)
    assert outcome.card.ink_training["not_digits"] == BEST.not_a_digit
    draw_something(app, qtbot)

    app.window.history_action.trigger()
    history = app.history
    assert [m.path for m in history.models()] == [new_path]
    row = [history.table.item(0, column).text() for column in range(history.table.columnCount())]
    assert row[0] == IN_USE and row[2:5] == ["MLP", "2", f"{outcome.test_accuracy:.2%}"]
    assert not history.use_button.isEnabled() and not history.delete_button.isEnabled()
    assert history.plots.accuracy.points(VALIDATION) == accuracy.points(VALIDATION)

    # The choice outlives the app.
    app.window.close()
    again = start()
    assert model_path(again) == new_path


def test_cancel_mid_epoch_leaves_the_app_as_it_was(start, qtbot, tmp_path: Path) -> None:
    app = start()
    app.window.retrain_action.trigger()
    dialog = app.training
    dialog.form.batch_size.setValue(16)  # the CNN: hundreds of batches in an epoch
    dialog.form.pen_digits.setChecked(False)  # MNIST alone: the first batch comes sooner
    with qtbot.waitSignal(dialog.runner.batch_ended, timeout=TRAINING_MS):
        dialog.train_button.click()
    with qtbot.waitSignal(dialog.runner.cancelled, timeout=MODEL_MS), \
            qtbot.assertNotEmitted(dialog.runner.finished):
        dialog.cancel_button.click()
    models = tmp_path / "data" / "models"
    assert not models.exists() or list(models.iterdir()) == []
    assert model_path(app) == bundled_model_path()
    assert app.window.model_status.text() == "Model: digitpad-cnn.keras"
    draw_something(app, qtbot)


def test_a_failure_inside_the_training_is_shown_and_the_app_keeps_working(
    start, qtbot, tmp_path: Path
) -> None:
    app = start()
    (tmp_path / "data" / "models").write_text("a file where the models folder should be")
    dialog = app.training
    dialog.form.arch.setCurrentIndex(dialog.form.arch.findData("mlp"))
    dialog.form.epochs.setValue(1)
    dialog.form.pen_digits.setChecked(False)  # MNIST alone: to the saving sooner
    app.window.retrain_action.trigger()
    with qtbot.waitSignal(dialog.runner.failed, timeout=TRAINING_MS) as failed:
        dialog.train_button.click()
    assert failed.args[0] == SAVE_PROBLEM
    assert "The new model could not be saved" in dialog.banner_message()
    assert model_path(app) == bundled_model_path()
    draw_something(app, qtbot)
    assert dialog.train_button.isEnabled()


def test_history_use_delete_and_reset(start, qtbot, tmp_path: Path) -> None:
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    older, newer = models / "older_cnn.keras", models / "newer_cnn.keras"
    for path, saved in ((older, "2025-01-01T10:00:00+00:00"), (newer, "2025-02-01T10:00:00+00:00")):
        shutil.copy(bundled_model_path(), path)
        ModelCard.read(bundled_model_path()).replace(saved=saved).write(path)
    app = start()
    app.window.history_action.trigger()
    history = app.history
    assert [m.path for m in history.models()] == [newer, older]
    assert history.table.item(0, 1).text().startswith("2025-02-01")

    history.select(older)
    with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_MS):
        history.use_button.click()
    assert model_path(app) == older
    assert history.table.item(1, 0).text() == IN_USE

    history.select(newer)
    history.confirm = lambda title, text: False
    history.delete_button.click()
    assert newer.exists()
    history.confirm = lambda title, text: True
    history.delete_button.click()
    assert not newer.exists() and not ModelCard.path_for(newer).exists()
    assert [m.path for m in history.models()] == [older]

    with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_MS):
        history.reset_button.click()
    assert model_path(app) == bundled_model_path()
    assert not history.reset_button.isEnabled()


def test_a_remembered_model_that_is_gone_falls_back_to_the_bundled_one(
    start, settings: QSettings, tmp_path: Path
) -> None:
    settings.setValue(MODEL_KEY, str(tmp_path / "data" / "models" / "deleted.keras"))
    app = start()
    assert model_path(app) == bundled_model_path()
    dialogs = app.window.dialogs
    assert isinstance(dialogs, FakeDialogs)
    ((title, message),) = dialogs.errors
    assert title == "Your chosen model could not be loaded"
    assert "deleted.keras: no such model file" in message
    assert "digitpad uses its bundled model instead" in message
    assert settings.value(MODEL_KEY) is None
