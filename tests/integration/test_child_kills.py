"""A training, fine-tune or conversion child killed (SIGKILL) at any moment leaves no partial model
in History and no ``.tflite`` that serves another model; a full disk while saving is reported in
words the user can act on, and the model already at that path is kept.

The children are started as the app's runner and ``run_in_child`` start them (spawn,
``child_main``, ``run_job``), on real MNIST and real pen-drawn samples, and killed at a chosen
moment: a progress message, or a file of the save appearing in the output folder.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from digitpad.ml.conversion import TOLERANCE
from digitpad.ml.datasets import Mnist
from digitpad.ml.ink import Drawing
from digitpad.ml.jobs import (
    CONVERT,
    FINE_TUNE,
    SAVE_PROBLEM,
    TRAIN,
    TRAIN_WITH_SAMPLES,
    BatchEnd,
    Converted,
    Finished,
    JobFailed,
    Message,
    Outcome,
    Report,
    Stage,
    StopFlag,
    TrainingJob,
)
from digitpad.ml.litert import find_litert_form
from digitpad.ml.model_library import ModelLibrary
from digitpad.ml.recognizer import NeedsConversion, Recognizer
from digitpad.ml.training_process import child_main, run_in_child, run_job
from tests.unit.ml.mnist_files import write_mnist_slice
from tests.unit.ml.test_model_library import assert_only_whole_models
from tests.unit.ml.test_training_process import three_of_each_digit

MLP_ONE_EPOCH = {"arch": "mlp", "epochs": 1, "batch_size": 64}
FILE_SIZE_LIMIT = 64 * 1024
"""Bytes a child on a "nearly full disk" may write to one file: less than the MLP's ``.keras``
(about 400 KB), more than anything the child writes before it saves."""

Moment = Callable[["Child"], bool]


class Child:
    """One job in a spawned child, started as the app starts it, and killed when told."""

    def __init__(self, job: TrainingJob) -> None:
        context = multiprocessing.get_context("spawn")
        self.job = job
        self.messages = context.Queue()
        self.received: list[Message] = []
        self.stop = context.Event()  # kept: the child opens it by name when it starts
        self.process = context.Process(
            target=child_main, args=(run_job, job, self.messages, self.stop), daemon=True)
        self.process.start()

    def kill_when(self, moment: Moment) -> None:
        """SIGKILL the child as soon as ``moment`` is true (checked about every millisecond)."""
        while not moment(self):
            if not self.process.is_alive():
                pytest.fail(f"the {self.job.kind} child ended before the moment to kill it; "
                            f"its last messages: {self.received[-3:]}")
            self._read()
            time.sleep(0.001)
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.join()
        assert self.process.exitcode == -signal.SIGKILL  # killed, not finished
        self.messages.close()

    def finish(self) -> Outcome | Converted:
        """Wait for the child's result (the run that is not killed)."""
        while not any(isinstance(message, Finished) for message in self.received):
            assert self.process.is_alive() or not self.messages.empty(), self.received[-3:]
            self._read()
            time.sleep(0.01)
        self.process.join()
        self.messages.close()
        final = self.received[-1]
        assert isinstance(final, Finished)
        return final.outcome

    def _read(self) -> None:
        while not self.messages.empty():
            self.received.append(self.messages.get())


def stage(prefix: str) -> Moment:
    """The child said it has begun a step (``Reading mnist.npz…``, ``Loading the current…``)."""
    return lambda child: any(isinstance(m, Stage) and m.text.startswith(prefix)
                             for m in child.received)


def first_batch(child: Child) -> bool:
    """Fitting has begun."""
    return any(isinstance(message, BatchEnd) for message in child.received)


def file_appears(folder: Path, pattern: str) -> Moment:
    """A file of the save is in ``folder`` (``*`` in ``pattern`` matches hidden names too)."""
    return lambda child: folder.is_dir() and any(fnmatch(name, pattern)
                                                 for name in os.listdir(folder))


