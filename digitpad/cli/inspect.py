"""``inspect``: every layer's output for each drawing in the files, the numbers behind the window's
view inside the model. On LiteRT, from the model's layers form (:mod:`digitpad.ml.layer_outputs`),
which a child process makes the first time a model is inspected.

``--json`` prints ``{"results": [{"file", "index", "input", "layers", "probabilities"}]}``: one
result per drawing, ``index`` counting the drawings of its file; ``input`` the 28x28 model input;
``layers`` each layer's ``name``, ``class``, ``shape`` and ``values`` (nested like ``shape``), as
the model's summary lists them; ``probabilities`` the ten digits' as ``classify`` gives them.
An empty drawing has ``"input": null``, ``"values": null`` and probabilities of zero.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.cli.common import CliError, drawing_names, is_ink, load_recognizer, writer_sevens
from digitpad.ml.ink import iter_ink, read_ink_json
from digitpad.ml.layer_outputs import Layer, LayerOutputs
from digitpad.ml.preprocess import ink_to_image, load_image
from digitpad.ml.recognizer import Prediction

DECIMALS = 6
"""Every number is rounded to this many decimals, as ``classify`` rounds probabilities."""


def inspect_command(args: argparse.Namespace) -> int:
    recognizer = load_recognizer(args.model)
    recognizer.sevens = writer_sevens(args.sevens)
    inspector = load_layer_outputs(recognizer.path)
    seen = [(file, name, index, image, inspector.run(image) if image is not None else None,
             recognizer.predict_image(image))
            for file, name, index, image in _model_inputs(args.paths)]
    if args.json:
        results = [_result(file, index, image, inspector.layers, outputs, prediction)
                   for file, _, index, image, outputs, prediction in seen]
        json.dump({"results": results}, sys.stdout)
        sys.stdout.write("\n")
    else:
        for _, name, _, _, outputs, prediction in seen:
            print(_text(name, inspector.layers, outputs, prediction))
    return 0


def load_layer_outputs(model_path: Path) -> LayerOutputs:
    """The layers of the model at ``model_path`` on LiteRT. The first time a model is inspected
    its layers form is made in a child process (TensorFlow) and cached in the user data folder."""
    from digitpad.ml.jobs import JobFailed
    from digitpad.ml.layer_outputs import NeedsLayersForm, layers_job, make_layers_form
    from digitpad.ml.training_process import run_in_child
    from digitpad.paths import child_log_path, litert_cache_dir

    cache_dir = litert_cache_dir()
    try:
        return LayerOutputs.load(model_path, cache_dir)
    except NeedsLayersForm:
        print(f"digitpad: preparing the layers of {model_path.name} for viewing (once)…",
              file=sys.stderr)
    try:
        run_in_child(layers_job(model_path, cache_dir, child_log_path()), work=make_layers_form)
    except JobFailed as exc:
        raise CliError(str(exc)) from exc
    return LayerOutputs.load(model_path, cache_dir)


def _model_inputs(paths: Sequence[str]) -> Iterator[tuple[str, str, int, np.ndarray | None]]:
    """(file, label for humans, index in the file, model input) of every drawing, in order."""
    for path in paths:
        if not is_ink(path):
            yield path, path, 0, load_image(path)
            continue
        data = read_ink_json(path)
        for index, (name, drawing) in enumerate(
                zip(drawing_names(path, data), iter_ink(data, source=path), strict=True)):
            yield path, name, index, ink_to_image(drawing.strokes)


def _result(file: str, index: int, image: np.ndarray | None, layers: list[Layer],
            outputs: list[np.ndarray] | None, prediction: Prediction) -> dict[str, Any]:
    return {
        "file": file,
        "index": index,
        "input": _numbers(image),
        "layers": [
            {"name": layer.name, "class": layer.class_name, "shape": list(layer.shape),
             "values": _numbers(outputs[k]) if outputs is not None else None}
            for k, layer in enumerate(layers)
        ],
        "probabilities": [round(float(v), DECIMALS) for v in prediction.probabilities],
    }


def _numbers(values: np.ndarray | None) -> Any:
    """An array as nested lists of rounded floats, or None."""
    if values is None:
        return None
    return np.round(np.asarray(values, dtype=np.float64), DECIMALS).tolist()


def _text(name: str, layers: list[Layer], outputs: list[np.ndarray] | None,
          prediction: Prediction) -> str:
    """A drawing's layers for a terminal: name, class, shape and the range of its values."""
    if outputs is None:
        return f"{name}: no digit (empty)"
    lines = [f"{name}: {prediction.digit}  ({prediction.confidence:.1%})"]
    for layer, values in zip(layers, outputs, strict=True):
        shape = "x".join(str(n) for n in layer.shape)
        lines.append(f"  {layer.name} ({layer.class_name})  {shape}  "
                     f"{values.min():.3g} to {values.max():.3g}")
    return "\n".join(lines)
