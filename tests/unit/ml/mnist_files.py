"""Small MNIST files for training tests: a slice of the real data, and broken ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitpad.ml.datasets import Mnist


def write_mnist_slice(mnist: Mnist, path: Path, train: int = 3000, test: int = 500) -> Path:
    """The first ``train`` training and ``test`` test images, in Keras' mnist.npz layout."""
    np.savez(path, x_train=mnist.x_train[:train], y_train=mnist.y_train[:train],
             x_test=mnist.x_test[:test], y_test=mnist.y_test[:test])
    return path


def write_wrongly_shaped(path: Path) -> Path:
    """The right keys, but 27-pixel-wide images."""
    np.savez(path, x_train=np.zeros((10, 28, 27), np.uint8), y_train=np.zeros(10, np.uint8),
             x_test=np.zeros((5, 28, 27), np.uint8), y_test=np.zeros(5, np.uint8))
    return path


def write_corrupt(path: Path) -> Path:
    """Bytes that are no .npz at all (a truncated download, say)."""
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    return path
