"""The folder of retrained models: what History lists, and deleting that leaves nothing behind."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.conversion import TOLERANCE
from digitpad.ml.litert import beside_path
from digitpad.ml.model_library import LEFTOVER_AGE_SECONDS, ModelLibrary
from digitpad.ml.recognizer import Recognizer


def put_model(library: ModelLibrary, name: str, card: dict | None = None) -> Path:
    """A stand-in model file (History never opens it) and, unless ``card`` is None, its card."""
    library.directory.mkdir(parents=True, exist_ok=True)
    path = library.directory / name
    path.write_bytes(b"PK\x03\x04 not really a model")
    if card is not None:
        path.with_suffix(".json").write_text(json.dumps(card), encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path) -> ModelLibrary:
    return ModelLibrary.in_data_dir(tmp_path / "data")


def test_the_library_lives_in_the_models_folder_of_the_data_dir(tmp_path: Path) -> None:
    assert ModelLibrary.in_data_dir(tmp_path).directory == tmp_path / "models"


def test_an_empty_or_missing_folder_lists_no_models(library: ModelLibrary) -> None:
    assert library.models() == []
    library.directory.mkdir(parents=True)
    assert library.models() == []


def test_new_names_carry_the_time_and_architecture_and_never_collide(
    library: ModelLibrary,
) -> None:
    when = datetime(2025, 3, 1, 14, 15, 2)
    first = library.new_path("cnn", when)
    assert first == library.directory / "2025-03-01_141502_cnn.keras"
    put_model(library, first.name)
    second = library.new_path("cnn", when)
    assert second.name == "2025-03-01_141502_cnn_2.keras"
    # A card left without its model also keeps the name taken.
    put_model(library, "x.keras", {}).unlink()
    (library.directory / "2025-03-01_141502_mlp.json").write_text("{}")
    assert library.new_path("mlp", when).name == "2025-03-01_141502_mlp_2.keras"


def test_models_are_listed_newest_first_with_their_cards_figures(
    library: ModelLibrary,
) -> None:
    put_model(library, "old.keras", {
        "architecture": "mlp", "epochs_run": 3, "mnist_test_accuracy": 0.975,
        "saved": "2025-01-01T10:00:00+00:00", "history": {"loss": [0.3, 0.2, 0.1]}})
    put_model(library, "new.keras", {
        "architecture": "cnn", "epochs_run": 2, "mnist_test_accuracy": 0.993,
        "saved": "2025-02-01T10:00:00+00:00", "personal_samples": {"trained_on": 40}})
    put_model(library, "tuned.keras", {
        "architecture": "cnn", "saved": "2025-02-02T10:00:00",  # no time zone: taken as UTC
        "fine_tuned_from": "new.keras", "personal_samples": {"trained_on": 12}})

    tuned, new, old = library.models()
    assert [m.name for m in (tuned, new, old)] == ["tuned.keras", "new.keras", "old.keras"]
    assert (old.architecture, old.epochs, old.test_accuracy) == ("mlp", 3, 0.975)
    assert old.history == {"loss": [0.3, 0.2, 0.1]}
    assert old.origin == "MNIST"
    assert new.origin == "MNIST and 40 of your samples"
    assert tuned.origin == "new.keras fine-tuned on 12 of your samples"


def test_a_model_without_a_card_is_listed_by_its_file_time(library: ModelLibrary) -> None:
    path = put_model(library, "bare.keras")
    (model,) = library.models()
    assert model.card.is_empty() and model.test_accuracy is None and model.history == {}
    assert abs(model.saved.timestamp() - path.stat().st_mtime) < 1


def test_unfinished_saves_are_not_models(library: ModelLibrary) -> None:
    put_model(library, ".2025-03-01_141502_cnn.keras.abc123.tmp.keras")
    put_model(library, "notes.txt")
    # A save killed before its last step: the card and LiteRT form are there, the model is not.
    put_model(library, "2025-03-01_141502_cnn.tflite", {"architecture": "cnn"})
    assert library.models() == []


def test_delete_removes_the_model_its_card_and_temporary_files(library: ModelLibrary) -> None:
    path = put_model(library, "m.keras", {"architecture": "cnn"})
    leftovers = [put_model(library, ".m.keras.x1.tmp.keras"), put_model(library, ".m.json.x2.tmp")]
    other = put_model(library, "other.keras", {})
    library.delete(path)
    assert not path.exists() and not path.with_suffix(".json").exists()
    assert not any(p.exists() for p in leftovers)
    assert other.exists() and [m.name for m in library.models()] == ["other.keras"]
    library.delete(path)  # deleting twice is harmless (another window may have done it)


def test_delete_refuses_models_outside_the_library(library: ModelLibrary, tmp_path: Path) -> None:
    outside = tmp_path / "mine.keras"
    outside.write_bytes(b"PK")
    with pytest.raises(ValueError, match="not in the model library"):
        library.delete(outside)
    assert outside.exists()


def test_get_answers_only_for_the_librarys_own_models(
    library: ModelLibrary, tmp_path: Path
) -> None:
    path = put_model(library, "m.keras", {"mnist_test_accuracy": 0.99})
    found = library.get(path)
    assert found is not None and found.test_accuracy == 0.99
    assert library.get(tmp_path / "m.keras") is None
    assert library.get(library.directory / "gone.keras") is None


def test_only_old_temporary_files_are_cleared(library: ModelLibrary) -> None:
    old = put_model(library, ".a.keras.1.tmp.keras")
    fresh = put_model(library, ".b.keras.2.tmp.keras")  # perhaps another instance saving now
    model = put_model(library, "c.keras", {})
    long_ago = time.time() - LEFTOVER_AGE_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(model, (long_ago, long_ago))
    assert library.remove_leftovers() == [old]
    assert not old.exists() and fresh.exists() and model.exists()


def test_old_cards_and_litert_forms_without_their_model_are_cleared(
    library: ModelLibrary,
) -> None:
    """What a save killed before it moved its ``.keras`` into place leaves; never a part of a
    model that exists, nor of a save that may still be running."""
    orphans = [put_model(library, "lost.json"), put_model(library, "lost.tflite"),
               put_model(library, "card-only.json")]
    young = [put_model(library, "saving.json"), put_model(library, "saving.tflite")]
    model = put_model(library, "kept.keras", {"architecture": "mlp"})
    parts = [model, model.with_suffix(".json"), put_model(library, "kept.tflite")]
    bare_litert = put_model(library, "no-card.keras").with_suffix(".tflite")
    bare_litert.write_bytes(b"TFL3")
    long_ago = time.time() - LEFTOVER_AGE_SECONDS - 60
    for path in [*orphans, *parts, bare_litert]:
        os.utime(path, (long_ago, long_ago))
    assert sorted(library.remove_leftovers()) == sorted(orphans)
    assert all(path.exists() for path in [*young, *parts, bare_litert])
    assert sorted(m.name for m in library.models()) == ["kept.keras", "no-card.keras"]


def assert_only_whole_models(library: ModelLibrary) -> list[str]:
    """The library as a user meets it after an interrupted save: every model History lists has
    the card of that very file and is served on LiteRT by a ``.tflite`` that answers as its
    ``.keras`` does, and once the leftovers are cleared nothing else is in the folder. Returns
    the names listed. Loads each model with TensorFlow too, to compare the answers."""
    listed = library.models()
    images = np.random.default_rng(0).random((8, 28, 28), np.float32)
    for model in listed:
        card = model.card
        assert (card.file, card.file_size_bytes) == (model.name, model.path.stat().st_size), (
            f"{model.name} is listed without a card of its own: {card}")
        served = Recognizer.load(model.path).probabilities(images)
        recorded = Recognizer.load_keras(model.path).probabilities(images)
        assert np.max(np.abs(served - recorded)) <= TOLERANCE, f"{model.name}: another .tflite"
    library.remove_leftovers(older_than=0)
    whole = {part.name for m in listed
             for part in (m.path, ModelCard.path_for(m.path), beside_path(m.path))}
    assert {path.name for path in library.directory.glob("*")} == whole
    return [m.name for m in listed]
