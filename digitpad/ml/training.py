"""Training: the tutorial's recipe (adam, sparse categorical cross-entropy) made drivable by a GUI.

Progress and cancelling go through Keras callbacks: :class:`ProgressReporter` turns every batch and
epoch into a message and raises :class:`~digitpad.ml.jobs.JobCancelled` at the next
batch once its stop flag is set. Validation uses a split of the *training* data (the tutorial
validates on the test set, which leaks it into model selection); the test set is evaluated exactly
once, at the end, and so are the held-out pen writers when the run learned from pen-drawn digits
(:func:`drawings_evaluation`); what the model said of each test image is kept, for the confusion
matrix and the mistakes the user looks through after the run. Those tests run on the model's
LiteRT form (:func:`~digitpad.ml.conversion.served_form`), the one the window will serve.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from digitpad.ml.card import ModelCard
from digitpad.ml.conversion import ServedForm, served_form
from digitpad.ml.datasets import Mnist
from digitpad.ml.digits import ARCHITECTURES, NUM_CLASSES, to_model_input, to_pixels
from digitpad.ml.evaluation import Evaluation, answers, evaluate
from digitpad.ml.ink import Drawing
from digitpad.ml.jobs import (
    BATCH_REPORT_SECONDS,
    BatchEnd,
    EpochEnd,
    JobCancelled,
    Report,
    Stage,
    StopFlag,
    SubclassCheck,
)
from digitpad.ml.models import as_sequential, build_model
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Recognizer

HISTORY_KEYS = (
    "loss",
    "sparse_categorical_accuracy",
    "val_loss",
    "val_sparse_categorical_accuracy",
)
VALIDATION_BATCH = 1024
"""Validation images per step. Fit's default (the training batch) makes the tutorial's batch of
32 spend more time validating 6,000 images than training on 1,000 (the over-fitting preset)."""


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides a training run; with the same data, the same config gives the
    same model."""

    arch: str = "cnn"
    epochs: int = 5
    batch_size: int = 128
    learning_rate: float = 1e-3
    seed: int = 0
    validation_fraction: float = 0.1
    early_stopping: bool = False
    patience: int = 3
    augment: bool | None = None
    """Random affine and stroke-width changes; ``None`` means on for the CNN, off for the MLP
    (so ``mlp`` stays exactly the tutorial)."""
    outputs: int = NUM_CLASSES
    """10, one per digit (the tutorial), or 12: with a crossed 7 and "not a digit"
    (:mod:`digitpad.ml.outputs`), which the extra training data must then teach."""
    train_limit: int | None = None
    """Learn from only this many MNIST training images (after the validation images are set
    aside, so validation stays as large): a small set to watch a model over-fit."""
    subclass: bool = False
    """Build the MLP as a ``keras.Model`` subclass (:class:`~digitpad.ml.models.TutorialMLP`):
    the same network, saved in its ``Sequential`` form."""

    def __post_init__(self) -> None:
        if self.arch not in ARCHITECTURES:
            raise ValueError(
                f"arch must be one of {', '.join(ARCHITECTURES)}; received arch={self.arch!r}"
            )
        if not 1 <= self.epochs <= 1000:
            raise ValueError(f"epochs must be between 1 and 1000; received epochs={self.epochs}")
        if not 1 <= self.batch_size <= 65536:
            raise ValueError(f"batch_size must be at least 1; received {self.batch_size}")
        if not 0.0 < self.learning_rate < 1.0:
            raise ValueError(
                f"learning_rate must be in (0, 1); received learning_rate={self.learning_rate}"
            )
        if not 0.0 < self.validation_fraction < 0.5:
            raise ValueError(
                "validation_fraction must be in (0, 0.5); "
                f"received validation_fraction={self.validation_fraction}"
            )
        if self.patience < 1:
            raise ValueError(f"patience must be at least 1; received patience={self.patience}")
        if self.outputs not in (NUM_CLASSES, len(OUTPUT_NAMES)):
            raise ValueError(f"outputs must be {NUM_CLASSES} or {len(OUTPUT_NAMES)}; received "
                             f"outputs={self.outputs}")
        if self.train_limit is not None and self.train_limit < 1:
            raise ValueError("train_limit must be at least 1 (or None for every image); "
                             f"received train_limit={self.train_limit}")
        if self.subclass and self.arch != "mlp":
            raise ValueError("subclass builds the tutorial's MLP as a keras.Model subclass; "
                             f"received arch={self.arch!r}, use arch='mlp'")

    @property
    def augmented(self) -> bool:
        return self.arch == "cnn" if self.augment is None else self.augment


