"""Every layer's output for one drawing: what the window's view inside the model shows. No
TensorFlow here: the outputs come from LiteRT, in the calling process.

A model's *layers form* is a second ``.tflite`` made from its ``.keras`` file, whose outputs are
the outputs of the model's layers in the order, and with the names and shapes, of its Keras
summary. Only TensorFlow can make it, so a conversion child makes it (:func:`make_layers_form`,
the work of a conversion job, as :mod:`digitpad.ml.training_process` runs it), checked layer by
layer against Keras (:func:`digitpad.ml.conversion.write_layers_form`). It is cached like the
LiteRT form of a user's file, in the user data folder by the ``.keras`` file's hash:
``<cache>/<sha256>.layers.tflite``, the weights of every layer ``<sha256>.weights.npz`` (what a
unit looks for: the window cannot read them from the ``.keras`` without TensorFlow) and their
record ``<sha256>.layers.json`` (the three files' hashes, the layers and their activation
functions). It is made only when asked for, for every model alike (the bundled one too):
reading a drawing never needs it, and converting the bundled CNN's layers takes seconds, which
neither saving a model nor start-up should pay.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from digitpad.ml.digits import INPUT_SHAPE
from digitpad.ml.jobs import (
    CONVERT,
    SAVE_PROBLEM,
    Converted,
    JobFailed,
    Report,
    Stage,
    StopFlag,
    TrainingJob,
)
from digitpad.ml.jsonfile import JsonFileError, read_json_file
from digitpad.ml.litert import LITERT_SUFFIX, LiteRTError, file_sha256, open_interpreter
from digitpad.ml.recognizer import ModelError

LAYERS_SUFFIX = ".layers" + LITERT_SUFFIX
WEIGHTS_SUFFIX = ".weights.npz"
THREADS = 1
"""One drawing's layers are too small to share between cores: on two busy cores the bundled
CNN's took 0.9 ms on one thread and 2.0 ms on two. One also leaves the window a core."""

_MAX_RECORD_BYTES = 1 << 20
"""A record is three hashes and a line per layer, a few kilobytes."""


class Layer(NamedTuple):
    """One layer as the model's summary lists it: ``dense_1 (Dense)``, output ``(None, 10)``."""

    name: str
    class_name: str
    shape: tuple[int, ...]
    """Its output's shape for one drawing (the summary's without the batch axis)."""


class NeedsLayersForm(ModelError):
    """The ``.keras`` file has no matching layers form yet: make it (in a TensorFlow process)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: its layers are not yet prepared for viewing "
                         f"(no matching {LAYERS_SUFFIX})")
        self.path = path


@dataclass(frozen=True)
class LayersRecord:
    """What ties a layers form and its weights to the ``.keras`` they were made from, and what
    its outputs are."""

    keras_sha256: str
    tflite_sha256: str
    tflite_file: str
    """The ``.layers.tflite``'s file name, in the folder of the record."""
    layers: tuple[Layer, ...]
    """The form's outputs, in order."""
    weights_sha256: str
    weights_file: str
    """The ``.weights.npz``'s file name, in the folder of the record."""
    activations: Mapping[str, str]
    """Layer name -> its activation function as Keras names it ("relu", "softmax", "linear"),
    for the layers that have one."""

    def to_json(self) -> dict[str, Any]:
        return {
            "keras_sha256": self.keras_sha256,
            "tflite_sha256": self.tflite_sha256,
            "file": self.tflite_file,
            "layers": [{"name": layer.name, "class": layer.class_name, "shape": list(layer.shape)}
                       for layer in self.layers],
            "weights_sha256": self.weights_sha256,
            "weights_file": self.weights_file,
            "activations": dict(self.activations),
        }

    @staticmethod
    def from_json(data: object) -> LayersRecord | None:
        """The record in ``data``, or None if it is not one (damaged, from elsewhere, or from a
        digitpad that kept no weights: made again then)."""
        if not isinstance(data, dict):
            return None
        texts = (data.get("keras_sha256"), data.get("tflite_sha256"), data.get("file"),
                 data.get("weights_sha256"), data.get("weights_file"))
        entries, activations = data.get("layers"), data.get("activations")
        if (not all(isinstance(value, str) for value in texts) or not isinstance(entries, list)
                or not isinstance(activations, dict)
                or not all(isinstance(v, str) for v in activations.values())):
            return None
        keras_sha256, tflite_sha256, file, weights_sha256, weights_file = texts
        layers = [_layer(entry) for entry in entries]
        if None in layers or any(Path(name).name != name for name in (file, weights_file)):
            return None  # a record names files beside it, never a path elsewhere
        return LayersRecord(keras_sha256, tflite_sha256, file, tuple(layers), weights_sha256,
                            weights_file, activations)


