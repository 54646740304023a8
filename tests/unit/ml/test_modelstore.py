"""Saving a model never leaves a half-written file, and the card describes the file beside it."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.models import build_model
from digitpad.ml.modelstore import save_model
from digitpad.ml.recognizer import Recognizer


def _tiny_model() -> keras.Model:
    """A compiled MLP after one training step, so its optimizer has state to leave out."""
    model = build_model("mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((4, 28, 28), np.float32), np.zeros(4), verbose=0)
    return model


def test_card_records_the_file_and_the_model_loads_without_optimizer_state(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.keras"
    card = save_model(_tiny_model(), path, ModelCard(architecture="mlp", parameters=101770))
    on_disk = json.loads((tmp_path / "m.json").read_text())
    assert on_disk == card.to_json() and ModelCard.read(path) == card
    assert card.file == "m.keras" and card.file_size_bytes == path.stat().st_size
    assert getattr(Recognizer.load_keras(path).keras_model, "optimizer", None) is None
    # Adam keeps two values per weight; without them the file is about the size of the weights.
    weight_bytes = 4 * 101770
    assert card.file_size_bytes < 1.5 * weight_bytes
    assert "parameters: 101,770" in card.describe()


def test_a_crash_while_writing_keeps_the_previous_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.keras"
    save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    before = path.read_bytes()

    def crash_half_way(self: keras.Model, filepath: str, *args: object, **kwargs: object) -> None:
        Path(filepath).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keras.Model, "save", crash_half_way)
    with pytest.raises(OSError, match="No space left"):
        save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras", "m.tflite"]
    Recognizer.load(path)

