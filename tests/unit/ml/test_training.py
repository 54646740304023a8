"""Training: a short real run ends in a loadable model; progress, cancel and seeds behave."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.datasets import Mnist
from digitpad.ml.modelstore import save_model
from digitpad.ml.recognizer import Recognizer, read_model_card
from digitpad.ml.training import HISTORY_KEYS, TrainingCancelled, TrainingConfig, train


class Recorder:
    def __init__(self) -> None:
        self.batches: list[tuple[int, int, int]] = []
        self.epochs: list[dict[str, float]] = []

    def on_batch_end(self, epoch: int, batch: int, batches: int, logs: dict[str, float]) -> None:
        self.batches.append((epoch, batch, batches))

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.epochs.append(logs)


@pytest.fixture(scope="module")
def small_mnist(mnist: Mnist) -> Mnist:
    return mnist.subset(train=3000, test=1000)


def test_tutorial_mlp_trains_reports_progress_and_saves_a_loadable_model(
    small_mnist: Mnist, tmp_path: Path
) -> None:
    recorder = Recorder()
    config = TrainingConfig(arch="mlp", epochs=2, batch_size=32, seed=3)
    result = train(config, small_mnist, observer=recorder)

    assert set(result.history) == set(HISTORY_KEYS)
    assert all(len(values) == 2 for values in result.history.values())
    assert [logs.keys() >= set(HISTORY_KEYS) for logs in recorder.epochs] == [True, True]
    batches = int(np.ceil(2700 / 32))
    assert recorder.batches[0] == (0, 0, batches) and recorder.batches[-1] == (
        1,
        batches - 1,
        batches,
    )
    assert result.test_accuracy > 0.8  # 3,000 images, 2 epochs: far above chance

    path = tmp_path / "models" / "mlp.keras"
    save_model(result.model, path, result.card())
    loaded = Recognizer.load(path)
    assert read_model_card(path)["mnist_test_accuracy"] == result.test_accuracy
    images = small_mnist.x_test[:50].astype(np.float32) / 255.0
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


def test_stop_event_cancels_at_a_batch_boundary(small_mnist: Mnist) -> None:
    stop = threading.Event()

    class StopAfterFiveBatches(Recorder):
        def on_batch_end(
            self, epoch: int, batch: int, batches: int, logs: dict[str, float]
        ) -> None:
            super().on_batch_end(epoch, batch, batches, logs)
            if len(self.batches) == 5:
                stop.set()

    recorder = StopAfterFiveBatches()
    with pytest.raises(TrainingCancelled):
        train(TrainingConfig(arch="cnn", epochs=3, batch_size=32), small_mnist, recorder, stop)
    assert len(recorder.batches) == 5
    assert recorder.epochs == []


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
