"""The training child process: one job in, progress messages out, the new model saved to disk.

Why a child process rather than a thread in the app: Keras' fit loop runs Python on every batch,
and a thread would share the GUI's interpreter lock with it; in the app, training ops would share
TensorFlow's thread pools (sized once, when the recogniser started it) with the pen's predictions
and queue them; a process can lower its own priority, so the user's drawing always comes first
(:data:`BACKGROUND_PRIORITY`); and a crash or an out-of-memory kill inside TensorFlow takes down
the training, not the window. The price is a
second TensorFlow import (a few seconds) per run, and that every input and output crosses the
process boundary: the job and the messages are small picklable dataclasses, MNIST is read from
disk by the child, and the model goes through a file.

The child is started with the "spawn" method (a fresh interpreter, never a fork of a process that
runs Qt and TensorFlow threads) and imports no Qt. It reads MNIST before it imports TensorFlow, so
a wrong dataset file is reported in a fraction of a second. Its model is written atomically
(:func:`digitpad.ml.modelstore.save_model`) to the path the job names, so the parent may kill it
at any moment and find either no model there or a whole one.

No Qt here: the app reads the messages in :mod:`digitpad.ui.training.runner`.
"""

from __future__ import annotations

import os
import queue
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import DatasetError, Mnist, keras_mnist_cached, load_mnist
from digitpad.ml.ink import Drawing, SampleError
from digitpad.ml.recognizer import ModelError

if TYPE_CHECKING:
    from digitpad.ml.training import ProgressReporter

TRAIN = "train"
"""A new model from MNIST (``training.train``)."""
TRAIN_WITH_SAMPLES = "train_with_samples"
"""A new model from MNIST and the user's samples (``personal.train_with_samples``)."""
FINE_TUNE = "fine_tune"
"""The current model adapted to the user's samples (``personal.fine_tune``)."""
CONVERT = "convert"
"""The LiteRT form of a ``.keras`` file the user opened (``conversion.convert_file``): the job's
``current_model`` is the file, ``output`` the cache folder."""
KINDS = (TRAIN, TRAIN_WITH_SAMPLES, FINE_TUNE, CONVERT)

BACKGROUND_PRIORITY = 10
"""``nice`` increment of the child: the scheduler gives the app (and anything else the user runs)
the CPU whenever it wants it, and training gets what is left. That is how training leaves the user
a core. Pinning it to one of two cores instead would cost the same ~80 CPU-seconds per CNN epoch
in 1.6 times the wall time and miss the two-minute target, while a niced process on both cores
makes way for the pen at once (``tests/benchmarks/test_training_responsiveness.py``)."""
BATCH_REPORT_SECONDS = 0.1
"""At most ten batch messages a second (the MLP runs a thousand batches a second); the last batch
of an epoch is always reported."""

# What a failure was about, so the app can say what to do.
DATA_PROBLEM = "data"
"""The MNIST file is missing, unreadable or the wrong shape, or the download failed."""
INPUT_PROBLEM = "input"
"""The samples or the current model cannot be used for this job."""
SAVE_PROBLEM = "save"
"""The new model could not be written (disk full, folder not writable)."""
UNEXPECTED = "unexpected"
"""A bug or a crash: the details hold the traceback."""


@dataclass(frozen=True)
class TrainingJob:
    """Everything the child needs, picklable and free of Keras objects."""

    kind: str
    output: str
    """Where the new model goes; the parent chose a free name in the model library."""
    settings: dict[str, Any] = field(default_factory=dict)
    """``TrainingConfig`` fields for the two training kinds (a dict: building the config would
    import TensorFlow in the app's GUI thread)."""
    data_path: str | None = None
    """An ``mnist.npz``, or None for Keras' cache (downloading it if needed)."""
    current_model: str | None = None
    """The model in use: measured for "before" figures, and the one a fine-tune starts from."""
    current_accuracy: float | None = None
    """Its MNIST test accuracy if its card records it (otherwise the child measures it)."""
    drawings: tuple[Drawing, ...] = ()
    """The user's labelled samples, for the two kinds that learn from them."""
    priority: int = BACKGROUND_PRIORITY
    log_path: str | None = None
    """Where the child's own output goes (TensorFlow writes to the process's stderr); None keeps
    the parent's stderr, as a command-line user expects."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; received {self.kind!r}")
        if self.kind in (FINE_TUNE, CONVERT) and self.current_model is None:
            raise ValueError(f"a {self.kind} job needs current_model, the model to start from")


# -- messages from the child, in the order they come ---------------------------------------------


@dataclass(frozen=True)
class Stage:
    """A step without batch progress (reading data, starting TensorFlow, testing, saving)."""

    text: str


@dataclass(frozen=True)
class BatchEnd:
    """``epoch`` and ``batch`` count from 0; ``logs`` are the running averages of this epoch."""

    epoch: int
    batch: int
    batches: int
    """Batches per epoch."""
    epochs: int
    """Epochs planned (early stopping may end the run sooner)."""
    logs: dict[str, float]


@dataclass(frozen=True)
class EpochEnd:
    """``logs`` has loss, sparse_categorical_accuracy and their ``val_`` counterparts."""

    epoch: int
    logs: dict[str, float]


@dataclass(frozen=True)
class Outcome:
    """A finished job: the saved model and how it compares with the model in use."""

    path: str
    card: ModelCard
    test_accuracy: float
    """The new model on the MNIST test set."""
    current_accuracy: float | None
    """The model in use on the same test set; None if there was none or it could not be run."""
    test_images: int
    samples_before: float | None = None
    """Accuracy on the held-out samples of the model in use, and of the new model."""
    samples_after: float | None = None
    held_out: int = 0
    trained_on: int = 0


@dataclass(frozen=True)
class Converted:
    """A finished conversion: ``tflite`` serves ``keras``, as its record says."""

    keras: str
    tflite: str
    record: dict[str, Any]


@dataclass(frozen=True)
class Finished:
    outcome: Outcome | Converted


@dataclass(frozen=True)
class Failed:
    problem: str
    """One of DATA_PROBLEM, INPUT_PROBLEM, SAVE_PROBLEM, UNEXPECTED."""
    message: str
    details: str = ""


@dataclass(frozen=True)
class Cancelled:
    """The job stopped on request; it saved nothing."""


Message = Stage | BatchEnd | EpochEnd | Finished | Failed | Cancelled
Report = Callable[[Message], None]


class StopFlag(Protocol):
    """A ``threading.Event`` or a ``multiprocessing`` one."""

    def is_set(self) -> bool: ...


Work = Callable[[TrainingJob, Report, StopFlag], Outcome | Converted]


class JobCancelled(Exception):
    """Raised inside the child when the stop flag is seen (between steps, or by
    :class:`~digitpad.ml.training.ProgressReporter` at a batch boundary); nothing is saved."""


class JobFailed(Exception):
    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem


# -- the child's entry point ---------------------------------------------------------------------


class _Queue(Protocol):
    def put(self, message: Message) -> None: ...

    def close(self) -> None: ...

    def join_thread(self) -> None: ...


def child_main(work: Work, job: TrainingJob, queue: _Queue, stop: StopFlag) -> None:
    """Run ``work`` (normally :func:`run_job`) and end with exactly one final message."""
    lower_priority(job.priority)
    if job.log_path is not None:
        redirect_output(Path(job.log_path))
    final: Message
    try:
        final = Finished(work(job, queue.put, stop))
    except JobCancelled:
        final = Cancelled()
    except JobFailed as exc:
        final = Failed(exc.problem, str(exc))
    except DatasetError as exc:
        final = Failed(DATA_PROBLEM, str(exc))
    except (SampleError, ModelError) as exc:
        final = Failed(INPUT_PROBLEM, str(exc))
    except Exception as exc:  # reported to the user with its traceback; the app keeps working
        final = Failed(UNEXPECTED, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    queue.put(final)
    queue.close()
    queue.join_thread()  # the message is in the pipe before the process ends


def run_in_child(job: TrainingJob, report: Report | None = None, work: Work | None = None
                 ) -> Outcome | Converted:
    """Run ``job`` in a spawned child and wait for it: the command line's way (the app's is the
    non-blocking ``ui.training.runner``). Progress goes to ``report``; raises JobFailed or
    JobCancelled as the child ended."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    stop = context.Event()
    child = context.Process(target=child_main, args=(work or run_job, job, messages, stop),
                            name=f"digitpad-{job.kind}", daemon=True)
    child.start()
    try:
        while True:
            try:
                message = messages.get(timeout=0.5)
            except queue.Empty:
                if not child.is_alive() and messages.empty():
                    raise JobFailed(UNEXPECTED, f"the {job.kind} process stopped unexpectedly "
                                    f"(exit code {child.exitcode})") from None
                continue
            if isinstance(message, Finished):
                return message.outcome
            if isinstance(message, Failed):
                raise JobFailed(message.problem, message.message)
            if isinstance(message, Cancelled):
                raise JobCancelled
            if report is not None:
                report(message)
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()
        messages.close()


