"""The self-test's training run, done in a child process as Retrain's is. No Qt here.

It goes through everything Retrain needs: Keras' fit, the tf.data pipeline and its augmentation
(which AutoGraph converts from digitpad's source: a frozen bundle without that source only warns
and breaks), writing a model with its LiteRT form and card, and serving it with LiteRT. With
twelve outputs (``job.settings["outputs"]``, as the bundled model has), it also learns from
generated non-digits, as a fine-tune of that model does: their letters are a data file the
installation must carry.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from digitpad.ml.jobs import (
    UNEXPECTED,
    JobFailed,
    Outcome,
    Report,
    Stage,
    StopFlag,
    TrainingJob,
)

EPOCHS = 1
BATCH_SIZE = 32
NOT_DIGITS = 40
"""Generated non-digits a twelve-output run learns from besides the samples."""


class _AutoGraphWarnings(logging.Handler):
    """Collects TensorFlow's "AutoGraph could not transform ..." warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "AutoGraph" in message:
            self.messages.append(message.splitlines()[0])


def train_on_samples(job: TrainingJob, report: Report, stop: StopFlag) -> Outcome:
    """One CNN epoch on renderings of ``job.drawings`` (and non-digits, for twelve outputs), saved
    to ``job.output`` and read back; tested on the renderings, by their digits."""
    autograph = _AutoGraphWarnings()
    logging.getLogger("tensorflow").addHandler(autograph)
    report(Stage("Starting TensorFlow…"))
    from digitpad.ml.datasets import Mnist
    from digitpad.ml.digits import NUM_CLASSES, to_pixels
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.outputs import CROSSED_SEVEN, NOT_A_DIGIT, OUTPUT_NAMES
    from digitpad.ml.personal import not_digit_images, render_samples
    from digitpad.ml.recognizer import Recognizer
    from digitpad.ml.training import TrainingConfig, train

    started = time.perf_counter()
    config = TrainingConfig(arch="cnn", epochs=EPOCHS, batch_size=BATCH_SIZE, augment=True,
                            outputs=job.settings.get("outputs", NUM_CLASSES))
    twelve = config.outputs == len(OUTPUT_NAMES)
    images, labels = render_samples(job.drawings, twelve_outputs=twelve)
    refusals = not_digit_images(job.drawings, NOT_DIGITS if twelve else 0)
    data = Mnist(to_pixels(np.concatenate([images, refusals])),
                 np.concatenate([labels, np.full(len(refusals), NOT_A_DIGIT, np.uint8)]),
                 to_pixels(images), np.where(labels == CROSSED_SEVEN, 7, labels).astype(np.uint8),
                 source="the self-test samples")
    result = train(config, data)
    learned = f"{len(images)} renderings of the self-test samples"
    if twelve:
        learned += f" and {len(refusals)} generated drawings that are no digit"
    card = result.card().replace(data=learned,
                                 training_seconds=round(time.perf_counter() - started, 1))
    card = save_model(result.model, job.output, card, result.served)
    Recognizer.load(Path(job.output)).predict_images(images[:1])  # its LiteRT form, as served
    if autograph.messages:
        raise JobFailed(UNEXPECTED, f"{autograph.messages[0]} digitpad's modules must be "
                        "installed with their source (a frozen build: module_collection_mode "
                        "in packaging/digitpad.spec)")
    return Outcome(job.output, card, result.test_accuracy, None, len(images))
