"""Training: a short real run ends in a loadable model; progress, cancel and seeds behave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import Mnist
from digitpad.ml.digits import to_model_input
from digitpad.ml.jobs import BatchEnd, EpochEnd, JobCancelled, Message, Stage
from digitpad.ml.modelstore import save_model
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.training import HISTORY_KEYS, ProgressReporter, TrainingConfig, train
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
    ],
)
def test_bad_settings_are_refused_clearly(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**{field: value})
