"""Learning from the user's samples: the held-out split, the weighting, the varied renderings, and
a fine-tune that must learn one real writer's hand without forgetting MNIST."""

from __future__ import annotations

from collections import defaultdict

import keras
import numpy as np
import pytest

from digitpad.ml.datasets import Mnist
from digitpad.ml.digits import to_model_input
from digitpad.ml.ink import Drawing, SampleError, make_drawing, strokes_fingerprint
from digitpad.ml.jobs import JobCancelled
from digitpad.ml.personal import (
    MAX_DRAWING_WEIGHT,
    RENDERINGS,
    FineTuneConfig,
    evaluate_on_samples,
    extra_training_data,
    fine_tune,
    render_samples,
    split_samples,
    train_with_samples,
    user_weight,
)
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.training import TrainingConfig, train
from tests.unit.ml.progress import Recorder

SAMPLES_PER_DIGIT = 5
"""A few dozen samples: what a user labels in a few minutes."""


@pytest.fixture(scope="module")
def mnist_small(mnist: Mnist) -> Mnist:
    """10,000 training images and the full test set: a quick model, an exact MNIST figure."""
    return mnist.subset(train=10_000)


@pytest.fixture(scope="module")
def base_model(mnist_small: Mnist):
    """The tutorial's MLP after two quick epochs (about 93 % on MNIST): a few seconds to train."""
    return train(TrainingConfig(arch="mlp", epochs=2, batch_size=32), mnist_small).model


@pytest.fixture(scope="module")
def one_writer(pendigits: list[Drawing]) -> tuple[list[Drawing], list[Drawing]]:
    """The first writer's first five drawings of each digit, and that writer's other drawings."""
    writer = min(str(d.extra["writer"]) for d in pendigits)
    samples: list[Drawing] = []
    others: list[Drawing] = []
    taken: dict[int | None, int] = defaultdict(int)
    for drawing in (d for d in pendigits if d.extra["writer"] == writer):
        if taken[drawing.label] < SAMPLES_PER_DIGIT:
            taken[drawing.label] += 1
            samples.append(drawing)
        else:
            others.append(drawing)
    return samples, others


def weights_of(model) -> list[np.ndarray]:
    return [np.array(w) for w in model.get_weights()]


# --- the split ------------------------------------------------------------------------------


def test_split_holds_out_about_a_fifth_of_each_digit_and_learns_from_the_rest(
    pendigits: list[Drawing],
) -> None:
    split = split_samples(pendigits)
    assert len(split.train) + len(split.held_out) == len(pendigits)
    assert 0.18 < len(split.held_out) / len(pendigits) < 0.22
    held = {strokes_fingerprint(d) for d in split.held_out}
    assert not held & {strokes_fingerprint(d) for d in split.train}


def test_every_digit_with_two_samples_is_measured_and_a_lone_sample_is_learned_from() -> None:
    labels = [1, 1, 2, 3, 3, 3]
    drawings = [make_drawing([[(0, 0), (i, 5), (3, i)]], label) for i, label in enumerate(labels)]
    split = split_samples(drawings)
    held = [d.label for d in split.held_out]
    assert held.count(1) == 1 and held.count(2) == 0 and 1 <= held.count(3) <= 2
    assert {d.label for d in split.train} == {1, 2, 3}
    assert split.train[0] is drawings[0]  # the first drawing of a digit is always learned from
    assert split_samples(drawings, held_out_fraction=0.0).held_out == ()


def test_split_is_deterministic_and_ignores_order(one_writer) -> None:
    samples, _ = one_writer
    key = {strokes_fingerprint(d) for d in split_samples(samples).held_out}
    assert key == {strokes_fingerprint(d) for d in split_samples(samples).held_out}
    assert key != {strokes_fingerprint(d) for d in split_samples(samples, seed=1).held_out}


def test_adding_samples_never_moves_a_learned_one_into_the_held_out_set(
    pendigits: list[Drawing],
) -> None:
    writer = [d for d in pendigits if d.extra["writer"] == pendigits[0].extra["writer"]]
    learned: set[str] = set()
    for count in range(1, len(writer) + 1, 4):
        split = split_samples(writer[:count])
        assert not learned & {strokes_fingerprint(d) for d in split.held_out}, count
        learned |= {strokes_fingerprint(d) for d in split.train}


def test_unlabelled_drawings_are_refused_with_their_position() -> None:
    drawings = [make_drawing([[(0, 0), (1, 1)]], 4), make_drawing([[(0, 0), (2, 1)]], None)]
    with pytest.raises(SampleError, match="drawing 1 is unlabelled"):
        split_samples(drawings)


# --- renderings and weights -----------------------------------------------------------------


def test_each_sample_is_rendered_as_drawn_then_as_distinct_variations(one_writer) -> None:
    samples = one_writer[0][:3]
    images, labels = render_samples(samples, seed=0)
    assert images.shape == (3 * RENDERINGS, 28, 28) and images.dtype == np.float32
    assert labels.tolist() == [d.label for d in samples for _ in range(RENDERINGS)]
    first = images[:RENDERINGS]
    assert np.array_equal(first[0], ink_to_image(samples[0].strokes))
    assert all(not np.array_equal(first[0], variation) for variation in first[1:])
    assert np.array_equal(images, render_samples(samples, seed=0)[0])


def test_weight_makes_the_samples_the_chosen_share_of_an_epoch() -> None:
    weight = user_weight(400, 54_000, share=0.02)
    assert weight * 400 / (weight * 400 + 54_000) == pytest.approx(0.02)


