"""``digitpad --self-test``: passes on a working app and says exactly what is wrong otherwise."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QImageReader

from digitpad import selftest
from digitpad.app import Digitpad, build, open_window
from digitpad.ml import selftest_training, training_process
from digitpad.ml.card import ModelCard
from digitpad.ml.ink import Drawing, load_ink
from digitpad.ml.jobs import TRAIN, JobFailed, Outcome, TrainingJob
from digitpad.ml.litert import beside_path
from digitpad.ml.outputs import OUTPUT_NAMES, Sevens
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import ModelError, Prediction, Recognizer
from digitpad.paths import bundled_model_path
from tests.unit.ui.fakes import FakeDialogs

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints")]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


TRAINED = Path("/models/trained.keras")
"""What the stand-in training "makes": the fake loaders load any path."""


def skip_training(drawings: Sequence[Drawing]) -> tuple[Path, str]:
    return TRAINED, "training: not run here"


@pytest.fixture(autouse=True)
def window_process_without_tensorflow(monkeypatch) -> None:
    """Other tests of this run import TensorFlow; the app under test here never does."""
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)


class ReadingModel:
    """Reads a drawing as the label of the nearest bundled sample, or as told in ``misreads``."""

    def __init__(self, samples: Sequence[Drawing], misreads: dict[int, int] | None = None) -> None:
        self.name = "reading.keras"
        self.card = ModelCard()
        self.sevens = Sevens.PLAIN
        self._images = np.stack([ink_to_image(d.strokes) for d in samples])
        self._answers = [int(d.label) for d in samples]
        for index, digit in (misreads or {}).items():
            self._answers[index] = digit

    def predict_image(self, image: np.ndarray | None) -> Prediction:
        if image is None:
            return Prediction.empty()
        nearest = int(np.argmin(((self._images - image) ** 2).sum(axis=(1, 2))))
        probabilities = np.full(10, 0.0001, np.float32)  # no trace of a 1 to doubt a 7 by
        probabilities[self._answers[nearest]] = 0.99
        return Prediction.from_probabilities(probabilities)

    def predict_images(self, images: Sequence[np.ndarray | None]) -> list[Prediction]:
        return [self.predict_image(image) for image in images]

    def summary(self) -> str:
        return "reading model"


@pytest.fixture
def samples() -> list[Drawing]:
    return load_ink(selftest.samples_path())


@pytest.fixture
def start_app(qtbot, tmp_path: Path) -> Iterator[Callable[[Callable[[Path], object]], Digitpad]]:
    """Builds and shows the app as ``launch(self_test=True)`` does, with the given model loader."""
    started: list[Digitpad] = []

    def start(loader: Callable[[Path], object]) -> Digitpad:
        QCoreApplication.setApplicationName("digitpad")
        parts = build(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                      loader)
        parts.window.dialogs = FakeDialogs()
        qtbot.addWidget(parts.window)
        open_window(parts)
        started.append(parts)
        return parts

    yield start
    for parts in started:
        parts.window.close()
        parts.shutdown()


def test_a_working_app_passes_and_shows_what_it_checked(start_app, samples, capsys) -> None:
    app = start_app(lambda path: ReadingModel(samples))
    assert selftest.run(app, training=skip_training) == 0
    out = capsys.readouterr().out.splitlines()
    assert "self-test: window shown on the 'offscreen' platform" in out[0]
    assert out[1] == "self-test: Qt reads png, jpeg, bmp, gif, webp, tiff pictures"
    assert out[2] == "self-test: digitpad reads PNG, JPEG, BMP, GIF, WEBP, TIFF pictures of digits"
    assert out[3].startswith("self-test: model ") and "digitpad-cnn.keras ready" in out[3]
    assert out[3].endswith("on LiteRT")
    sample_lines = [line for line in out if line.startswith("self-test: sample ")]
    assert len(sample_lines) == len(samples) >= 10
    for line, drawing in zip(sample_lines, samples, strict=True):
        assert f"expected {drawing.label}, the window shows {drawing.label} (99%)" in line
    assert "self-test: training: not run here" in out
    switches = [line for line in out if line.startswith("self-test: switch ")]
    assert [line.split(":")[1].split()[-1] for line in switches] == ["1", "2", "3", "4"]
    assert [line.split()[3] for line in switches] == ["trained.keras", "digitpad-cnn.keras"] * 2
    assert out[-3] == "self-test: Retrain and History windows open, with their curves"
    assert out[-2] == "self-test: TensorFlow was never imported in the window's process"
    assert out[-1].startswith("self-test: OK in ")
    assert app.recognition.model().path == bundled_model_path()  # left as it started


def test_a_picture_format_digitpad_cannot_read_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a frozen build that left out a codec it needs would."""
    from PIL import Image

    Image.init()
    monkeypatch.delitem(Image.OPEN, "WEBP")
    with pytest.raises(selftest.SelfTestFailed, match="a WEBP picture cannot be read"):
        selftest.check_picture_reading()


