"""My Samples' Import… and Export… of ink JSON, and how a file that fails is explained."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from digitpad.ml.ink import load_ink
from digitpad.samples import SampleStore
from tests.unit.ui.fakes import FakeDialogs
from tests.unit.ui.teaching.my_samples import add, shown_labels


def test_export_writes_ink_json_of_the_digit_shown(
    open_window, sample_store: SampleStore, dialogs: FakeDialogs, tmp_path: Path, qtbot
) -> None:
    for label in (3, 3, 8):
        add(sample_store, label)
    window = open_window()
    dialogs.paths = [tmp_path / "all", tmp_path / "threes.json"]
    window.files.export_action.trigger()
    qtbot.waitUntil(lambda: window.notice.text() == "Exported 3 samples to all.json.")
    assert sorted(d.label for d in load_ink(tmp_path / "all.json")) == [3, 3, 8]
    QTest.mouseClick(window.filters.buttons.button(3), Qt.MouseButton.LeftButton)
    window.files.export_action.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "threes.json").exists())
    assert [d.label for d in load_ink(tmp_path / "threes.json")] == [3, 3]


def test_an_export_that_cannot_be_written_is_explained(
    open_window, sample_store: SampleStore, dialogs: FakeDialogs, tmp_path: Path, qtbot
) -> None:
    add(sample_store, 1)
    window = open_window()
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file, not a folder")
    dialogs.paths = [not_a_folder / "samples.json"]
    window.files.export_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.errors))
    title, message = dialogs.errors[0]
    assert title == "Cannot export the samples"
    assert "notes.txt" in message and "Choose a folder you can write to" in message


def test_import_adds_what_it_can_and_reports_what_it_skipped(
    open_window, sample_store: SampleStore, dialogs: FakeDialogs, tmp_path: Path, qtbot
) -> None:
    window = open_window()
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([
        {"label": 4, "strokes": [[[0, 0], [5, 9]]]},
        {"strokes": [[[0, 0], [5, 9], [1, 1]]]},
        {"label": 12, "strokes": [[[0, 0], [3, 3]]]},
    ]))
    dialogs.paths = [path]
    window.files.import_action.trigger()
    qtbot.waitUntil(lambda: window.shown.rowCount() == 1)
    qtbot.waitUntil(lambda: bool(dialogs.texts))
    assert window.notice.text() == "Added 1 sample; skipped 2 (see the report)."
    title, report = dialogs.texts[0]
    assert title == "Import report \N{EN DASH} mixed.json"
    assert "Skipped 2" in report and "sample 1" in report and "sample 2" in report
    assert shown_labels(window) == [4]


def test_an_unreadable_import_is_explained_and_adds_nothing(
    open_window, sample_store: SampleStore, dialogs: FakeDialogs, tmp_path: Path, qtbot
) -> None:
    window = open_window()
    path = tmp_path / "notes.json"
    path.write_text("these are my notes, not ink")
    dialogs.paths = [path]
    window.files.import_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.errors))
    title, message = dialogs.errors[0]
    assert title == "Cannot import the samples"
    assert "not valid JSON" in message and "Nothing was added" in message
    assert len(sample_store) == 0