def test_weight_of_a_few_samples_is_capped_and_never_below_one() -> None:
    few = RENDERINGS * 10
    assert user_weight(few, 54_000, share=0.1) * RENDERINGS == MAX_DRAWING_WEIGHT
    assert user_weight(RENDERINGS * 5000, 54_000, share=0.1) == 1.0


def test_extra_training_data_is_what_train_accepts(one_writer) -> None:
    images, labels, weights = extra_training_data(one_writer[0][:4], mnist_examples=54_000)
    count = 4 * RENDERINGS
    assert images.shape == (count, 28, 28) and labels.shape == weights.shape == (count,)
    assert labels.dtype == np.uint8 and weights.dtype == np.float32
    assert np.all(weights == weights[0]) and weights[0] > 1.0


# --- measuring ------------------------------------------------------------------------------


def test_accuracy_on_samples_counts_what_the_model_reads_right(base_model, one_writer) -> None:
    samples = one_writer[0]
    recognizer = Recognizer.from_keras(base_model)
    expected = np.mean([p.digit == d.label for p, d in
                        zip(recognizer.predict_drawings(samples), samples, strict=True)])
    assert evaluate_on_samples(recognizer, samples) == pytest.approx(expected)
    assert evaluate_on_samples(base_model, samples) == pytest.approx(expected)
    with pytest.raises(SampleError, match="no drawings to evaluate"):
        evaluate_on_samples(base_model, [])


# --- fine-tuning ----------------------------------------------------------------------------


def test_fine_tune_learns_one_writers_hand_without_forgetting_mnist(
    base_model, one_writer, mnist_small: Mnist
) -> None:
    samples, others = one_writer
    before_weights = weights_of(base_model)
    recorder = Recorder()

    result = fine_tune(base_model, samples, mnist_small, callbacks=[recorder.callback])

    # The user's handwriting: the drawings it did not learn from are read better.
    others_before = evaluate_on_samples(base_model, others)
    others_after = evaluate_on_samples(result.model, others)
    assert others_after > others_before, (others_before, others_after)
    assert result.held_out >= len(samples) // 5
    assert result.trained_on + result.held_out == len(samples)
    assert result.samples_accuracy_before is not None and result.samples_accuracy_after is not None
    assert result.samples_accuracy_after >= result.samples_accuracy_before
    # MNIST, on all 10,000 test images: not lost.
    assert result.mnist_test_images == 10_000
    assert result.mnist_accuracy_before == pytest.approx(
        evaluate_mnist(base_model, mnist_small), abs=1e-9
    )
    assert result.mnist_accuracy_after >= result.mnist_accuracy_before - 0.005
    # The model the user had is untouched; progress was reported like training's.
    assert all(np.array_equal(a, b) for a, b in
               zip(before_weights, weights_of(base_model), strict=True))
    assert len(recorder.epochs) == FineTuneConfig().epochs
    assert {"loss", "val_loss", "val_sparse_categorical_accuracy"} <= set(recorder.epochs[-1])
    assert recorder.batches[-1][1] == recorder.batches[-1][2] - 1


def evaluate_mnist(model, mnist: Mnist) -> float:
    images = to_model_input(mnist.x_test)
    guesses = Recognizer.from_keras(model).probabilities(images).argmax(1)
    return float(np.mean(guesses == mnist.y_test))


def test_cancelled_fine_tune_raises_and_leaves_the_model_alone(
    base_model, one_writer, mnist_small: Mnist
) -> None:
    before_weights = weights_of(base_model)
    recorder = Recorder(stop_after=3)
    with pytest.raises(JobCancelled):
        fine_tune(base_model, one_writer[0], mnist_small.subset(test=500),
                  callbacks=[recorder.callback])
    assert len(recorder.batches) == 3 and recorder.epochs == []
    assert all(np.array_equal(a, b) for a, b in
               zip(before_weights, weights_of(base_model), strict=True))


def test_fine_tune_needs_samples_to_learn_from(base_model, mnist_small: Mnist) -> None:
    with pytest.raises(SampleError, match="no samples to learn from"):
        fine_tune(base_model, [], mnist_small)
    with pytest.raises(SampleError, match="no samples to learn from"):
        train_with_samples(TrainingConfig(arch="mlp", epochs=1), mnist_small, [])


def test_fine_tune_works_for_models_that_take_a_channel_axis(one_writer, mnist: Mnist) -> None:
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    quick = FineTuneConfig(epochs=1, replay=300, validation=100)
    result = fine_tune(model, one_writer[0][:20], mnist.subset(train=1000, test=200), quick)
    assert result.model.input_shape == (None, 28, 28, 1)
    assert 0.0 <= result.mnist_accuracy_after <= 1.0


def test_retraining_with_samples_reads_the_writer_better_than_without(
    one_writer, mnist: Mnist, base_model
) -> None:
    samples, others = one_writer
    data = mnist.subset(train=5000, test=2000)
    config = TrainingConfig(arch="mlp", epochs=1, batch_size=32)
    without = train(config, data).model

    result = train_with_samples(config, data, samples, current=base_model)

    assert evaluate_on_samples(result.model, others) > evaluate_on_samples(without, others)
    assert result.trained_on + result.held_out == len(samples)
    assert result.mnist_accuracy_before == pytest.approx(evaluate_mnist(base_model, data))
    assert result.samples_accuracy_before is not None
    assert result.samples_accuracy_after is not None
    assert 0.8 < result.mnist_accuracy_after <= 1.0
    card = result.card("cnn", "MNIST and some samples", config={"seed": 0})
    assert card.personal_samples is not None
    assert card.personal_samples["held_out"] == result.held_out
    assert (card.architecture, card.config, card.fine_tuned_from) == ("cnn", {"seed": 0}, None)
    assert card.mnist_test_accuracy == result.mnist_accuracy_after
