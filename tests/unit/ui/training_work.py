"""Stand-ins for the training child's work, for runner and dialog tests.

They run in a real child process (the runner pickles them by name), so they live in a module of
their own that imports neither Qt nor TensorFlow: a child starts in a fraction of a second.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from digitpad.ml.card import ModelCard
from digitpad.ml.evaluation import Evaluation, evaluate
from digitpad.ml.jobs import (
    BatchEnd,
    EpochEnd,
    JobCancelled,
    Outcome,
    Report,
    Stage,
    StopFlag,
    TrainingJob,
)

GIVE_UP_SECONDS = 60.0
"""A stand-in that waits for the test never waits longer than this."""


def _begin_writing(job: TrainingJob) -> None:
    """What a run killed while saving leaves: a hidden temporary file beside the output."""
    output = Path(job.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    (output.parent / f".{output.name}.partial.tmp.keras").write_bytes(b"half a model")


def explode(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """A bug inside the training."""
    report(Stage("Training…"))
    _begin_writing(job)
    raise RuntimeError("injected failure")


def die(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """The process vanishes without a word, as when the system kills it for memory."""
    report(Stage("Training…"))
    _begin_writing(job)
    os._exit(3)


def train_until_stopped(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """Batches until the stop flag is set, then stops at the batch boundary like the real work."""
    _begin_writing(job)
    deadline = time.monotonic() + GIVE_UP_SECONDS
    batch = 0
    while time.monotonic() < deadline:
        if stop.is_set():
            raise JobCancelled
        report(BatchEnd(0, batch, 10_000, 2, {"loss": 1.0, "sparse_categorical_accuracy": 0.5}))
        batch += 1
        time.sleep(0.02)
    raise RuntimeError("the test never cancelled")


def ignore_stop(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """Busy with something that cannot stop at a batch boundary (importing, testing, saving)."""
    report(Stage("Starting TensorFlow…"))
    _begin_writing(job)
    time.sleep(GIVE_UP_SECONDS)
    raise RuntimeError("the test never cancelled")


def finish(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """A whole run in miniature: two epochs, then the model file and its test results (one
    mistake in 20 on MNIST, one in 10 on the pen writers)."""
    for epoch in range(2):
        for batch in range(3):
            report(BatchEnd(epoch, batch, 3, 2, {"loss": 0.5 - 0.1 * epoch,
                                                 "sparse_categorical_accuracy": 0.8}))
        report(EpochEnd(epoch, {"loss": 0.5 - 0.1 * epoch, "sparse_categorical_accuracy": 0.8,
                                "val_loss": 0.6, "val_sparse_categorical_accuracy": 0.75}))
    output = Path(job.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(b"model")
    return Outcome(job.output, ModelCard(architecture="mlp"), 0.97, job.current_accuracy, 500,
                   mnist_evaluation=made_up_results("MNIST test", 500, every=20),
                   pen_evaluation=made_up_results("Held-out pen writers", 100, every=10))


def made_up_results(title: str, images: int, every: int) -> Evaluation:
    """What a model made of ``images`` test images: image i is digit i % 10, and every
    ``every``-th is read as the next digit."""
    labels = np.arange(images) % 10
    answers = np.where(np.arange(images) % every == every - 1, (labels + 1) % 10, labels)
    outputs = np.full((images, 10), 0.01, np.float32)
    outputs[np.arange(images), answers] = 0.91
    pixels = np.zeros((images, 28, 28), np.uint8)
    pixels[:, 8:20, 12:16] = 255
    return evaluate(outputs, labels, pixels, title)


OVERFIT_VAL_LOSS = (0.50, 0.40, 0.35, 0.38, 0.45, 0.55)
"""Validation loss of ``overfit``'s epochs: lowest after the third."""


def overfit(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """A run that over-fits: training loss falls every epoch, validation loss turns up after the
    third; the model kept is the last epoch's."""
    epochs = len(OVERFIT_VAL_LOSS)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    for epoch, val_loss in enumerate(OVERFIT_VAL_LOSS):
        loss = 0.5 / (epoch + 1)
        report(BatchEnd(epoch, 0, 1, epochs, {"loss": loss, "sparse_categorical_accuracy": 0.9}))
        report(EpochEnd(epoch, {"loss": loss, "sparse_categorical_accuracy": 0.9,
                                "val_loss": val_loss, "val_sparse_categorical_accuracy": 0.85}))
        history["loss"].append(loss)
        history["val_loss"].append(val_loss)
    output = Path(job.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(b"model")
    card = ModelCard(architecture="mlp", config=dict(job.settings), epochs_run=epochs,
                     best_epoch=3, history=history)
    return Outcome(job.output, card, 0.88, job.current_accuracy, 500)
