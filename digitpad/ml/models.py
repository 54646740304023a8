"""The two architectures: the tutorial's MLP, and the CNN that ships with the app.

Both take the 28x28 image as float32 in [0, 1], shape (N, 28, 28), and output (N, 10) softmax
probabilities, or (N, 12) with a crossed 7 and "not a digit" (:mod:`digitpad.ml.outputs`).
Only standard Keras layers are used, so any Keras 3 user can load the files with
``safe_mode=True`` and nothing of ours installed. The tutorial's MLP can also be built as a
``keras.Model`` subclass (:class:`TutorialMLP`), as the tutorial's second half does; it is saved
as the same network in ``Sequential`` form (:func:`as_sequential`), so its file loads anywhere too.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers

from digitpad.ml.digits import ARCHITECTURES, INPUT_SHAPE, NUM_CLASSES

BN_MOMENTUM = 0.9
"""Keras' default (0.99) needs hundreds of steps before the inference statistics settle; a
retrain on a few thousand images has fewer than that, and would test at chance level."""


def build_mlp(outputs: int = NUM_CLASSES) -> keras.Model:
    """Exactly the tutorial's model: Flatten -> Dense(128, relu) -> Dense(10, softmax)."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(outputs, activation="softmax"),
        ],
        name="mlp",
    )


class TutorialMLP(keras.Model):
    """The tutorial's MLP written as a subclass: layers made in ``__init__``, wired in ``call``.

    Its layers are made in the order :func:`build_mlp` makes them, so under the same seed both
    start from the same weights and train to the same model (the lesson: the two styles build
    one network).
    """

    def __init__(self, outputs: int = NUM_CLASSES, **kwargs: Any) -> None:
        super().__init__(name="mlp_subclass", **kwargs)
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(128, activation="relu")
        self.classifier = layers.Dense(outputs, activation="softmax")

    def call(self, images: Any) -> Any:
        return self.classifier(self.hidden(self.flatten(images)))


def build_mlp_subclass(outputs: int = NUM_CLASSES) -> TutorialMLP:
    """A :class:`TutorialMLP` with its weights made (a subclass has none until first called)."""
    model = TutorialMLP(outputs)
    model(np.zeros((1, *INPUT_SHAPE), np.float32))
    return model


def as_sequential(model: keras.Model) -> keras.Model:
    """``model`` in the form digitpad saves: a :class:`TutorialMLP` becomes the ``Sequential``
    MLP with its weights (both hold the same four arrays in the same order); any other model is
    returned as it is."""
    if not isinstance(model, TutorialMLP):
        return model
    sequential = build_mlp(model.classifier.units)
    sequential.set_weights(model.get_weights())
    return sequential


def build_cnn(outputs: int = NUM_CLASSES) -> keras.Model:
    """A small VGG-style CNN: two conv blocks with batch norm, then a dropout-regularised head.

    ~0.5 M parameters (2 MB on disk), a few ms per drawing on a CPU. Batch norm lets it train fast
    at a high learning rate; dropout and the augmentation in ``training.py`` keep it from
    memorising MNIST's scanner-specific look, which matters for mouse-drawn digits.
    """

    def conv_block(filters: int) -> list[layers.Layer]:
        return [
            layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(momentum=BN_MOMENTUM),
            layers.Activation("relu"),
            layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(momentum=BN_MOMENTUM),
            layers.Activation("relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.1),
        ]

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            layers.Reshape((*INPUT_SHAPE, 1)),
            *conv_block(32),
            *conv_block(64),
            layers.Flatten(),
            layers.Dense(128, use_bias=False),
            layers.BatchNormalization(momentum=BN_MOMENTUM),
            layers.Activation("relu"),
            layers.Dropout(0.4),
            layers.Dense(outputs, activation="softmax"),
        ],
        name="cnn",
    )


def build_model(arch: str, outputs: int = NUM_CLASSES, subclass: bool = False) -> keras.Model:
    """The ``arch`` network; ``subclass`` builds the MLP as a :class:`TutorialMLP`."""
    if subclass and arch != "mlp":
        raise ValueError(f"only the mlp can be built as a subclass; received arch={arch!r}")
    if arch == "mlp":
        return build_mlp_subclass(outputs) if subclass else build_mlp(outputs)
    if arch == "cnn":
        return build_cnn(outputs)
    raise ValueError(f"Unknown architecture {arch!r}; expected one of {', '.join(ARCHITECTURES)}")
