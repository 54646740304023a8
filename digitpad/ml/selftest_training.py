"""The self-test's training run, done in a child process as Retrain's is. No Qt here.

It goes through everything Retrain needs: Keras' fit, the tf.data pipeline and its augmentation
(which AutoGraph converts from digitpad's source: a frozen bundle without that source only warns
and breaks), writing a model with its LiteRT form and card, and serving it with LiteRT.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

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
    """One CNN epoch on renderings of ``job.drawings``, saved to ``job.output`` and read back."""
    autograph = _AutoGraphWarnings()
    logging.getLogger("tensorflow").addHandler(autograph)
    report(Stage("Starting TensorFlow…"))
    from digitpad.ml.datasets import Mnist
    from digitpad.ml.digits import to_pixels
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.personal import render_samples
    from digitpad.ml.recognizer import Recognizer
    from digitpad.ml.training import TrainingConfig, train

    started = time.perf_counter()
    images, labels = render_samples(job.drawings)
    pixels = to_pixels(images)
    data = Mnist(pixels, labels, pixels, labels, source="the self-test samples")
    config = TrainingConfig(arch="cnn", epochs=EPOCHS, batch_size=BATCH_SIZE, augment=True)
    result = train(config, data)
    card = result.card().replace(data=f"{len(images)} renderings of the self-test samples",
                                 training_seconds=round(time.perf_counter() - started, 1))
    card = save_model(result.model, job.output, card)
    Recognizer.load(Path(job.output)).predict_images(images[:1])  # its LiteRT form, as served
    if autograph.messages:
        raise JobFailed(UNEXPECTED, f"{autograph.messages[0]} digitpad's modules must be "
                        "installed with their source (a frozen build: module_collection_mode "
                        "in packaging/digitpad.spec)")
    return Outcome(job.output, card, result.test_accuracy, None, len(images))
