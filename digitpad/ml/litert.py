"""A ``.keras`` model's LiteRT form: where it is, whether it still matches, and how to run it.

The ``.keras`` file is the model of record; the ``.tflite`` beside it (or in the user's cache) is
derived from it by :mod:`digitpad.ml.conversion` in a TensorFlow process. What ties the two
together is a *LiteRT record*: the ``.keras`` file's SHA-256 it was made from, the ``.tflite``'s
own SHA-256, and the Keras summary of the model (the window shows it, and only TensorFlow can
write it). A ``.tflite`` is used only when the record's hashes match both files, so a model file
replaced by hand, a half-copied folder or a stale cache entry is converted again, never served.

The record lives in the model card (``ModelCard.litert``, :mod:`digitpad.ml.card`) for a
``.tflite`` beside its ``.keras`` (the bundled model, every retrained one), and in
``<cache>/<keras sha256>.json`` for a model the user opened that came without one. No TensorFlow
here: the window and ``digitpad classify`` run on this alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.ml.jsonfile import JsonFileError, read_json_file

LITERT_SUFFIX = ".tflite"
CACHE_DIR_NAME = "litert-cache"
"""In the user data folder: LiteRT forms of models that came without one."""
THREADS = 2
"""LiteRT's CPU threads: the machines we target have two cores or more, and one drawing takes
well under a millisecond either way; a batch of thousands runs 1.6x faster on two."""

_HASH_CHUNK = 1 << 20
_MAX_RECORD_BYTES = 1 << 20
"""A record is a summary and two hashes, a few kilobytes."""


class LiteRTError(ValueError):
    """The ``.tflite`` cannot be read or run; says which file and why."""


@dataclass(frozen=True)
class LiteRTRecord:
    """What ties a ``.tflite`` to the ``.keras`` it was made from."""

    keras_sha256: str
    tflite_sha256: str
    tflite_file: str
    """The ``.tflite``'s file name, in the folder of the file that holds this record."""
    summary: str
    """``model.summary()`` of the Keras model, as the user would see it in a notebook."""

    def to_json(self) -> dict[str, Any]:
        return {
            "keras_sha256": self.keras_sha256,
            "tflite_sha256": self.tflite_sha256,
            "file": self.tflite_file,
            "summary": self.summary,
        }

    @staticmethod
    def from_json(data: object) -> LiteRTRecord | None:
        """The record in ``data``, or None if it is not one (an old card, a foreign file)."""
        if not isinstance(data, dict):
            return None
        fields = (data.get("keras_sha256"), data.get("tflite_sha256"), data.get("file"),
                  data.get("summary", ""))
        if not all(isinstance(value, str) for value in fields):
            return None
        keras_sha256, tflite_sha256, file, summary = fields
        if Path(file).name != file:  # a record names a file beside it, never a path elsewhere
            return None
        return LiteRTRecord(keras_sha256, tflite_sha256, file, summary)


@dataclass(frozen=True)
class LiteRTForm:
    """A ``.tflite`` that matches its ``.keras`` and the record that says so."""

    path: Path
    record: LiteRTRecord


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def beside_path(keras_path: str | os.PathLike[str]) -> Path:
    """``name.keras`` -> ``name.tflite``: where training puts a model's LiteRT form."""
    return Path(keras_path).with_suffix(LITERT_SUFFIX)


def cache_paths(cache_dir: str | os.PathLike[str], keras_sha256: str) -> tuple[Path, Path]:
    """The cached ``.tflite`` and its record for the ``.keras`` file with this hash."""
    base = Path(cache_dir) / keras_sha256
    return base.with_suffix(LITERT_SUFFIX), base.with_suffix(".json")


def find_litert_form(
    keras_path: str | os.PathLike[str], record: LiteRTRecord | None, cache_dir: Path | None
) -> LiteRTForm | None:
    """The LiteRT form of ``keras_path`` that matches it exactly, or None (convert it then).

    ``record`` is the model card's, for a ``.tflite`` beside the model.
    """
    keras_sha256 = file_sha256(keras_path)
    candidates: list[tuple[Path, LiteRTRecord | None]] = []
    if record is not None:
        candidates.append((Path(keras_path).parent / record.tflite_file, record))
    if cache_dir is not None:
        tflite, record_path = cache_paths(cache_dir, keras_sha256)
        candidates.append((tflite, _read_record(record_path)))
    for tflite, record in candidates:
        if (record is not None and record.keras_sha256 == keras_sha256 and tflite.is_file()
                and file_sha256(tflite) == record.tflite_sha256):
            return LiteRTForm(tflite, record)
    return None


def _read_record(path: Path) -> LiteRTRecord | None:
    try:
        return LiteRTRecord.from_json(read_json_file(path, _MAX_RECORD_BYTES))
    except (OSError, JsonFileError):
        return None


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." on the process's
    stderr when it plans a model, whatever ``TF_CPP_MIN_LOG_LEVEL`` says, and XNNPACK is what
    makes it fast (0.2 ms a drawing instead of 1.8). The line means nothing to a user, so stderr
    points at the null device for those few milliseconds; an error still raises."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, AttributeError, ValueError):  # no stderr at all (a windowed app)
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _name(source: Path | bytes) -> str:
    return "the converted model" if isinstance(source, bytes) else str(source)


def open_interpreter(source: Path | bytes, threads: int) -> Any:
    """A LiteRT interpreter for a ``.tflite`` file or a flatbuffer in memory (a model just
    converted, not yet saved), its tensors allocated; LiteRTError says why not."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        with _native_stderr_silenced():
            if isinstance(source, bytes):
                interpreter = Interpreter(model_content=source, num_threads=threads)
            else:
                interpreter = Interpreter(model_path=str(source), num_threads=threads)
            interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise LiteRTError(f"{_name(source)}: not a usable LiteRT model ({exc})") from exc
    return interpreter


class LiteRTModel:
    """One LiteRT interpreter: (N, *input_shape) float32 -> (N, outputs) float32.

    An interpreter is not thread-safe; each owner (the recogniser thread, a command) has its own.
    Resizing the input for a new batch size re-plans the interpreter, so the last size is kept.
    """

    def __init__(self, source: Path | bytes, threads: int = THREADS) -> None:
        self._interpreter = open_interpreter(source, threads)
        inputs = self._interpreter.get_input_details()
        outputs = self._interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise LiteRTError(
                f"{_name(source)}: the model has {len(inputs)} inputs and {len(outputs)} outputs; "
                "digitpad needs one of each")
        self._input = inputs[0]["index"]
        self._output = outputs[0]["index"]
        self.input_shape: tuple[int, ...] = tuple(int(n) for n in inputs[0]["shape"][1:])
        self.output_shape: tuple[int, ...] = tuple(int(n) for n in outputs[0]["shape"][1:])
        self._batch = int(inputs[0]["shape"][0])

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        if len(batch) != self._batch:
            self._interpreter.resize_tensor_input(self._input, [len(batch), *self.input_shape])
            self._interpreter.allocate_tensors()
            self._batch = len(batch)
        self._interpreter.set_tensor(self._input, np.ascontiguousarray(batch, np.float32))
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()