def test_tensorflow_in_the_window_process_fails(start_app, samples, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tensorflow", types.ModuleType("tensorflow"))
    app = start_app(lambda path: ReadingModel(samples))
    assert selftest.run(app, training=skip_training) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("self-test: FAILED: TensorFlow was imported in the window's process")


def test_a_model_switch_that_fails_says_which(start_app, samples, capsys) -> None:
    def load(path: Path) -> ReadingModel:
        if path == TRAINED:
            raise ModelError(f"{path}: cannot load the model (broken on purpose)")
        return ReadingModel(samples)

    app = start_app(load)
    assert selftest.run(app, training=skip_training) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == ("self-test: FAILED: trained.keras did not load: /models/trained.keras: "
                    "cannot load the model (broken on purpose)")


def test_a_misread_drawing_fails_and_says_which(start_app, samples, capsys) -> None:
    app = start_app(lambda path: ReadingModel(samples, misreads={3: 5}))
    assert selftest.run(app, training=skip_training) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.endswith("expected 3, the window shows 5 (99%)  <- WRONG") for line in out)
    assert out[-1].startswith(f"self-test: FAILED: 1 of {len(samples)} sample drawings misread")


def test_a_model_that_does_not_load_fails_with_the_reason(start_app, capsys) -> None:
    def broken(path: Path) -> object:
        raise ModelError(f"{path}: not a Keras model (a .keras file is a zip archive)")

    app = start_app(broken)
    assert selftest.run(app, training=skip_training) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("self-test: FAILED: the bundled model did not load: ")
    assert last.endswith("digitpad-cnn.keras: not a Keras model (a .keras file is a zip archive)")


def test_missing_image_format_plugins_fail(start_app, samples, capsys, monkeypatch) -> None:
    monkeypatch.setattr(QImageReader, "supportedImageFormats", lambda: [b"bmp", b"png"])
    app = start_app(lambda path: ReadingModel(samples))
    assert selftest.run(app, training=skip_training) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("self-test: FAILED: Qt cannot read jpeg, gif, webp, tiff pictures")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read the sample drawings: "),
        ("[]", "holds no drawings"),
        ('[{"strokes": [[[0, 0], [5, 9]]]}]', "drawings [0] have no label to check against"),
    ],
    ids=["missing", "empty", "unlabelled"],
)
def test_unusable_sample_drawings_fail(
    start_app, samples, capsys, tmp_path: Path, content: str | None, reason: str
) -> None:
    path = tmp_path / "self-test.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    app = start_app(lambda model_path: ReadingModel(samples))
    assert selftest.run(app, samples=path, training=skip_training) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("self-test: FAILED: ") and reason in last


def test_autograph_falling_back_to_python_fails_the_training_child(
    samples, tmp_path: Path, monkeypatch
) -> None:
    """What TensorFlow logs when a frozen app lacks digitpad's source."""
    from digitpad.ml import selftest_training, training

    real_train = training.train

    def train_without_source(*args: object, **kwargs: object) -> object:
        logging.getLogger("tensorflow").warning(
            "AutoGraph could not transform <function augment_batch> and will run it as-is.\n"
            "Cause: Unable to locate the source code")
        return real_train(*args, **kwargs)

    monkeypatch.setattr(training, "train", train_without_source)
    job = TrainingJob(TRAIN, output=str(tmp_path / "m.keras"), drawings=tuple(samples))
    with pytest.raises(JobFailed, match=re.escape(
            "AutoGraph could not transform <function augment_batch> and will run it as-is. "
            "digitpad's modules must be installed with their source")):
        selftest_training.train_on_samples(job, lambda message: None, threading.Event())


