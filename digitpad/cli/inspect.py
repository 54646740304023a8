"""``inspect``: every layer's output for each drawing in the files, the numbers behind the window's
view inside the model, and why the model reads each drawing as it does. On LiteRT, from the
model's layers form (:mod:`digitpad.ml.layer_outputs`), which a child process makes the first
time a model is inspected.

``--json`` prints ``{"results": [{"file", "index", "input", "layers", "probabilities", "why"}]}``:
one result per drawing, ``index`` counting the drawings of its file; ``input`` the 28x28 model
input; ``layers`` each layer's ``name``, ``class``, ``shape`` and ``values`` (nested like
``shape``), as the model's summary lists them; ``probabilities`` the ten digits' as ``classify``
gives them; ``why`` what :mod:`digitpad.ml.why` finds: the ``answer`` explained (a digit or
``"not-a-digit"``), its ``probability``, the ``pieces`` of ink left out in turn (``stroke``,
``effect``, ``without``, ``points``; none for a picture) and the 7x7 ``occlusion`` map.
An empty drawing has ``"input": null``, ``"values": null``, probabilities of zero and
``"why": null``. With ``--compare``, each result also has ``compare``: the other model's
``model`` file name, ``probabilities``, ``digit`` and ``not_a_digit``.

``--png OUT`` draws each drawing as the window shows it (:mod:`digitpad.ui.inside.sheet`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.cli.common import CliError, drawing_names, is_ink, load_recognizer, writer_sevens
from digitpad.ml.ink import iter_ink, read_ink_json
from digitpad.ml.layer_outputs import Layer, LayerOutputs
from digitpad.ml.preprocess import ink_to_image, load_image
from digitpad.ml.recognizer import Prediction
from digitpad.ml.why import Why, explain_image, explain_ink

DECIMALS = 6
"""Every number is rounded to this many decimals, as ``classify`` rounds probabilities."""
NOT_A_DIGIT = "not-a-digit"
"""The ``why`` answer of a drawing the model finds likelier no digit, as ``read --json`` says."""


@dataclass(frozen=True)
class _Seen:
    """One drawing and what the models make of it."""

    file: str
    name: str
    """The drawing's label for humans."""
    index: int
    strokes: Sequence[np.ndarray] | None
    """The ink, None for a picture."""
    image: np.ndarray | None
    outputs: list[np.ndarray] | None
    prediction: Prediction
    why: Why | None
    compared: Prediction | None
    """The ``--compare`` model's prediction, None without ``--compare``."""


def inspect_command(args: argparse.Namespace) -> int:
    recognizer = load_recognizer(args.model)
    recognizer.sevens = writer_sevens(args.sevens)
    other = load_recognizer(args.compare) if args.compare is not None else None
    if other is not None:
        other.sevens = recognizer.sevens
    if args.png is not None and Path(args.png).suffix.lower() != ".png":
        raise CliError(f"--png must end in .png; received {args.png}")
    inspector = load_layer_outputs(recognizer.path)
    explained = args.json or args.png is not None  # some fifty model runs a drawing
    seen = [
        _Seen(file, name, index, strokes, image,
              inspector.run(image) if image is not None else None,
              recognizer.predict_image(image),
              _explain(strokes, image, recognizer) if explained else None,
              other.predict_image(image) if other is not None else None)
        for file, name, index, strokes, image in _model_inputs(args.paths)
    ]
    if args.png is not None:
        for path in _write_pictures(args.png, seen, inspector, recognizer, other):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        results = [_result(drawing, inspector.layers, other) for drawing in seen]
        json.dump({"results": results}, sys.stdout)
        sys.stdout.write("\n")
    else:
        for drawing in seen:
            print(_text(drawing, inspector.layers, recognizer, other))
    return 0


def _write_pictures(out: str, seen: Sequence[_Seen], inspector: LayerOutputs, recognizer: Any,
                    other: Any) -> list[Path]:
    """Draw each drawing with the window's own widgets, on Qt's offscreen platform: a command
    never opens a window, and needs no screen."""
    from PySide6.QtWidgets import QApplication

    from digitpad.ui.inside.sheet import Drawn, Models, write_sheets

    application = QApplication.instance() or QApplication(["digitpad", "-platform", "offscreen"])
    models = Models(recognizer.path.name, inspector.layers, inspector.weights,
                    recognizer.output_names, recognizer.sevens,
                    other.path.name if other is not None else None)
    drawn = [Drawn(Path(drawing.name).name, drawing.strokes,
                   None if drawing.strokes is not None else Path(drawing.file), drawing.image,
                   drawing.outputs, drawing.prediction, drawing.why, drawing.compared)
             for drawing in seen]
    try:
        return write_sheets(out, models, drawn)
    except OSError as exc:
        raise CliError(f"{out}: could not write the picture ({exc.strerror or exc}); choose "
                       "another file with --png") from exc
    finally:
        application.processEvents()  # the sheets' deferred deletions


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