@pytest.fixture
def children() -> Iterator[list[Child]]:
    """Children a failed test left running are killed."""
    started: list[Child] = []
    yield started
    for child in started:
        if child.process.is_alive():
            child.process.kill()
            child.process.join()


@pytest.fixture(scope="module")
def mnist_file(mnist: Mnist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mnist_slice(mnist, tmp_path_factory.mktemp("data") / "mnist-slice.npz")


@pytest.fixture(scope="module")
def trained(mnist_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """A model a training child saved in its library, not killed: the code path of every killed
    run below, finished."""
    library = ModelLibrary.in_data_dir(tmp_path_factory.mktemp("trained"))
    outcome = Child(TrainingJob(TRAIN, str(library.new_path("mlp")), MLP_ONE_EPOCH,
                                str(mnist_file))).finish()
    assert isinstance(outcome, Outcome)
    return outcome


def library_holding(model: Path, folder: Path) -> ModelLibrary:
    """A library with a copy of ``model``, its card and its ``.tflite``."""
    folder.mkdir(parents=True)
    for part in model.parent.glob(f"{model.stem}.*"):
        shutil.copy2(part, folder / part.name)
    return ModelLibrary(folder)


def test_a_training_child_that_is_not_killed_saves_a_whole_model(trained: Outcome) -> None:
    library = ModelLibrary(Path(trained.path).parent)
    assert assert_only_whole_models(library) == [Path(trained.path).name]
    (model,) = library.models()
    assert model.test_accuracy == trained.test_accuracy > 0.8
    assert model.epochs == 1 and len(model.history["val_loss"]) == 1


TRAINING_MOMENTS = {
    "reading MNIST": lambda output: stage("Reading"),
    "fitting": lambda output: first_batch,
    "saving the .keras": lambda output: file_appears(output.parent, f".{output.name}.*"),
    "after the .tflite": lambda output: file_appears(output.parent, output.stem + ".tflite"),
    "after the card": lambda output: file_appears(output.parent, output.stem + ".json"),
}


def _every_moment(moments: Iterable[Any], in_default_run: set[Any]) -> list[Any]:
    """All the moments; those not in ``in_default_run`` only in CI's slow step (each spawns
    TensorFlow: seconds apiece). The default run keeps the moment that catches a partial model."""
    return [moment if moment in in_default_run
            else pytest.param(*moment if isinstance(moment, tuple) else (moment,),
                              marks=pytest.mark.slow)
            for moment in moments]


@pytest.mark.parametrize("moment", _every_moment(TRAINING_MOMENTS, {"after the .tflite"}))
def test_a_training_child_killed_while_reading_fitting_or_saving_leaves_no_partial_model(
    moment: str, mnist_path: Path, mnist_file: Path, tmp_path: Path, children: list[Child]
) -> None:
    library = ModelLibrary.in_data_dir(tmp_path)
    output = library.new_path("mlp")
    # The whole of MNIST when the kill comes while it is read, so that reading takes a while.
    data = mnist_path if moment == "reading MNIST" else mnist_file
    children.append(child := Child(TrainingJob(TRAIN, str(output), MLP_ONE_EPOCH, str(data))))
    child.kill_when(TRAINING_MOMENTS[moment](output))
    assert assert_only_whole_models(library) in ([], [output.name])


SAMPLES_MOMENTS = {
    "loading the current model": lambda output: stage("Loading the current model"),
    "fitting": lambda output: first_batch,
    "saving the .keras": lambda output: file_appears(output.parent, f".{output.name}.*"),
    "after the .tflite": lambda output: file_appears(output.parent, output.stem + ".tflite"),
}
SAMPLES_RUNS = [*((FINE_TUNE, moment) for moment in SAMPLES_MOMENTS),
                (TRAIN_WITH_SAMPLES, "after the .tflite")]
"""A fine-tune at every moment; a new model trained with the samples, which saves the same way,
at the one moment that tells a partial model from a whole one."""


@pytest.mark.parametrize(("kind", "moment"),
                         _every_moment(SAMPLES_RUNS, {(FINE_TUNE, "after the .tflite")}))
def test_learning_from_samples_killed_at_any_moment_leaves_the_library_whole(
    kind: str, moment: str, trained: Outcome, mnist_file: Path, pendigits: list[Drawing],
    tmp_path: Path, children: list[Child],
) -> None:
    library = library_holding(Path(trained.path), tmp_path / "models")
    (current,) = library.models()
    output = library.new_path("mlp")
    job = TrainingJob(kind, str(output), MLP_ONE_EPOCH if kind == TRAIN_WITH_SAMPLES else {},
                      str(mnist_file), current_model=str(current.path),
                      drawings=three_of_each_digit(pendigits))
    children.append(child := Child(job))
    child.kill_when(SAMPLES_MOMENTS[moment](output))
    assert sorted(assert_only_whole_models(library)) in (
        [current.name], sorted([current.name, output.name]))


CONVERT_MOMENTS = {
    "loading the model": lambda cache: stage("Preparing"),
    "writing the .tflite": lambda cache: file_appears(cache, ".*.tflite.*"),
    "after the .tflite": lambda cache: file_appears(cache, "*.tflite"),
}


@pytest.mark.parametrize("moment", _every_moment(CONVERT_MOMENTS, {"writing the .tflite"}))
def test_a_conversion_killed_at_any_moment_serves_nothing_wrong_and_is_done_again(
    moment: str, trained: Outcome, tmp_path: Path, children: list[Child]
) -> None:
    """A user's ``.keras`` that came without a ``.tflite``: killed while it is being prepared,
    it needs preparing again or is served by a ``.tflite`` that answers as it does."""
    mine = tmp_path / "mine.keras"
    shutil.copy2(trained.path, mine)
    cache = tmp_path / "litert-cache"
    job = TrainingJob(CONVERT, str(cache), current_model=str(mine), priority=0)
    children.append(child := Child(job))
    child.kill_when(CONVERT_MOMENTS[moment](cache))
    images = np.random.default_rng(0).random((8, 28, 28), np.float32)
    recorded = Recognizer.load_keras(mine).probabilities(images)
    try:
        served = Recognizer.load(mine, cache)
    except NeedsConversion:
        assert find_litert_form(mine, None, cache) is None
    else:
        assert np.max(np.abs(served.probabilities(images) - recorded)) <= TOLERANCE

    children.append(again := Child(job))
    converted = again.finish()
    assert isinstance(converted, Converted)
    served = Recognizer.load(mine, cache)
    assert np.max(np.abs(served.probabilities(images) - recorded)) <= TOLERANCE


def run_job_on_a_nearly_full_disk(job: TrainingJob, report: Report, stop: StopFlag
                                  ) -> Outcome | Converted:
    """``run_job`` in a child that may write no file beyond :data:`FILE_SIZE_LIMIT` bytes: a
    write past it fails as on a full disk (with the signal that would kill the child ignored)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE,
                       (FILE_SIZE_LIMIT, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    return run_job(job, report, stop)


def test_a_full_disk_while_saving_is_reported_and_keeps_the_model_at_that_path(
    trained: Outcome, mnist_file: Path, tmp_path: Path
) -> None:
    library = library_holding(Path(trained.path), tmp_path / "models")
    (existing,) = library.models()
    before = {path.name: path.read_bytes() for path in library.directory.iterdir()}
    job = TrainingJob(TRAIN, str(existing.path), MLP_ONE_EPOCH, str(mnist_file))
    with pytest.raises(JobFailed) as failed:
        run_in_child(job, work=run_job_on_a_nearly_full_disk)
    assert failed.value.problem == SAVE_PROBLEM
    assert str(failed.value).startswith(f"The new model could not be saved to {library.directory}")
    assert "Free some disk space" in str(failed.value)
    assert {path.name: path.read_bytes() for path in library.directory.iterdir()} == before
    assert assert_only_whole_models(library) == [existing.name]
