"""The training child process: one job in, progress messages out, the new model saved to disk.

Why a child process rather than a thread in the app: Keras' fit loop runs Python on every batch,
and a thread would share the GUI's interpreter lock with it; in the app, training ops would share
TensorFlow's thread pools (sized once, when the recogniser started it) with the pen's predictions
and queue them; a process can lower its own priority, so the user's drawing always comes first
(:data:`~digitpad.ml.jobs.BACKGROUND_PRIORITY`); and a crash or an out-of-memory kill inside
TensorFlow takes down the training, not the window. The price is a
second TensorFlow import (a few seconds) per run, and that every input and output crosses the
process boundary: the job and the messages are small picklable dataclasses
(:mod:`digitpad.ml.jobs`), MNIST is read from disk by the child, and the model goes through a file.

The child is started with the "spawn" method (a fresh interpreter, never a fork of a process that
runs Qt and TensorFlow threads) and imports no Qt. It reads MNIST (and renders the pen-drawn
digits a recipe mixes in) before it imports TensorFlow, so a wrong dataset file is reported in a
fraction of a second. Its model is saved by
:func:`digitpad.ml.modelstore.save_model` to the path the job names: to a hidden temporary file,
then the ``.tflite`` and the card beside the final name, and the ``.keras`` moved into place last.
So the parent (or the system running short of memory) may kill it at any moment and find either
no model there or a whole one with its card; what a kill leaves besides is hidden temporary files
and perhaps a card and ``.tflite`` without a model, which History ignores and
:meth:`~digitpad.ml.model_library.ModelLibrary.remove_leftovers` clears. A conversion's
``.tflite`` goes into the cache before its record, and is served only once the record names it.

No Qt here: the app reads the messages in :mod:`digitpad.ui.training.runner`.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import (
    SHIPPED_PEN_DIGITS,
    SHIPPED_SOURCE,
    DatasetError,
    Mnist,
    keras_mnist_cached,
    load_mnist,
    shipped_pen_digits,
)
from digitpad.ml.evaluation import evaluate
from digitpad.ml.ink import Drawing, SampleError
from digitpad.ml.jobs import (
    CONVERT,
    DATA_PROBLEM,
    INPUT_PROBLEM,
    SAVE_PROBLEM,
    TRAIN,
    TRAIN_WITH_SAMPLES,
    UNEXPECTED,
    Cancelled,
    Converted,
    Failed,
    Finished,
    JobCancelled,
    JobFailed,
    Message,
    Outcome,
    Report,
    Stage,
    StopFlag,
    TrainingJob,
    Work,
)
from digitpad.ml.recognizer import ModelError
from digitpad.ml.training_data import PEN_HOLD_OUT_EVERY, InkTrainingSet, ink_training_set

if TYPE_CHECKING:
    from digitpad.ml.conversion import ServedForm
    from digitpad.ml.training import ProgressReporter

MNIST_TEST = "MNIST test"
"""The title of the results on MNIST's test images, as the window heads them."""
PEN_WRITERS = "Held-out pen writers"
"""The title of the results on the pen-drawn digits of the writers a run never learned from."""


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
    """Read MNIST (and the pen-drawn digits), train (or fine-tune), test, save; or convert a
    model for LiteRT.

    Raises JobCancelled when stopped.
    """
    if job.kind == CONVERT:
        return _convert(job, report)
    mnist = _read_mnist(job.data_path, report)
    _check(stop)
    pen = _pen_digits(job, report) if job.kind == TRAIN and job.pen_copies else None
    _check(stop)
    report(Stage("Starting TensorFlow…"))
    from digitpad.ml.training import ProgressReporter  # seconds: it imports TensorFlow

    _check(stop)
    testing = f"Testing on the {len(mnist.x_test):,} MNIST test images…"
    progress = ProgressReporter(report, stop, testing)
    if job.kind == TRAIN:
        outcome = _train(job, mnist, pen, progress, report, stop)
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
    try:
        form = convert_file(job.current_model, Path(job.output))
    except OSError as exc:
        raise JobFailed(
            SAVE_PROBLEM,
            f"{Path(job.current_model).name} could not be prepared for fast reading: "
            f"{exc.strerror or exc} in {job.output}. Free some disk space, then open the model "
            "again.") from exc
    return Converted(job.current_model, str(form.path), form.record.to_json())


