"""The Retrain recipe: every architecture offered, presets fill the settings, the choices the user
made become the job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from digitpad.ml import digits
from digitpad.ml.card import ModelCard
from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.jobs import FINE_TUNE, TRAIN, TRAIN_WITH_SAMPLES
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.presets import BEST, OVERFIT, TUTORIAL
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.training.form import ARCHITECTURES, MNIST_PATH_KEY, RecipeForm


def test_the_form_offers_exactly_the_architectures_digitpad_trains() -> None:
    names = [name for name, _, _ in ARCHITECTURES]
    assert sorted(names) == sorted(digits.ARCHITECTURES) and len(set(names)) == len(names)
    assert all(label and tip for _, label, tip in ARCHITECTURES)


def test_the_choices_become_the_training_job(qtbot, settings: QSettings, tmp_path: Path) -> None:
    form = RecipeForm(settings)
    qtbot.addWidget(form)
    form.arch.setCurrentIndex(form.arch.findData("mlp"))
    form.epochs.setValue(5)
    form.set_data_path(tmp_path / "mnist.npz")
    assert settings.value(MNIST_PATH_KEY) == str(tmp_path / "mnist.npz")
    assert form.data_label.text() == f"mnist.npz in {tmp_path}"
    current = ModelInfo(tmp_path / "cur.keras", "cur.keras", "",
                        ModelCard(mnist_test_accuracy=0.98))
    job = form.job(form.training_kind(), tmp_path / "new.keras", current, (), None)
    assert job.kind == TRAIN
    assert (job.settings["arch"], job.settings["epochs"]) == ("mlp", 5)
    assert job.data_path == str(tmp_path / "mnist.npz")
    assert (job.current_model, job.current_accuracy) == (str(tmp_path / "cur.keras"), 0.98)
    assert form.job(FINE_TUNE, tmp_path / "t.keras", current, (), None).settings == {}


def test_my_samples_are_offered_only_when_there_are_some(qtbot, settings: QSettings) -> None:
    form = RecipeForm(settings)
    qtbot.addWidget(form)
    form.show_sample_count(None, running=False)
    assert form.include_samples.text() == "Include my samples (counting…)"
    assert not form.include_samples.isEnabled()
    form.show_sample_count(3, running=False)
    form.include_samples.setChecked(True)
    assert form.training_kind() == TRAIN_WITH_SAMPLES
    form.show_sample_count(3, running=True)
    assert form.training_kind() == TRAIN  # not while a run is on
    form.show_sample_count(0, running=False)
    assert not form.include_samples.isChecked()
    assert form.include_samples.text() == "Include my samples (none yet)"


def test_a_preset_fills_every_setting_and_the_user_may_change_them(
    qtbot, settings: QSettings, tmp_path: Path
) -> None:
    form = RecipeForm(settings)
    qtbot.addWidget(form)
    form.seed.setValue(7)
    form.apply_preset(OVERFIT)
    assert form.recipe() == {**OVERFIT.settings, "seed": 7,  # the seed stays the user's
                             "outputs": NUM_CLASSES}
    assert form.train_images.value() == 1000 and not form.pen_digits.isChecked()
    form.epochs.setValue(150)
    form.early_stopping.setChecked(True)
    job = form.job(form.training_kind(), tmp_path / "new.keras", None, (), None)
    assert (job.settings["epochs"], job.settings["early_stopping"]) == (150, True)
    assert job.pen_copies == 0


def test_pen_digits_and_the_subclass_are_offered_where_the_training_takes_them(
    qtbot, settings: QSettings, tmp_path: Path
) -> None:
    form = RecipeForm(settings)
    qtbot.addWidget(form)
    form.apply_preset(TUTORIAL)
    assert form.subclass.isEnabled()
    form.subclass.setChecked(True)
    form.pen_digits.setChecked(True)  # switched on by hand: the default preset's variants
    job = form.job(form.training_kind(), tmp_path / "new.keras", None, (), None)
    assert job.settings["subclass"] and job.pen_copies == BEST.pen_copies
    form.arch.setCurrentIndex(form.arch.findData("cnn"))
    assert not form.subclass.isEnabled() and not form.recipe()["subclass"]
    form.arch.setCurrentIndex(form.arch.findData("mlp"))
    form.show_sample_count(3, running=False)
    form.include_samples.setChecked(True)
    assert not form.subclass.isEnabled() and not form.pen_digits.isEnabled()
    job = form.job(form.training_kind(), tmp_path / "new.keras", None, (), None)
    assert job.kind == TRAIN_WITH_SAMPLES and job.pen_copies == 0
    assert not job.settings["subclass"]


def test_not_a_digit_is_taught_with_the_pen_digits_or_the_samples(
    qtbot, settings: QSettings, tmp_path: Path
) -> None:
    """The default recipe keeps the bundled model's twelve outputs; the pen-drawn digits (or,
    with the samples, generated non-digits of its own) are what teach them."""
    form = RecipeForm(settings)
    qtbot.addWidget(form)
    job = form.job(form.training_kind(), tmp_path / "new.keras", None, (), None)
    assert form.not_a_digit.isChecked() and job.settings["outputs"] == len(OUTPUT_NAMES)
    assert (job.pen_copies, job.not_a_digit, job.regional_copies) == (
        BEST.pen_copies, BEST.not_a_digit, BEST.regional_copies)
    form.pen_digits.setChecked(False)
    job = form.job(form.training_kind(), tmp_path / "new.keras", None, (), None)
    assert not form.not_a_digit.isEnabled() and job.settings["outputs"] == NUM_CLASSES
    assert (job.pen_copies, job.not_a_digit, job.regional_copies) == (0, 0, 0)
    form.show_sample_count(3, running=False)
    form.include_samples.setChecked(True)
    job = form.job(form.training_kind(), tmp_path / "new.keras", None, (), None)
    assert job.kind == TRAIN_WITH_SAMPLES and form.not_a_digit.isEnabled()
    assert job.settings["outputs"] == len(OUTPUT_NAMES) and job.not_a_digit == 0
    form.not_a_digit.setChecked(False)
    assert form.recipe()["outputs"] == NUM_CLASSES
    form.apply_preset(TUTORIAL)
    assert not form.not_a_digit.isChecked()
