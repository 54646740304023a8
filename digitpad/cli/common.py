"""What more than one subcommand needs: the one-line error, the model to read with, the
writer's 7s, and the figures of a model on labelled drawings."""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.ink import Drawing
from digitpad.ml.outputs import Sevens, sevens_for_locale

INK_SUFFIXES = (".json",)
"""Files with these endings are ink JSON; any other file is offered to the picture reader."""


class CliError(Exception):
    """A problem to report in one line, without a traceback."""


def is_ink(path: str) -> bool:
    return Path(path).suffix.lower() in INK_SUFFIXES


def drawing_names(path: str, data: Any) -> list[str]:
    """The label for humans of each drawing in an ink file's JSON: the file's name, followed by
    ``#3`` for the fourth drawing of a file of many."""
    if not isinstance(data, list):
        return [path]
    return [f"{path}#{i}" for i in range(len(data))] if len(data) > 1 else [path] * len(data)


def writer_sevens(choice: str | None) -> Sevens:
    """How the writer writes 7 (and 1): ``--sevens`` when given, else as most writers of the
    user's language do. The language comes from the locale the user set (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``, as gettext reads them) before Python's: Python reports a locale
    that is not installed as ``C.UTF-8``, which it calls ``en_US``."""
    if choice is not None:
        return Sevens(choice)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return sevens_for_locale(os.environ[name])
    return sevens_for_locale(locale.getlocale()[0])


def load_recognizer(path: str | None) -> Any:
    """The model to classify with, on LiteRT. A ``.keras`` file without a matching ``.tflite``
    is converted once, in a child process (TensorFlow), and cached in the user data folder."""
    from digitpad.ml.jobs import CONVERT, JobFailed, TrainingJob
    from digitpad.ml.recognizer import NeedsConversion, Recognizer
    from digitpad.ml.training_process import run_in_child
    from digitpad.paths import (
        bundled_model_path,
        child_log_path,
        litert_cache_dir,
        trusted_model_dirs,
    )

    model_path = Path(path) if path is not None else bundled_model_path()
    cache_dir = litert_cache_dir()
    trusted = trusted_model_dirs()
    try:
        return Recognizer.load(model_path, cache_dir, trusted)
    except NeedsConversion:
        print(f"digitpad: preparing {model_path.name} for fast reading (once)…", file=sys.stderr)
    job = TrainingJob(CONVERT, output=str(cache_dir), current_model=str(model_path),
                      priority=0, log_path=str(child_log_path()))
    try:
        run_in_child(job)
    except JobFailed as exc:
        raise CliError(str(exc)) from exc
    return Recognizer.load(model_path, cache_dir, trusted)


def evaluate_drawings(recognizer: Any, drawings: Sequence[Drawing]) -> dict[str, Any]:
    """Accuracy, per-digit accuracy and the confusion matrix of a model on labelled drawings."""
    labelled = [d for d in drawings if d.label is not None and not d.is_empty]
    if not labelled:
        raise CliError("no labelled, non-empty drawings to evaluate; each sample needs a 'label'")
    predictions = recognizer.predict_drawings(labelled)
    truth = np.array([d.label for d in labelled])
    guess = np.array([p.digit for p in predictions])
    refused = np.array([p.is_not_a_digit for p in predictions])
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=int)
    np.add.at(confusion, (truth[~refused], guess[~refused]), 1)
    per_digit = {
        str(k): (float(confusion[k, k] / np.sum(truth == k)) if np.any(truth == k) else None)
        for k in range(NUM_CLASSES)
    }
    return {
        "samples": len(labelled),
        "skipped": len(drawings) - len(labelled),
        "accuracy": float(np.trace(confusion) / len(labelled)),
        "refused_as_not_a_digit": int(refused.sum()),
        "per_digit_accuracy": per_digit,
        "confusion": confusion.tolist(),
    }