def _read_mnist(path: str | None, report: Report) -> Mnist:
    if path is not None:
        report(Stage(f"Reading {Path(path).name}…"))
    elif keras_mnist_cached():
        report(Stage("Reading MNIST from Keras' cache…"))
    else:
        report(Stage(f"Reading MNIST ({SHIPPED_SOURCE})…"))
    return load_mnist(path)


def _pen_digits(job: TrainingJob, report: Report) -> InkTrainingSet:
    """The shipped pen-drawn digits: the training writers' rendered for training, the others'
    kept to test on. Before TensorFlow starts, like MNIST, so a damaged copy is told at once."""
    report(Stage("Reading the pen-drawn digits…"))
    try:
        drawings = shipped_pen_digits()
    except DatasetError as exc:
        raise JobFailed(INPUT_PROBLEM, f"{exc} Or train without the pen-drawn digits.") from exc
    report(Stage("Rendering the training writers' pen-drawn digits…"))
    return ink_training_set(drawings, SHIPPED_PEN_DIGITS, hold_out_every=PEN_HOLD_OUT_EVERY,
                            copies=job.pen_copies, seed=int(job.settings.get("seed", 0)),
                            not_a_digit=job.not_a_digit, regional_copies=job.regional_copies)


def _check(stop: StopFlag) -> None:
    if stop.is_set():
        raise JobCancelled


def _data_text(mnist: Mnist, limit: int | None = None) -> str:
    source = Path(mnist.source).name if mnist.source.endswith(".npz") else mnist.source
    some = f"{limit} of its " if limit is not None and limit < len(mnist.x_train) else ""
    return f"MNIST ({source}), {some}{len(mnist.x_train)} training images"


def _train(job: TrainingJob, mnist: Mnist, pen: InkTrainingSet | None,
           progress: ProgressReporter, report: Report, stop: StopFlag) -> Outcome:
    from digitpad.ml.models import as_sequential
    from digitpad.ml.training import (
        ProgressReporter,
        TrainingConfig,
        compare_with_sequential,
        drawings_evaluation,
        ink_evaluation,
        train,
    )

    config = TrainingConfig(**job.settings)
    current_accuracy = job.current_accuracy
    if current_accuracy is None and job.current_model is not None:
        report(Stage("Testing the current model…"))
        current_accuracy = _measure(job, mnist, report)
    current_pen = _current_pen_accuracy(job, pen.held_out if pen else None,
                                        pen.held_out_writers if pen else [], report)
    extra = pen.extra_train() if pen is not None else None
    with _saving(job.output):  # training ends with the model's LiteRT form
        result = train(config, mnist, [progress], extra_train=extra)
    model = as_sequential(result.model)  # the form every Keras loads; a subclass's weights
    card = result.card().replace(data=_data_text(mnist, config.train_limit))
    pen_evaluation = None
    if pen is not None:
        report(Stage(f"Testing on the {len(pen.held_out):,} pen-drawn digits of the "
                     f"{len(pen.held_out_writers)} held-out writers…"))
        pen_evaluation = drawings_evaluation(result.served.recognizer, pen.held_out,
                                             PEN_WRITERS)
        card = card.replace(data=f"{card.data}; {_pen_text(pen)}", ink_training=pen.card_section,
                            ink_evaluation=ink_evaluation(
                                pen_evaluation, f"{SHIPPED_PEN_DIGITS}, held-out writers only"))
    check = None
    if config.subclass:
        report(Stage("Training the same network as a Sequential model, to compare…"))
        check = compare_with_sequential(config, mnist, result,
                                        [ProgressReporter(lambda message: None, stop)], extra)
    card = _save(model, job.output, card, report, result.served)
    ink = card.ink_evaluation or {}
    return Outcome(job.output, card, result.test_accuracy, current_accuracy, len(mnist.x_test),
                   pen_accuracy=ink.get("accuracy"), current_pen_accuracy=current_pen,
                   pen_samples=ink.get("samples", 0),
                   pen_writers=len(pen.held_out_writers) if pen else 0,
                   subclass_check=check,
                   mnist_evaluation=evaluate(result.test_outputs, mnist.y_test, mnist.x_test,
                                             MNIST_TEST),
                   pen_evaluation=pen_evaluation)


