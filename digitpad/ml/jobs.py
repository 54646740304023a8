"""What the app (or the command line) and the training child say to each other: the job going in,
the messages coming out, and how a job ends.

Its own module, apart from the child's work in :mod:`digitpad.ml.training_process`, because the
window builds jobs and reads messages on its GUI thread: everything here is a small picklable
dataclass or constant, and importing it loads neither TensorFlow nor Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from digitpad.ml.card import ModelCard
from digitpad.ml.evaluation import Evaluation
from digitpad.ml.ink import Drawing

TRAIN = "train"
"""A new model from MNIST, and the pen-drawn digits if the job asks (``training.train``)."""
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
"""The MNIST file is missing, unreadable or the wrong shape (or digitpad's copy is damaged)."""
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
    """An ``mnist.npz``, or None for Keras' cache if it has MNIST, else the copy shipped with
    digitpad (see ``datasets.load_mnist``)."""
    current_model: str | None = None
    """The model in use: measured for "before" figures, and the one a fine-tune starts from."""
    current_accuracy: float | None = None
    """Its MNIST test accuracy if its card records it (otherwise the child measures it)."""
    drawings: tuple[Drawing, ...] = ()
    """The user's labelled samples, for the two kinds that learn from them."""
    pen_copies: int = 0
    """For a new model: also learn from the pen-drawn digits shipped with digitpad, those of the
    training writers each as drawn and as this many random variants, and test on the held-out
    writers (0: MNIST alone). A recipe's data, like the command line's ``--ink``, so not among
    the ``settings``."""
    not_a_digit: int = 0
    """With ``pen_copies``: also learn from this many generated non-digits and the world's 1 and
    7 (a twelve-output model; the ``settings`` then say ``outputs=12``)."""
    regional_copies: int = 0
    """With ``not_a_digit``: long-flag 1s and crossed 7s made per training writer's 1 and 7."""
    priority: int = BACKGROUND_PRIORITY
    log_path: str | None = None
    """Where the child's own output goes (TensorFlow writes to the process's stderr); None keeps
    the parent's stderr, as a command-line user expects."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; received {self.kind!r}")
        if self.kind in (FINE_TUNE, CONVERT) and self.current_model is None:
            raise ValueError(f"a {self.kind} job needs current_model, the model to start from")
        if self.pen_copies < 0:
            raise ValueError(f"pen_copies must be 0 or more; received {self.pen_copies}")
        if self.not_a_digit and not self.pen_copies:
            raise ValueError("not_a_digit needs pen_copies: the pen writers make the pairs of "
                             "digits that are no digit and teach the crossed 7")


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
class SubclassCheck:
    """A tutorial MLP built as a ``keras.Model`` subclass next to the same network built as a
    ``Sequential`` and trained alike: the tutorial's point that the two are one network."""

    parameters: int
    test_accuracy: float
    sequential_parameters: int
    sequential_test_accuracy: float
    same_weights: bool
    """Whether the two trained to exactly the same weights (the same seed, the same network)."""


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
    pen_accuracy: float | None = None
    """The new model on the pen-drawn digits of the writers it never learned from (when the job
    learned from the others'); the model in use on the same drawings next to it."""
    current_pen_accuracy: float | None = None
    pen_samples: int = 0
    pen_writers: int = 0
    subclass_check: SubclassCheck | None = None
    mnist_evaluation: Evaluation | None = None
    """The confusion matrix and the mistakes on the MNIST test set (None from a job that did
    not keep them)."""
    pen_evaluation: Evaluation | None = None
    """The same on the held-out pen writers' drawings, when the run had them."""


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
    """The job could not be done; ``problem`` (one of the kinds above) tells the app what to say."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem
