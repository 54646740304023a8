"""``digitpad --self-test``: proves that an installation works the way a user runs it.

It runs inside the real app (``launch(self_test=True)`` builds and shows the window as usual):
the bundled model loads on the recogniser thread, real drawings bundled in
``assets/samples/self-test.json`` go through the drawing pad and the window's answers are checked,
Qt's image readers are there, one short training run proves that Keras, tf.data and AutoGraph
work (a frozen bundle that lacks digitpad's source breaks AutoGraph; see packaging/digitpad.spec),
and a child process is started the way Retrain starts its training.
Each check prints one line; the first failed check prints the reason and the exit code is 1.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from multiprocessing.queues import Queue
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtGui import QGuiApplication, QImageReader

from digitpad.ml.ink import Drawing, InkError, load_ink
from digitpad.ml.recognizer import Prediction
from digitpad.paths import assets_dir, bundled_model_path

if TYPE_CHECKING:
    from digitpad.app import Digitpad

TIMEOUT_MS = 120_000
"""Loading TensorFlow and the model takes seconds; a minute or two means something is broken."""
IMAGE_FORMATS = ("png", "jpeg", "bmp")
"""What "Open picture" offers; Qt reads JPEG through a plugin the bundle must carry."""
TRAINING_EPOCHS = 1
TRAINING_BATCH = 32
CHILD_TIMEOUT_S = 60

TrainingCheck = Callable[[Sequence[Drawing]], str]


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
    with _autograph_warnings() as autograph:
        yield check_window(parts)
        yield check_image_formats()
        yield check_model(parts)
        drawings = load_samples(samples)
        yield from check_samples(parts, drawings)
        yield _in_background(lambda: training(drawings), "training")
        yield check_autograph(autograph)
        yield _in_background(check_child_process, "child-process")


def check_window(parts: Digitpad) -> str:
    window = parts.window
    if not window.isVisible():
        raise SelfTestFailed("the main window is not shown")
    if window.grab().isNull():
        raise SelfTestFailed("the main window cannot be painted")
    platform = QGuiApplication.platformName()
    return f"window shown on the {platform!r} platform, {window.width()}x{window.height()}"


def check_image_formats() -> str:
    readable = {bytes(name).decode() for name in QImageReader.supportedImageFormats()}
    missing = [name for name in IMAGE_FORMATS if name not in readable]
    if missing:
        raise SelfTestFailed(
            f"Qt cannot read {', '.join(missing)} pictures: the image format plugins are missing "
            f"from the installation (Qt reads {', '.join(sorted(readable))})"
        )
    return f"Qt reads {', '.join(IMAGE_FORMATS)} pictures"


def check_model(parts: Digitpad) -> str:
    """The bundled model, loaded by the recogniser thread as at every start; Keras on TensorFlow."""
    recognition = parts.recognition
    started = time.perf_counter()
    if recognition.model() is None:
        outcome = _wait([recognition.model_ready, recognition.model_failed], TIMEOUT_MS)
        if outcome is None:
            raise SelfTestFailed(f"the model did not load within {TIMEOUT_MS // 1000} s")
        if recognition.model() is None:
            raise SelfTestFailed(f"the bundled model did not load: {outcome[1]}")
    model = recognition.model()
    assert model is not None  # loaded before, or just now
    if model.path != bundled_model_path():
        raise SelfTestFailed(f"the app started with {model.path}; the self-test checks the "
                             f"bundled model, {bundled_model_path()}")
    import keras  # already imported by the recogniser thread

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise SelfTestFailed(
            f"Keras runs on {backend!r}; digitpad needs 'tensorflow' (KERAS_BACKEND is pinned in "
            "digitpad/__main__.py before Keras is imported)"
        )
    waited = time.perf_counter() - started
    return (f"model {model.path} ready (waited {waited:.1f} s for it), "
            f"Keras {keras.__version__} on TensorFlow")


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
            if not _wait_until(recognition.is_up_to_date, TIMEOUT_MS) or not latest:
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


def check_training(drawings: Sequence[Drawing]) -> str:
    """A short run of the app's training code on renderings of the samples, saved and reloaded.

    It goes through everything "Retrain" needs: Keras' fit, the tf.data pipeline and its
    augmentation, which AutoGraph converts from digitpad's source (see :func:`check_autograph`),
    and writing a model file with its card. The file goes to a temporary folder.
    """
    from digitpad.ml.datasets import Mnist
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.personal import render_samples
    from digitpad.ml.recognizer import Recognizer
    from digitpad.ml.training import TrainingConfig, train

    images, labels = render_samples(drawings)
    pixels = (images * 255.0).round().astype("uint8")
    data = Mnist(pixels, labels, pixels, labels, source="the self-test samples")
    config = TrainingConfig(arch="cnn", epochs=TRAINING_EPOCHS, batch_size=TRAINING_BATCH,
                            augment=True)
    started = time.perf_counter()
    try:
        result = train(config, data)
        with tempfile.TemporaryDirectory(prefix="digitpad-self-test-") as folder:
            path = Path(folder) / "self-test.keras"
            save_model(result.model, path, result.card())
            Recognizer.load(path).predict_images(images[:1])
    except Exception as exc:  # whatever breaks, the report must say what
        raise SelfTestFailed(f"training failed: {type(exc).__name__}: {exc}") from exc
    return (f"training: {result.config.epochs} epoch of the CNN on {result.train_examples} "
            f"renderings of the samples, saved and loaded again, in "
            f"{time.perf_counter() - started:.1f} s")


def check_child_process() -> str:
    """Retrain trains in a child process started with "spawn". In a frozen app that child is
    this executable started again, which must do the child's work and exit instead of opening a
    second window (``multiprocessing.freeze_support`` in ``digitpad/__main__.py``)."""
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    child = context.Process(target=_answer, args=(answers,), name="digitpad-self-test",
                            daemon=True)
    started = time.perf_counter()
    child.start()
    try:
        answer = answers.get(timeout=CHILD_TIMEOUT_S)
    except queue.Empty:
        raise SelfTestFailed(
            f"a child process (spawn, as Retrain starts one) did not answer within "
            f"{CHILD_TIMEOUT_S} s; its exit code: {child.exitcode}") from None
    finally:
        child.join(CHILD_TIMEOUT_S)
        if child.is_alive():
            child.kill()
    if answer != child.pid:
        raise SelfTestFailed(f"a child process answered {answer!r} instead of its process id")
    return (f"a child process (spawn, as Retrain starts one) answered in "
            f"{time.perf_counter() - started:.1f} s")


def _answer(answers: Queue) -> None:
    """The child's work: say who it is."""
    answers.put(os.getpid())