def _pen_text(pen: InkTrainingSet) -> str:
    """The pen-drawn digits a run learned from, for its card's data."""
    counts = pen.data.counts
    text = (f"plus {pen.card_section['drawings']} pen-drawn digits from {SHIPPED_PEN_DIGITS} "
            f"({len(pen.writers)} writers)")
    if "not_digits" in counts:
        text += (f", their 1s with long flags ({counts['flagged_ones']}) and uncrossed 7s "
                 f"crossed ({counts['crossed_sevens_made']}), and {counts['not_digits']} "
                 "generated drawings that are no digit (letters, scribbles, shapes, two digits "
                 "together)")
    return f"{text}: {len(pen.data.images)} images as drawn and as random variants"


def _current_pen_accuracy(job: TrainingJob, held_out: list[Drawing] | None,
                          held_out_writers: list[str], report: Report) -> float | None:
    """The model in use on the held-out writers' ``held_out`` drawings: its card's figure when
    it was judged on the same writers, else measured here; None without a model or held-out
    writers, or when it will not run here."""
    if job.current_model is None or held_out is None:
        return None
    card = ModelCard.read(job.current_model)
    writers = (card.ink_training or {}).get("held_out_writers")
    accuracy = (card.ink_evaluation or {}).get("accuracy")
    if isinstance(writers, list) and sorted(writers) == held_out_writers \
            and isinstance(accuracy, float):
        return accuracy
    from digitpad.ml.training import held_out_evaluation

    report(Stage("Testing the current model on the held-out writers…"))
    try:
        return held_out_evaluation(_served_current(job, report), held_out,
                                   SHIPPED_PEN_DIGITS)["accuracy"]
    except ModelError:
        return None


def _judged_on_pen_writers(job: TrainingJob, served: Any, report: Report) -> dict[str, Any]:
    """A model that learned from the user's samples, and the model in use, on the pen-drawn
    digits of the writers the bundled model never learned from: the Outcome's pen figures. None
    of them when the shipped drawings cannot be read (the samples' figures still stand)."""
    from digitpad.ml.ink_augment import split_by_writer
    from digitpad.ml.training import drawings_evaluation

    try:
        drawings = shipped_pen_digits()
    except DatasetError:
        return {}
    _, held_out, writers = split_by_writer(drawings, PEN_HOLD_OUT_EVERY)
    report(Stage(f"Testing on the {len(held_out):,} pen-drawn digits of the {len(writers)} "
                 "held-out writers…"))
    evaluation = drawings_evaluation(served, held_out, PEN_WRITERS)
    return {"pen_accuracy": evaluation.accuracy, "pen_samples": evaluation.samples,
            "pen_writers": len(writers), "pen_evaluation": evaluation,
            "current_pen_accuracy": _current_pen_accuracy(job, held_out, writers, report)}


def _train_with_samples(
    job: TrainingJob, mnist: Mnist, progress: ProgressReporter, report: Report
) -> Outcome:
    from digitpad.ml.personal import train_with_samples
    from digitpad.ml.training import TrainingConfig

    config = TrainingConfig(**job.settings)
    current = _served_current(job, report)
    with _saving(job.output):
        result = train_with_samples(config, mnist, job.drawings, current=current,
                                    callbacks=[progress])
    card = result.card(config.arch, f"{_data_text(mnist)} and {result.trained_on} of the user's "
                       f"samples{_not_digits_text(result)}", config=dict(job.settings))
    return _personal_outcome(job, card, result, mnist, report)


def _fine_tune(
    job: TrainingJob, mnist: Mnist, progress: ProgressReporter, report: Report
) -> Outcome:
    from digitpad.ml.personal import fine_tune

    current = _load_current(job, report)
    assert current is not None  # TrainingJob requires current_model for a fine-tune
    with _saving(job.output):
        result = fine_tune(current, job.drawings, mnist, callbacks=[progress],
                           served=_served(job.current_model),
                           mnist_before=job.current_accuracy)
    card = result.card(current.card.architecture or current.keras_model.name,
                       f"{result.trained_on} of the user's samples and a replay of MNIST"
                       f"{_not_digits_text(result)}",
                       fine_tuned_from=Path(job.current_model or "").name)
    # the pen writers its parent learned from are the ones it learned from, as far as pen
    # digits go: the card says so, and which writers it was not shown
    card = card.replace(ink_training=current.card.ink_training)
    return _personal_outcome(job, card, result, mnist, report)


