"""Training: a short real run ends in a loadable model; progress, cancel and seeds behave; a
small set over-fits and early stopping keeps the best epoch; the subclass is the Sequential."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import Mnist
from digitpad.ml.digits import to_model_input
from digitpad.ml.jobs import BatchEnd, EpochEnd, JobCancelled, Message, Stage
from digitpad.ml.models import as_sequential
from digitpad.ml.modelstore import save_model
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.training import (
    HISTORY_KEYS,
    ProgressReporter,
    TrainingConfig,
    compare_with_sequential,
    held_out_evaluation,
    split_validation,
    train,
)
from tests.unit.ml.progress import Recorder


@pytest.fixture(scope="module")
def small_mnist(mnist: Mnist) -> Mnist:
    return mnist.subset(train=3000, test=1000)


def test_tutorial_mlp_trains_reports_progress_and_saves_a_loadable_model(
    small_mnist: Mnist, tmp_path: Path
) -> None:
    recorder = Recorder()
    config = TrainingConfig(arch="mlp", epochs=2, batch_size=32, seed=3)
    result = train(config, small_mnist, [recorder.callback])

    assert set(result.history) == set(HISTORY_KEYS)
    assert all(len(values) == 2 for values in result.history.values())
    assert [logs.keys() >= set(HISTORY_KEYS) for logs in recorder.epochs] == [True, True]
    batches = int(np.ceil(2700 / 32))
    assert len(recorder.batches) == 2 * batches
    assert recorder.batches[0] == (0, 0, batches, 2)
    assert recorder.batches[-1] == (1, batches - 1, batches, 2)
    assert result.test_accuracy > 0.8  # 3,000 images, 2 epochs: far above chance

    path = tmp_path / "models" / "mlp.keras"
    save_model(result.model, path, result.card())
    loaded = Recognizer.load(path)
    assert ModelCard.read(path).mnist_test_accuracy == result.test_accuracy
    images = to_model_input(small_mnist.x_test[:50])
    np.testing.assert_allclose(
        loaded.probabilities(images), result.model(images).numpy(), atol=1e-5
    )
    # The model and its card, and no temporary file left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["mlp.json", "mlp.keras",
                                                             "mlp.tflite"]


def test_the_test_runs_on_the_form_the_window_serves_and_saving_keeps_that_form(
    small_mnist: Mnist, tmp_path: Path
) -> None:
    result = train(TrainingConfig(arch="mlp", epochs=1, seed=5), small_mnist)
    assert result.served.recognizer.keras_model is None  # LiteRT, not Keras

    path = tmp_path / "mlp.keras"
    save_model(result.model, path, result.card(), result.served)
    assert path.with_suffix(".tflite").read_bytes() == result.served.data  # converted once
    served = Recognizer.load(path)  # what the window would open
    np.testing.assert_allclose(served.outputs(to_model_input(small_mnist.x_test)),
                               result.test_outputs, atol=1e-6)
    labels = small_mnist.y_test
    chosen = result.test_outputs[np.arange(len(labels)), labels]
    assert result.test_accuracy == float(np.mean(result.test_outputs.argmax(1) == labels))
    assert result.test_loss == pytest.approx(float(-np.mean(np.log(np.clip(chosen, 1e-7, 1)))))
    assert result.test_loss == pytest.approx(result.model.evaluate(
        to_model_input(small_mnist.x_test), labels, verbose=0)[0], rel=1e-4)


def test_same_seed_same_model(small_mnist: Mnist) -> None:
    tiny = small_mnist.subset(train=600, test=100)
    config = TrainingConfig(arch="mlp", epochs=1, batch_size=64, seed=11)
    first = train(config, tiny).model.get_weights()
    second = train(config, tiny).model.get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_the_stop_flag_cancels_at_the_next_batch(small_mnist: Mnist) -> None:
    recorder = Recorder(stop_after=5)
    with pytest.raises(JobCancelled):
        train(TrainingConfig(arch="cnn", epochs=3, batch_size=32), small_mnist,
              [recorder.callback])
    assert len(recorder.batches) == 5
    assert recorder.epochs == []  # no validation pass after the stop


def test_batch_reports_are_throttled_but_an_epochs_last_batch_always_comes() -> None:
    messages: list[Message] = []
    reporter = ProgressReporter(messages.append, testing="Testing…", interval=3600.0)
    reporter.set_params({"epochs": 1, "steps": 10})  # what Keras' fit gives its callbacks
    reporter.on_epoch_begin(0)
    for batch in range(10):
        reporter.on_train_batch_end(batch, {"loss": 1.0 / (batch + 1)})
    reporter.on_epoch_end(0, {"loss": 0.1})
    reporter.on_train_end()  # after the last epoch, or when early stopping ends the run
    assert messages == [BatchEnd(0, 0, 10, 1, {"loss": 1.0}),
                        BatchEnd(0, 9, 10, 1, {"loss": 0.1}),
                        EpochEnd(0, {"loss": 0.1}), Stage("Testing…")]


def test_cnn_with_augmentation_learns(small_mnist: Mnist) -> None:
    result = train(TrainingConfig(arch="cnn", epochs=1, batch_size=64, seed=0), small_mnist)
    assert result.test_accuracy > 0.7
    assert result.model.output_shape == (None, 10)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("arch", "resnet", "arch must be one of mlp, cnn"),
        ("epochs", 0, "epochs must be between 1 and 1000"),
        ("learning_rate", 0.0, "learning_rate must be in"),
        ("validation_fraction", 0.7, "validation_fraction must be in"),
        ("train_limit", 0, "train_limit must be at least 1"),
        ("subclass", True, "received arch='cnn', use arch='mlp'"),
    ],
)
def test_bad_settings_are_refused_clearly(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**{field: value})


def test_a_small_training_set_over_fits_and_early_stopping_keeps_the_best_epoch(
    small_mnist: Mnist,
) -> None:
    """The over-fitting lesson in miniature: 300 images, the validation images as many as
    ever; training loss falls on while validation loss turns up."""
    config = TrainingConfig(arch="mlp", epochs=40, batch_size=32, train_limit=300)
    result = train(config, small_mnist)
    assert (result.train_examples, result.validation_examples) == (300, 300)
    val_loss, loss = result.history["val_loss"], result.history["loss"]
    best = result.best_epoch
    assert best == int(np.argmin(val_loss)) and best < 30
    assert val_loss[-1] > val_loss[best] and loss[-1] < loss[best] / 2
    assert result.card().best_epoch == best + 1

    stopped = train(dataclasses.replace(config, early_stopping=True), small_mnist)
    kept = stopped.best_epoch
    assert kept == int(np.argmin(stopped.history["val_loss"]))
    assert len(stopped.history["loss"]) == kept + 1 + config.patience < config.epochs
    _, _, x_val, y_val = split_validation(to_model_input(small_mnist.x_train),
                                          small_mnist.y_train, config.validation_fraction,
                                          config.seed)
    probabilities = stopped.model(x_val, training=False)
    restored_loss = keras.losses.sparse_categorical_crossentropy(y_val, probabilities)
    # The weights of the best epoch, not of the last one.
    assert float(np.mean(restored_loss)) == pytest.approx(stopped.history["val_loss"][kept],
                                                          rel=1e-4)


def test_the_tutorials_model_as_a_subclass_is_the_same_network(small_mnist: Mnist) -> None:
    tiny = small_mnist.subset(train=600, test=200)
    config = TrainingConfig(arch="mlp", epochs=1, batch_size=32, subclass=True)
    result = train(config, tiny)
    assert type(result.model).__name__ == "TutorialMLP"
    check = compare_with_sequential(config, tiny, result)
    assert check.parameters == check.sequential_parameters == 101_770
    assert check.same_weights and check.test_accuracy == check.sequential_test_accuracy
    saved = as_sequential(result.model)
    assert saved.name == "mlp" and saved.count_params() == 101_770
    images = to_model_input(tiny.x_test[:20])
    np.testing.assert_array_equal(saved(images).numpy(), result.model(images).numpy())


def test_held_out_drawings_are_read_through_the_apps_ink_path(
    bundled_recognizer: Recognizer, held_out_pendigits: list
) -> None:
    some = held_out_pendigits[::25]
    evaluation = held_out_evaluation(bundled_recognizer, some, "pen.json")
    assert evaluation["file"] == "pen.json" and evaluation["samples"] == len(some)
    assert evaluation["accuracy"] > 0.95
    assert set(evaluation["per_digit_accuracy"]) == {str(d) for d in range(10)}