class AutoGraphWarnings(logging.Handler):
    """Collects TensorFlow's "AutoGraph could not transform ..." warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "AutoGraph" in message:
            self.messages.append(message.splitlines()[0])


def check_autograph(autograph: AutoGraphWarnings) -> str:
    """AutoGraph needs the source of the functions it converts; without it, it only warns and
    runs them as plain Python, which breaks any Python ``if`` on a tensor. Here that is a failure.
    """
    if autograph.messages:
        raise SelfTestFailed(
            f"{autograph.messages[0]} digitpad's modules must be installed with their source "
            "(a frozen build: module_collection_mode in packaging/digitpad.spec)"
        )
    return "AutoGraph converted the recogniser's and the training's traced code"


@contextmanager
def _autograph_warnings() -> Iterator[AutoGraphWarnings]:
    handler = AutoGraphWarnings()
    tensorflow_log = logging.getLogger("tensorflow")
    tensorflow_log.addHandler(handler)
    try:
        yield handler
    finally:
        tensorflow_log.removeHandler(handler)


def _in_background(work: Callable[[], str], what: str) -> str:
    """Run ``work`` off the GUI thread while the window keeps handling events.

    A daemon thread, so that a check stuck past the timeout cannot keep the process alive.
    """
    future: Future[str] = Future()

    def target() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed over to the GUI thread, raised there
            future.set_exception(exc)

    threading.Thread(target=target, name=f"self-test-{what}", daemon=True).start()
    if not _wait_until(future.done, TIMEOUT_MS):
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


def _wait_until(condition: Callable[[], bool], timeout_ms: int) -> bool:
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