@dataclass
class TrainingResult:
    model: keras.Model
    config: TrainingConfig
    history: dict[str, list[float]]
    test_accuracy: float
    test_loss: float
    test_outputs: np.ndarray
    """(test images, outputs) float32: what the model said of each MNIST test image, for the
    confusion matrix (:func:`digitpad.ml.evaluation.evaluate`) without predicting again."""
    served: ServedForm
    """The model's LiteRT form, which the test ran on; saving writes it."""
    seconds: float
    best_epoch: int
    """The epoch (from 0) with the lowest validation loss; the model has its weights only with
    early stopping (otherwise the last epoch's)."""
    train_examples: int
    validation_examples: int

    def card(self) -> ModelCard:
        """The facts about this run that belong next to the saved model."""
        return ModelCard(
            architecture=self.config.arch,
            outputs=list(OUTPUT_NAMES) if self.config.outputs > NUM_CLASSES else None,
            parameters=int(self.model.count_params()),
            config=asdict(self.config),
            epochs_run=len(self.history.get("loss", [])),
            best_epoch=self.best_epoch + 1,
            train_examples=self.train_examples,
            validation_examples=self.validation_examples,
            mnist_test_accuracy=self.test_accuracy,
            mnist_test_loss=self.test_loss,
            training_seconds=round(self.seconds, 1),
            history=self.history,
        )


class ProgressReporter(keras.callbacks.Callback):
    """Batches and epochs become messages for ``report``; a set ``stop`` flag ends the run.

    Stopping raises :class:`JobCancelled` out of Keras' loop at the batch boundary: setting
    ``stop_training`` instead would still validate on 6,000 images before the epoch ends, seconds
    on a CPU. Batch messages come at most once per ``interval`` seconds, but an epoch's last batch
    always comes; ``testing``, if given, is announced when the training ends (after the last
    planned epoch, or sooner when early stopping ends it).
    """

    def __init__(self, report: Report, stop: StopFlag | None = None, testing: str | None = None,
                 interval: float = BATCH_REPORT_SECONDS) -> None:
        super().__init__()
        self._report = report
        self._stop = stop
        self._testing = testing
        self._interval = interval
        self._epoch = 0
        self._last = float("-inf")

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._stop is not None and self._stop.is_set():
            raise JobCancelled
        batches = self.params["steps"]
        now = time.monotonic()
        if batch + 1 == batches or now - self._last >= self._interval:
            self._last = now
            self._report(BatchEnd(self._epoch, batch, batches, self.params["epochs"],
                                  _floats(logs)))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._report(EpochEnd(epoch, _floats(logs)))

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._testing is not None:
            self._report(Stage(self._testing))


def _floats(logs: dict[str, Any] | None) -> dict[str, float]:
    return {key: float(value) for key, value in (logs or {}).items()}


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A seeded, stratified-enough random split of the training data."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, round(len(x) * fraction))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def _augmenter(seed: int) -> keras.Sequential:
    """Small rotations, zooms, shears-by-zoom and shifts: how people's digits vary."""
    return keras.Sequential(
        [
            keras.layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed),
            keras.layers.RandomZoom((-0.1, 0.1), (-0.1, 0.1), fill_mode="constant", seed=seed + 1),
            keras.layers.RandomTranslation(0.06, 0.06, fill_mode="constant", seed=seed + 2),
        ],
        name="augment",
    )


