"""The model card: read and written without losing anything, described for people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digitpad.ml.card import ModelCard
from digitpad.paths import bundled_model_path


def test_the_bundled_card_reads_and_writes_back_the_same_json(tmp_path: Path) -> None:
    on_disk = json.loads(ModelCard.path_for(bundled_model_path()).read_text(encoding="utf-8"))
    card = ModelCard.read(bundled_model_path())
    assert card.unknown == {}  # every entry of the bundled card is a typed field
    assert card.architecture == "cnn" and card.parameters > 0 and card.epochs_run > 0
    assert card.litert is not None and card.litert.tflite_file == "digitpad-cnn.tflite"
    card.write(tmp_path / "copy.keras")
    assert json.loads((tmp_path / "copy.json").read_text(encoding="utf-8")) == on_disk
    assert ModelCard.read(tmp_path / "copy.keras") == card


def test_entries_it_does_not_know_are_kept_unchanged(tmp_path: Path) -> None:
    written = {
        "architecture": "mlp",
        "made_by": "a newer digitpad",  # unknown key
        "epochs_run": "three",  # a known key with a value of the wrong type
        "litert": {"file": "../elsewhere.tflite"},  # not a record this version can use
    }
    card = ModelCard.from_json(written)
    assert card.architecture == "mlp" and card.epochs_run is None and card.litert is None
    assert card.to_json() == written
    card.replace(saved="2025-01-01T10:00:00").write(tmp_path / "m.keras")
    assert json.loads((tmp_path / "m.json").read_text()) == {**written,
                                                             "saved": "2025-01-01T10:00:00"}


@pytest.mark.parametrize("text", [None, "not json {", "[1, 2]"], ids=["missing", "broken", "list"])
def test_a_missing_or_unreadable_card_is_empty(tmp_path: Path, text: str | None) -> None:
    model = tmp_path / "m.keras"
    if text is not None:
        (tmp_path / "m.json").write_text(text, encoding="utf-8")
    card = ModelCard.read(model)
    assert card == ModelCard() and card.is_empty()
    assert card.describe() == "model card: none (this model was not trained by digitpad)"


def test_the_card_lives_beside_the_model() -> None:
    assert ModelCard.path_for(Path("models/a.keras")) == Path("models/a.json")


def test_the_description_gives_the_figures_a_person_asks_about() -> None:
    card = ModelCard(architecture="mlp", parameters=101770, file_size_bytes=1_234_567,
                     config={"seed": 3}, epochs_run=2, mnist_test_accuracy=0.9812,
                     ink_evaluation={"file": "pen.json", "accuracy": 0.9, "samples": 40})
    assert card.describe().splitlines() == [
        "model card:",
        "  architecture: mlp",
        "  parameters: 101,770",
        "  file size: 1.23 MB",
        "  seed: 3",
        "  epochs: 2",
        "  MNIST test accuracy: 98.12%",
        "  accuracy on pen.json: 90.00% (40 drawings)",
    ]
    tuned = ModelCard(personal_samples={"trained_on": 40, "held_out": 10,
                                        "held_out_accuracy_before": 0.7,
                                        "held_out_accuracy_after": 0.9})
    assert tuned.describe().splitlines()[-1] == (
        "  accuracy on your held-out samples: 90.00% (10 samples)")
    assert ModelCard(personal_samples={"held_out_accuracy": 0.5}).samples_accuracy == 0.5


def test_the_save_time_is_read_in_utc_when_the_card_gives_no_zone() -> None:
    assert ModelCard(saved="2025-02-02T10:00:00").saved_at is not None
    assert ModelCard(saved="2025-02-02T10:00:00").saved_at.utcoffset().total_seconds() == 0
    assert ModelCard(saved="yesterday").saved_at is None and ModelCard().saved_at is None
