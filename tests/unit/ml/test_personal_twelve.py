"""Learning the user's samples with a model that has twelve outputs (a crossed 7, "not a digit"):
a barred 7 is learned as a crossed 7, and the fine-tune keeps refusing what is no digit."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml import personal
from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import Mnist
from digitpad.ml.ink import Drawing
from digitpad.ml.modelstore import save_model
from digitpad.ml.negatives import negative_drawings
from digitpad.ml.outputs import CROSSED_SEVEN, NOT_A_DIGIT, OUTPUT_NAMES
from digitpad.ml.personal import (
    NOT_DIGIT_SHARE,
    RENDERINGS,
    FineTuneConfig,
    evaluate_on_samples,
    fine_tune,
    mnist_test_accuracy,
    render_samples,
    split_samples,
    train_with_samples,
)
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.regional import is_crossed_seven
from digitpad.ml.training import TrainingConfig, train
from digitpad.ml.training_data import not_digits, pen_digits

REPLAY = 1500
QUICK = FineTuneConfig(replay=REPLAY, validation=500)


@pytest.fixture(scope="module")
def mnist_small(mnist: Mnist) -> Mnist:
    return mnist.subset(train=3000, test=1000)


@pytest.fixture(scope="module")
def writer(pendigits: list[Drawing]) -> str:
    """The first writer who crosses some 7s and not others."""
    def mixed(name: str) -> bool:
        crossed = [is_crossed_seven(d) for d in pendigits
                   if d.extra["writer"] == name and d.label == 7]
        return any(crossed) and not all(crossed)

    return next(name for name in sorted({str(d.extra["writer"]) for d in pendigits})
                if mixed(name))


@pytest.fixture(scope="module")
def one_writer(pendigits: list[Drawing], writer: str) -> tuple[list[Drawing], list[Drawing]]:
    """Five of each digit, three crossed and three plain 7s; and the writer's other drawings."""
    samples: list[Drawing] = []
    others: list[Drawing] = []
    taken: dict[tuple[int | None, bool], int] = defaultdict(int)
    for drawing in (d for d in pendigits if d.extra["writer"] == writer):
        kind = (drawing.label, drawing.label == 7 and is_crossed_seven(drawing))
        if taken[kind] < (3 if drawing.label == 7 else 5):
            taken[kind] += 1
            samples.append(drawing)
        else:
            others.append(drawing)
    return samples, others


@pytest.fixture(scope="module")
def base_model(mnist_small: Mnist, pendigits: list[Drawing], writer: str) -> keras.Model:
    """A twelve-output MLP taught by MNIST, other writers' pen digits (their barred 7s as crossed
    7s) and generated non-digits, as digitpad trains one: a few seconds."""
    rest = [d for d in pendigits if d.extra["writer"] != writer]
    extra = pen_digits(rest[::4], 0, 0, twelve_outputs=True) + not_digits(1000, 0, rest, 0)
    config = TrainingConfig(arch="mlp", epochs=2, batch_size=32, outputs=len(OUTPUT_NAMES))
    weights = np.ones(len(extra.labels), np.float32)
    return train(config, mnist_small, extra_train=(extra.images, extra.labels, weights)).model


@pytest.fixture(scope="module")
def unseen_non_digits(pendigits: list[Drawing]) -> list[np.ndarray]:
    """Non-digits of the evaluation family: fonts, ranges and writers never trained on."""
    return [ink_to_image(d.strokes)
            for d in negative_drawings(300, 0, "evaluation", pen_digits=pendigits)]


def refused(model: keras.Model, images: list[np.ndarray]) -> float:
    """The share the window would show as "Not a digit"."""
    predictions = Recognizer.from_keras(model, card=ModelCard(outputs=list(OUTPUT_NAMES))
                                        ).predict_images(images)
    return float(np.mean([p.is_not_a_digit for p in predictions]))


class LabelSpy:
    """Keeps the labels a fine-tune's dataset is made of."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.labels = np.zeros(0, np.uint8)
        real = personal.make_dataset

        def spy(x: np.ndarray, y: np.ndarray, *args: object, **kwargs: object) -> object:
            self.labels = y
            return real(x, y, *args, **kwargs)

        monkeypatch.setattr(personal, "make_dataset", spy)


def crossed_renderings(drawings: list[Drawing]) -> int:
    """How many renderings of the learned-from samples show a barred 7."""
    train_part = split_samples(drawings).train
    return RENDERINGS * sum(d.label == 7 and is_crossed_seven(d) for d in train_part)


# --- labels ---------------------------------------------------------------------------------


def test_a_barred_seven_is_learned_as_a_crossed_seven_only_by_a_twelve_output_model(
    one_writer,
) -> None:
    sevens = [d for d in one_writer[0] if d.label == 7]
    crossed = [is_crossed_seven(d) for d in sevens]
    assert any(crossed) and not all(crossed)

    _, twelve = render_samples(sevens, twelve_outputs=True)
    _, ten = render_samples(sevens)

    expected = [CROSSED_SEVEN if barred else 7 for barred in crossed for _ in range(RENDERINGS)]
    assert twelve.tolist() == expected
    assert ten.tolist() == [7] * len(expected)


def test_a_drawing_taken_for_no_digit_is_read_wrong(one_writer, mnist_small: Mnist) -> None:
    """Its digits' outputs alone would say 3, but the window shows "Not a digit"."""
    threes = [d for d in one_writer[0] if d.label == 3]

    def answering(first: int, second: int) -> keras.Model:
        model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                  keras.layers.Dense(len(OUTPUT_NAMES), activation="softmax")])
        kernel, bias = model.layers[-1].get_weights()
        bias[[first, second]] = 8.0, 6.0
        model.layers[-1].set_weights([np.zeros_like(kernel), bias])
        return model

    refusing = answering(NOT_A_DIGIT, 3)
    assert evaluate_on_samples(refusing, threes) == 0.0
    assert mnist_test_accuracy(refusing, mnist_small) == 0.0
    assert evaluate_on_samples(answering(3, NOT_A_DIGIT), threes) == 1.0


