"""Small stand-ins for a model's layers form: a little CNN and the tutorial MLP, with weights, whose
outputs follow the drawing (each layer's values scale with how much ink it holds)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from digitpad.ml.layer_outputs import Layer, LayerWeights, NeedsLayersForm

_RNG = np.random.default_rng(7)

CNN = (Layer("reshape", "Reshape", (28, 28, 1)), Layer("conv2d", "Conv2D", (28, 28, 8)),
       Layer("batch_normalization", "BatchNormalization", (28, 28, 8)),
       Layer("activation", "Activation", (28, 28, 8)),
       Layer("max_pooling2d", "MaxPooling2D", (14, 14, 8)), Layer("flatten", "Flatten", (1568,)),
       Layer("dense", "Dense", (32,)), Layer("dense_1", "Dense", (10,)))
CNN_WEIGHTS = LayerWeights({
    "conv2d": {"kernel": _RNG.normal(size=(3, 3, 1, 8)).astype(np.float32)},
    "batch_normalization": {name: np.full(8, value, np.float32) for name, value in (
        ("gamma", 1.5), ("beta", -0.25), ("moving_mean", 0.5), ("moving_variance", 2.0))},
    "dense": {"kernel": _RNG.normal(size=(1568, 32)).astype(np.float32),
              "bias": np.zeros(32, np.float32)},
    "dense_1": {"kernel": _RNG.normal(size=(32, 10)).astype(np.float32),
                "bias": np.zeros(10, np.float32)},
}, {"conv2d": "linear", "activation": "relu", "dense": "linear", "dense_1": "softmax"})

MLP = (Layer("flatten", "Flatten", (784,)), Layer("dense", "Dense", (128,)),
       Layer("dense_1", "Dense", (10,)))
MLP_WEIGHTS = LayerWeights({
    "dense": {"kernel": _RNG.normal(size=(784, 128)).astype(np.float32),
              "bias": np.linspace(-1, 1, 128, dtype=np.float32)},
    "dense_1": {"kernel": _RNG.normal(size=(128, 10)).astype(np.float32),
                "bias": np.zeros(10, np.float32)},
}, {"dense": "relu", "dense_1": "softmax"})


def fake_outputs(layers: Sequence[Layer], image: np.ndarray) -> list[np.ndarray]:
    """Each layer's output: its channel or unit number times the drawing's ink, so that more
    ink makes every layer brighter; the last layer sums to 1, led by unit 3."""
    ink = float(np.asarray(image).sum())
    outputs = []
    for layer in layers[:-1]:
        ramp = np.arange(np.prod(layer.shape), dtype=np.float32).reshape(layer.shape)
        outputs.append(ramp / ramp.size * ink)
    last = np.full(layers[-1].shape, 0.02, np.float32)
    last[3] = 1.0 - 0.02 * (last.size - 1)
    return [*outputs, last]


class FakeLayers:
    """Loaded for a model path: the CNN for any name but ``mlp*``; ``runs`` counts the drawings."""

    def __init__(self, layers: Sequence[Layer], weights: LayerWeights) -> None:
        self._layers = list(layers)
        self.weights = weights
        self.runs = 0

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def run(self, image: np.ndarray) -> list[np.ndarray]:
        self.runs += 1
        return fake_outputs(self._layers, image)


def fake_layers_loader(path: Path) -> FakeLayers:
    """The MLP for ``mlp*``, none yet for ``unprepared*`` (NeedsLayersForm), else the CNN."""
    if path.name.startswith("unprepared"):
        raise NeedsLayersForm(path)
    if path.name.startswith("mlp"):
        return FakeLayers(MLP, MLP_WEIGHTS)
    return FakeLayers(CNN, CNN_WEIGHTS)
