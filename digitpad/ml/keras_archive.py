"""A first look at a ``.keras`` file without TensorFlow: is it a Keras archive at all, within our
limits, and does its config describe a model digitpad can use? No Qt, no TensorFlow here.

Only TensorFlow can read a model's weights, and it runs in a child process. But most files a user
can pick by mistake (a photo renamed, a half-downloaded model, a classifier of 32x32 colour images,
a model with a ``Lambda`` layer) are told apart from the archive's table of contents and its
``config.json`` alone: here, in milliseconds, the window answers with the reason instead of
starting a conversion that would fail seconds later. What cannot be known from the config (a
functional model's output shape, whether the weights are whole) is left to the child, which loads
the file with ``safe_mode``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from digitpad.ml.digits import INPUT_SHAPE, NUM_CLASSES
from digitpad.ml.jsonfile import JsonFileError, decode_json_bytes

MAX_MODEL_BYTES = 512 * 2**20
"""Largest ``.keras`` file read: the bundled CNN is 2 MB; a digit model of 100 million parameters
(far beyond any that helps on 28x28 images) would be 400 MB."""
MAX_MEMBERS = 1_000
"""Files inside the archive: Keras writes three, plus any assets of the layers."""
MAX_UNPACKED_BYTES = 2 * MAX_MODEL_BYTES
"""What the archive may unpack to: Keras stores its members uncompressed, so a model that unpacks
to much more than its size on disk is a zip bomb, not a model."""
MAX_CONFIG_BYTES = 16 * 2**20
"""``config.json`` of the bundled CNN is 15 KB."""

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
OWN_PACKAGE = "digitpad>"
"""Classes digitpad registers with Keras (``package="digitpad"``) are known here; any other
class registered as ``package>Name`` is someone's own code, which this app does not have."""
CODE_LAYERS = frozenset({"Lambda", "TFOpLambda"})
"""Layers whose behaviour is code stored in the file; ``safe_mode`` never runs it."""
_SHAPE_KEEPING = frozenset({"Activation", "Softmax", "Dropout", "ReLU", "LeakyReLU", "ELU",
                            "PReLU", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                            "ActivityRegularization", "Identity", "BatchNormalization",
                            "LayerNormalization"})
"""Layers after the last ``Dense`` that leave its number of outputs as it is."""


class ArchiveError(ValueError):
    """The file is not a ``.keras`` model digitpad can use; the message names the file and why."""


