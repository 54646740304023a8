"""A loaded digit model: validated on load, fast for one drawing, batched for thousands.

Serving never imports TensorFlow: :meth:`Recognizer.load` runs the model's LiteRT form.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.ml.batching import batched
from digitpad.ml.card import ModelCard
from digitpad.ml.digits import FRAME_SIZE, INPUT_SHAPE, NUM_CLASSES
from digitpad.ml.ink import Drawing
from digitpad.ml.keras_archive import ArchiveError, check_keras_archive
from digitpad.ml.litert import LiteRTError, LiteRTModel, find_litert_form
from digitpad.ml.outputs import OUTPUT_NAMES, Sevens, fold, output_names
from digitpad.ml.preprocess import ink_to_image

BATCH_SIZE = 256
"""Drawings per model call when classifying a file: big enough to amortise the call cost, small
enough to stay in the CPU's caches (LiteRT on 2 cores: 256 at a time is 2.5x faster than 7,500)."""


class ModelError(ValueError):
    """The model file is missing, unreadable or does not fit digitpad; says which and why."""


@dataclass(frozen=True)
class Prediction:
    """What the model thinks of one drawing; ``digit`` is None when there was nothing drawn.

    ``digit`` is the likeliest digit even when the drawing is likelier not a digit at all: the
    reader decides (``not_a_digit`` against a threshold) what to show.
    """

    digit: int | None
    confidence: float
    probabilities: np.ndarray  # (10,) float32, all zeros for an empty drawing
    not_a_digit: float = 0.0
    """The probability that the drawing is no digit; 0 for a model that cannot tell."""

    @property
    def is_not_a_digit(self) -> bool:
        """Likelier no digit than the likeliest digit: what the window shows as "Not a digit".
        Measured on the held-out pen writers, a model trained to refuse refuses none of their
        digits this way (``tests/benchmarks/test_not_a_digit.py``)."""
        return self.not_a_digit > self.confidence

    @property
    def runner_up(self) -> int | None:
        if self.digit is None:
            return None
        return int(np.argsort(self.probabilities)[-2])

    @staticmethod
    def empty() -> Prediction:
        return Prediction(None, 0.0, np.zeros(NUM_CLASSES, np.float32))

    @staticmethod
    def from_probabilities(probabilities: np.ndarray, not_a_digit: float = 0.0) -> Prediction:
        digit = int(np.argmax(probabilities))
        return Prediction(digit, float(probabilities[digit]), probabilities, float(not_a_digit))


