"""What every part of digitpad agrees on about a digit model: ten classes, a 28x28 input of
float32 pixels in [0, 1], the architectures it can train, and the one scaling from 8-bit pixels.

numpy only, so the drawing pad, the sample store and the command line can use it without
importing Keras (seconds), and so training and serving cannot scale pixels differently.
"""

from __future__ import annotations

import numpy as np

NUM_CLASSES = 10
"""One output per digit, 0-9."""
FRAME_SIZE = 28
"""Side of the model input, in pixels (MNIST's)."""
INPUT_SHAPE = (FRAME_SIZE, FRAME_SIZE)
"""One model input, without the batch axis."""
ARCHITECTURES = ("mlp", "cnn")
"""The models digitpad trains: the tutorial's MLP and the CNN that ships with the app."""

_LEVELS = np.float32(255.0)
"""The brightest 8-bit grey level; dividing by it in float32 is what MNIST training always did."""


def to_model_input(pixels: np.ndarray) -> np.ndarray:
    """8-bit grey levels (uint8, or whole numbers in a float array) -> float32 in [0, 1]."""
    return np.asarray(pixels).astype(np.float32) / _LEVELS


def to_pixels(images: np.ndarray) -> np.ndarray:
    """Model inputs in [0, 1] -> the nearest uint8 grey levels: the inverse, for storage."""
    return np.rint(np.asarray(images, dtype=np.float32) * _LEVELS).astype(np.uint8)
