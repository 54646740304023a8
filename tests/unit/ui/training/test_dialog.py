"""The Retrain dialog, driven as a user would: settings, Train, progress, result, Use or Discard.

Most tests run a stand-in of the child's work (``training_work``: no TensorFlow, a quick process
start); those about data files, samples and fine-tuning run the real work on a slice of MNIST.
The whole app (the new model in use in the window, History) is in
``tests/integration/test_retraining.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from shiboken6 import Shiboken

from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import Mnist
from digitpad.ml.digits import NUM_CLASSES, to_model_input
from digitpad.ml.evaluation import MISTAKES_KEPT, Mistake
from digitpad.ml.ink import Drawing
from digitpad.ml.jobs import DATA_PROBLEM, TRAIN, UNEXPECTED, Outcome, TrainingJob, Work
from digitpad.ml.model_library import ModelLibrary
from digitpad.ml.modelstore import save_model
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.presets import BEST, OVERFIT, PRESETS, TUTORIAL, Preset
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.training_process import run_job
from digitpad.ml.why import explain_image
from digitpad.paths import bundled_model_path
from digitpad.samples import SampleStore
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.support.notice import digit_name
from digitpad.ui.training.dialog import VALIDATION_NOTE, TrainingDialog
from digitpad.ui.training.form import MNIST_PATH_KEY
from digitpad.ui.training.mistakes import MistakeDetail
from digitpad.ui.training.plots import TRAINING, VALIDATION
from digitpad.ui.training.results import CURVES, MATRIX, MISTAKES, SUMMARY
from digitpad.ui.training.runner import TrainingRunner
from tests.unit.ml.mnist_files import write_corrupt, write_mnist_slice, write_wrongly_shaped
from tests.unit.ml.test_training_process import three_of_each_digit
from tests.unit.ui import training_work
from tests.unit.ui.fakes import FakeDialogs

QUICK_MS = 30_000
"""A stand-in run: one Python process start."""
REAL_MS = 120_000
"""A real run: the child imports TensorFlow (a few seconds) and trains on a slice of MNIST."""


def model_info(path: Path) -> ModelInfo:
    return ModelInfo(path, path.name, "", ModelCard.read(path))


BUNDLED = model_info(bundled_model_path())


@pytest.fixture(scope="module")
def mnist_file(mnist: Mnist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mnist_slice(mnist, tmp_path_factory.mktemp("data") / "mnist-slice.npz")


@pytest.fixture(scope="module")
def small_model(mnist: Mnist, tmp_path_factory: pytest.TempPathFactory) -> ModelInfo:
    """An MLP after one quick epoch: a current model that is quick to load and fine-tune."""
    from digitpad.ml.training import TrainingConfig, train

    model = train(TrainingConfig(arch="mlp", epochs=1, batch_size=64), mnist.subset(3000)).model
    path = tmp_path_factory.mktemp("current") / "current.keras"
    save_model(model, path, ModelCard(architecture="mlp", mnist_test_accuracy=0.9))
    return model_info(path)


@pytest.fixture
def library(tmp_path: Path) -> ModelLibrary:
    return ModelLibrary(tmp_path / "models")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SampleStore]:
    with SampleStore.open_in(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
def make_dialog(
    qtbot, settings: QSettings, library: ModelLibrary, store: SampleStore
) -> Iterator[Callable[..., TrainingDialog]]:
    made: list[TrainingDialog] = []

    def make(work: Work = run_job, current: ModelInfo | None = BUNDLED) -> TrainingDialog:
        dialog = TrainingDialog(settings, library, store, runner=TrainingRunner(work))
        dialog.dialogs = FakeDialogs()
        if current is not None:
            dialog.set_current_model(current)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.handwriting.counted):  # off the GUI thread, once shown
            dialog.show()
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.shutdown()


def fake_dialogs(dialog: TrainingDialog) -> FakeDialogs:
    assert isinstance(dialog.dialogs, FakeDialogs)
    return dialog.dialogs


def library_files(library: ModelLibrary) -> list[str]:
    return sorted(p.name for p in library.directory.iterdir()) if library.directory.exists() \
        else []


def add_samples(store: SampleStore, drawings: tuple[Drawing, ...]) -> None:
    for drawing in drawings:
        assert drawing.label is not None
        store.add(drawing, drawing.label)


def test_it_opens_on_the_benchmarked_best_for_drawings_recipe(make_dialog) -> None:
    dialog = make_dialog()
    assert dialog.presets.combo.currentText() == "Best for drawings"
    assert dialog.presets.current() is BEST
    settings = BEST.settings
    assert dialog.form.arch.currentData() == settings["arch"] == "cnn"
    assert (dialog.form.epochs.value(), dialog.form.batch_size.value()) == (
        settings["epochs"], settings["batch_size"])
    assert dialog.form.learning_rate.value() == pytest.approx(settings["learning_rate"])
    assert not dialog.form.augment.isChecked() and dialog.form.pen_digits.isChecked()
    assert dialog.form.train_images.text() == "All"
    assert not dialog.form.early_stopping.isChecked()
    assert not dialog.form.subclass.isEnabled()  # an MLP-only switch
    assert dialog.validation_note.text() == VALIDATION_NOTE and dialog.validation_note.isVisible()
    assert "never the test set" in VALIDATION_NOTE and "leaks" in VALIDATION_NOTE
    assert (dialog.form.epochs.minimum(), dialog.form.epochs.maximum()) == (1, 200)
    assert dialog.train_button.isVisible() and not dialog.cancel_button.isVisible()
    assert not dialog.use_button.isVisible() and not dialog.save_button.isEnabled()
    # The empty plots already span the planned run.
    dialog.form.epochs.setValue(12)
    assert dialog.plots.accuracy.epochs() == 12


def choose_preset(qtbot, dialog: TrainingDialog, title: str) -> None:
    """Pick a preset in the combo box at the top with the keyboard, as a user would."""
    combo = dialog.presets.combo
    target = combo.findText(title)
    assert target >= 0, title
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
        with qtbot.waitSignal(dialog.presets.chosen):
            qtbot.keyClick(combo, key)


def jobs_started(dialog: TrainingDialog, monkeypatch: pytest.MonkeyPatch) -> list[TrainingJob]:
    """The jobs Train hands the runner from now on, which then starts none."""
    jobs: list[TrainingJob] = []
    monkeypatch.setattr(dialog.runner, "start", jobs.append)
    return jobs


@pytest.mark.parametrize("chosen", PRESETS, ids=[p.name for p in PRESETS])
def test_a_preset_puts_its_recipe_in_the_form_and_train_sends_it(
    qtbot, make_dialog, monkeypatch: pytest.MonkeyPatch, chosen: Preset
) -> None:
    dialog = make_dialog()
    choose_preset(qtbot, dialog, OVERFIT.title if chosen is BEST else BEST.title)
    dialog.form.epochs.setValue(3)  # a change the preset undoes
    choose_preset(qtbot, dialog, chosen.title)
    form, settings = dialog.form, chosen.settings
    assert dialog.presets.summary.text() == chosen.summary
    assert form.arch.currentData() == settings["arch"]
    assert (form.epochs.value(), form.batch_size.value()) == (settings["epochs"],
                                                              settings["batch_size"])
    assert form.learning_rate.value() == pytest.approx(settings["learning_rate"])
    assert form.augment.isChecked() is settings["augment"]
    assert form.early_stopping.isChecked() is settings["early_stopping"]
    assert form.train_images.value() == (settings["train_limit"] or 0)
    assert form.pen_digits.isChecked() is (chosen.pen_copies > 0)
    assert form.not_a_digit.isChecked() is chosen.twelve_outputs
    assert not form.subclass.isChecked()
    assert dialog.plots.accuracy.epochs() == settings["epochs"]  # the empty plots span the run

    jobs = jobs_started(dialog, monkeypatch)
    dialog.train_button.click()
    [job] = jobs
    outputs = len(OUTPUT_NAMES) if chosen.twelve_outputs else NUM_CLASSES
    assert job.kind == TRAIN and job.settings == {**settings, "seed": 0, "outputs": outputs}
    assert (job.pen_copies, job.not_a_digit) == (chosen.pen_copies, chosen.not_a_digit)
    assert job.current_model == str(BUNDLED.path)


def test_the_presets_settings_stay_editable(qtbot, make_dialog, monkeypatch) -> None:
    dialog = make_dialog()
    choose_preset(qtbot, dialog, OVERFIT.title)
    dialog.form.epochs.setValue(200)
    dialog.form.early_stopping.setChecked(True)
    dialog.form.train_images.setValue(500)
    assert dialog.presets.current() is OVERFIT  # still the recipe it started from
    jobs = jobs_started(dialog, monkeypatch)
    dialog.train_button.click()
    assert (jobs[0].settings["epochs"], jobs[0].settings["early_stopping"],
            jobs[0].settings["train_limit"]) == (200, True, 500)


def test_the_over_fitting_run_marks_its_best_epoch_and_says_what_happened(
    qtbot, make_dialog
) -> None:
    dialog = make_dialog(training_work.overfit)
    choose_preset(qtbot, dialog, OVERFIT.title)
    marked: list[int | None] = []
    dialog.runner.epoch_ended.connect(lambda _: marked.append(dialog.plots.loss.best_epoch()))
    with qtbot.waitSignal(dialog.runner.finished, timeout=QUICK_MS):
        dialog.train_button.click()
    assert marked == [1, 2, 3, 3, 3, 3]  # marked as the epochs come
    assert dialog.plots.accuracy.best_epoch() == 3
    message = dialog.banner_message()
    assert ("Validation loss was lowest after epoch 3 of 6 (marked) while training loss kept "
            "falling: the model over-fits. The model kept is epoch 6's; early stopping would "
            "keep the best one.") in message


def test_the_tutorials_model_as_a_subclass_has_the_same_parameters_and_results(
    qtbot, make_dialog, settings: QSettings, mnist_file: Path
) -> None:
    """Two real runs of the tutorial's model (one quick epoch on a slice of MNIST): as the
    Sequential model, then with the "Model subclass" switch."""
    settings.setValue(MNIST_PATH_KEY, str(mnist_file))
    dialog = make_dialog()
    choose_preset(qtbot, dialog, TUTORIAL.title)
    dialog.form.epochs.setValue(1)
    with qtbot.waitSignal(dialog.runner.finished, timeout=REAL_MS) as sequential:
        dialog.train_button.click()
    plain = sequential.args[0]
    assert plain.subclass_check is None and plain.card.parameters == 101_770
    assert "subclass" not in dialog.banner_message()
    assert_results_shown(qtbot, dialog, plain)

    assert dialog.form.subclass.isEnabled()
    dialog.form.subclass.setChecked(True)
    with qtbot.waitSignal(dialog.runner.finished, timeout=REAL_MS) as subclassed:
        dialog.train_button.click()
        assert dialog.results.views() == [CURVES]  # the first run's results went with it
    outcome = subclassed.args[0]
    assert_results_shown(qtbot, dialog, outcome)  # the second run's, in place of the first's
    check = outcome.subclass_check
    assert check.parameters == check.sequential_parameters == plain.card.parameters
    assert check.same_weights and check.test_accuracy == check.sequential_test_accuracy
    assert outcome.test_accuracy == plain.test_accuracy  # the same seed, the same network
    assert outcome.card.config["subclass"] is True
    message = dialog.banner_message()
    assert "As a keras.Model subclass: 101,770 parameters" in message
    assert "as a Sequential model, trained with the same seed: 101,770 parameters" in message
    assert "the very same weights" in message
    assert Recognizer.load(outcome.path).card.parameters == 101_770  # saved as the Sequential


def assert_results_shown(qtbot, dialog: TrainingDialog, outcome: Outcome) -> None:
    """The run's confusion matrix and mistakes on MNIST's test images, as the user finds them on
    their tabs, each mistake explained by the new model, and its layers."""
    results = dialog.results
    assert results.views() == [CURVES, MATRIX, MISTAKES, SUMMARY]
    assert results.view() == CURVES  # the curves stay in view until the user looks further
    evaluation = outcome.mnist_evaluation
    assert evaluation.samples == outcome.test_images == 500
    assert evaluation.accuracy == outcome.test_accuracy

    results.show_view(MATRIX)
    matrix = results.matrix_page.matrix
    assert matrix.isVisible() and matrix.evaluation() is evaluation
    assert [[int(matrix.cell_text(row, column)) for column in range(10)]
            for row in range(10)] == evaluation.confusion.tolist()
    assert dialog.save_button.text() == "Save Matrix…" and dialog.save_button.isEnabled()

    results.show_view(MISTAKES)
    gallery = results.mistakes_page.gallery
    assert gallery.isVisible() and gallery.mistakes() == list(evaluation.mistakes)
    assert 0 < gallery.count() <= MISTAKES_KEPT
    first = evaluation.mistakes[0]
    assert gallery.item(0).text() == f"{first.label} → {first.answer}"
    assert results.mistakes_page.detail.bars.values().tolist() == first.outputs.tolist()
    # Why: which blocks of the image made the new model's wrong answer, as Why This Digit shows
    # a picture's, for the mistake shown at once and for one clicked
    page = results.mistakes_page
    served = Recognizer.load(outcome.path)
    qtbot.waitUntil(page.detail.why.isVisible, timeout=QUICK_MS)
    assert_explained(page.detail, first, served)
    third = evaluation.mistakes[2]
    with qtbot.waitSignal(page.explainer.explained, timeout=QUICK_MS):
        gallery.setCurrentRow(2)
        assert not page.detail.why.isVisible()  # not the first's explanation, meanwhile
    assert_explained(page.detail, third, served)

    results.show_view(SUMMARY)
    assert "dense" in results.summary_page.toPlainText()
    results.show_view(CURVES)


def assert_explained(detail: MistakeDetail, mistake: Mistake, model: Recognizer) -> None:
    why = explain_image(to_model_input(mistake.image), model)
    assert why.answer == mistake.answer
    assert detail.why.text().startswith(f"Why {digit_name(mistake.answer)}: ")
    np.testing.assert_allclose(detail.preview.blocks(), why.occlusion / why.strongest())


def test_a_run_shows_progress_curves_and_the_result(qtbot, make_dialog, library) -> None:
    dialog = make_dialog(training_work.finish)
    with qtbot.waitSignal(dialog.runner.finished, timeout=QUICK_MS):
        dialog.train_button.click()
        assert dialog.cancel_button.isVisible() and not dialog.form.isEnabled()
    accuracy, loss = dialog.plots.plots()
    assert accuracy.points(TRAINING) == [(1.0, 0.8), (2.0, 0.8)]
    assert accuracy.points(VALIDATION) == [(1.0, 0.75), (2.0, 0.75)]
    assert loss.points(TRAINING) == [(1.0, 0.5), (2.0, pytest.approx(0.4))]
    assert dialog.run_progress.bar.value() == dialog.run_progress.bar.maximum()
    assert dialog.run_progress.status.text().startswith("Finished in 0:")

    message = dialog.banner_message()
    bundled = BUNDLED.card.mnist_test_accuracy
    assert f"New model\ndigitpad-cnn.keras\nMNIST test\n97.00%\n{bundled:.2%}" in message
    assert "500 test images" in message
    assert "The new model reads MNIST worse than digitpad-cnn.keras." in message
    assert dialog.use_button.isVisible() and dialog.discard_button.isVisible()
    assert dialog.form.isEnabled() and dialog.save_button.isEnabled()
    assert library_files(library) == [Path(dialog.pending().path).name]
    # What the tests found, beside the curves (no summary: the stand-in saved no real model).
    assert dialog.results.views() == [CURVES, MATRIX, MISTAKES]
    dialog.results.show_view(MATRIX)
    assert dialog.results.matrix_page.matrix.cell_text(9, 0) == "25"  # one in 20 read wrong
    dialog.results.matrix_page.header.choice.setCurrentIndex(1)
    assert dialog.results.matrix_page.matrix.cell_text(9, 0) == "10"  # the pen writers: 1 in 10


def test_use_asks_for_the_new_model(qtbot, make_dialog) -> None:
    dialog = make_dialog(training_work.finish)
    with qtbot.waitSignal(dialog.runner.finished, timeout=QUICK_MS) as finished:
        dialog.train_button.click()
    with qtbot.waitSignal(dialog.use_requested) as used:
        dialog.use_button.click()
    assert used.args == [finished.args[0].path]
    assert dialog.pending() is None and not dialog.use_button.isVisible()
    assert dialog.run_progress.status.text() == f"Now using {Path(used.args[0]).name}."


def test_discard_deletes_the_new_model(qtbot, make_dialog, library) -> None:
    dialog = make_dialog(training_work.finish)
    with qtbot.waitSignal(dialog.runner.finished, timeout=QUICK_MS):
        dialog.train_button.click()
    with qtbot.waitSignal(dialog.library_changed), \
            qtbot.assertNotEmitted(dialog.use_requested):
        dialog.discard_button.click()
    assert library_files(library) == []
    assert dialog.run_progress.status.text() == "Discarded. The current model is unchanged."


def test_elapsed_time_shows_while_training_and_closing_does_not_stop_it(
    qtbot, make_dialog
) -> None:
    dialog = make_dialog(training_work.train_until_stopped)
    with qtbot.waitSignal(dialog.runner.batch_ended, timeout=QUICK_MS):
        dialog.train_button.click()
    assert dialog.run_progress.status.text().startswith("Epoch 1 of 2 · batch ")
    assert " elapsed" in dialog.run_progress.status.text()
    dialog.close()
    assert dialog.is_running()
    dialog.open_dialog()
    assert dialog.isVisible() and dialog.cancel_button.isVisible()
    with qtbot.waitSignal(dialog.runner.cancelled, timeout=QUICK_MS):
        dialog.cancel_button.click()
    assert dialog.run_progress.status.text() == (
        "Cancelled. Nothing was saved; the current model is unchanged.")
    assert dialog.train_button.isVisible() and dialog.form.isEnabled()


def test_a_failure_in_the_worker_is_shown_and_the_dialog_stays_usable(
    qtbot, make_dialog, library
) -> None:
    dialog = make_dialog(training_work.explode)
    with qtbot.waitSignal(dialog.runner.failed, timeout=QUICK_MS), \
            qtbot.assertNotEmitted(dialog.use_requested):
        dialog.train_button.click()
    message = dialog.banner_message()
    assert message.startswith("Training failed. RuntimeError: injected failure")
    assert "Nothing was saved and the current model is unchanged" in message
    assert not dialog.banner.button.isVisible()  # nothing to choose: not a data problem
    assert dialog.train_button.isVisible() and dialog.train_button.isEnabled()
    assert dialog.form.isEnabled()
    assert library_files(library) == []


def test_saving_the_plots_writes_a_png(qtbot, make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog(training_work.finish)
    with qtbot.waitSignal(dialog.runner.finished, timeout=QUICK_MS):
        dialog.train_button.click()
    fake_dialogs(dialog).paths = [tmp_path / "curves", tmp_path / "missing" / "dir" / "x.png"]
    dialog.save_button.click()
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dialog.save_button.click()  # a folder that does not exist is made; still fine
    assert (tmp_path / "missing" / "dir" / "x.png").is_file()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    fake_dialogs(dialog).paths = [blocked / "x.png"]
    dialog.save_button.click()
    assert [title for title, _ in fake_dialogs(dialog).errors] == ["Cannot save the curves"]


def test_each_result_tab_saves_as_a_png_named_after_the_model(
    qtbot, make_dialog, tmp_path: Path
) -> None:
    dialog = make_dialog(training_work.finish)
    with qtbot.waitSignal(dialog.runner.finished, timeout=QUICK_MS):
        dialog.train_button.click()
    stem = Path(dialog.pending().path).stem
    for view, text, name, what in (
            (MATRIX, "Save Matrix…", f"{stem}-matrix-mnist-test.png", "confusion matrix"),
            (MISTAKES, "Save Mistakes…", f"{stem}-mistakes-mnist-test.png", "mistakes")):
        dialog.results.show_view(view)
        assert dialog.save_button.text() == text
        fake_dialogs(dialog).paths = [tmp_path / view]
        dialog.save_button.click()
        image = QImage(str(tmp_path / f"{view}.png"))
        assert not image.isNull() and image.size() == dialog.results.image().size()
        assert dialog.run_progress.status.text() == f"Saved the {what} as {view}.png."
        assert Path(fake_dialogs(dialog).suggestions[-1]).name == name
    assert [title for _, title in fake_dialogs(dialog).asked] == [
        "Save the confusion matrix", "Save the mistakes"]
    dialog.results.show_view(CURVES)
    assert dialog.save_button.text() == "Save Plots…"


@pytest.mark.parametrize(
    ("make_file", "expected"),
    [
        (lambda folder: folder / "nowhere.npz", "nowhere.npz: no such file"),
        (lambda folder: write_corrupt(folder / "corrupt.npz"), "not a readable .npz file"),
        (lambda folder: write_wrongly_shaped(folder / "shaped.npz"),
         "x_train must have shape (N, 28, 28), found (10, 28, 27)"),
    ],
    ids=["missing", "corrupt", "wrongly-shaped"],
)
def test_a_bad_dataset_file_is_explained_and_changes_nothing(
    qtbot, make_dialog, settings: QSettings, library, tmp_path: Path, mnist_file: Path,
    make_file, expected: str
) -> None:
    settings.setValue(MNIST_PATH_KEY, str(make_file(tmp_path)))
    dialog = make_dialog()
    with qtbot.waitSignal(dialog.runner.failed, timeout=QUICK_MS) as failed, \
            qtbot.assertNotEmitted(dialog.use_requested):
        dialog.train_button.click()
    assert failed.args[0] == DATA_PROBLEM
    message = dialog.banner_message()
    assert message.startswith("MNIST could not be loaded.") and expected in message
    assert dialog.banner.button.isVisible() and dialog.banner.button.text() == "Choose mnist.npz…"
    assert library_files(library) == []
    assert dialog.run_progress.status.text() == "Nothing was saved; the current model is unchanged."

    fake_dialogs(dialog).paths = [mnist_file]
    dialog.banner.button.click()
    assert settings.value(MNIST_PATH_KEY) == str(mnist_file)
    assert dialog.banner_message() == ""


def test_without_a_file_the_data_shipped_with_digitpad_is_named_and_a_choice_is_remembered(
    qtbot, make_dialog, settings: QSettings, mnist_file: Path
) -> None:
    dialog = make_dialog()  # a fresh profile: Keras has no MNIST, nothing is downloaded
    assert dialog.form.data_label.text() == "MNIST, shipped with digitpad"
    fake_dialogs(dialog).paths = [mnist_file]
    dialog.form.choose_data_button.click()
    assert settings.value(MNIST_PATH_KEY) == str(mnist_file)
    assert dialog.form.data_label.text() == f"mnist-slice.npz in {mnist_file.parent}"
    assert dialog.run_progress.status.text() == "Training will read mnist-slice.npz."


def test_my_samples_options_follow_the_sample_store(
    qtbot, make_dialog, store: SampleStore, pendigits: list[Drawing]
) -> None:
    dialog = make_dialog(current=None)
    assert not dialog.form.include_samples.isEnabled()
    assert dialog.form.include_samples.text() == "Include my samples (none yet)"
    assert not dialog.handwriting.fine_tune_button.isEnabled()

    with qtbot.waitSignal(dialog.handwriting.counted, check_params_cb=lambda count: count == 4):
        add_samples(store, three_of_each_digit(pendigits)[:4])
    assert dialog.form.include_samples.isEnabled()
    assert dialog.form.include_samples.text() == "Include my samples (4)"
    assert not dialog.handwriting.fine_tune_button.isEnabled()  # no model in use to fine-tune yet
    dialog.set_current_model(BUNDLED)
    assert dialog.handwriting.fine_tune_button.isEnabled()


def test_a_deleted_dialog_stops_listening_to_the_sample_store(
    qtbot, settings: QSettings, library: ModelLibrary, store: SampleStore,
    pendigits: list[Drawing],
) -> None:
    dialog = TrainingDialog(settings, library, store)
    Shiboken.delete(dialog)
    add_samples(store, three_of_each_digit(pendigits)[:1])  # no call into the deleted dialog
    assert len(store) == 1


def test_training_with_my_samples_reports_how_the_new_model_reads_them(
    qtbot, make_dialog, settings: QSettings, mnist_file: Path, store: SampleStore,
    pendigits: list[Drawing], library, small_model: ModelInfo,
) -> None:
    settings.setValue(MNIST_PATH_KEY, str(mnist_file))
    add_samples(store, three_of_each_digit(pendigits))
    dialog = make_dialog(current=small_model)
    dialog.form.arch.setCurrentIndex(dialog.form.arch.findData("mlp"))
    dialog.form.batch_size.setValue(64)
    dialog.form.include_samples.setChecked(True)
    with qtbot.waitSignal(dialog.runner.finished, timeout=REAL_MS) as finished:
        dialog.train_button.click()
    outcome = finished.args[0]
    assert outcome.card.samples_trained_on == outcome.trained_on > 0
    message = dialog.banner_message()
    assert f"Your {outcome.held_out} held-out samples: " in message
    assert f"(it learned from {outcome.trained_on} others)" in message
    assert library_files(library) == sorted(Path(outcome.path).with_suffix(suffix).name
                                            for suffix in (".keras", ".json", ".tflite"))


def test_fine_tuning_adapts_the_current_model_to_my_samples(
    qtbot, make_dialog, settings: QSettings, mnist_file: Path, store: SampleStore,
    pendigits: list[Drawing], small_model: ModelInfo,
) -> None:
    settings.setValue(MNIST_PATH_KEY, str(mnist_file))
    add_samples(store, three_of_each_digit(pendigits))
    dialog = make_dialog(current=small_model)
    with qtbot.waitSignal(dialog.runner.finished, timeout=REAL_MS) as finished:
        dialog.handwriting.fine_tune_button.click()
    outcome = finished.args[0]
    assert outcome.card.fine_tuned_from == "current.keras"
    assert Path(outcome.path).name.endswith("_mlp_tuned.keras")
    assert dialog.plots.accuracy.points(VALIDATION)  # the replay's validation, per epoch
    message = dialog.banner_message()
    assert "New model" in message and "current.keras" in message
    assert "held-out samples" in message
    # and both models on the held-out pen writers, side by side
    assert outcome.pen_samples == 2498 and outcome.current_pen_accuracy is not None
    assert (f"Pen writers\n{outcome.pen_accuracy:.2%}\n{outcome.current_pen_accuracy:.2%}"
            in message)


def test_a_failure_is_not_mistaken_for_a_data_problem(qtbot, make_dialog) -> None:
    dialog = make_dialog(training_work.die)
    with qtbot.waitSignal(dialog.runner.failed, timeout=QUICK_MS) as failed:
        dialog.train_button.click()
    assert failed.args[0] == UNEXPECTED
    assert "stopped unexpectedly (exit code 3)" in dialog.banner_message()
    assert not dialog.banner.button.isVisible()
