"""``digitpad --self-test``: proves that an installation works the way a user runs it.

It runs inside the real app (``launch(self_test=True)`` builds and shows the window as usual):
the bundled model loads on the recogniser thread and is served by LiteRT (TensorFlow never loads
in the window's process), real drawings bundled in ``assets/samples/self-test.json`` go through
the drawing pad and the window's answers are checked, Qt's image readers are there, one short
training run in a child process, started the way Retrain starts one, proves that Keras, tf.data,
AutoGraph and the LiteRT conversion work (a frozen bundle that lacks digitpad's source breaks
AutoGraph; see packaging/digitpad.spec), and the window switches between the trained and the
bundled model, reading a drawing with each.
Each check prints one line; the first failed check prints the reason and the exit code is 1.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtGui import QGuiApplication, QImageReader

from digitpad.ml.card import ModelCard
from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.ink import Drawing, InkError, load_ink
from digitpad.ml.outputs import OUTPUT_NAMES, output_names
from digitpad.ml.preprocess import IMAGE_FORMATS
from digitpad.ml.recognizer import Prediction
from digitpad.paths import assets_dir, bundled_model_path

if TYPE_CHECKING:
    from digitpad.app import Digitpad
    from digitpad.ui.pad.workers import ModelInfo

TIMEOUT_MS = 120_000
"""A model loads in well under a second and training one epoch takes seconds; a minute or two
means something is broken."""
QT_IMAGE_FORMATS = tuple(name.lower() for name in IMAGE_FORMATS)
"""What Open Image offers, as Qt names them; Qt reads all but PNG and BMP through plugins the
bundle must carry."""
SWITCHES = 2
"""Pairs of model switches (trained, bundled) after training."""

TrainingCheck = Callable[[Sequence[Drawing]], tuple[Path, str]]
"""Trains a model from the sample drawings: its path and what to report."""
T = TypeVar("T")


class SelfTestFailed(Exception):
    """A check failed; the message says what is wrong and, where it helps, what to do."""


def samples_path() -> Path:
    return assets_dir() / "samples" / "self-test.json"


def run(parts: Digitpad, samples: Path | None = None, training: TrainingCheck | None = None) -> int:
    """Run every check against the shown app; 0 if all passed, else 1 (the reason is printed)."""
    started = time.perf_counter()
    try:
        for line in checks(parts, samples or samples_path(), training or check_training):
            print(f"self-test: {line}", flush=True)
    except SelfTestFailed as exc:
        print(f"self-test: FAILED: {exc}", flush=True)
        return 1
    print(f"self-test: OK in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


def checks(parts: Digitpad, samples: Path, training: TrainingCheck) -> Iterator[str]:
    """The checks in order, each yielding what it found."""
    yield check_window(parts)
    yield check_image_formats()
    yield check_picture_reading()
    yield check_model(parts)
    drawings = load_samples(samples)
    yield from check_samples(parts, drawings)
    trained, line = _in_background(lambda: training(drawings), "training")
    yield line
    yield from check_model_switches(parts, trained, drawings[0])
    yield check_model_windows(parts)
    yield check_no_tensorflow()


def check_window(parts: Digitpad) -> str:
    window = parts.window
    if not window.isVisible():
        raise SelfTestFailed("the main window is not shown")
    if window.grab().isNull():
        raise SelfTestFailed("the main window cannot be painted")
    platform = QGuiApplication.platformName()
    return f"window shown on the {platform!r} platform, {window.width()}x{window.height()}"


def check_model_windows(parts: Digitpad) -> str:
    """Retrain and History open and paint: their curves need pyqtgraph and Qt's OpenGL module,
    which a frozen build could leave out."""
    for name, dialog in (("Retrain", parts.training), ("History", parts.history)):
        if dialog.grab().isNull():
            raise SelfTestFailed(f"the {name} window cannot be painted")
    return "Retrain and History windows open, with their curves"


def check_image_formats() -> str:
    readable = {bytes(name).decode() for name in QImageReader.supportedImageFormats()}
    missing = [name for name in QT_IMAGE_FORMATS if name not in readable]
    if missing:
        raise SelfTestFailed(
            f"Qt cannot read {', '.join(missing)} pictures: the image format plugins are missing "
            f"from the installation (Qt reads {', '.join(sorted(readable))})"
        )
    return f"Qt reads {', '.join(QT_IMAGE_FORMATS)} pictures"


def check_picture_reading() -> str:
    """digitpad's own reader (Pillow: ``classify``, ``read``, Open Image's digits) opens a
    picture of each format it offers; a frozen build leaves out Pillow's other codecs."""
    from PIL import Image

    from digitpad.ml.preprocess import ImageLoadError, load_image

    picture = Image.new("L", (64, 64), 255)
    picture.paste(0, (28, 8, 36, 56))  # a 1, dark on paper
    with tempfile.TemporaryDirectory(prefix="digitpad-self-test-") as folder:
        for name in IMAGE_FORMATS:
            path = Path(folder) / f"one.{name.lower()}"
            try:
                picture.save(path, name)
                image = load_image(path)
            except (OSError, ImageLoadError) as exc:
                raise SelfTestFailed(f"a {name} picture cannot be read: {exc}") from exc
            if image is None or image.max() <= 0.5:
                raise SelfTestFailed(f"a {name} picture of a digit reads as blank")
    return f"digitpad reads {', '.join(IMAGE_FORMATS)} pictures of digits"


