"""The folder of retrained models: what History lists, and deleting that leaves nothing behind."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from digitpad.ml.model_library import LEFTOVER_AGE_SECONDS, ModelLibrary


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
