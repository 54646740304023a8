"""Saving models with their model card, so that a model appears under its name only whole."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitpad.atomic import atomic_path
from digitpad.ml.card import ModelCard
from digitpad.ml.litert import beside_path, file_sha256

if TYPE_CHECKING:
    from digitpad.ml.conversion import ServedForm


def save_model(model: Any, path: str | os.PathLike[str], card: ModelCard,
               served: ServedForm | None = None) -> ModelCard:
    """Write ``model`` to ``path`` with its LiteRT form and its card; returns the card as written.
    Imports TensorFlow (the conversion): for the training child and ``train``. ``served`` is the
    model's LiteRT form when it was made already to judge the model (then it is not converted
    again).

    The order, and why: the ``.keras`` is saved to a hidden temporary file beside ``path`` and
    hashed; then the ``.tflite`` (checked against the model) and the card (both hashes, the
    file's size) are written atomically under their final names; the temporary file is moved
    onto ``path`` (``os.replace``) last. History lists ``.keras`` files, so a model shows up
    there only once its card and LiteRT form are in place. A kill before that last rename
    leaves hidden temporary files and perhaps a card and ``.tflite`` without their ``.keras``,
    which History ignores and
    :meth:`~digitpad.ml.model_library.ModelLibrary.remove_leftovers` clears; an error (a full
    disk) removes them at once and re-raises.

    Over an existing model (``digitpad train --out`` may name one), the old ``.keras`` stays
    whole until the last rename, and a full disk while its temporary copy is written leaves all
    three old files as they were. A kill (or an error) after the new ``.tflite`` is written
    leaves the old ``.keras`` beside the new ``.tflite`` and perhaps the new card: their hashes
    are not the old file's, so that ``.tflite`` is never served (the model is converted again
    when opened), but such a card's figures are the new model's until it is saved again.
    """
    from digitpad.ml.conversion import write_litert_form

    path = Path(path)
    inference_model = _inference_copy(model)
    try:
        with atomic_path(path, suffix=".keras") as keras_tmp:  # Keras wants the .keras ending
            inference_model.save(keras_tmp)
            record = write_litert_form(inference_model, beside_path(path), file_sha256(keras_tmp),
                                       card, served)
            full_card = card.replace(
                file=path.name,
                file_size_bytes=keras_tmp.stat().st_size,
                saved=card.saved or datetime.now(timezone.utc).isoformat(timespec="seconds"),
                litert=record,
            )
            full_card.write(path)
    except BaseException:
        if not path.exists():  # a new model: what was written beside it belongs to no model
            beside_path(path).unlink(missing_ok=True)
            ModelCard.path_for(path).unlink(missing_ok=True)
        raise
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
