"""The Retrain recipe: every architecture offered, the choices the user made become the job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from digitpad.ml import digits
from digitpad.ml.card import ModelCard
from digitpad.ml.jobs import FINE_TUNE, TRAIN, TRAIN_WITH_SAMPLES
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