class NeedsConversion(ModelError):
    """The ``.keras`` file has no matching LiteRT form yet: convert it (in a TensorFlow process)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: not yet prepared for fast reading (no matching .tflite)")
        self.path = path


Run = Callable[[np.ndarray], np.ndarray]
"""(N, *input_shape) float32 -> (N, outputs) softmax outputs."""


class Recognizer:
    """A digit model that maps (N, 28, 28) float32 images in [0, 1] to (N, 10) probabilities.

    The app and the commands serve the model's LiteRT form (:meth:`load`, no TensorFlow); the
    training child, which has TensorFlow anyway, wraps the Keras model it just trained
    (:meth:`from_keras`). Both are checked the same way: one 28x28 input, and ten digit outputs,
    or the twelve of :mod:`digitpad.ml.outputs` (with a crossed 7 and "not a digit") when the
    model card names them. ``sevens`` is how the writer writes 1 and 7; it decides how twelve
    outputs fold into ten digits.
    """

    def __init__(self, run: Run, input_shape: tuple[int, ...], name: str, summary: str,
                 path: Path | None = None, card: ModelCard | None = None,
                 keras_model: Any = None, outputs: int = NUM_CLASSES) -> None:
        self._run = run
        self._input_shape = input_shape
        self.sevens = Sevens.PLAIN
        self.name = name
        self.path = path
        self.card = card if card is not None else ModelCard()
        self.keras_model = keras_model
        """The Keras model, only for :meth:`from_keras` (a fine-tune starts from it)."""
        self._summary = summary
        _check_shapes(input_shape, path or name)
        names = output_names(outputs, self.card.outputs)
        if names is None:
            raise ModelError(_outputs_problem(path or name, (outputs,)))
        self.output_names = names
        self._check_outputs_are_probabilities()

    @property
    def knows_non_digits(self) -> bool:
        """Whether the model can say "not a digit" (and tell a crossed 7)."""
        return len(self.output_names) > NUM_CLASSES

    @classmethod
    def load(cls, path: str | os.PathLike[str], cache_dir: Path | None = None,
             trusted_dirs: Sequence[Path] | None = None) -> Recognizer:
        """The model of record at ``path`` (a ``.keras`` file), served by its LiteRT form.

        The ``.tflite`` beside a model is served only from ``trusted_dirs`` (the bundled model's
        folder, the library of retrained ones; None trusts every folder): LiteRT runs in this
        process, and a ``.tflite`` that came with a user's file could be crafted to harm it. A
        model from anywhere else is converted by TensorFlow in a child process and served from
        ``cache_dir``. Raises :class:`NeedsConversion` when no matching ``.tflite`` is there, and
        :class:`ModelError` for a file that is not a digit model at all.
        """
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"{path}: no such model file")
        card = ModelCard.read(path)
        _check_archive(path, card)
        beside = card.litert if _is_in(path, trusted_dirs) else None
        form = find_litert_form(path, beside, cache_dir)
        if form is None:
            raise NeedsConversion(path)
        return cls.from_litert(form.path, path.name, form.record.summary, path, card)

    @classmethod
    def from_litert(cls, source: Path | bytes, name: str, summary: str,
                    path: Path | None = None, card: ModelCard | None = None) -> Recognizer:
        """A LiteRT form: a ``.tflite`` file, or a flatbuffer just converted (a new model is
        judged on the form the window will serve before it is saved)."""
        try:
            model = LiteRTModel(source)
        except LiteRTError as exc:
            raise ModelError(str(exc)) from exc
        if len(model.output_shape) != 1:
            raise ModelError(_outputs_problem(path or name, model.output_shape))
        return cls(model, model.input_shape, name, summary, path, card,
                   outputs=model.output_shape[0])

    @classmethod
    def from_keras(cls, model: Any, path: Path | None = None,
                   card: ModelCard | None = None) -> Recognizer:
        """A Keras model in this process (training, conversion): a traced call, ~2 ms a drawing.

        ``card`` (default: the one beside ``path``) names twelve outputs. Only for a process
        whose TensorFlow runs on its main thread: TensorFlow keeps its graph state in
        thread-locals, which a Qt thread loses between two slot calls.
        """
        import tensorflow as tf

        try:
            input_shape = tuple(model.input_shape)[1:]
            output_shape = tuple(model.output_shape)[1:]
        except (AttributeError, ValueError) as exc:
            raise ModelError(f"{path or 'model'}: the model has no single input and output "
                             f"({exc})") from exc
        if len(output_shape) != 1:
            raise ModelError(_outputs_problem(path or "model", output_shape))
        spec = tf.TensorSpec((None, *input_shape), tf.float32)
        traced = tf.function(lambda x: model(x, training=False), input_signature=[spec])
        if card is None:
            card = ModelCard.read(path) if path is not None else ModelCard()
        return cls(lambda batch: traced(batch).numpy(), input_shape,
                   path.name if path is not None else model.name, keras_summary(model), path,
                   card, keras_model=model, outputs=output_shape[0])

    @classmethod
    def load_keras(cls, path: str | os.PathLike[str]) -> Recognizer:
        """Load a ``.keras`` file with TensorFlow, safely (no code from the file runs)."""
        return cls.from_keras(load_keras_model(path), Path(path))

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(28, 28) or (N, 28, 28[, 1]) float32 in [0, 1] -> (N, 10) digit probabilities, folded
        by :attr:`sevens` (with "not a digit" left out, a row may sum to less than 1)."""
        return fold(self.outputs(images), self.sevens)[0]

    def outputs(self, images: np.ndarray) -> np.ndarray:
        """(28, 28) or (N, 28, 28[, 1]) float32 in [0, 1] -> (N, 10 or 12): what the model says,
        as it says it (see :attr:`output_names`)."""
        batch = np.asarray(images, dtype=np.float32)
        one_with_channel = batch.ndim == 3 and batch.shape[-1] == 1 and batch.shape[0] == FRAME_SIZE
        if batch.ndim == 2 or one_with_channel:
            batch = batch[None]
        if batch.shape[1:3] != INPUT_SHAPE:
            raise ValueError(
                f"Expected images of shape (N, 28, 28) or (N, 28, 28, 1); received {batch.shape}"
            )
        batch = batch.reshape((len(batch), *self._input_shape))
        if len(batch) == 0:
            return np.zeros((0, len(self.output_names)), np.float32)
        outputs = [
            self._run(batch[start : start + BATCH_SIZE])
            for start in range(0, len(batch), BATCH_SIZE)
        ]
        return np.concatenate(outputs).astype(np.float32)

    def predict_image(self, image: np.ndarray | None) -> Prediction:
        """One 28x28 model input (None for an empty drawing) -> its prediction."""
        return self.predict_images([image])[0]

    def predict_drawings(self, drawings: Sequence[Drawing]) -> list[Prediction]:
        """Classify many drawings in batches; empty drawings get an empty prediction."""
        return self.predict_stream(ink_to_image(d.strokes) for d in drawings)

    def predict_stream(self, images: Iterable[np.ndarray | None]) -> list[Prediction]:
        """Classify images as an iterable makes them (rendering ink, reading files).

        On LiteRT, which releases the GIL, one batch is classified on another thread while the
        iterable makes the next, so rendering and the model share the cores. A Keras model stays
        on the calling thread: TensorFlow keeps its graph state in thread-locals.
        """
        if self.keras_model is not None:
            return self.predict_images(list(images))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="digitpad-model") as model:
            batches = [model.submit(self.predict_images, batch)
                       for batch in batched(images, BATCH_SIZE)]
            return [prediction for batch in batches for prediction in batch.result()]

    def predict_images(self, images: Sequence[np.ndarray | None]) -> list[Prediction]:
        present = [i for i, image in enumerate(images) if image is not None]
        results = [Prediction.empty() for _ in images]
        if present:
            digits, not_digit = fold(self.outputs(np.stack([images[i] for i in present])),
                                     self.sevens)
            for i, row, other in zip(present, digits, not_digit, strict=True):
                results[i] = Prediction.from_probabilities(row, other)
        return results

    def _check_outputs_are_probabilities(self) -> None:
        """Reject a model that outputs logits: the app would show nonsense confidences."""
        try:
            sums = self.outputs(np.zeros((1, *INPUT_SHAPE), np.float32)).sum(axis=1)
        except Exception as exc:  # a model that cannot run on a 28x28 image at all
            raise ModelError(
                f"{self.name}: the model fails on a 28x28 image ({_first_line(exc)})"
            ) from exc
        if not np.allclose(sums, 1.0, atol=1e-3):
            raise ModelError(
                f"{self.name}: the model's outputs do not sum to 1 (got {float(sums[0]):.3g}); "
                "digitpad needs softmax probabilities, not logits"
            )

    def summary(self) -> str:
        return self._summary