def _not_digits_text(result: Any) -> str:
    """The generated non-digits a ``personal.PersonalResult`` learned from, for its card's data."""
    return f"; and {result.not_digits} generated drawings that are no digit" \
        if result.not_digits else ""


def _personal_outcome(job: TrainingJob, card: ModelCard, result: Any, mnist: Mnist,
                      report: Report) -> Outcome:
    """Judge a ``personal.PersonalResult`` on the held-out pen writers too, save it with its
    card, and say how it did on ``mnist``, the user's held-out samples and those writers."""
    from digitpad.ml.training import ink_evaluation

    pen = _judged_on_pen_writers(job, result.served.recognizer, report)
    if pen:
        card = card.replace(ink_evaluation=ink_evaluation(
            pen["pen_evaluation"], f"{SHIPPED_PEN_DIGITS}, held-out writers only"))
    card = _save(result.model, job.output, card, report, result.served)
    return Outcome(
        job.output, card, result.mnist_accuracy_after, result.mnist_accuracy_before,
        result.mnist_test_images, result.samples_accuracy_before, result.samples_accuracy_after,
        result.held_out, result.trained_on,
        mnist_evaluation=evaluate(result.mnist_test_outputs, mnist.y_test, mnist.x_test,
                                  MNIST_TEST),
        **pen,
    )


def _load_current(job: TrainingJob, report: Report) -> Any:
    """The model in use as Keras, to start a fine-tune from."""
    if job.current_model is None:
        return None
    from digitpad.ml.recognizer import Recognizer

    report(Stage("Loading the current model…"))
    return Recognizer.load_keras(job.current_model)


def _served(model_path: str | None) -> Any:
    """The model at ``model_path`` as the window serves it, its LiteRT form where the app keeps
    it (beside a bundled or retrained model, or in the cache); None when it has none yet (it is
    then converted here). Figures about a model are measured on this form."""
    from digitpad.ml.recognizer import NeedsConversion, Recognizer
    from digitpad.paths import litert_cache_dir, trusted_model_dirs

    if model_path is None:
        return None
    try:
        return Recognizer.load(model_path, litert_cache_dir(), trusted_model_dirs())
    except NeedsConversion:
        return None


def _served_current(job: TrainingJob, report: Report) -> Any:
    """The model in use on LiteRT (converted here when the app has no form of it yet), for the
    "before" figures; None without one."""
    served = _served(job.current_model)
    if served is not None or job.current_model is None:
        return served
    from digitpad.ml.conversion import served_form

    keras_form = _load_current(job, report)
    return served_form(keras_form.keras_model, keras_form.card).recognizer


def _measure(job: TrainingJob, mnist: Mnist, report: Report) -> float | None:
    """The model in use on the test set, for the comparison; None if it will not run here."""
    from digitpad.ml.personal import mnist_test_accuracy

    try:
        return mnist_test_accuracy(_served_current(job, report), mnist)
    except ModelError:
        return None


def _save(model: Any, output: str, card: ModelCard, report: Report, served: ServedForm
          ) -> ModelCard:
    """Save the model with its card and ``served``, the LiteRT form it was judged on, its
    ``.keras`` appearing last (see ``save_model``); returns the card as written. A full disk is
    the user's to fix, so it is told in those words."""
    from digitpad.ml.modelstore import save_model

    report(Stage("Saving the model…"))
    with _saving(output):
        return save_model(model, output, card, served)


@contextlib.contextmanager
def _saving(output: str) -> Iterator[None]:
    """A full disk while the new model is made ready to serve (its LiteRT form, at the end of
    training) or saved is the user's to fix, so it is told in those words."""
    try:
        yield
    except OSError as exc:
        raise JobFailed(
            SAVE_PROBLEM,
            f"The new model could not be saved to {Path(output).parent}: "
            f"{exc.strerror or exc}. Free some disk space or make that folder writable, then "
            "train again.",
        ) from exc