# --- fine-tuning ----------------------------------------------------------------------------


def test_fine_tuning_a_twelve_output_model_learns_the_hand_and_keeps_refusing_non_digits(
    base_model, one_writer, mnist_small: Mnist, unseen_non_digits, monkeypatch, tmp_path: Path
) -> None:
    samples, others = one_writer
    spy = LabelSpy(monkeypatch)

    result = fine_tune(Recognizer.from_keras(base_model, card=ModelCard(
        outputs=list(OUTPUT_NAMES))), samples, mnist_small, QUICK)

    # It learned from the writer's barred 7s as crossed 7s, and from generated non-digits.
    assert np.sum(spy.labels == CROSSED_SEVEN) == crossed_renderings(samples) > 0
    assert np.sum(spy.labels == NOT_A_DIGIT) == result.not_digits == round(NOT_DIGIT_SHARE
                                                                           * REPLAY)
    # The writer's other drawings are read better; what is no digit is still refused.
    assert evaluate_on_samples(result.model, others) > evaluate_on_samples(base_model, others)
    before = refused(base_model, unseen_non_digits)
    assert before > 0.8
    assert refused(result.model, unseen_non_digits) >= before - 0.05
    # Saved with its card, it opens as the app opens it: twelve outputs, "not a digit" included.
    card = result.card("mlp", "samples", fine_tuned_from="base.keras")
    assert card.outputs == list(OUTPUT_NAMES)
    save_model(result.model, tmp_path / "tuned.keras", card)
    assert Recognizer.load(tmp_path / "tuned.keras").knows_non_digits


def test_a_twelve_output_keras_model_is_fine_tuned_as_one(
    base_model, one_writer, mnist_small: Mnist
) -> None:
    """A Keras model in hand (a training's) needs no card to say what its outputs are."""
    result = fine_tune(base_model, one_writer[0], mnist_small.subset(test=300),
                       FineTuneConfig(epochs=1, replay=600, validation=100))
    assert result.model.output_shape == (None, len(OUTPUT_NAMES))
    assert result.not_digits == round(NOT_DIGIT_SHARE * 600)
    assert result.mnist_accuracy_before is not None and result.mnist_accuracy_before > 0.5


def test_a_ten_output_model_learns_a_barred_seven_as_a_seven_and_no_non_digits(
    one_writer, mnist: Mnist, monkeypatch
) -> None:
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    spy = LabelSpy(monkeypatch)
    samples = one_writer[0]

    result = fine_tune(model, samples, mnist.subset(train=1000, test=200),
                       FineTuneConfig(epochs=1, replay=300, validation=100))

    assert set(spy.labels.tolist()) == set(range(10))
    assert result.not_digits == 0
    assert result.card("mlp", "samples").outputs is None


# --- retraining -----------------------------------------------------------------------------


def test_retraining_twelve_outputs_with_samples_learns_crossed_sevens_and_non_digits(
    base_model, one_writer, mnist: Mnist, monkeypatch
) -> None:
    samples = one_writer[0]
    data = mnist.subset(train=2000, test=500)
    config = TrainingConfig(arch="mlp", epochs=1, batch_size=32, outputs=len(OUTPUT_NAMES))
    learned: list[np.ndarray] = []
    real_train = personal.train

    def spy(*args: object, extra_train: tuple[np.ndarray, ...], **kwargs: object) -> object:
        learned.append(extra_train[1])
        return real_train(*args, extra_train=extra_train, **kwargs)

    monkeypatch.setattr(personal, "train", spy)

    result = train_with_samples(config, data, samples, current=base_model)

    mnist_examples = round(len(data.x_train) * (1 - config.validation_fraction))
    assert result.not_digits == round(NOT_DIGIT_SHARE * mnist_examples)
    assert np.sum(learned[0] == NOT_A_DIGIT) == result.not_digits
    assert np.sum(learned[0] == CROSSED_SEVEN) == crossed_renderings(samples)
    assert result.mnist_accuracy_before is not None and result.samples_accuracy_before is not None
    assert result.model.output_shape == (None, len(OUTPUT_NAMES))
    assert result.card("mlp", "samples").outputs == list(OUTPUT_NAMES)