def check_model(parts: Digitpad) -> str:
    """The bundled model, loaded by the recogniser thread as at every start, on LiteRT."""
    started = time.perf_counter()
    model = _wait_for_model(parts, "the bundled model")
    if model.path != bundled_model_path():
        raise SelfTestFailed(f"the app started with {model.path}; the self-test checks the "
                             f"bundled model, {bundled_model_path()}")
    waited = time.perf_counter() - started
    return f"model {model.path} ready (waited {waited:.1f} s for it), on LiteRT"


def _wait_for_model(parts: Digitpad, what: str) -> ModelInfo:
    recognition = parts.recognition
    if recognition.is_loading() or recognition.model() is None:
        outcome = _wait([recognition.model_ready, recognition.model_failed], TIMEOUT_MS)
        if outcome is None:
            raise SelfTestFailed(f"{what} did not load within {TIMEOUT_MS // 1000} s")
        if len(outcome) > 1:  # model_failed: (path, message, has_model)
            raise SelfTestFailed(f"{what} did not load: {outcome[1]}")
    model = recognition.model()
    assert model is not None  # loaded before, or just now
    return model


def load_samples(path: Path) -> list[Drawing]:
    try:
        drawings = load_ink(path)
    except (InkError, OSError) as exc:
        raise SelfTestFailed(f"cannot read the sample drawings: {exc}") from exc
    if not drawings:
        raise SelfTestFailed(f"{path} holds no drawings")
    unlabelled = [i for i, drawing in enumerate(drawings) if drawing.label is None]
    if unlabelled:
        raise SelfTestFailed(f"{path}: drawings {unlabelled} have no label to check against")
    return drawings


def check_samples(parts: Digitpad, drawings: Sequence[Drawing]) -> Iterator[str]:
    """Each drawing goes onto the pad; the answer the window shows must be its label."""
    recognition = parts.recognition
    latest: list[Prediction] = []
    recognition.prediction_changed.connect(latest.append)
    wrong: list[str] = []
    try:
        for index, drawing in enumerate(drawings):
            latest.clear()
            parts.window.canvas.set_strokes(drawing.strokes)
            if not wait_until(recognition.is_up_to_date, TIMEOUT_MS) or not latest:
                raise SelfTestFailed(f"no answer for sample {index} within {TIMEOUT_MS // 1000} s")
            prediction = latest[-1]
            shown = parts.window.panel.headline.text()
            right = prediction.digit == drawing.label and shown.rstrip("?") == str(drawing.label)
            writer = drawing.extra.get("writer", "unknown writer")
            line = (f"sample {index} ({writer}): expected {drawing.label}, the window shows "
                    f"{shown} ({prediction.confidence:.0%})")
            if not right:
                wrong.append(line)
            yield line if right else f"{line}  <- WRONG"
    finally:
        recognition.prediction_changed.disconnect(latest.append)
    if wrong:
        raise SelfTestFailed(f"{len(wrong)} of {len(drawings)} sample drawings misread: "
                             + "; ".join(wrong))