def test_the_training_check_trains_in_a_child_and_the_model_is_served_by_litert(samples) -> None:
    path, line = selftest.check_training(samples)
    assert line.startswith(f"training: 1 epoch of the CNN on {len(samples) * 8} "
                           "renderings of the samples")
    assert "in a child process (spawn" in line
    assert "AutoGraph converted the training's traced code" in line
    assert path.is_file() and beside_path(path).is_file()
    assert Recognizer.load(path).predict_image(np.zeros((28, 28), np.float32)).digit is not None


@pytest.mark.parametrize(("names", "outputs"), [(None, 10), (list(OUTPUT_NAMES), 12)],
                         ids=["ten", "twelve"])
def test_the_training_check_trains_as_many_outputs_as_the_bundled_model_has(
    samples, tmp_path: Path, monkeypatch, names: list[str] | None, outputs: int
) -> None:
    """A fine-tune of a twelve-output bundled model learns from generated non-digits: their
    letters are a data file the installation must carry."""
    bundled = tmp_path / "bundled.keras"
    ModelCard(architecture="cnn", outputs=names).write(bundled)
    monkeypatch.setattr(selftest, "bundled_model_path", lambda: bundled)
    jobs: list[TrainingJob] = []

    def run_in_child(job: TrainingJob, work: object) -> Outcome:
        jobs.append(job)
        return Outcome(job.output, ModelCard(), 1.0, None, len(samples) * 8)

    monkeypatch.setattr(training_process, "run_in_child", run_in_child)
    _, line = selftest.check_training(samples)
    assert jobs[0].settings["outputs"] == outputs
    assert (f"renderings of the samples and {selftest_training.NOT_DIGITS} drawings that are no "
            "digit in a child process" in line) == (outputs == 12)


def test_a_twelve_output_training_child_learns_non_digits_and_serves_them(
    samples, tmp_path: Path
) -> None:
    path = tmp_path / "twelve.keras"
    job = TrainingJob(TRAIN, output=str(path), settings={"outputs": len(OUTPUT_NAMES)},
                      drawings=tuple(samples))
    outcome = selftest_training.train_on_samples(job, lambda message: None, threading.Event())
    assert outcome.card.outputs == list(OUTPUT_NAMES)
    assert outcome.card.data == (f"{len(samples) * 8} renderings of the self-test samples and "
                                 f"{selftest_training.NOT_DIGITS} generated drawings that are no "
                                 "digit")
    assert outcome.test_images == len(samples) * 8
    assert Recognizer.load(path).knows_non_digits


def test_the_samples_are_real_labelled_pen_drawings_of_every_digit(samples) -> None:
    assert sorted(d.label for d in samples) == list(range(10))
    assert all(d.extra["writer"].startswith("tra_w") for d in samples)
    assert all(len(d.strokes) >= 1 and sum(map(len, d.strokes)) >= 8 for d in samples)


def test_the_command_ignores_a_keras_config_naming_another_backend(tmp_path: Path) -> None:
    """``~/.keras/keras.json`` may name JAX or PyTorch; digitpad pins TensorFlow at start-up."""
    keras_home = Path(os.environ["KERAS_HOME"])
    keras_home.mkdir(parents=True, exist_ok=True)
    (keras_home / "keras.json").write_text(json.dumps({"backend": "jax"}), encoding="utf-8")
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    environment.pop("KERAS_BACKEND", None)
    result = subprocess.run([sys.executable, "-m", "digitpad", "--self-test"], cwd=tmp_path,
                            env=environment, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "AutoGraph converted the training's traced code" in result.stdout
    assert "TensorFlow was never imported in the window's process" in result.stdout
    assert "self-test: OK" in result.stdout
