"""Saving models with their model card, atomically, and describing a card to a person."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from digitpad.atomic import write_text_atomic, write_with_atomic
from digitpad.ml.litert import CARD_KEY, beside_path, file_sha256
from digitpad.ml.recognizer import model_card_path


def save_model(model: Any, path: str | os.PathLike[str], card: dict[str, Any]) -> dict[str, Any]:
    """Write ``model``, its LiteRT form and its card so that a crash at any moment leaves the old
    files usable. Imports TensorFlow (the conversion): for the training child and ``train``.

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
    full_card = {
        **card,
        "file": path.name,
        "file_size_bytes": path.stat().st_size,
        "saved": card.get("saved") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        CARD_KEY: record.to_json(),
    }
    write_text_atomic(model_card_path(path), json.dumps(full_card, indent=2) + "\n")
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


def describe_card(card: dict[str, Any], model_path: Path | None = None) -> str:
    """The model card's figures as a few lines of plain text (for `info` and the app)."""
    if not card:
        return "model card: none (this model was not trained by digitpad)"
    lines = ["model card:"]

    def add(label: str, value: Any) -> None:
        if value is not None:
            lines.append(f"  {label}: {value}")

    add("architecture", card.get("architecture"))
    if "parameters" in card:
        add("parameters", f"{card['parameters']:,}")
    if "file_size_bytes" in card:
        add("file size", f"{card['file_size_bytes'] / 1e6:.2f} MB")
    add("data", card.get("data"))
    add("seed", card.get("config", {}).get("seed"))
    add("epochs", card.get("epochs_run"))
    add("command", card.get("command"))
    if "mnist_test_accuracy" in card:
        add("MNIST test accuracy", f"{card['mnist_test_accuracy']:.2%}")
    ink = card.get("ink_evaluation")
    if ink:
        add(f"accuracy on {ink['file']}", f"{ink['accuracy']:.2%} ({ink['samples']} drawings)")
    add("saved", card.get("saved"))
    return "\n".join(lines)