def check_keras_archive(path: str | os.PathLike[str],
                        allowed_outputs: Collection[int] = (NUM_CLASSES,)) -> None:
    """Raise :class:`ArchiveError` when ``path`` is plainly not a usable digit model
    (``allowed_outputs``: 12 too when its model card names twelve outputs)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read the model file ({exc.strerror or exc})") from exc
    if size > MAX_MODEL_BYTES:
        raise ArchiveError(f"{path}: the file is {size / 2**20:,.0f} MB; digitpad reads models of "
                           f"up to {MAX_MODEL_BYTES // 2**20} MB")
    config = _read_config(path)
    if not (isinstance(config, dict) and isinstance(config.get("class_name"), str)
            and isinstance(config.get("config"), dict)):
        raise ArchiveError(f"{path}: not a Keras model (its {CONFIG_FILE} describes no model)")
    code_layer = next((name for name, _ in _classes(config) if name in CODE_LAYERS), None)
    if code_layer is not None:
        raise ArchiveError(
            f"{path}: the model has a {code_layer} layer, whose code is stored in the file; "
            "digitpad never runs code from a model file. Rebuild the model from standard layers.")
    custom = next((registered for _, registered in _classes(config)
                   if registered is not None and ">" in registered
                   and not registered.startswith(OWN_PACKAGE)), None)
    if custom is not None:
        raise ArchiveError(
            f"{path}: the model uses a layer of its own ({_short(custom)}) that only the program "
            "that made it has; digitpad reads models built from Keras' standard layers")
    input_shape = _input_shape(config)
    if input_shape is not None and input_shape not in (INPUT_SHAPE, (*INPUT_SHAPE, 1)):
        raise ArchiveError(
            f"{path}: the model takes input of shape {_shown(input_shape)}; digitpad needs "
            "(None, 28, 28) or (None, 28, 28, 1): one grey 28x28 image")
    outputs = _sequential_outputs(config)
    if outputs is not None and outputs not in allowed_outputs:
        raise ArchiveError(
            f"{path}: the model outputs shape (None, {outputs}); digitpad needs (None, 10), one "
            "probability per digit")


def _read_config(path: Path) -> Any:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ArchiveError(f"{path}: not a Keras model (its archive holds {len(members):,} "
                                   f"files; a model has a handful)")
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                raise ArchiveError(f"{path}: not a Keras model (it would unpack to more than "
                                   f"{MAX_UNPACKED_BYTES // 2**20:,} MB)")
            names = {member.filename: member for member in members}
            missing = [name for name in (CONFIG_FILE, WEIGHTS_FILE) if name not in names]
            if missing:
                raise ArchiveError(f"{path}: not a Keras model (it has no "
                                   f"{' and no '.join(missing)}, which every .keras archive holds)")
            if names[CONFIG_FILE].file_size > MAX_CONFIG_BYTES:
                raise ArchiveError(f"{path}: not a Keras model (its {CONFIG_FILE} is larger than "
                                   f"{MAX_CONFIG_BYTES // 2**20} MB)")
            raw = archive.read(names[CONFIG_FILE])
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        # Not a zip; truncated; an unknown compression or an encrypted member (NotImplemented,
        # RuntimeError); a bad checksum (BadZipFile).
        raise ArchiveError(f"{path}: not a Keras model, or a damaged one (a .keras file is a zip "
                           "archive that Keras wrote)") from exc
    try:
        return decode_json_bytes(raw)
    except JsonFileError as exc:
        raise ArchiveError(f"{path}: a damaged Keras model (its {CONFIG_FILE} is {exc})") from exc


def _classes(value: Any) -> Iterator[tuple[str, str | None]]:
    """Every object in the config: (``class_name``, ``registered_name``: ``package>Name`` for a
    registered class), at any depth (the JSON reader bounds the nesting)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = item.get("class_name")
            if isinstance(name, str):
                registered = item.get("registered_name")
                yield name, registered if isinstance(registered, str) else None
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _input_shape(config: dict[str, Any]) -> tuple[int | None, ...] | None:
    """The input shape without the batch axis, when the config says it plainly."""
    candidates: list[Any] = []
    build_config = config.get("build_config")
    if isinstance(build_config, dict):
        candidates.append(build_config.get("input_shape"))
    layers = config["config"].get("layers")
    if config["class_name"] == "Sequential" and isinstance(layers, list) and layers:
        first = layers[0]
        if isinstance(first, dict) and isinstance(first.get("config"), dict):
            candidates += [first["config"].get("batch_shape"),
                           first["config"].get("batch_input_shape")]
    for shape in candidates:
        if (isinstance(shape, list) and len(shape) >= 2
                and all(n is None or (isinstance(n, int) and not isinstance(n, bool))
                        for n in shape)):
            return tuple(shape[1:])
    return None


def _sequential_outputs(config: dict[str, Any]) -> int | None:
    """A Sequential model's number of outputs, when it ends in ``Dense`` (and shape-keeping
    layers); None when the config alone cannot tell."""
    layers = config["config"].get("layers")
    if config["class_name"] != "Sequential" or not isinstance(layers, list):
        return None
    for layer in reversed(layers):
        if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
            return None
        if layer.get("class_name") == "Dense":
            units = layer["config"].get("units")
            return units if isinstance(units, int) and not isinstance(units, bool) else None
        if layer.get("class_name") not in _SHAPE_KEEPING:
            return None
    return None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def _shown(shape: tuple[int | None, ...]) -> str:
    """The shape as Keras prints it; a number too long to read is shown as "…"."""
    return "(" + ", ".join(str(n) if n is None or abs(n) < 10**9 else "…"
                           for n in (None, *shape)) + ")"
