"""Making a Keras model's LiteRT form. Imports TensorFlow: runs only in a training/conversion
child process and in ``digitpad train``, never in the window's process.

A conversion is checked before it is kept: the ``.tflite`` must give the Keras model's
probabilities (within :data:`TOLERANCE`) on a handful of inputs, so an operator the converter
mishandles is refused here instead of misreading the user's drawings later. The same goes for a
model's *layers form* (:mod:`digitpad.ml.layer_outputs`), layer by layer.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.atomic import remove_stale, write_bytes_atomic, write_text_atomic
from digitpad.ml.card import ModelCard
from digitpad.ml.digits import INPUT_SHAPE
from digitpad.ml.layer_outputs import (
    WEIGHTS_SUFFIX,
    Layer,
    LayerOutputs,
    LayersForm,
    LayersRecord,
    layers_cache_paths,
    weights_file_bytes,
)
from digitpad.ml.litert import (
    LITERT_SUFFIX,
    LiteRTError,
    LiteRTForm,
    LiteRTRecord,
    beside_path,
    cache_paths,
    file_sha256,
)
from digitpad.ml.model_library import LEFTOVER_AGE_SECONDS
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.recognizer import ModelError, Recognizer, load_keras_model

TOLERANCE = 1e-4
"""Largest difference in any probability between the Keras model and its LiteRT form."""
_CHECK_INPUTS = 8


def tflite_bytes(model: Any) -> bytes:
    """The Keras model as a ``.tflite`` flatbuffer (float32, no quantisation: same answers)."""
    import tensorflow as tf

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Keras prints the exported signature
            return tf.lite.TFLiteConverter.from_keras_model(model).convert()
    except OSError:  # a full disk under the converter's temporary files: not the model's fault
        raise
    except Exception as exc:  # the converter raises many types for unsupported models
        _check_temporary_space()  # ...and for temporary files it could not write
        raise ModelError(f"{model.name}: cannot be converted for LiteRT "
                         f"({str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r})"
                         ) from exc


@dataclass(frozen=True)
class ServedForm:
    """A model just made, as the window will serve it: its checked LiteRT flatbuffer, and a
    recogniser that runs on it. Every figure about a new model is measured on this form, so
    what Retrain and ``train`` report is what the window will answer; saving writes these
    bytes, so the model is converted once."""

    data: bytes
    recognizer: Recognizer


def served_form(model: Any, card: ModelCard | None = None) -> ServedForm:
    """Convert ``model`` for LiteRT and check the result gives its probabilities.

    ``card`` names a twelve-output model's outputs (default: those of a model digitpad made,
    :data:`~digitpad.ml.outputs.OUTPUT_NAMES` for twelve). Raises ModelError when the model is
    no digit model, cannot be converted, or its LiteRT form answers differently.
    """
    if card is None:
        twelve = tuple(model.output_shape)[-1] == len(OUTPUT_NAMES)
        card = ModelCard(outputs=list(OUTPUT_NAMES) if twelve else None)
    keras_form = Recognizer.from_keras(model, card=card)  # rejects a model that is no digit model
    data = tflite_bytes(model)
    recognizer = Recognizer.from_litert(data, keras_form.name, keras_form.summary(), card=card)
    _check_same_answers(keras_form, recognizer)
    return ServedForm(data, recognizer)


def _check_temporary_space() -> None:
    """Raise OSError when a megabyte cannot be written where the converter keeps its temporary
    files: it then fails with errors that name no file ("'NoneType' object is not callable")."""
    with tempfile.TemporaryFile() as probe:
        probe.write(bytes(1 << 20))
        probe.flush()
        os.fsync(probe.fileno())


def write_litert_form(model: Any, tflite_path: Path, keras_sha256: str,
                      card: ModelCard | None = None, served: ServedForm | None = None
                      ) -> LiteRTRecord:
    """Write ``model``'s LiteRT form atomically to ``tflite_path``: ``served`` when it was made
    already (:func:`served_form` of this model), else converted and checked now.

    ``keras_sha256`` is the hash of the ``.keras`` file this model was saved to or loaded from;
    ``card`` is its model card (it names a twelve-output model's outputs).
    """
    served = served or served_form(model, card)
    write_bytes_atomic(tflite_path, served.data)
    return LiteRTRecord(keras_sha256, file_sha256(tflite_path), tflite_path.name,
                        served.recognizer.summary())


def convert_file(keras_path: str | os.PathLike[str], cache_dir: Path) -> LiteRTForm:
    """The LiteRT form of a user's ``.keras`` file, made in ``cache_dir`` (keyed by its hash).

    Loaded with ``safe_mode`` (no code from the file runs). Raises ModelError with the reason,
    OSError when the cache cannot be written. What killed conversions left in the cache (hidden
    temporary files, a ``.tflite`` whose record was never written) is cleared first.
    """
    _clear_leftovers(cache_dir)
    keras_sha256 = file_sha256(keras_path)
    model = load_keras_model(keras_path)
    tflite, record_path = cache_paths(cache_dir, keras_sha256)
    record = write_litert_form(model, tflite, keras_sha256, ModelCard.read(keras_path))
    write_text_atomic(record_path, json.dumps(record.to_json(), indent=2) + "\n")
    return LiteRTForm(tflite, record)


def convert_layers_file(keras_path: str | os.PathLike[str], cache_dir: Path) -> LayersForm:
    """The layers form of a ``.keras`` file and its weights (:mod:`digitpad.ml.layer_outputs`),
    made in ``cache_dir`` keyed by its hash; loaded, raises and clears leftovers as
    :func:`convert_file`."""
    _clear_leftovers(cache_dir)
    keras_sha256 = file_sha256(keras_path)
    model = load_keras_model(keras_path)
    paths = layers_cache_paths(cache_dir, keras_sha256)
    record = write_layers_form(model, paths.tflite, paths.weights, keras_sha256)
    write_text_atomic(paths.record, json.dumps(record.to_json(), indent=2) + "\n")
    return LayersForm(paths.tflite, paths.weights, record)


def write_layers_form(model: Any, tflite_path: Path, weights_path: Path, keras_sha256: str
                      ) -> LayersRecord:
    """Convert ``model``'s layers, check each one's output against Keras' and write the form
    atomically to ``tflite_path``, the layers' weights to ``weights_path``.

    A hidden layer's values reach tens (the bundled CNN's first ``Dense``: 67 on a random
    input), where float32 sums taken in another order differ by about 1e-4; so a layer may
    differ by :data:`TOLERANCE` times its largest value, or by :data:`TOLERANCE` where that is
    below 1 (probabilities, as :func:`write_litert_form` checks them).
    """
    probe, layers = layer_probe(model)
    arrays, activations = _layer_weights(model, layers)
    write_bytes_atomic(tflite_path, tflite_bytes(probe))
    try:
        _check_same_layer_outputs(probe, layers, tflite_path)
        write_bytes_atomic(weights_path, weights_file_bytes(arrays))
    except BaseException:
        tflite_path.unlink(missing_ok=True)
        raise
    return LayersRecord(keras_sha256, file_sha256(tflite_path), tflite_path.name, layers,
                        file_sha256(weights_path), weights_path.name, activations)


def _layer_weights(model: Any, layers: tuple[Layer, ...]
                   ) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, str]]:
    """Each of ``layers``' weights by their Keras names, and the activation function of those
    that have one. A name a layer holds twice (a model nested as a layer) is kept once: the view
    draws the weights of the standard layers only."""
    import keras

    arrays: dict[str, dict[str, np.ndarray]] = {}
    activations: dict[str, str] = {}
    for entry in layers:
        layer = model.get_layer(entry.name)
        for variable in layer.weights:
            arrays.setdefault(entry.name, {}).setdefault(
                variable.name, np.asarray(keras.ops.convert_to_numpy(variable), np.float32))
        function = getattr(layer, "activation", None)
        try:
            name = keras.activations.serialize(function) if callable(function) else None
        except (TypeError, ValueError):  # a function of the file's own: shown without its name
            name = None
        if isinstance(name, str):
            activations[entry.name] = name
    return arrays, activations


def layer_probe(model: Any) -> tuple[Any, tuple[Layer, ...]]:
    """A Keras model whose outputs are ``model``'s layers' outputs, and those layers, in the
    order and with the names of ``model.summary()``.

    A Sequential or functional model's layers are connected already; a ``keras.Model``
    subclass's are connected by calling it once on a symbolic 28x28 input. Input layers are left
    out (their output is the drawing), and so are layers that do not give one tensor (none of
    digitpad's architectures has one).
    """
    import keras

    inputs = getattr(model, "inputs", None)  # a subclassed model has none
    if inputs is None:
        inputs = [keras.Input(shape=INPUT_SHAPE, name="image")]
        model.call(inputs[0])
    if len(inputs) != 1:
        raise ModelError(f"{model.name}: the model has {len(inputs)} inputs; digitpad needs one")
    chosen = [(layer, output) for layer in model.layers
              if not isinstance(layer, keras.layers.InputLayer)
              and isinstance(output := _output_of(layer), keras.KerasTensor)]
    try:
        probe = keras.Model(inputs[0], [output for _, output in chosen], name=model.name)
    except ValueError as exc:  # a layer not reached from the input
        raise ModelError(f"{model.name}: its layers cannot be shown one by one ({exc})") from exc
    return probe, tuple(Layer(layer.name, type(layer).__name__,
                              tuple(int(n) for n in output.shape[1:]))
                        for layer, output in chosen)


def _output_of(layer: Any) -> Any:
    try:
        return layer.output
    except AttributeError:  # never called: a subclass's layer its ``call`` does not use
        return None


def _clear_leftovers(cache_dir: Path) -> None:
    """What killed conversions left: hidden temporary files, forms without their record."""
    remove_stale([*cache_dir.glob(".*.tmp*"), *_unrecorded(cache_dir)], LEFTOVER_AGE_SECONDS)


def _unrecorded(cache_dir: Path) -> list[Path]:
    """Cached ``.tflite`` files (layers forms too) and layers' weights without the record that
    vouches for them (never served)."""
    forms = [path for path in cache_dir.glob(f"*{LITERT_SUFFIX}")
             if not path.with_suffix(".json").exists()]
    weights = [path for path in cache_dir.glob(f"*{WEIGHTS_SUFFIX}")
               if not layers_cache_paths(cache_dir, path.name.removesuffix(WEIGHTS_SUFFIX))
               .record.exists()]
    return forms + weights


def _check_inputs() -> np.ndarray:
    """An empty drawing and random ones: every pixel in use, values a drawing could have."""
    rng = np.random.default_rng(0)
    return np.concatenate([
        np.zeros((1, *INPUT_SHAPE), np.float32),
        rng.random((_CHECK_INPUTS - 1, *INPUT_SHAPE), np.float32),
    ])


def _check_same_layer_outputs(probe: Any, layers: tuple[Layer, ...], tflite_path: Path) -> None:
    inputs = _check_inputs()
    try:
        lite = LayerOutputs(tflite_path, layers)
    except LiteRTError as exc:
        raise ModelError(str(exc)) from exc
    outputs = probe(inputs, training=False)  # a list, or one tensor for a one-layer model
    expected = [np.asarray(output) for output in (
        outputs if isinstance(outputs, list | tuple) else [outputs])]
    got = [lite.run(image) for image in inputs]
    for k, layer in enumerate(layers):
        difference = max(float(np.max(np.abs(expected[k][i] - got[i][k])))
                         for i in range(len(inputs)))
        allowed = TOLERANCE * max(1.0, float(np.max(np.abs(expected[k]))))
        if not difference <= allowed:
            raise ModelError(
                f"{probe.name}: the LiteRT form of layer {layer.name} answers differently from "
                f"Keras (by up to {difference:.2g}; at most {allowed:.2g} is allowed)")


def _check_same_answers(keras_form: Recognizer, lite_form: Recognizer) -> None:
    inputs = _check_inputs()
    difference = float(np.max(np.abs(keras_form.outputs(inputs) - lite_form.outputs(inputs))))
    if not difference <= TOLERANCE:
        raise ModelError(
            f"{keras_form.name}: its LiteRT form answers differently from the Keras model "
            f"(probabilities differ by up to {difference:.2g}; at most {TOLERANCE:g} is allowed)")


def convert_beside(keras_path: str | os.PathLike[str]) -> LiteRTForm:
    """Give a ``.keras`` file that has a model card its ``.tflite`` beside it, recorded in the card
    (how the bundled model's was made: ``python -m digitpad.ml.conversion assets/NAME.keras``)."""
    keras_path = Path(keras_path)
    card = ModelCard.read(keras_path)
    if card.is_empty():
        raise ModelError(f"{keras_path}: has no model card to record its LiteRT form in")
    record = write_litert_form(load_keras_model(keras_path), beside_path(keras_path),
                               file_sha256(keras_path), card)
    card.replace(litert=record).write(keras_path)
    return LiteRTForm(beside_path(keras_path), record)


if __name__ == "__main__":
    import sys

    for argument in sys.argv[1:]:
        print(convert_beside(argument).path)