def _vary_stroke_width(images: tf.Tensor, seed: int) -> tf.Tensor:
    """Thicken or thin each digit a random amount (grey-scale dilation/erosion, blended).

    MNIST's strokes come from one kind of pen; users' come from any pen width we render and any
    hand. Without this the network learns MNIST's thickness as a feature.
    """
    amount = tf.random.uniform([tf.shape(images)[0], 1, 1, 1], -0.5, 0.5, seed=seed)
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    return tf.where(
        amount > 0, images + amount * (dilated - images), images - amount * (eroded - images)
    )


def make_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    seed: int,
    augment: bool,
    sample_weight: np.ndarray | None = None,
) -> tf.data.Dataset:
    """Shuffled, batched, optionally augmented tf.data pipeline over float32 images."""
    parts: tuple[np.ndarray, ...] = (x, y) if sample_weight is None else (x, y, sample_weight)
    data = tf.data.Dataset.from_tensor_slices(parts)
    data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
    if augment:
        augmenter = _augmenter(seed)

        def augment_batch(images: tf.Tensor, *rest: tf.Tensor) -> tuple[tf.Tensor, ...]:
            images = tf.expand_dims(images, -1)
            images = augmenter(images, training=True)
            images = _vary_stroke_width(images, seed)
            images = tf.clip_by_value(tf.squeeze(images, -1), 0.0, 1.0)
            return (images, *rest)

        data = data.map(augment_batch, num_parallel_calls=tf.data.AUTOTUNE)
    # No autotuning: its background thread, starved by the training on two cores, held up the
    # end of an epoch iterator for 20-28 s once in every run (seen waiting in the iterator's
    # destructor), a sixth of Retrain's default; without it the varied pipeline is as fast.
    options = tf.data.Options()
    options.autotune.enabled = False
    return data.prefetch(tf.data.AUTOTUNE).with_options(options)


def train(
    config: TrainingConfig,
    data: Mnist,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    extra_train: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> TrainingResult:
    """Train a fresh model on MNIST (plus optional weighted extra examples) and test it once.

    ``callbacks`` see the fit (e.g. a :class:`ProgressReporter`; what they raise ends it).
    ``extra_train`` is (images float32 [0, 1], labels, per-example weights), e.g. a user's own
    drawings or pen-drawn digits; they join the training split only.
    """
    started = time.perf_counter()
    keras.utils.set_random_seed(config.seed)
    x_all = to_model_input(data.x_train)
    x_train, y_train, x_val, y_val = split_validation(
        x_all, data.y_train, config.validation_fraction, config.seed
    )
    x_train, y_train = x_train[:config.train_limit], y_train[:config.train_limit]  # random order
    weights = None
    if extra_train is not None:
        extra_x, extra_y, extra_w = extra_train
        weights = np.concatenate([np.ones(len(x_train), np.float32), extra_w.astype(np.float32)])
        x_train = np.concatenate([x_train, extra_x.astype(np.float32)])
        y_train = np.concatenate([y_train, extra_y.astype(np.uint8)])

    batches = int(np.ceil(len(x_train) / config.batch_size))  # for the learning-rate schedule
    model = build_model(config.arch, config.outputs, config.subclass)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=_learning_rate(config, batches)),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    fit_callbacks = list(callbacks)
    if config.early_stopping:
        fit_callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.patience, restore_best_weights=True
            )
        )

    history = model.fit(
        make_dataset(x_train, y_train, config.batch_size, config.seed, config.augmented, weights),
        validation_data=(x_val, y_val),
        validation_batch_size=VALIDATION_BATCH,
        epochs=config.epochs,
        callbacks=fit_callbacks,
        shuffle=False,  # the dataset shuffles itself, reproducibly
        verbose=0,
    )
    served = served_form(as_sequential(model))
    test_outputs = served.recognizer.outputs(to_model_input(data.x_test))
    test_accuracy = digit_accuracy(test_outputs, data.y_test)
    recorded = {key: [float(v) for v in history.history.get(key, [])] for key in HISTORY_KEYS}
    best_epoch = int(np.argmin(recorded["val_loss"]))  # the first of equals, as EarlyStopping
    return TrainingResult(
        model=model,
        config=config,
        history=recorded,
        test_accuracy=float(test_accuracy),
        test_loss=cross_entropy(test_outputs, data.y_test),
        test_outputs=test_outputs,
        served=served,
        seconds=time.perf_counter() - started,
        best_epoch=best_epoch,
        train_examples=len(x_train),
        validation_examples=len(x_val),
    )