def _layer(entry: object) -> Layer | None:
    if not isinstance(entry, dict):
        return None
    name, class_name, shape = entry.get("name"), entry.get("class"), entry.get("shape")
    if not isinstance(name, str) or not isinstance(class_name, str) or not isinstance(
            shape, list) or not all(isinstance(n, int) and n > 0 for n in shape):
        return None
    return Layer(name, class_name, tuple(shape))


@dataclass(frozen=True)
class LayersForm:
    """A layers form and its weights that match their ``.keras`` and the record that says so."""

    path: Path
    weights_path: Path
    record: LayersRecord


class LayersPaths(NamedTuple):
    """Where the layers form of one ``.keras`` file is cached."""

    tflite: Path
    weights: Path
    record: Path


def layers_cache_paths(cache_dir: str | os.PathLike[str], keras_sha256: str) -> LayersPaths:
    """The cached layers form, its weights and their record for the ``.keras`` file with this
    hash."""
    folder = Path(cache_dir)
    return LayersPaths(folder / f"{keras_sha256}{LAYERS_SUFFIX}",
                       folder / f"{keras_sha256}{WEIGHTS_SUFFIX}",
                       folder / f"{keras_sha256}.layers.json")


def find_layers_form(keras_path: str | os.PathLike[str], cache_dir: Path) -> LayersForm | None:
    """The layers form of ``keras_path`` in ``cache_dir`` that matches it exactly, weights
    included, or None."""
    keras_sha256 = file_sha256(keras_path)
    paths = layers_cache_paths(cache_dir, keras_sha256)
    try:
        record = LayersRecord.from_json(read_json_file(paths.record, _MAX_RECORD_BYTES))
    except (OSError, JsonFileError):
        return None
    if (record is None or record.keras_sha256 != keras_sha256
            or (record.tflite_file, record.weights_file) != (paths.tflite.name, paths.weights.name)
            or not all(_has_hash(path, sha256) for path, sha256 in (
                (paths.tflite, record.tflite_sha256), (paths.weights, record.weights_sha256)))):
        return None
    return LayersForm(paths.tflite, paths.weights, record)


def _has_hash(path: Path, sha256: str) -> bool:
    try:
        return file_sha256(path) == sha256
    except OSError:  # gone, or not a file
        return False


@dataclass(frozen=True)
class LayerWeights:
    """Each layer's weights by Keras' names (``kernel``, ``bias``, ``gamma``…; read-only float32
    arrays shaped as in Keras) and its activation function: what a unit looks for."""

    arrays: Mapping[str, Mapping[str, np.ndarray]]
    """Layer name -> weight name -> array; a layer without weights is not in it."""
    activations: Mapping[str, str]
    """Layer name -> activation function ("relu"), for the layers that have one."""

    def of(self, layer: str) -> Mapping[str, np.ndarray]:
        """The weights of the layer named ``layer`` (none for a layer that has none)."""
        return self.arrays.get(layer, {})

    def activation(self, layer: str) -> str | None:
        return self.activations.get(layer)


NO_WEIGHTS = LayerWeights({}, {})


def weights_file_bytes(arrays: Mapping[str, Mapping[str, np.ndarray]]) -> bytes:
    """``arrays`` (layer -> weight name -> array) as a ``.weights.npz``'s bytes: one array per
    weight, named ``<layer>/<weight>`` (Keras allows no "/" in a layer's name)."""
    buffer = io.BytesIO()
    np.savez(buffer, **{f"{layer}/{name}": np.asarray(array, np.float32)
                        for layer, weights in arrays.items() for name, array in weights.items()})
    return buffer.getvalue()


