"""Learning the user's handwriting from their own labelled samples.

A user has a few dozen samples; MNIST has 60,000 images. Everything here is about using the few
well without losing what MNIST taught:

- :func:`split_samples` holds some samples out, so "before" and "after" can be measured on
  handwriting the model did not learn from.
- Each training sample is rendered as drawn and as :data:`VARIATIONS` re-renderings of its strokes
  under small random rotations, shears, stretches and pen widths
  (:mod:`digitpad.ml.ink_augment`): the ways one person's digits vary from one drawing to the
  next, so the model learns the style rather than those exact points.
- :func:`user_weight` decides how much the samples count next to MNIST.
- :func:`train_with_samples` retrains from scratch on MNIST plus the samples;
  :func:`fine_tune` adapts the current model in seconds, replaying a slice of MNIST so that it
  does not forget the digits the user never drew.

A model with twelve outputs (:mod:`digitpad.ml.outputs`) learns a user's barred 7 as a crossed 7,
and learns from generated non-digits besides (:data:`NOT_DIGIT_SHARE`), so that learning the
user's digits does not unlearn saying "not a digit". A ten-output model learns as it always did.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from digitpad.ml.card import ModelCard
from digitpad.ml.conversion import ServedForm, served_form
from digitpad.ml.datasets import Mnist
from digitpad.ml.digits import INPUT_SHAPE, to_model_input
from digitpad.ml.ink import Drawing, SampleError, strokes_fingerprint
from digitpad.ml.outputs import NOT_A_DIGIT, OUTPUT_NAMES
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.training import TrainingConfig, digit_accuracy, make_dataset, train
from digitpad.ml.training_data import not_digits, pen_digit_label, render

HELD_OUT_FRACTION = 0.2
"""Share of each digit's samples kept out of training to measure accuracy on the user's hand."""
VARIATIONS = 7
"""Random re-renderings per training sample, next to the sample as drawn."""
RENDERINGS = VARIATIONS + 1
USER_SHARE = 0.1
"""Share of an epoch's total weight the user's samples get next to MNIST (see user_weight)."""
MAX_DRAWING_WEIGHT = 50.0
"""At most this many MNIST images' worth per user drawing (summed over its renderings)."""
NOT_DIGIT_SHARE = 1 / 3
"""Generated non-digits per MNIST image, for a model that says "not a digit": about the share a
twelve-output model trains with (20,000 renderings of non-digits next to 57,000 MNIST images)."""


@dataclass(frozen=True)
class SampleSplit:
    train: tuple[Drawing, ...]
    held_out: tuple[Drawing, ...]


def split_samples(
    drawings: Sequence[Drawing], held_out_fraction: float = HELD_OUT_FRACTION, seed: int = 0
) -> SampleSplit:
    """Split labelled drawings, in the order they were collected, into training and held-out ones.

    A drawing is held out when a hash of its points (and ``seed``) falls below
    ``held_out_fraction``, so the choice depends on the drawing, not on what else is in the set.
    Per digit, the first drawing is always learned from, and when no other drawing of that digit
    falls below the fraction the newest one is held out, so every digit with two or more drawings
    is measured. Together this means adding samples never moves one that a model already learned
    from into the held-out set, where it would make that model look better than it is (deleting
    or relabelling one can).
    """
    if not 0.0 <= held_out_fraction < 1.0:
        raise ValueError(
            f"held_out_fraction must be in [0, 1); received held_out_fraction={held_out_fraction}"
        )
    _check_labelled(drawings)
    by_digit: dict[int | None, list[int]] = {}
    for index, drawing in enumerate(drawings):
        by_digit.setdefault(drawing.label, []).append(index)
    held: set[int] = set()
    for indices in by_digit.values():
        later = indices[1:]
        if held_out_fraction == 0.0 or not later:
            continue
        chosen = [i for i in later if _unit_hash(drawings[i], seed) < held_out_fraction]
        held.update(chosen or later[-1:])
    return SampleSplit(
        train=tuple(d for i, d in enumerate(drawings) if i not in held),
        held_out=tuple(d for i, d in enumerate(drawings) if i in held),
    )