def compare_with_sequential(
    config: TrainingConfig,
    data: Mnist,
    result: TrainingResult,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    extra_train: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> SubclassCheck:
    """Train the network of ``result`` (a ``subclass`` run) again as a ``Sequential`` model with
    the same settings, seed and data, and set the two side by side."""
    twin = train(dataclasses.replace(config, subclass=False), data, callbacks, extra_train)
    same = all(np.array_equal(a, b) for a, b in
               zip(result.model.get_weights(), twin.model.get_weights(), strict=True))
    return SubclassCheck(int(result.model.count_params()), result.test_accuracy,
                         int(twin.model.count_params()), twin.test_accuracy, same)


def drawings_evaluation(model: Recognizer | keras.Model, drawings: Sequence[Drawing],
                        title: str) -> Evaluation:
    """How the model reads labelled drawings through the app's own ink -> preprocess -> model
    path: the confusion matrix and the mistakes (:func:`~digitpad.ml.evaluation.evaluate`). A
    drawing it takes for no digit is read wrong, as the window would show "Not a digit"."""
    labelled = [d for d in drawings if d.label is not None and not d.is_empty]
    if not labelled:
        raise ValueError(f"{title}: no labelled, non-empty drawings to evaluate on")
    recognizer = model if isinstance(model, Recognizer) else Recognizer.from_keras(
        model, card=ModelCard(
            outputs=list(OUTPUT_NAMES) if model.output_shape[-1] > NUM_CLASSES else None))
    images = np.stack([ink_to_image(d.strokes) for d in labelled])
    labels = np.array([d.label for d in labelled])
    return evaluate(recognizer.outputs(images), labels, to_pixels(images), title)


def ink_evaluation(evaluation: Evaluation, source: str) -> dict[str, Any]:
    """The model card's ``ink_evaluation`` of drawings from ``source``: overall and per digit."""
    return {
        "file": source,
        "samples": evaluation.samples,
        "accuracy": evaluation.accuracy,
        "per_digit_accuracy": {str(digit): accuracy for digit, accuracy
                               in evaluation.per_digit_accuracy().items()},
    }


def held_out_evaluation(model: Recognizer | keras.Model, drawings: Sequence[Drawing],
                        source: str) -> dict[str, Any]:
    """The model card's ``ink_evaluation`` of labelled drawings (see
    :func:`drawings_evaluation`)."""
    return ink_evaluation(drawings_evaluation(model, drawings, source), source)


def cross_entropy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """The loss training minimised (sparse categorical cross-entropy, probabilities clipped as
    Keras clips them), of outputs already computed."""
    chosen = outputs[np.arange(len(labels)), labels.astype(np.intp)]
    epsilon = keras.config.epsilon()
    return float(-np.mean(np.log(np.clip(chosen, epsilon, 1.0 - epsilon))))


def digit_accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """How often the answer a user sees is the labelled digit: a crossed 7 counts as a 7 (the
    default convention), and "not a digit" as wrong."""
    return float(np.mean(answers(outputs) == labels))


def _learning_rate(
    config: TrainingConfig, batches: int
) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """For the CNN, ``learning_rate`` down to 2 % of it over the run, batch by batch.

    A decaying rate is what takes a CNN from ~99.0 % to ~99.3 % on MNIST in the same two epochs;
    the tutorial's MLP keeps its constant rate.
    """
    if config.arch != "cnn" or config.epochs < 2:
        return config.learning_rate
    return keras.optimizers.schedules.CosineDecay(
        config.learning_rate, decay_steps=config.epochs * batches, alpha=0.02
    )
