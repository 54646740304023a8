"""Saving a model never leaves a half-written file, a model appears only with its card and LiteRT
form, and the card describes the file beside it."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml import conversion
from digitpad.ml.card import ModelCard
from digitpad.ml.model_library import ModelLibrary
from digitpad.ml.models import build_model
from digitpad.ml.modelstore import save_model
from digitpad.ml.recognizer import NeedsConversion, Recognizer
from tests.unit.ml.test_model_library import assert_only_whole_models

STEPS = ("keras temp", "tflite", "card", "rename")
"""The moments of a save a kill may come between: after the hidden temporary ``.keras`` is
written, after the ``.tflite``, after the card, and just before the ``.keras`` moves into place."""
IMAGES = np.random.default_rng(1).random((8, 28, 28), np.float32)


def _tiny_model(seed: int = 0) -> keras.Model:
    """A compiled MLP after one training step, so its optimizer has state to leave out."""
    keras.utils.set_random_seed(seed)
    model = build_model("mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((4, 28, 28), np.float32), np.zeros(4), verbose=0)
    return model


def _at_each_step(monkeypatch: pytest.MonkeyPatch, target: Path,
                  step: Callable[[str], None]) -> None:
    """Call ``step(name)`` at each of :data:`STEPS` while ``target`` is saved."""
    save, write_card, replace = keras.Model.save, ModelCard.write, os.replace
    write_litert_form = conversion.write_litert_form

    def save_then(self: keras.Model, filepath: str, *args: object, **kwargs: object) -> None:
        save(self, filepath, *args, **kwargs)
        step("keras temp")

    def convert_then(*args: object) -> object:
        record = write_litert_form(*args)
        step("tflite")
        return record

    def write_card_then(self: ModelCard, model_path: Path) -> None:
        write_card(self, model_path)
        step("card")

    def replace_after(source: str | Path, destination: str | Path) -> None:
        if Path(destination) == target:
            step("rename")
        replace(source, destination)

    monkeypatch.setattr(keras.Model, "save", save_then)
    monkeypatch.setattr(conversion, "write_litert_form", convert_then)
    monkeypatch.setattr(ModelCard, "write", write_card_then)
    monkeypatch.setattr(os, "replace", replace_after)


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


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


def test_a_kill_at_any_step_of_a_save_leaves_history_only_whole_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = ModelLibrary(tmp_path / "models")
    save_model(_tiny_model(1), library.directory / "earlier.keras", ModelCard(architecture="mlp"))
    new = library.directory / "new.keras"
    killed_at: dict[str, Path] = {}  # the folder as a kill at that step leaves it (no clean-up)

    def kill(step: str) -> None:
        killed_at.setdefault(step, shutil.copytree(library.directory, tmp_path / step))

    _at_each_step(monkeypatch, new, kill)
    save_model(_tiny_model(2), new, ModelCard(architecture="mlp"))
    monkeypatch.undo()

    assert list(killed_at) == list(STEPS)
    for step, folder in killed_at.items():
        left = {name for name in os.listdir(folder) if name.startswith("new.")}
        assert left == {"keras temp": set(), "tflite": {"new.tflite"}}.get(
            step, {"new.tflite", "new.json"}), step  # the .keras comes last
        assert assert_only_whole_models(ModelLibrary(folder)) == ["earlier.keras"], step
    assert sorted(assert_only_whole_models(library)) == ["earlier.keras", "new.keras"]


@pytest.mark.parametrize("step", STEPS)
def test_a_full_disk_at_any_step_of_a_save_leaves_no_trace_of_it(
    step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "models"
    save_model(_tiny_model(1), folder / "earlier.keras", ModelCard(architecture="mlp"))
    before = _contents(folder)

    def disk_full(at: str) -> None:
        if at == step:
            raise OSError(errno.ENOSPC, "No space left on device")

    _at_each_step(monkeypatch, folder / "new.keras", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_model(_tiny_model(2), folder / "new.keras", ModelCard(architecture="mlp"))
    assert _contents(folder) == before


def test_a_crash_while_writing_keeps_the_previous_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.keras"
    save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    before = _contents(tmp_path)

    def crash_half_way(self: keras.Model, filepath: str, *args: object, **kwargs: object) -> None:
        Path(filepath).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keras.Model, "save", crash_half_way)
    with pytest.raises(OSError, match="No space left"):
        save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    assert _contents(tmp_path) == before  # the model, its .tflite and its card, no temporary file
    Recognizer.load(path)


def test_a_kill_while_replacing_a_model_never_serves_the_new_ones_litert_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``digitpad train --out`` over an existing file: the old ``.keras`` stays until the last
    step, served by its own ``.tflite`` or converted again, never by the new one's."""
    path = tmp_path / "out" / "m.keras"
    save_model(_tiny_model(1), path, ModelCard(architecture="mlp"))
    old = path.read_bytes(), Recognizer.load_keras(path).probabilities(IMAGES)
    killed_at: dict[str, Path] = {}
    _at_each_step(monkeypatch, path, lambda step: killed_at.setdefault(
        step, shutil.copytree(path.parent, tmp_path / step)))
    save_model(_tiny_model(2), path, ModelCard(architecture="mlp"))
    monkeypatch.undo()

    assert list(killed_at) == list(STEPS)
    for step, folder in killed_at.items():
        assert (folder / "m.keras").read_bytes() == old[0], step
        if step == "keras temp":  # nothing of the old model touched yet
            served = Recognizer.load(folder / "m.keras").probabilities(IMAGES)
            np.testing.assert_allclose(served, old[1], atol=conversion.TOLERANCE)
        else:
            with pytest.raises(NeedsConversion):
                Recognizer.load(folder / "m.keras")
    new = Recognizer.load_keras(path).probabilities(IMAGES)
    assert np.max(np.abs(new - old[1])) > 0.01  # the test can tell the two models apart
    np.testing.assert_allclose(Recognizer.load(path).probabilities(IMAGES), new,
                               atol=conversion.TOLERANCE)