def check_training(drawings: Sequence[Drawing]) -> tuple[Path, str]:
    """A short training run on renderings of the samples, in a spawned child as Retrain's, of a
    model with as many outputs as the bundled one (twelve learn from non-digits too, as a
    fine-tune of the bundled model does).

    In a frozen app that child is this executable started again, which must do the child's work
    and exit instead of opening a second window (``multiprocessing.freeze_support`` in
    ``digitpad/__main__.py``). The model goes to a temporary folder of its own.
    """
    from digitpad.ml.jobs import TRAIN, JobCancelled, JobFailed, TrainingJob
    from digitpad.ml.selftest_training import BATCH_SIZE, EPOCHS, NOT_DIGITS, train_on_samples
    from digitpad.ml.training_process import run_in_child

    folder = Path(tempfile.mkdtemp(prefix="digitpad-self-test-model-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "self-test.keras"
    outputs = _bundled_outputs()
    job = TrainingJob(TRAIN, output=str(path), settings={"epochs": EPOCHS,
                      "batch_size": BATCH_SIZE, "outputs": outputs}, drawings=tuple(drawings),
                      priority=0, log_path=str(folder / "training.log"))
    started = time.perf_counter()
    try:
        outcome = run_in_child(job, work=train_on_samples)
    except (JobFailed, JobCancelled) as exc:
        log_text = (folder / "training.log").read_text(errors="replace")[-2000:]
        raise SelfTestFailed(f"training in a child process failed: {exc}\n{log_text}") from exc
    not_digits = f" and {NOT_DIGITS} drawings that are no digit" if outputs > NUM_CLASSES else ""
    return Path(outcome.path), (
        f"training: {EPOCHS} epoch of the CNN on {outcome.test_images} renderings of the samples"
        f"{not_digits} in a child process (spawn, as Retrain starts one), saved with its LiteRT "
        f"form and read back; AutoGraph converted the training's traced code; "
        f"{time.perf_counter() - started:.1f} s")


def _bundled_outputs() -> int:
    """The bundled model's outputs: twelve when its card names them, else the ten digits."""
    named = output_names(len(OUTPUT_NAMES), ModelCard.read(bundled_model_path()).outputs)
    return len(OUTPUT_NAMES) if named else NUM_CLASSES


def check_model_switches(parts: Digitpad, trained: Path, drawing: Drawing) -> Iterator[str]:
    """Use the trained model, the bundled one, the trained one again, and the bundled one: each
    must load and answer a drawing (the crash users met came on the second switch)."""
    for number, path in enumerate((trained, bundled_model_path()) * SWITCHES, start=1):
        started = time.perf_counter()
        parts.models.use(str(path))
        model = _wait_for_model(parts, path.name)
        if model.path != path:
            raise SelfTestFailed(f"switch {number}: the window uses {model.path}, not {path}")
        parts.window.canvas.set_strokes(())
        parts.window.canvas.set_strokes(drawing.strokes)
        if not wait_until(parts.recognition.is_up_to_date, TIMEOUT_MS):
            raise SelfTestFailed(f"switch {number}: no answer from {path.name}")
        yield (f"switch {number}: {path.name} in use after {time.perf_counter() - started:.2f} s, "
               f"the window shows {parts.window.panel.headline.text()}")


def check_no_tensorflow() -> str:
    """The window's process serves every prediction on LiteRT; TensorFlow is the children's."""
    if "tensorflow" in sys.modules:
        raise SelfTestFailed("TensorFlow was imported in the window's process; only training "
                             "and conversion child processes may import it")
    return "TensorFlow was never imported in the window's process"


def _in_background(work: Callable[[], T], what: str) -> T:
    """Run ``work`` off the GUI thread while the window keeps handling events.

    A daemon thread, so that a check stuck past the timeout cannot keep the process alive.
    """
    future: Future[T] = Future()

    def target() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed over to the GUI thread, raised there
            future.set_exception(exc)

    # Not Background: the self-test's own waiting, not a widget's work; and it must be a daemon.
    threading.Thread(target=target, name=f"self-test-{what}", daemon=True).start()
    if not wait_until(future.done, TIMEOUT_MS):
        raise SelfTestFailed(f"{what} did not finish within {TIMEOUT_MS // 1000} s")
    return future.result()


def _wait(signals: list[SignalInstance], timeout_ms: int) -> tuple | None:
    """Run the event loop until one of ``signals`` fires; its arguments, or None on timeout."""
    loop = QEventLoop()
    received: list[tuple] = []

    def fire(*args: object) -> None:
        received.append(args)
        loop.quit()

    for source in signals:
        source.connect(fire)
    deadline = QTimer(singleShot=True, interval=timeout_ms)
    deadline.timeout.connect(loop.quit)
    deadline.start()
    loop.exec()
    deadline.stop()
    for source in signals:
        source.disconnect(fire)
    return received[0] if received else None


def wait_until(condition: Callable[[], bool], timeout_ms: int) -> bool:
    """Run the event loop until ``condition()`` holds; whether it did before the timeout."""
    if condition():
        return True
    loop = QEventLoop()
    check = QTimer(interval=10)
    check.timeout.connect(lambda: condition() and loop.quit())
    deadline = QTimer(singleShot=True, interval=timeout_ms)
    deadline.timeout.connect(loop.quit)
    check.start()
    deadline.start()
    loop.exec()
    check.stop()
    deadline.stop()
    return condition()
