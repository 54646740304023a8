"""One unit of a layer: its value for a drawing, and what it looks for in the shape of what it
reads (a 28x28 picture for the tutorial MLP's hidden units), for the layers of both models."""

from __future__ import annotations

import numpy as np

from digitpad.ml.layer_outputs import Layer, LayerWeights
from digitpad.ml.layer_units import (
    DRAWING,
    flatten_source,
    input_of,
    normalisation,
    unit_count,
    unit_value,
    unit_weights,
)

RNG = np.random.default_rng(0)
MLP = [Layer("flatten", "Flatten", (784,)), Layer("dense", "Dense", (128,)),
       Layer("dense_1", "Dense", (10,))]
MLP_WEIGHTS = LayerWeights({
    "dense": {"kernel": RNG.random((784, 128), np.float32),
              "bias": np.arange(128, dtype=np.float32)},
    "dense_1": {"kernel": RNG.random((128, 10), np.float32),
                "bias": np.zeros(10, np.float32)},
}, {"dense": "relu", "dense_1": "softmax"})
CNN = [Layer("reshape", "Reshape", (28, 28, 1)), Layer("conv2d", "Conv2D", (28, 28, 32)),
       Layer("batch_normalization", "BatchNormalization", (28, 28, 32)),
       Layer("conv2d_1", "Conv2D", (28, 28, 8)), Layer("max_pooling2d", "MaxPooling2D", (7, 7, 8)),
       Layer("flatten", "Flatten", (392,)), Layer("dense", "Dense", (16,))]
CNN_WEIGHTS = LayerWeights({
    "conv2d": {"kernel": RNG.random((3, 3, 1, 32), np.float32)},
    "batch_normalization": {name: np.full(32, value, np.float32) for name, value in (
        ("gamma", 2.0), ("beta", 0.5), ("moving_mean", 0.25), ("moving_variance", 4.0))},
    "conv2d_1": {"kernel": RNG.random((3, 3, 32, 8), np.float32)},
    "dense": {"kernel": RNG.random((392, 16), np.float32)},
}, {})


def test_a_hidden_unit_of_the_tutorial_mlp_looks_for_a_28x28_picture() -> None:
    found = unit_weights(MLP, MLP_WEIGHTS, 1, 5)
    assert found is not None
    assert found.weights.shape == (28, 28) and found.reads == DRAWING
    np.testing.assert_array_equal(found.weights.reshape(-1),
                                  MLP_WEIGHTS.of("dense")["kernel"][:, 5])
    assert found.bias == 5.0


def test_an_output_unit_looks_for_the_hidden_units_as_a_vector() -> None:
    found = unit_weights(MLP, MLP_WEIGHTS, 2, 7)
    assert found is not None
    assert (found.weights.shape, found.reads, found.bias) == ((128,), "dense", 0.0)


def test_a_convolutions_unit_looks_for_a_3x3_kernel_on_each_map_it_reads() -> None:
    first = unit_weights(CNN, CNN_WEIGHTS, 1, 3)
    second = unit_weights(CNN, CNN_WEIGHTS, 3, 2)
    assert first is not None and second is not None
    assert (first.weights.shape, first.reads, first.bias) == ((3, 3, 1), "reshape", None)
    assert (second.weights.shape, second.reads) == ((3, 3, 32), "batch_normalization")
    np.testing.assert_array_equal(second.weights, CNN_WEIGHTS.of("conv2d_1")["kernel"][..., 2])


def test_a_dense_unit_after_flattened_maps_looks_for_maps() -> None:
    found = unit_weights(CNN, CNN_WEIGHTS, 6, 0)
    assert found is not None
    assert (found.weights.shape, found.reads) == ((7, 7, 8), "max_pooling2d")


def test_layers_without_a_kernel_look_for_nothing() -> None:
    for index in (0, 2, 4, 5):
        assert unit_weights(CNN, CNN_WEIGHTS, index, 0) is None
    assert unit_weights(MLP, LayerWeights({}, {}), 1, 0) is None  # no weights were kept


def test_a_normalisation_unit_names_its_learned_numbers() -> None:
    assert normalisation(CNN_WEIGHTS, CNN[2], 4) == {
        "gamma": 2.0, "beta": 0.5, "moving_mean": 0.25, "moving_variance": 4.0}
    assert normalisation(CNN_WEIGHTS, CNN[1], 4) is None


def test_units_values_and_where_a_flattened_value_comes_from() -> None:
    maps = RNG.random((28, 28, 32), np.float32)
    assert (unit_count(CNN[1]), unit_count(MLP[1])) == (32, 128)
    np.testing.assert_array_equal(unit_value(CNN[1], maps, 3), maps[..., 3])
    assert unit_value(MLP[1], np.arange(128.0), 9) == 9.0
    assert input_of(MLP, 0) == (DRAWING, (28, 28))
    assert flatten_source(MLP, 0, 28 * 3 + 4) == (DRAWING, (3, 4))
    assert flatten_source(CNN, 5, 8 * 7 + 2) == ("max_pooling2d", (1, 0, 2))
    assert flatten_source(CNN, 6, 0) is None
