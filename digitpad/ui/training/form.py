"""The Retrain dialog's recipe: the preset it starts from (:mod:`digitpad.ml.presets`), the
training settings the preset fills in and the user may change, where MNIST comes from, whether
the pen-drawn digits and the user's samples join in, and the job all that makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.datasets import SHIPPED_SOURCE, keras_mnist_cached
from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.ink import Drawing
from digitpad.ml.jobs import FINE_TUNE, TRAIN, TRAIN_WITH_SAMPLES, TrainingJob
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.presets import BEST, DEFAULT, PRESETS, Preset, preset
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.support.settings import read_path

MNIST_PATH_KEY = "training/mnist_path"
"""The mnist.npz the user chose; without one, Keras' copy if it has one, else digitpad's own."""
MNIST_FILTER = "MNIST (*.npz);;All files (*)"

ARCHITECTURES = (
    ("cnn", "CNN", "The bundled model's design: two convolution blocks, the most accurate"),
    ("mlp", "MLP (the tutorial's)", "Flatten, Dense(128), Dense(10): trains in seconds"),
)
"""(name in ``digitpad.ml.digits.ARCHITECTURES``, label, tooltip) for every architecture."""
# The dialog opens on the default preset, the recipe tests/benchmarks/test_training_target.py
# measures (why its numbers: digitpad/ml/presets.py).
MAX_EPOCHS = 200
"""The tutorial's longest run, where over-fitting is plain to see."""
MAX_TRAIN_IMAGES = 60_000


