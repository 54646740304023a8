"""Every layer's output for one drawing: what the window's view inside the model shows. No
TensorFlow here: the outputs come from LiteRT, in the calling process.

A model's *layers form* is a second ``.tflite`` made from its ``.keras`` file, whose outputs are
the outputs of the model's layers in the order, and with the names and shapes, of its Keras
summary. Only TensorFlow can make it, so a conversion child makes it (:func:`make_layers_form`,
the work of a conversion job, as :mod:`digitpad.ml.training_process` runs it), checked layer by
layer against Keras (:func:`digitpad.ml.conversion.write_layers_form`). It is cached like the
LiteRT form of a user's file, in the user data folder by the ``.keras`` file's hash:
``<cache>/<sha256>.layers.tflite`` and its record ``<sha256>.layers.json`` (both files' hashes
and the layers). It is made only when asked for, for every model alike (the bundled one too):
reading a drawing never needs it, and converting the bundled CNN's layers takes seconds, which
neither saving a model nor start-up should pay.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
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
THREADS = 1
"""One drawing's layers are too small to share between cores: on two busy cores the bundled
CNN's took 0.9 ms on one thread and 2.0 ms on two. One also leaves the window a core."""

_MAX_RECORD_BYTES = 1 << 20
"""A record is two hashes and a line per layer, a few kilobytes."""


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
    """What ties a layers form to the ``.keras`` it was made from, and what its outputs are."""

    keras_sha256: str
    tflite_sha256: str
    tflite_file: str
    """The ``.layers.tflite``'s file name, in the folder of the record."""
    layers: tuple[Layer, ...]
    """The form's outputs, in order."""

    def to_json(self) -> dict[str, Any]:
        return {
            "keras_sha256": self.keras_sha256,
            "tflite_sha256": self.tflite_sha256,
            "file": self.tflite_file,
            "layers": [{"name": layer.name, "class": layer.class_name, "shape": list(layer.shape)}
                       for layer in self.layers],
        }

    @staticmethod
    def from_json(data: object) -> LayersRecord | None:
        """The record in ``data``, or None if it is not one (damaged, or from elsewhere)."""
        if not isinstance(data, dict):
            return None
        hashes = (data.get("keras_sha256"), data.get("tflite_sha256"), data.get("file"))
        entries = data.get("layers")
        if not all(isinstance(value, str) for value in hashes) or not isinstance(entries, list):
            return None
        keras_sha256, tflite_sha256, file = hashes
        layers = [_layer(entry) for entry in entries]
        if Path(file).name != file or None in layers:  # a record names a file beside it
            return None
        return LayersRecord(keras_sha256, tflite_sha256, file, tuple(layers))


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
    """A layers form that matches its ``.keras`` and the record that says so."""

    path: Path
    record: LayersRecord


def layers_cache_paths(cache_dir: str | os.PathLike[str], keras_sha256: str
                       ) -> tuple[Path, Path]:
    """The cached layers form and its record for the ``.keras`` file with this hash."""
    folder = Path(cache_dir)
    return folder / f"{keras_sha256}{LAYERS_SUFFIX}", folder / f"{keras_sha256}.layers.json"


def find_layers_form(keras_path: str | os.PathLike[str], cache_dir: Path) -> LayersForm | None:
    """The layers form of ``keras_path`` in ``cache_dir`` that matches it exactly, or None."""
    keras_sha256 = file_sha256(keras_path)
    tflite, record_path = layers_cache_paths(cache_dir, keras_sha256)
    try:
        record = LayersRecord.from_json(read_json_file(record_path, _MAX_RECORD_BYTES))
    except (OSError, JsonFileError):
        return None
    if (record is None or record.keras_sha256 != keras_sha256 or record.tflite_file != tflite.name
            or not tflite.is_file() or file_sha256(tflite) != record.tflite_sha256):
        return None
    return LayersForm(tflite, record)


def _output_name(index: int) -> str:
    """How Keras' export names the ``index``-th output of a model (and so the converter)."""
    return f"output_{index}"


class LayerOutputs:
    """A model's layers form on LiteRT: a 28x28 drawing in, every layer's output out (about a
    millisecond for the bundled CNN's 23). Not thread-safe: each owner has its own."""

    def __init__(self, path: Path, layers: Sequence[Layer], threads: int = THREADS) -> None:
        self._layers = list(layers)
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
        """The layers of the model at ``keras_path``, from its layers form in ``cache_dir``.

        Raises :class:`NeedsLayersForm` when there is none that matches the file (make it with
        :func:`make_layers_form` in a child), :class:`ModelError` when it cannot be run.
        """
        form = find_layers_form(keras_path, cache_dir)
        if form is None:
            raise NeedsLayersForm(Path(keras_path))
        try:
            return cls(form.path, form.record.layers)
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
