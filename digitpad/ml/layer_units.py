"""One unit of one layer, as the view inside the model shows it: its value for a drawing, what it
reads and what it looks for (its weights, in the shape of what it reads). numpy only.

A *unit* of a layer whose output is maps (``(28, 28, 32)``) is one of its channels: one filter
of a convolution, one map of a pooling; of a layer whose output is a vector (``(128,)``), one
value. The models digitpad uses are ``Sequential``: a layer reads the output of the layer listed
before it, the first one reads the drawing (what :func:`input_of` says). A ``Dense`` unit's weights
are one per value it reads; after a ``Flatten`` they are put back in the shape the ``Flatten``
read, so the tutorial MLP's units show as 28x28 pictures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.ml.digits import INPUT_SHAPE
from digitpad.ml.layer_outputs import Layer, LayerWeights

DRAWING = "the drawing"
"""What the first layer reads."""
_NORMALISATION = ("gamma", "beta", "moving_mean", "moving_variance")


def unit_count(layer: Layer) -> int:
    """How many units ``layer`` has: its channels for maps, its values for a vector."""
    return layer.shape[-1] if len(layer.shape) == 3 else math.prod(layer.shape)


def unit_value(layer: Layer, output: np.ndarray, unit: int) -> np.ndarray:
    """The unit's value in ``layer``'s ``output``: a (h, w) map for maps, else one number
    (a 0-d array)."""
    if len(layer.shape) == 3:
        return output[..., unit]
    return output.reshape(-1)[unit]


def input_of(layers: Sequence[Layer], index: int) -> tuple[str, tuple[int, ...]]:
    """The name and shape of what layer ``index`` reads: the layer before it, or the drawing."""
    if index == 0:
        return DRAWING, INPUT_SHAPE
    before = layers[index - 1]
    return before.name, before.shape


@dataclass(frozen=True)
class UnitWeights:
    """What a unit looks for: the weights it gives each value it reads."""

    weights: np.ndarray
    """In the shape of what it reads: (h, w, c) for maps (a convolution's kernel, one 3x3 per
    map read), (h, w) for a picture (the drawing), (n,) for a vector."""
    reads: str
    """The layer it reads, or :data:`DRAWING`."""
    bias: float | None
    """What it adds before its activation; None without a bias."""


def unit_weights(layers: Sequence[Layer], weights: LayerWeights, index: int, unit: int
                 ) -> UnitWeights | None:
    """What unit ``unit`` of layer ``index`` looks for; None for a layer that looks for
    nothing (no kernel: pooling, activations, ``Flatten``…) or whose kernel is not the kind
    drawn here."""
    layer = layers[index]
    own = weights.of(layer.name)
    kernel, bias = own.get("kernel"), own.get("bias")
    reads, shape = input_of(layers, index)
    if kernel is None:
        return None
    bias_value = float(bias[unit]) if bias is not None and bias.shape == kernel.shape[-1:] else None
    if layer.class_name == "Conv2D" and kernel.ndim == 4:
        return UnitWeights(kernel[..., unit], reads, bias_value)
    if layer.class_name != "Dense" or kernel.ndim != 2:
        return None
    column = kernel[:, unit]
    if index > 0 and layers[index - 1].class_name == "Flatten":
        reads, shape = input_of(layers, index - 1)
    if math.prod(shape) != column.size:  # not read as listed: shown as it is
        shape = column.shape
    return UnitWeights(column.reshape(shape), reads, bias_value)


def normalisation(weights: LayerWeights, layer: Layer, unit: int) -> dict[str, float] | None:
    """A ``BatchNormalization`` unit's gamma, beta and learned mean and variance (keyed by
    Keras' names), or None for any other layer: it computes
    gamma * (x - mean) / sqrt(variance + epsilon) + beta."""
    own = weights.of(layer.name)
    if layer.class_name != "BatchNormalization" or not all(n in own for n in _NORMALISATION):
        return None
    return {name: float(own[name][unit]) for name in _NORMALISATION}


def flatten_source(layers: Sequence[Layer], index: int, unit: int
                   ) -> tuple[str, tuple[int, ...]] | None:
    """For a ``Flatten`` layer: what its value ``unit`` is a copy of, as (what it reads,
    position in it: (row, column) of the drawing, (row, column, channel) of maps)."""
    if layers[index].class_name != "Flatten":
        return None
    reads, shape = input_of(layers, index)
    if math.prod(shape) != math.prod(layers[index].shape):
        return None
    return reads, tuple(int(n) for n in np.unravel_index(unit, shape))