def _unit_hash(drawing: Drawing, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}:{strokes_fingerprint(drawing)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _check_labelled(drawings: Sequence[Drawing]) -> None:
    for index, drawing in enumerate(drawings):
        if drawing.label is None or drawing.is_empty:
            raise SampleError(
                f"drawing {index} is {'unlabelled' if drawing.label is None else 'empty'}; "
                "learning needs labelled drawings with ink"
            )


def render_samples(
    drawings: Sequence[Drawing], seed: int = 0, twelve_outputs: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Model inputs (N * RENDERINGS, 28, 28) float32 and labels (uint8) for labelled drawings:
    each as drawn, then its random variations. For ``twelve_outputs`` a barred 7 is labelled
    a crossed 7, the output that the model reads it with."""
    _check_labelled(drawings)
    labels = [pen_digit_label(drawing, twelve_outputs) for drawing in drawings]
    data = render(drawings, labels, VARIATIONS, np.random.default_rng(seed))
    return data.images, data.labels


def not_digit_images(drawings: Sequence[Drawing], count: int, seed: int = 0) -> np.ndarray:
    """``count`` generated non-digits (N, 28, 28), each rendered as drawn; those made of two
    digits side by side are made of the user's ``drawings``.

    The user's samples are one hand, whatever writer they name, so none is held out of the pairs;
    a single sample makes a pair with itself (two digits are no digit).
    """
    if count == 0:
        return np.zeros((0, *INPUT_SHAPE), np.float32)
    _check_labelled(drawings)
    one_hand = [Drawing(drawing.strokes, drawing.label) for drawing in drawings]
    return not_digits(count, seed, one_hand * (2 if len(one_hand) == 1 else 1), copies=0).images


def user_weight(user_examples: int, other_examples: int, share: float = USER_SHARE) -> float:
    """Per-example weight of the user's renderings next to ``other_examples`` at weight 1.

    At weight 1, fifty samples among 54,000 MNIST images are 0.1 % of an epoch: the model would
    barely notice them. So they get the weight that makes them ``share`` of the epoch: enough to
    learn a handwriting, too little to unlearn the variety of MNIST, which is what covers the
    digits the user has not drawn yet. One drawing (all its renderings) counts as at
    most :data:`MAX_DRAWING_WEIGHT` MNIST images, so a handful of samples cannot each weigh
    thousands: that would make the model memorise those exact strokes, and every batch holding one
    would jolt the weights. A user example never counts less than an MNIST one.
    """
    if user_examples <= 0:
        raise ValueError(f"user_examples must be positive; received {user_examples}")
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must be in (0, 1); received share={share}")
    wanted = share * other_examples / ((1.0 - share) * user_examples)
    return float(np.clip(wanted, 1.0, max(1.0, MAX_DRAWING_WEIGHT / RENDERINGS)))


def extra_training_data(
    drawings: Sequence[Drawing], mnist_examples: int, seed: int = 0, twelve_outputs: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(images, labels, weights) of the user's drawings for ``training.train(extra_train=...)``;
    ``mnist_examples`` is every other training example (each at weight 1)."""
    images, labels = render_samples(drawings, seed, twelve_outputs)
    weight = user_weight(len(images), mnist_examples, USER_SHARE) if len(images) else 1.0
    return images, labels, np.full(len(images), weight, dtype=np.float32)


def evaluate_on_samples(model: Recognizer | keras.Model, drawings: Sequence[Drawing]) -> float:
    """Share of the labelled drawings the model reads correctly; one it takes for no digit is
    read wrong, as the window would show "Not a digit"."""
    if not drawings:
        raise SampleError("no drawings to evaluate on; give at least one labelled drawing")
    _check_labelled(drawings)
    predictions = _as_recognizer(model).predict_drawings(drawings)
    return float(np.mean([p.digit == d.label and not p.is_not_a_digit
                          for p, d in zip(predictions, drawings, strict=True)]))


def mnist_test_accuracy(model: Recognizer | keras.Model, mnist: Mnist) -> float:
    """As training measures it (:func:`~digitpad.ml.training.digit_accuracy`), so "before" and
    "after" compare."""
    return digit_accuracy(mnist_test_outputs(model, mnist), mnist.y_test)


def mnist_test_outputs(model: Recognizer | keras.Model, mnist: Mnist) -> np.ndarray:
    """What the model says of each MNIST test image: (N, 10 or 12) float32."""
    return _as_recognizer(model).outputs(to_model_input(mnist.x_test))


def _as_recognizer(model: Recognizer | keras.Model) -> Recognizer:
    """``model`` as a Recognizer. A Keras model here is one digitpad made in this process (a
    training's, a fine-tune's copy), so twelve outputs are :data:`OUTPUT_NAMES`; a model file's
    were checked against its card when it was loaded."""
    if isinstance(model, Recognizer):
        return model
    return Recognizer.from_keras(model, card=ModelCard(outputs=_output_names(model)))


def _as_served(model: Recognizer | keras.Model) -> Recognizer:
    """``model`` as the window serves it, on LiteRT: every figure is measured on that form."""
    if isinstance(model, Recognizer) and model.keras_model is None:
        return model
    keras_model = model.keras_model if isinstance(model, Recognizer) else model
    card = model.card if isinstance(model, Recognizer) else None
    return served_form(keras_model, card).recognizer


def _output_names(model: keras.Model) -> list[str] | None:
    """What the model card says of the outputs of a model digitpad made: None for ten."""
    return list(OUTPUT_NAMES) if model.output_shape[-1] == len(OUTPUT_NAMES) else None


@dataclass
class PersonalResult:
    """A model that learned from the user's samples, with accuracy before and after.

    "Before" is the model the user had (``None`` when there was none to compare);
    the samples' accuracies are ``None`` when no sample could be held out.
    """

    model: keras.Model
    served: ServedForm
    """The new model's LiteRT form, which its "after" figures were measured on; saving writes
    it."""
    mnist_accuracy_before: float | None
    mnist_accuracy_after: float
    samples_accuracy_before: float | None
    samples_accuracy_after: float | None
    trained_on: int
    held_out: int
    mnist_test_images: int
    seconds: float
    history: dict[str, list[float]] = field(default_factory=dict)
    not_digits: int = 0
    """Generated non-digits learned from (a model that says "not a digit")."""
    mnist_test_outputs: np.ndarray | None = None
    """What the new model said of each MNIST test image, for its confusion matrix."""

    def card(self, architecture: str, data: str, config: dict[str, Any] | None = None,
             fine_tuned_from: str | None = None) -> ModelCard:
        """The model card of this run: ``config`` for a new model, ``fine_tuned_from`` (a file
        name) for a fine-tune; ``data`` says in words what it learned from."""
        return ModelCard(
            architecture=architecture,
            outputs=_output_names(self.model),
            parameters=int(self.model.count_params()),
            config=config,
            fine_tuned_from=fine_tuned_from,
            epochs_run=len(self.history.get("loss", [])),
            mnist_test_accuracy=self.mnist_accuracy_after,
            training_seconds=round(self.seconds, 1),
            history=self.history,
            data=data,
            personal_samples={
                "trained_on": self.trained_on,
                "held_out": self.held_out,
                "held_out_accuracy_before": self.samples_accuracy_before,
                "held_out_accuracy_after": self.samples_accuracy_after,
                "mnist_accuracy_before": self.mnist_accuracy_before,
                "mnist_accuracy_after": self.mnist_accuracy_after,
                "mnist_test_images": self.mnist_test_images,
            },
        )


def train_with_samples(
    config: TrainingConfig,
    mnist: Mnist,
    drawings: Sequence[Drawing],
    current: Recognizer | keras.Model | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    held_out_fraction: float = HELD_OUT_FRACTION,
) -> PersonalResult:
    """Train a new model on MNIST plus the user's samples (weighted, varied), minus a held-out part.

    ``current`` is the model in use, measured (on its LiteRT form, converted here when it is given
    as Keras) on the same held-out samples and MNIST test set for the "before" figures;
    ``callbacks`` are :func:`~digitpad.ml.training.train`'s. A twelve-output ``config`` learns
    from generated non-digits too (:data:`NOT_DIGIT_SHARE` of MNIST's).
    """
    started = time.perf_counter()
    split = _split_for_learning(drawings, held_out_fraction, config.seed)
    mnist_before = samples_before = None
    if current is not None:
        current = _as_served(current)
        mnist_before = mnist_test_accuracy(current, mnist)
        samples_before = _accuracy_or_none(current, split.held_out)
    twelve = config.outputs == len(OUTPUT_NAMES)
    mnist_examples = round(len(mnist.x_train) * (1.0 - config.validation_fraction))
    refusals = not_digit_images(
        split.train, round(NOT_DIGIT_SHARE * mnist_examples) if twelve else 0, config.seed)
    images, labels, weights = extra_training_data(
        split.train, mnist_examples + len(refusals), seed=config.seed, twelve_outputs=twelve)
    extra = (np.concatenate([images, refusals]),
             np.concatenate([labels, np.full(len(refusals), NOT_A_DIGIT, np.uint8)]),
             np.concatenate([weights, np.ones(len(refusals), np.float32)]))
    result = train(config, mnist, callbacks, extra_train=extra)
    return PersonalResult(
        model=result.model,
        mnist_accuracy_before=mnist_before,
        mnist_accuracy_after=result.test_accuracy,
        samples_accuracy_before=samples_before,
        samples_accuracy_after=_accuracy_or_none(result.served.recognizer, split.held_out),
        trained_on=len(split.train),
        held_out=len(split.held_out),
        mnist_test_images=len(mnist.x_test),
        seconds=time.perf_counter() - started,
        history=result.history,
        not_digits=len(refusals),
        mnist_test_outputs=result.test_outputs,
        served=result.served,
    )


def _split_for_learning(
    drawings: Sequence[Drawing], held_out_fraction: float, seed: int
) -> SampleSplit:
    split = split_samples(drawings, held_out_fraction, seed)
    if not split.train:
        raise SampleError("no samples to learn from; label some drawings first")
    return split


def _accuracy_or_none(model: Recognizer | keras.Model, drawings: Sequence[Drawing]) -> float | None:
    return evaluate_on_samples(model, drawings) if drawings else None


@dataclass(frozen=True)
class FineTuneConfig:
    """A fine-tune is short and gentle: a few epochs over the samples and an MNIST replay, at a
    learning rate well below training's, so the model moves toward the user's hand without
    forgetting the rest.

    The defaults come from fine-tuning a small MLP on 50 drawings of each of six pendigits
    writers: its reading of their other drawings went up by 9-22 points and its MNIST test
    accuracy moved by -0.2 to +0.3 points (a third of the replay at three times the share: up
    by 11-23 points, but MNIST down by as much as 1.4).
    The app's CNN (trained on MNIST only), on the pendigits writer it read worst: 80 % to 95 % on
    that writer's other drawings, 99.16 % to 99.34 % on MNIST.
    """

    epochs: int = 2
    batch_size: int = 64
    learning_rate: float = 2e-4
    replay: int = 6000
    """MNIST training images replayed next to the samples (at least as many as their renderings)."""
    validation: int = 1000
    """Other MNIST training images, checked after each epoch: the progress shows any forgetting."""
    user_share: float = USER_SHARE
    held_out_fraction: float = HELD_OUT_FRACTION
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "replay", "validation"):
            value = getattr(self, name)
            if value < 1:
                raise ValueError(f"{name} must be at least 1; received {name}={value}")
        if not 0.0 < self.learning_rate < 1.0:
            raise ValueError(f"learning_rate must be in (0, 1); received {self.learning_rate}")


def fine_tune(
    model: Recognizer | keras.Model,
    drawings: Sequence[Drawing],
    mnist: Mnist,
    config: FineTuneConfig | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    served: Recognizer | None = None,
    mnist_before: float | None = None,
) -> PersonalResult:
    """Adapt a copy of ``model`` (left untouched) to the user's samples, replaying some MNIST.

    ``callbacks`` (progress, cancelling) work as in :func:`~digitpad.ml.training.train`. MNIST
    accuracy is measured before and after on ``mnist``'s test images (pass
    ``mnist.subset(test=...)`` to make that quicker), the user's on the held-out samples. A
    twelve-output model replays generated non-digits too (:data:`NOT_DIGIT_SHARE` of the MNIST
    replay), or it would soon take everything for a digit. ``served`` is ``model``'s LiteRT
    form as the window serves it, which the "before" figures are measured on (default: ``model``
    converted here); ``mnist_before`` its MNIST figure when it is known already (its model
    card's), which spares testing it again.
    """
    config = config or FineTuneConfig()
    started = time.perf_counter()
    if len(mnist.x_train) <= config.validation:
        raise ValueError(
            f"MNIST has {len(mnist.x_train)} training images; a fine-tune needs more than "
            f"validation={config.validation} of them"
        )
    split = _split_for_learning(drawings, config.held_out_fraction, config.seed)
    current = _as_recognizer(model)
    before = _as_served(served or current)
    if mnist_before is None:
        mnist_before = mnist_test_accuracy(before, mnist)
    samples_before = _accuracy_or_none(before, split.held_out)

    source = current.keras_model
    keras.utils.set_random_seed(config.seed)
    x, y, weights, validation = _fine_tune_data(split.train, mnist, config,
                                                current.knows_non_digits)

    tuned = _trainable_copy(source)
    tuned.compile(
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = tuned.fit(
        make_dataset(x, y, config.batch_size, config.seed, augment=False, sample_weight=weights),
        validation_data=validation,
        epochs=config.epochs,
        callbacks=list(callbacks),
        shuffle=False,  # the dataset shuffles itself, reproducibly
        verbose=0,
    )
    _unfreeze(tuned)
    served = served_form(tuned)
    outputs = mnist_test_outputs(served.recognizer, mnist)
    return PersonalResult(
        model=tuned,
        mnist_accuracy_before=mnist_before,
        mnist_accuracy_after=digit_accuracy(outputs, mnist.y_test),
        samples_accuracy_before=samples_before,
        samples_accuracy_after=_accuracy_or_none(served.recognizer, split.held_out),
        trained_on=len(split.train),
        held_out=len(split.held_out),
        mnist_test_images=len(mnist.x_test),
        seconds=time.perf_counter() - started,
        history={key: [float(v) for v in values] for key, values in history.history.items()},
        not_digits=int(np.sum(y == NOT_A_DIGIT)),
        mnist_test_outputs=outputs,
        served=served,
    )


def _fine_tune_data(
    drawings: Sequence[Drawing], mnist: Mnist, config: FineTuneConfig, twelve_outputs: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The user's renderings, weighted, among a random MNIST replay (and, for twelve outputs,
    generated non-digits); and other MNIST images to validate on.
    (images, labels, weights, (validation images, labels))."""
    user_x, user_y = render_samples(drawings, config.seed, twelve_outputs)
    order = np.random.default_rng(config.seed).permutation(len(mnist.x_train))
    replay_count = min(max(config.replay, len(user_x)), len(order) - config.validation)
    replay, held = order[:replay_count], order[replay_count : replay_count + config.validation]
    refusals = not_digit_images(
        drawings, round(NOT_DIGIT_SHARE * replay_count) if twelve_outputs else 0, config.seed)
    others = replay_count + len(refusals)
    weight = user_weight(len(user_x), others, config.user_share)
    x = np.concatenate([to_model_input(mnist.x_train[replay]), refusals, user_x])
    y = np.concatenate(
        [mnist.y_train[replay], np.full(len(refusals), NOT_A_DIGIT, np.uint8), user_y])
    weights = np.concatenate(
        [np.ones(others, np.float32), np.full(len(user_x), weight, np.float32)]
    )
    validation = (to_model_input(mnist.x_train[held]), mnist.y_train[held])
    return x, y, weights, validation


def _trainable_copy(model: keras.Model) -> keras.Model:
    """A copy with the same weights whose batch-norm layers stay in inference mode.

    Batch statistics of a few small fine-tuning batches would replace the ones learned on all of
    MNIST (Keras' transfer-learning guide gives the same advice).
    """
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for layer in copy.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    return copy


def _unfreeze(model: keras.Model) -> None:
    """The saved model should not carry the fine-tune's frozen layers into the next training."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = True