def _model_inputs(paths: Sequence[str]) -> Iterator[
        tuple[str, str, int, Sequence[np.ndarray] | None, np.ndarray | None]]:
    """(file, label for humans, index in the file, strokes or None for a picture, model input)
    of every drawing, in order."""
    for path in paths:
        if not is_ink(path):
            yield path, path, 0, None, load_image(path)
            continue
        data = read_ink_json(path)
        for index, (name, drawing) in enumerate(
                zip(drawing_names(path, data), iter_ink(data, source=path), strict=True)):
            yield path, name, index, drawing.strokes, ink_to_image(drawing.strokes)


def _explain(strokes: Sequence[np.ndarray] | None, image: np.ndarray | None,
             recognizer: Any) -> Why | None:
    """Ink is explained by its pieces and blocks, a picture by its blocks alone."""
    if strokes is not None:
        return explain_ink(strokes, recognizer, occlusion=True)
    return explain_image(image, recognizer) if image is not None else None


def _result(drawing: _Seen, layers: list[Layer], other: Any) -> dict[str, Any]:
    outputs = drawing.outputs
    result: dict[str, Any] = {
        "file": drawing.file,
        "index": drawing.index,
        "input": _numbers(drawing.image),
        "layers": [
            {"name": layer.name, "class": layer.class_name, "shape": list(layer.shape),
             "values": _numbers(outputs[k]) if outputs is not None else None}
            for k, layer in enumerate(layers)
        ],
        "probabilities": _probabilities(drawing.prediction),
        "why": _why(drawing.why),
    }
    if drawing.compared is not None:
        result["compare"] = {
            "model": other.path.name,
            "probabilities": _probabilities(drawing.compared),
            "digit": drawing.compared.digit,
            "not_a_digit": drawing.compared.is_not_a_digit,
        }
    return result


def _why(why: Why | None) -> dict[str, Any] | None:
    if why is None:
        return None
    return {
        "answer": NOT_A_DIGIT if why.answer is None else why.answer,
        "probability": round(why.probability, DECIMALS),
        "pieces": [{"stroke": piece.stroke, "effect": round(piece.effect, DECIMALS),
                    "without": round(piece.without, DECIMALS), "points": _numbers(piece.points)}
                   for piece in why.pieces],
        "occlusion": _numbers(why.occlusion),
    }


def _probabilities(prediction: Prediction) -> list[float]:
    """The ten digits' probabilities, rounded as ``classify`` rounds them."""
    return [round(float(v), DECIMALS) for v in prediction.probabilities]


def _numbers(values: np.ndarray | None) -> Any:
    """An array as nested lists of rounded floats, or None."""
    if values is None:
        return None
    return np.round(np.asarray(values, dtype=np.float64), DECIMALS).tolist()


def _text(drawing: _Seen, layers: list[Layer], recognizer: Any, other: Any) -> str:
    """A drawing's layers for a terminal: name, class, shape and the range of its values; with
    ``--compare``, both models' verdicts on one line."""
    prediction, outputs = drawing.prediction, drawing.outputs
    if outputs is None:
        return f"{drawing.name}: no digit (empty)"
    lines = [f"{drawing.name}: {prediction.digit}  ({prediction.confidence:.1%})"]
    if drawing.compared is not None:
        lines.append(f"  {recognizer.path.name}: {_verdict(prediction)}  ·  "
                     f"{other.path.name}: {_verdict(drawing.compared)}")
    for layer, values in zip(layers, outputs, strict=True):
        shape = "x".join(str(n) for n in layer.shape)
        lines.append(f"  {layer.name} ({layer.class_name})  {shape}  "
                     f"{values.min():.3g} to {values.max():.3g}")
    return "\n".join(lines)


def _verdict(prediction: Prediction) -> str:
    """What the window would show: the digit, or "not a digit", and how sure the model is."""
    if prediction.is_not_a_digit:
        return f"not a digit  ({prediction.not_a_digit:.1%})"
    return f"{prediction.digit}  ({prediction.confidence:.1%})"