def load_keras_model(path: str | os.PathLike[str]) -> Any:
    """A ``.keras`` file as a Keras model (TensorFlow), with ``safe_mode``: no code from the file
    runs, so a ``Lambda`` layer is refused. Raises ModelError with the reason."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    _check_archive(path, ModelCard.read(path))
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a bad archive
        raise ModelError(f"{path}: cannot load the model ({_load_problem(exc)})") from exc


def _check_archive(path: Path, card: ModelCard) -> None:
    allowed = {NUM_CLASSES, len(OUTPUT_NAMES)} if output_names(
        len(OUTPUT_NAMES), card.outputs) else {NUM_CLASSES}
    try:
        check_keras_archive(path, allowed)
    except ArchiveError as exc:
        raise ModelError(str(exc)) from exc


def _is_in(path: Path, folders: Sequence[Path] | None) -> bool:
    if folders is None:
        return True
    parent = path.resolve().parent
    return any(parent == Path(folder).resolve() for folder in folders)


def keras_summary(model: Any) -> str:
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


def _outputs_problem(where: object, shape: tuple[int, ...]) -> str:
    return (f"{where}: the model outputs shape (None, {', '.join(map(str, shape))}); digitpad "
            "needs (None, 10), one "
            "probability per digit (or the twelve outputs of a model digitpad trained, named in "
            "its model card)")


def _check_shapes(input_shape: tuple[int, ...], where: object) -> None:
    if input_shape not in (INPUT_SHAPE, (*INPUT_SHAPE, 1)):
        raise ModelError(
            f"{where}: the model takes input of shape {(None, *input_shape)}; digitpad needs "
            "(None, 28, 28) or (None, 28, 28, 1)"
        )


def _load_problem(exc: BaseException) -> str:
    """Why Keras could not load a file that looked like a model, in a user's words where the
    cause is known (h5py's and Keras' own are written for programmers)."""
    text = str(exc)
    if "truncated file" in text or "file signature not found" in text:
        return "its weights are damaged or cut short; copy or save the model again"
    if "could not be deserialized" in text or "Could not locate" in text:
        return ("its layers do not match what this version of Keras can build; it may have been "
                "saved by another Keras version")
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
