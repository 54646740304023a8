"""Model → History…: the retrained models with their figures and curves; Use, Delete, Reset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.model_library import ModelLibrary
from digitpad.ui.models.history import IN_USE, ModelHistoryDialog
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.training.plots import VALIDATION

BUNDLED = Path("/app/assets/digitpad-cnn.keras")
HISTORY = {"loss": [0.3, 0.1], "val_loss": [0.2, 0.15],
           "sparse_categorical_accuracy": [0.9, 0.97],
           "val_sparse_categorical_accuracy": [0.95, 0.96]}


def put_model(library: ModelLibrary, name: str, card: dict) -> Path:
    library.directory.mkdir(parents=True, exist_ok=True)
    path = library.directory / name
    path.write_bytes(b"PK stand-in")
    path.with_suffix(".json").write_text(json.dumps(card), encoding="utf-8")
    return path


def in_use(path: Path) -> ModelInfo:
    return ModelInfo(path, path.name, "", ModelCard())


@pytest.fixture
def library(tmp_path: Path) -> ModelLibrary:
    return ModelLibrary(tmp_path / "models")


@pytest.fixture
def two_models(library: ModelLibrary) -> tuple[Path, Path]:
    older = put_model(library, "older.keras", {
        "architecture": "mlp", "epochs_run": 2, "mnist_test_accuracy": 0.9712,
        "saved": "2025-01-01T10:00:00+00:00", "history": HISTORY})
    newer = put_model(library, "newer.keras", {
        "architecture": "cnn", "epochs_run": 3, "mnist_test_accuracy": 0.9931,
        "saved": "2025-02-01T10:00:00+00:00",
        "ink_evaluation": {"file": "pendigits_train_strokes.json.gz, held-out writers only",
                           "samples": 2498, "accuracy": 0.9952},
        "personal_samples": {"trained_on": 24, "held_out": 6, "held_out_accuracy_after": 5 / 6,
                             "held_out_accuracy_before": 4 / 6}})
    return older, newer


@pytest.fixture
def history(qtbot, library: ModelLibrary) -> ModelHistoryDialog:
    dialog = ModelHistoryDialog(library, BUNDLED)
    qtbot.addWidget(dialog)
    dialog.set_current_model(in_use(BUNDLED))
    return dialog


def cells(dialog: ModelHistoryDialog, row: int) -> list[str]:
    return [dialog.table.item(row, c).text() for c in range(dialog.table.columnCount())]


def test_without_models_it_says_how_to_make_one(history: ModelHistoryDialog) -> None:
    history.open_dialog()
    assert history.stack.currentWidget() is history.empty
    assert "Model → Retrain…" in history.empty.text()
    assert not history.use_button.isEnabled() and not history.delete_button.isEnabled()
    assert not history.reset_button.isEnabled()  # the bundled model is already in use


def test_models_are_listed_newest_first_with_their_figures(
    history: ModelHistoryDialog, two_models: tuple[Path, Path]
) -> None:
    history.open_dialog()
    assert history.stack.currentWidget() is history.table
    newer_row, older_row = cells(history, 0), cells(history, 1)
    assert newer_row[2:] == ["CNN", "3", "99.31%", "99.52%", "83.33%",
                             "MNIST and 24 of your samples"]
    assert older_row[2:] == ["MLP", "2", "97.12%", "\N{EM DASH}", "\N{EM DASH}", "MNIST"]
    assert newer_row[1].startswith("2025-02-01") and older_row[1].startswith("2025-01-01")
    assert history.selected() is not None and history.selected().path == two_models[1]


def test_the_model_in_use_has_its_figures_above_the_list_to_compare_with(
    history: ModelHistoryDialog, two_models: tuple[Path, Path]
) -> None:
    from digitpad.paths import bundled_model_path

    bundled = ModelCard.read(bundled_model_path())
    history.set_current_model(ModelInfo(bundled_model_path(), "digitpad-cnn.keras", "", bundled))
    history.open_dialog()
    assert history.in_use.text() == (
        f"In use: <b>digitpad-cnn.keras</b> &nbsp; MNIST test {bundled.mnist_test_accuracy:.2%} "
        f"&nbsp; pen writers {bundled.ink_evaluation['accuracy']:.2%} &nbsp; your samples "
        "\N{EM DASH}")
    history.set_current_model(ModelInfo(two_models[1], "newer.keras", "",
                                        ModelCard.read(two_models[1])))
    assert "pen writers 99.52% &nbsp; your samples 83.33%" in history.in_use.text()
    assert cells(history, 0)[0] == IN_USE


def test_the_selected_model_shows_its_curves(
    history: ModelHistoryDialog, two_models: tuple[Path, Path]
) -> None:
    history.open_dialog()
    history.select(two_models[0])
    assert history.plots.accuracy.points(VALIDATION) == [(1.0, 0.95), (2.0, 0.96)]
    history.select(two_models[1])  # a card without history
    assert not history.plots.has_data()


def test_use_asks_for_the_selected_model_and_the_one_in_use_is_marked(
    qtbot, history: ModelHistoryDialog, two_models: tuple[Path, Path]
) -> None:
    older, _ = two_models
    history.open_dialog()
    history.select(older)
    with qtbot.waitSignal(history.use_requested) as used:
        history.use_button.click()
    assert used.args == [str(older)]
    history.set_current_model(in_use(older))
    assert cells(history, 1)[0] == IN_USE and cells(history, 0)[0] == ""
    assert history.table.item(1, 2).font().bold()
    assert not history.use_button.isEnabled() and not history.delete_button.isEnabled()
    assert history.reset_button.isEnabled()
    with qtbot.waitSignal(history.reset_requested):
        history.reset_button.click()


def test_compare_asks_for_the_selected_model_beside_the_one_in_use(
    qtbot, history: ModelHistoryDialog, two_models: tuple[Path, Path]
) -> None:
    older, newer = two_models
    history.open_dialog()
    history.set_current_model(in_use(older))
    history.select(newer)
    with qtbot.waitSignal(history.compare_requested) as compared:
        history.compare_button.click()
    assert compared.args == [str(newer)]
    history.select(older)  # the model in use beside itself teaches nothing
    assert not history.compare_button.isEnabled()


def test_delete_asks_first_and_removes_the_files(
    history: ModelHistoryDialog, two_models: tuple[Path, Path]
) -> None:
    older, newer = two_models
    asked: list[str] = []
    answers = [False, True]

    def confirm(title: str, text: str) -> bool:
        asked.append(text)
        return answers.pop(0)

    history.confirm = confirm
    history.open_dialog()
    history.select(newer)
    history.delete_button.click()
    assert newer.exists()
    history.delete_button.click()
    assert not newer.exists() and not newer.with_suffix(".json").exists()
    assert asked == ["Delete newer.keras (99.31%) from the disk? This cannot be undone."] * 2
    assert [m.path for m in history.models()] == [older]


def test_it_shows_models_added_by_a_run_when_refreshed(
    history: ModelHistoryDialog, library: ModelLibrary
) -> None:
    history.open_dialog()
    assert history.models() == []
    put_model(library, "new.keras", {"architecture": "cnn"})
    history.refresh()
    assert [m.name for m in history.models()] == ["new.keras"]
    assert cells(history, 0)[3:5] == ["—", "—"]