def read_layer_weights(path: Path, record: LayersRecord) -> LayerWeights:
    """The weights in the ``.weights.npz`` at ``path`` of the layers ``record`` lists. Arrays
    only (no pickled objects); LiteRTError says what is wrong with a file that holds more."""
    names = {layer.name for layer in record.layers}
    arrays: dict[str, dict[str, np.ndarray]] = {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            for key in stored.files:
                layer, _, weight = key.partition("/")
                array = stored[key]
                if layer not in names or not weight or array.dtype != np.float32:
                    raise LiteRTError(f"{path}: {key!r} is not the weights of a layer of the "
                                      "model")
                array.setflags(write=False)
                arrays.setdefault(layer, {})[weight] = array
    except LiteRTError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as exc:  # ValueError: a pickled object
        raise LiteRTError(f"{path}: not the weights of a layers form ({exc})") from exc
    return LayerWeights(arrays, dict(record.activations))


def _output_name(index: int) -> str:
    """How Keras' export names the ``index``-th output of a model (and so the converter)."""
    return f"output_{index}"


class LayerOutputs:
    """A model's layers form on LiteRT: a 28x28 drawing in, every layer's output out (about a
    millisecond for the bundled CNN's 23), and each layer's weights. Not thread-safe: each owner
    has its own."""

    def __init__(self, path: Path, layers: Sequence[Layer], threads: int = THREADS,
                 weights: LayerWeights = NO_WEIGHTS) -> None:
        self._layers = list(layers)
        self.weights = weights
        """What each layer's units look for (none when only the outputs were asked for)."""
        self._interpreter = open_interpreter(path, threads)
        inputs = self._interpreter.get_input_details()
        shapes = [tuple(int(n) for n in details["shape"]) for details in inputs]
        if len(inputs) != 1 or shapes[0] not in ((1, *INPUT_SHAPE), (1, *INPUT_SHAPE, 1)):
            raise LiteRTError(f"{path}: not a layers form of a digit model (its inputs are "
                              f"{shapes}; one 28x28 image is expected)")
        self._input = inputs[0]["index"]
        self._input_shape = shapes[0]
        try:
            outputs = self._interpreter.get_signature_runner().get_output_details()
        except ValueError as exc:  # no signature, or several
            raise LiteRTError(f"{path}: not a layers form ({exc})") from exc
        expected = {_output_name(i): (1, *layer.shape) for i, layer in enumerate(self._layers)}
        found = {name: tuple(int(n) for n in details["shape"]) for name, details in outputs.items()}
        if found != expected:
            raise LiteRTError(f"{path}: its outputs {found} are not the layers {expected}")
        self._outputs = [outputs[_output_name(i)]["index"] for i in range(len(self._layers))]

    @classmethod
    def load(cls, keras_path: str | os.PathLike[str], cache_dir: Path) -> LayerOutputs:
        """The layers of the model at ``keras_path`` and their weights, from its layers form in
        ``cache_dir``.

        Raises :class:`NeedsLayersForm` when there is none that matches the file (make it with
        :func:`make_layers_form` in a child), :class:`ModelError` when it cannot be run.
        """
        form = find_layers_form(keras_path, cache_dir)
        if form is None:
            raise NeedsLayersForm(Path(keras_path))
        try:
            return cls(form.path, form.record.layers,
                       weights=read_layer_weights(form.weights_path, form.record))
        except LiteRTError as exc:
            raise ModelError(str(exc)) from exc

    @property
    def layers(self) -> list[Layer]:
        """The layers in the summary's order: what :meth:`run` gives the outputs of."""
        return list(self._layers)

    def run(self, image: np.ndarray) -> list[np.ndarray]:
        """One 28x28 model input (float32 in [0, 1]) -> each layer's output, shaped as
        :attr:`layers` says (no batch axis)."""
        image = np.ascontiguousarray(image, dtype=np.float32)
        if image.shape not in (INPUT_SHAPE, (*INPUT_SHAPE, 1)):
            raise ValueError(f"Expected one image of shape (28, 28); received {image.shape}")
        self._interpreter.set_tensor(self._input, image.reshape(self._input_shape))
        self._interpreter.invoke()
        return [self._interpreter.get_tensor(index)[0] for index in self._outputs]


def layers_job(keras_path: str | os.PathLike[str], cache_dir: Path,
               log_path: Path | None = None) -> TrainingJob:
    """The conversion job whose work, :func:`make_layers_form`, makes the layers form of
    ``keras_path`` in ``cache_dir`` (a user is waiting for it: normal priority)."""
    return TrainingJob(CONVERT, output=str(cache_dir), current_model=str(keras_path), priority=0,
                       log_path=str(log_path) if log_path is not None else None)


def make_layers_form(job: TrainingJob, report: Report, stop: StopFlag) -> Converted:
    """A conversion child's work for :func:`layers_job`: give ``run_in_child`` or the app's
    ``TrainingRunner`` this as ``work``. Imports TensorFlow."""
    report(Stage("Starting TensorFlow…"))
    from digitpad.ml.conversion import convert_layers_file

    assert job.current_model is not None  # TrainingJob requires it for a conversion
    name = Path(job.current_model).name
    report(Stage(f"Preparing the layers of {name}…"))
    try:
        form = convert_layers_file(job.current_model, Path(job.output))
    except OSError as exc:
        raise JobFailed(
            SAVE_PROBLEM,
            f"The layers of {name} could not be prepared for viewing: {exc.strerror or exc} in "
            f"{job.output}. Free some disk space, then try again.") from exc
    return Converted(job.current_model, str(form.path), form.record.to_json())