def lower_priority(increment: int) -> None:
    """Make the child a background process; best effort (a platform may refuse)."""
    if increment <= 0:
        return
    try:
        if hasattr(os, "nice"):
            os.nice(increment)
        elif sys.platform == "win32":
            import ctypes

            below_normal = 0x4000
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal)
    except OSError:
        pass  # training at normal priority still works; the app merely shares the CPU evenly


def redirect_output(log_path: Path) -> None:
    """Send this process's stdout and stderr, TensorFlow's C++ lines included, to ``log_path``.

    At the file-descriptor level: TensorFlow's absl, oneDNN and CUDA messages bypass Python. The
    user reads what matters through the messages; the log keeps the rest for a bug report.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # no INFO lines, warnings and errors kept
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        fd = os.open(os.devnull, os.O_WRONLY)  # a read-only data folder: still nothing on screen
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


# -- the work ------------------------------------------------------------------------------------


def run_job(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """Read MNIST, train (or fine-tune), test, save; or convert a model for LiteRT.

    Raises JobCancelled when stopped.
    """
    if job.kind == CONVERT:
        return _convert(job, report)
    mnist = _read_mnist(job.data_path, report)
    _check(stop)
    report(Stage("Starting TensorFlow…"))
    from digitpad.ml.training import ProgressReporter  # seconds: it imports TensorFlow

    _check(stop)
    testing = f"Testing on the {len(mnist.x_test):,} MNIST test images…"
    progress = ProgressReporter(report, stop, testing)
    if job.kind == TRAIN:
        outcome = _train(job, mnist, progress, report)
    elif job.kind == TRAIN_WITH_SAMPLES:
        outcome = _train_with_samples(job, mnist, progress, report)
    else:
        outcome = _fine_tune(job, mnist, progress, report)
    _check(stop)
    return outcome


def _convert(job: TrainingJob, report: Report) -> Converted:
    report(Stage("Starting TensorFlow…"))
    from digitpad.ml.conversion import convert_file

    assert job.current_model is not None  # TrainingJob requires it for a conversion
    report(Stage(f"Preparing {Path(job.current_model).name}…"))
    form = convert_file(job.current_model, Path(job.output))
    return Converted(job.current_model, str(form.path), form.record.to_json())


def _read_mnist(path: str | None, report: Report) -> Mnist:
    if path is not None:
        report(Stage(f"Reading {Path(path).name}…"))
    elif keras_mnist_cached():
        report(Stage("Reading MNIST from Keras' cache…"))
    else:
        report(Stage("Downloading MNIST (11 MB)…"))
    return load_mnist(path)


def _check(stop: StopFlag) -> None:
    if stop.is_set():
        raise JobCancelled


def _data_text(mnist: Mnist) -> str:
    source = Path(mnist.source).name if mnist.source.endswith(".npz") else mnist.source
    return f"MNIST ({source}), {len(mnist.x_train)} training images"


def _train(job: TrainingJob, mnist: Mnist, progress: ProgressReporter, report: Report) -> Outcome:
    from digitpad.ml.training import TrainingConfig, train

    config = TrainingConfig(**job.settings)
    current_accuracy = job.current_accuracy
    if current_accuracy is None and job.current_model is not None:
        report(Stage("Testing the current model…"))
        current_accuracy = _measure(job.current_model, mnist)
    result = train(config, mnist, [progress])
    card = _save(result.model, job.output, result.card().replace(data=_data_text(mnist)), report)
    return Outcome(job.output, card, result.test_accuracy, current_accuracy, len(mnist.x_test))


def _train_with_samples(
    job: TrainingJob, mnist: Mnist, progress: ProgressReporter, report: Report
) -> Outcome:
    from digitpad.ml.personal import train_with_samples
    from digitpad.ml.training import TrainingConfig

    config = TrainingConfig(**job.settings)
    current = _load_current(job, report)
    result = train_with_samples(config, mnist, job.drawings, current=current,
                                callbacks=[progress])
    card = result.card(config.arch, f"{_data_text(mnist)} and {result.trained_on} of the user's "
                       "samples", config=dict(job.settings))
    return _personal_outcome(job.output, _save(result.model, job.output, card, report), result)


def _fine_tune(
    job: TrainingJob, mnist: Mnist, progress: ProgressReporter, report: Report
) -> Outcome:
    from digitpad.ml.personal import fine_tune

    current = _load_current(job, report)
    assert current is not None  # TrainingJob requires current_model for a fine-tune
    result = fine_tune(current, job.drawings, mnist, callbacks=[progress])
    card = result.card(current.card.architecture or current.keras_model.name,
                       f"{result.trained_on} of the user's samples and a replay of MNIST",
                       fine_tuned_from=Path(job.current_model or "").name)
    return _personal_outcome(job.output, _save(result.model, job.output, card, report), result)


def _personal_outcome(output: str, card: ModelCard, result: Any) -> Outcome:
    """The Outcome of a ``personal.PersonalResult``."""
    return Outcome(
        output, card, result.mnist_accuracy_after, result.mnist_accuracy_before,
        result.mnist_test_images, result.samples_accuracy_before, result.samples_accuracy_after,
        result.held_out, result.trained_on,
    )


def _load_current(job: TrainingJob, report: Report) -> Any:
    if job.current_model is None:
        return None
    from digitpad.ml.recognizer import Recognizer

    report(Stage("Loading the current model…"))
    return Recognizer.load_keras(job.current_model)


def _measure(model_path: str, mnist: Mnist) -> float | None:
    """The model in use on the test set, for the comparison; None if it will not run here."""
    from digitpad.ml.personal import mnist_test_accuracy
    from digitpad.ml.recognizer import Recognizer

    try:
        return mnist_test_accuracy(Recognizer.load_keras(model_path), mnist)
    except ModelError:
        return None


def _save(model: Any, output: str, card: ModelCard, report: Report) -> ModelCard:
    """Save the model with its card; returns the card as written."""
    from digitpad.ml.modelstore import save_model

    report(Stage("Saving the model…"))
    try:
        return save_model(model, output, card)
    except OSError as exc:
        raise JobFailed(
            SAVE_PROBLEM,
            f"The new model could not be saved to {Path(output).parent}: "
            f"{exc.strerror or exc}. Free some disk space or make that folder writable, then "
            "train again.",
        ) from exc