class PresetChoice(QWidget):
    """The row at the top of the dialog: which preset to start from, and what it teaches."""

    chosen = Signal(object)
    """A :class:`~digitpad.ml.presets.Preset` the user picked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for item in PRESETS:
            self.combo.addItem(item.title, item.name)
        self.combo.setCurrentIndex(self.combo.findData(DEFAULT.name))
        self.summary = QLabel(DEFAULT.summary, wordWrap=True)
        self.summary.setProperty("role", "note")
        label = QLabel("&Start from")
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addWidget(self.summary, 1)
        self.combo.activated.connect(self._on_activated)

    def current(self) -> Preset:
        return preset(self.combo.currentData())

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        chosen = self.current()
        self.summary.setText(chosen.summary)
        self.chosen.emit(chosen)


class RecipeForm(QGroupBox):
    """The "Settings" box. Choosing a dataset file is the dialog's (it owns the file dialogs):
    it connects ``choose_data_button`` and calls :meth:`set_data_path`."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("Settings", parent)
        self._settings = settings
        self._preset = DEFAULT
        self.arch = QComboBox()
        for index, (value, text, tip) in enumerate(ARCHITECTURES):
            self.arch.addItem(text, value)
            self.arch.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.subclass = QCheckBox("Model subclass")
        self.subclass.setToolTip(
            "Build the MLP as a keras.Model subclass (layers made in __init__, wired in call), "
            "then train it again as a Sequential model: the parameters and the results come "
            "out the same")
        self.epochs = QSpinBox(minimum=1, maximum=MAX_EPOCHS)
        self.epochs.setToolTip("Passes over the training images. Train long enough and the "
                               "validation curves turn: the model starts to over-fit.")
        self.train_images = QSpinBox(minimum=0, maximum=MAX_TRAIN_IMAGES, singleStep=500,
                                     specialValueText="All")
        self.train_images.setToolTip("How many MNIST images to learn from. Few images and many "
                                     "epochs show over-fitting best.")
        self.batch_size = QSpinBox(minimum=1, maximum=4096)
        self.batch_size.setToolTip("Images per weight update")
        self.learning_rate = QDoubleSpinBox(decimals=5, minimum=0.00001, maximum=0.5)
        self.learning_rate.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.learning_rate.setToolTip("Adam's step size")
        self.seed = QSpinBox(minimum=0, maximum=2_147_483_647, value=0)
        self.seed.setToolTip("The same seed and settings train the same model again")
        self.augment = QCheckBox("Vary the images (rotation, zoom, shift, pen width)")
        self.augment.setToolTip("Vary every MNIST image anew each epoch, as the bundled model "
                                "was trained over 36 epochs. In a run of a few epochs it is a "
                                "third slower and reads both test sets a little worse; the "
                                "pen-drawn digits are always varied.")
        self.pen_digits = QCheckBox("Mix in pen-drawn digits")
        self.pen_digits.setToolTip(
            "Also learn from the 4,996 pen-drawn digits of 20 writers that ship with digitpad. "
            "The other 10 writers' 2,498 are kept out, to test how the model reads drawings.")
        self.not_a_digit = QCheckBox("Teach “not a digit” and the crossed 7")
        self.not_a_digit.setToolTip(
            "Also learn from generated drawings that are no digit (letters, scribbles, shapes, "
            "two digits together), and from the pen writers' 1s with long flags and 7s with a "
            "bar, so the new model can say “not a digit” and follow how you write 1 and 7, as "
            "the bundled model does. Without them it has only the ten digits.")
        self.early_stopping = QCheckBox("Stop early when validation loss stalls")
        self.early_stopping.setToolTip("Stop after 3 epochs without a lower validation loss and "
                                       "keep the weights of the best epoch")
        self.include_samples = QCheckBox("Include my samples")
        self.include_samples.setToolTip(
            "Learn from your labelled drawings too. Some of them are held out to measure how "
            "well the new model reads your handwriting.")

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Model", self.arch)
        form.addRow("", self.subclass)
        form.addRow("Epochs", self.epochs)
        form.addRow("Training images", self.train_images)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Seed", self.seed)
        form.addRow(self.augment)
        form.addRow(self.pen_digits)
        form.addRow(self.not_a_digit)
        form.addRow(self.early_stopping)
        form.addRow(self.include_samples)
        self.arch.currentIndexChanged.connect(self._follow_choices)
        self.include_samples.toggled.connect(self._follow_choices)
        self.pen_digits.toggled.connect(self._follow_choices)
        self.apply_preset(DEFAULT)

        self.data_label = QLabel(wordWrap=True)
        self.data_label.setProperty("role", "note")
        self.data_label.setMinimumHeight(2 * self.data_label.fontMetrics().lineSpacing())
        self.choose_data_button = QPushButton("Choose mnist.npz…")
        data_row = QVBoxLayout()
        data_row.addWidget(self.data_label)
        data_row.addWidget(self.choose_data_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Data", data_row)
        self.refresh_data_source()

    # -- the preset ------------------------------------------------------------------------------

    @Slot(object)
    def apply_preset(self, chosen: Preset) -> None:
        """Put every setting of ``chosen`` in the form (the seed stays the user's)."""
        self._preset = chosen
        settings = chosen.settings
        self.arch.setCurrentIndex(self.arch.findData(settings["arch"]))
        self.subclass.setChecked(settings["subclass"])
        self.epochs.setValue(settings["epochs"])
        self.train_images.setValue(settings["train_limit"] or 0)
        self.batch_size.setValue(settings["batch_size"])
        self.learning_rate.setValue(settings["learning_rate"])
        self.augment.setChecked(settings["augment"])
        self.pen_digits.setChecked(chosen.pen_copies > 0)
        self.not_a_digit.setChecked(chosen.twelve_outputs)
        self.early_stopping.setChecked(settings["early_stopping"])
        self._follow_choices()

    @Slot()
    def _follow_choices(self) -> None:
        """Offer what the other choices allow: a subclass of the MLP only, neither it nor the
        pen-drawn digits with the user's samples (that training takes neither yet), and "not a
        digit" with the pen-drawn digits (their writers teach the crossed 7) or the samples."""
        samples = self.include_samples.isChecked()
        self.subclass.setEnabled(self.arch.currentData() == "mlp" and not samples)
        self.pen_digits.setEnabled(not samples)
        self.not_a_digit.setEnabled(samples or self.pen_copies() > 0)

    # -- the data -------------------------------------------------------------------------------

    def data_path(self) -> str | None:
        path = read_path(self._settings, MNIST_PATH_KEY)  # training explains a file that is gone
        return str(path) if path is not None else None

    def set_data_path(self, path: Path) -> None:
        """Train on this mnist.npz from now on (remembered across sessions)."""
        self._settings.setValue(MNIST_PATH_KEY, str(path))
        self.refresh_data_source()

    def refresh_data_source(self) -> None:
        """Say where MNIST will come from (Keras' cache may have filled since)."""
        path = self.data_path()
        if path is not None:
            text = f"{Path(path).name} in {Path(path).parent}"
        elif keras_mnist_cached():
            text = "MNIST from Keras' cache"
        else:
            text = f"MNIST, {SHIPPED_SOURCE}"
        self.data_label.setText(text)
        self.data_label.setToolTip(path or "")

    # -- the user's samples ----------------------------------------------------------------------

    def show_sample_count(self, count: int | None, running: bool) -> None:
        """Offer the samples once there are some; ``count`` is None while they are counted."""
        if count is None:
            self.include_samples.setText("Include my samples (counting…)")
        else:
            self.include_samples.setText(f"Include my samples ({count})" if count
                                         else "Include my samples (none yet)")
        self.include_samples.setEnabled(bool(count) and not running)
        if count == 0:
            self.include_samples.setChecked(False)

    def wants_samples(self) -> bool:
        return self.include_samples.isChecked() and self.include_samples.isEnabled()

    # -- the job -------------------------------------------------------------------------------

    def recipe(self) -> dict[str, Any]:
        """The ``TrainingConfig`` fields the user chose (the share of validation images is the
        preset's; the form does not show it)."""
        return {
            "arch": self.arch.currentData(),
            "epochs": self.epochs.value(),
            "batch_size": self.batch_size.value(),
            "learning_rate": self.learning_rate.value(),
            "seed": self.seed.value(),
            "validation_fraction": self._preset.settings["validation_fraction"],
            "early_stopping": self.early_stopping.isChecked(),
            "augment": self.augment.isChecked(),
            "train_limit": self.train_images.value() or None,
            "subclass": self.subclass.isChecked() and self.subclass.isEnabled(),
            "outputs": len(OUTPUT_NAMES) if self.twelve_outputs() else NUM_CLASSES,
        }

    def pen_copies(self) -> int:
        """Variants per pen-drawn digit for the job (0: none); the preset's number, or the
        default preset's when the user switched them on."""
        if not (self.pen_digits.isChecked() and self.pen_digits.isEnabled()):
            return 0
        return self._preset.pen_copies or BEST.pen_copies

    def twelve_outputs(self) -> bool:
        """A model that can say "not a digit" and tell a crossed 7, as the bundled one."""
        return self.not_a_digit.isChecked() and self.not_a_digit.isEnabled()

    def not_a_digit_count(self) -> int:
        """Generated non-digits to learn with the pen-drawn digits (0: none); the preset's
        number, or the default preset's when the user switched them on."""
        if not (self.twelve_outputs() and self.pen_copies()):
            return 0
        return self._preset.not_a_digit or BEST.not_a_digit

    def training_kind(self) -> str:
        """A new model: from MNIST alone, or with the user's samples if they are included."""
        return TRAIN_WITH_SAMPLES if self.wants_samples() else TRAIN

    def job(self, kind: str, output: Path, current: ModelInfo | None,
            drawings: tuple[Drawing, ...], log_path: Path | None) -> TrainingJob:
        """The job of ``kind`` (a fine-tune takes no recipe) with this form's data."""
        return TrainingJob(
            kind=kind,
            output=str(output),
            settings={} if kind == FINE_TUNE else self.recipe(),
            pen_copies=self.pen_copies() if kind == TRAIN else 0,
            not_a_digit=self.not_a_digit_count() if kind == TRAIN else 0,
            regional_copies=(self._preset.regional_copies or BEST.regional_copies)
            if kind == TRAIN and self.not_a_digit_count() else 0,
            data_path=self.data_path(),
            current_model=str(current.path) if current is not None else None,
            current_accuracy=current.card.mnist_test_accuracy if current else None,
            drawings=drawings,
            log_path=str(log_path) if log_path is not None else None,
        )
