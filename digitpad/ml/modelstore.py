"""Saving models with their model card, atomically."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from digitpad.atomic import write_with_atomic
from digitpad.ml.card import ModelCard
from digitpad.ml.litert import beside_path, file_sha256


def save_model(model: Any, path: str | os.PathLike[str], card: ModelCard) -> ModelCard:
    """Write ``model``, its LiteRT form and its card so that a crash at any moment leaves the old
    files usable; returns the card as written. Imports TensorFlow (the conversion): for the
    training child and ``train``.

    The ``.keras`` goes first (temp file + os.replace), then the ``.tflite`` beside it, then the
    card, which records both files' hashes: a ``.tflite`` is served only when the card written
    after it vouches for it, so a crash between the steps leaves a model that is converted again
    when it is opened, never a mismatched pair.
    """
    from digitpad.ml.conversion import write_litert_form

    path = Path(path)
    inference_model = _inference_copy(model)
    write_with_atomic(path, inference_model.save, suffix=".keras")
    record = write_litert_form(inference_model, beside_path(path), file_sha256(path))
    full_card = card.replace(
        file=path.name,
        file_size_bytes=path.stat().st_size,
        saved=card.saved or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        litert=record,
    )
    full_card.write(path)
    return full_card


def _inference_copy(model: Any) -> Any:
    """The model without its optimizer state: a third of the file size, and all a user needs."""
    if getattr(model, "optimizer", None) is None:
        return model
    # From the bare config: clone_model and model_from_json compile the copy again (optimizer
    # included), because Keras 3 carries the compile settings along.
    copy = type(model).from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy
