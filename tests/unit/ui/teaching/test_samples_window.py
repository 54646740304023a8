"""My Samples: the grid of the user's samples, the current model's reading of each, and changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtTest import QTest

from digitpad.ml.ink import load_ink, make_drawing
from digitpad.samples import SampleStore
from digitpad.ui.pad.workers import BATCH_CHUNK
from digitpad.ui.teaching import samples_window as samples_module
from digitpad.ui.teaching.sample_grid import GUESS_ROLE, ID_ROLE, LABEL_ROLE
from digitpad.ui.teaching.samples_window import SamplesWindow
from tests.unit.ui.fakes import FakeDialogs

if TYPE_CHECKING:  # fixture types; conftest itself is loaded by pytest
    from tests.unit.ui.conftest import RunningRecognizer

_made = 0


def add(store: SampleStore, label: int, reads: int | None = None) -> int:
    """Keep a sample labelled ``label`` that the fake model reads as ``reads`` (default: right).

    The fake model reads the number of ink pixels, modulo 10, so the model input decides it.
    """
    global _made
    _made += 1
    reads = label if reads is None else reads
    image = np.zeros((28, 28), np.float32)
    image.flat[: reads or 10] = 1.0
    drawing = make_drawing([[[0, 0], [10 + _made, 0], [4, 14]]])
    return store.add(drawing, label, image=image)


@pytest.fixture
def open_window(
    qtbot, sample_store: SampleStore, recognizer_thread: RunningRecognizer, settings: QSettings,
    dialogs: FakeDialogs,
) -> Iterator:
    """Opens My Samples over ``sample_store`` with the fake model loaded."""
    opened: list[SamplesWindow] = []

    def open_it() -> SamplesWindow:
        live = recognizer_thread.live
        if live.model() is None:
            with qtbot.waitSignal(live.model_ready):
                live.load_model("/models/fake.keras")
        window = SamplesWindow(sample_store, live, recognizer_thread.worker, settings,
                               dialogs=dialogs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # shortcuts reach the active window only
        qtbot.waitUntil(window.isActiveWindow)
        window.grid.setFocus()
        opened.append(window)
        return window

    yield open_it
    for window in opened:
        window.shutdown()


def read_all(window: SamplesWindow, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.guesses.busy()
                    and window.samples.guess_summary()[1] == window.samples.rowCount())


def shown_labels(window: SamplesWindow) -> list[int]:
    return [window.shown.index(row, 0).data(LABEL_ROLE) for row in range(window.shown.rowCount())]


def select(window: SamplesWindow, *rows: int) -> None:
    for row in rows:
        window.grid.selectionModel().select(window.shown.index(row, 0),
                                            QItemSelectionModel.SelectionFlag.Select)


def test_the_grid_shows_every_sample_newest_first_with_counts(
    open_window, sample_store: SampleStore
) -> None:
    ids = [add(sample_store, label) for label in (3, 3, 7)]
    window = open_window()
    assert [window.shown.index(r, 0).data(ID_ROLE) for r in range(3)] == ids[::-1]
    buttons = window.filter_buttons
    assert buttons.button(samples_module._ALL).text() == "All\n3"
    assert (buttons.button(3).text(), buttons.button(7).text()) == ("3\n2", "7\n1")
    assert buttons.button(0).text() == "0\n0"


def test_each_sample_shows_whether_the_current_model_reads_it_right(
    open_window, sample_store: SampleStore, qtbot
) -> None:
    right = add(sample_store, 4)
    wrong = add(sample_store, 5, reads=2)
    window = open_window()
    read_all(window, qtbot)
    guesses = {window.shown.index(r, 0).data(ID_ROLE): window.shown.index(r, 0).data(GUESS_ROLE)
               for r in range(2)}
    assert guesses == {right: 4, wrong: 2}
    assert window.summary.text() == "fake.keras reads 1 of 2 right (50%)"
    window.misread_only.setChecked(True)
    assert shown_labels(window) == [5]
    tooltip = window.shown.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "The current model reads 2" in tooltip


def test_the_filter_buttons_show_one_digit(open_window, sample_store: SampleStore) -> None:
    for label in (1, 2, 2, 9):
        add(sample_store, label)
    window = open_window()
    QTest.mouseClick(window.filter_buttons.button(2), Qt.MouseButton.LeftButton)
    assert shown_labels(window) == [2, 2]
    QTest.mouseClick(window.filter_buttons.button(5), Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.empty_text
    assert window.empty_text.text() == "No 5s yet."
    QTest.mouseClick(window.filter_buttons.button(samples_module._ALL), Qt.MouseButton.LeftButton)
    assert sorted(shown_labels(window)) == [1, 2, 2, 9]


def test_no_samples_says_how_to_make_some(open_window) -> None:
    window = open_window()
    assert window.pages.currentWidget() is window.empty_text
    assert window.empty_text.text().startswith("No samples yet.")
    assert not window.export_action.isEnabled()


def test_delete_is_undoable(open_window, sample_store: SampleStore, qtbot) -> None:
    ids = [add(sample_store, label) for label in (1, 2, 3)]
    window = open_window()
    select(window, 0, 2)  # the newest and the oldest
    QTest.keyClick(window.grid, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(sample_store) == 1)
    qtbot.waitUntil(lambda: window.shown.rowCount() == 1)
    qtbot.waitUntil(lambda: window.notice.text() == "Deleted 2 samples.")
    assert window.filter_buttons.button(samples_module._ALL).text() == "All\n1"
    QTest.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.shown.rowCount() == 3)
    qtbot.waitUntil(lambda: window.notice.text() == "Put back 2 samples.")
    assert sorted(s.id for s in sample_store.samples()) == ids  # back with the same ids


def test_a_digit_key_relabels_the_selection_undoably(
    open_window, sample_store: SampleStore, qtbot
) -> None:
    for label in (1, 2, 3):
        add(sample_store, label)
    window = open_window()
    select(window, 0, 1)
    QTest.keyClick(window.grid, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: sorted(s.label for s in sample_store.samples()) == [1, 6, 6])
    qtbot.waitUntil(lambda: window.filter_buttons.button(6).text() == "6\n2")
    qtbot.waitUntil(lambda: window.notice.text() == "Relabelled 2 samples as 6.")
    QTest.mouseClick(window.notice.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sorted(s.label for s in sample_store.samples()) == [1, 2, 3])


def test_export_writes_ink_json_of_the_digit_shown(
    open_window, sample_store: SampleStore, dialogs: FakeDialogs, tmp_path: Path, qtbot
) -> None:
    for label in (3, 3, 8):
        add(sample_store, label)
    window = open_window()
    dialogs.paths = [tmp_path / "all", tmp_path / "threes.json"]
    window.export_action.trigger()
    qtbot.waitUntil(lambda: window.notice.text() == "Exported 3 samples to all.json.")
    assert sorted(d.label for d in load_ink(tmp_path / "all.json")) == [3, 3, 8]
    QTest.mouseClick(window.filter_buttons.button(3), Qt.MouseButton.LeftButton)
    window.export_action.trigger()
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
    window.export_action.trigger()
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
    window.import_action.trigger()
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
    window.import_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.errors))
    title, message = dialogs.errors[0]
    assert title == "Cannot import the samples"
    assert "not valid JSON" in message and "Nothing was added" in message
    assert len(sample_store) == 0


def test_samples_kept_meanwhile_appear_and_are_read(
    open_window, sample_store: SampleStore, qtbot
) -> None:
    window = open_window()
    add(sample_store, 2)  # as the pad does, through the same store
    qtbot.waitUntil(lambda: window.shown.rowCount() == 1)
    read_all(window, qtbot)
    assert window.shown.index(0, 0).data(GUESS_ROLE) == 2


def test_samples_kept_by_another_digitpad_appear(
    open_window, sample_store: SampleStore, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(samples_module, "POLL_MS", 20)
    window = open_window()
    with SampleStore.open(sample_store.path) as elsewhere:
        add(elsewhere, 5)
    qtbot.waitUntil(lambda: window.shown.rowCount() == 1)


def test_another_model_reads_them_all_again(
    open_window, sample_store: SampleStore, recognizer_thread: RunningRecognizer, qtbot
) -> None:
    for label in range(5):
        add(sample_store, label)
    window = open_window()
    read_all(window, qtbot)
    with qtbot.waitSignal(recognizer_thread.live.model_ready):
        recognizer_thread.live.load_model("/models/other.keras")
    read_all(window, qtbot)
    assert window.summary.text() == "other.keras reads 5 of 5 right (100%)"


def test_hundreds_of_samples_are_read_in_chunks(
    open_window, sample_store: SampleStore, tmp_path: Path, qtbot
) -> None:
    window = open_window()
    chunks: list[tuple[int, int]] = []
    window.guesses.progress.connect(lambda done, total: chunks.append((done, total)))
    count = 2 * BATCH_CHUNK + 3
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"label": i % 10, "strokes": [[[0, 0], [i + 1, 7], [3, i]]]}
                                for i in range(count)]))
    assert len(sample_store.import_ink(path).added) == count
    qtbot.waitUntil(lambda: window.samples.rowCount() == count)
    read_all(window, qtbot)
    assert window.samples.guess_summary()[1] == count
    # Progress in steps, the grid filling in from the top while the pad stays live.
    assert chunks == [(0, count), (BATCH_CHUNK, count), (2 * BATCH_CHUNK, count),
                      (count, count)]


def test_a_closed_window_catches_up_when_opened_again(
    open_window, sample_store: SampleStore, qtbot
) -> None:
    window = open_window()
    window.close()
    add(sample_store, 7)
    qtbot.wait(20)
    assert window.samples.rowCount() == 0  # a closed window does not follow every change
    window.show()
    assert shown_labels(window) == [7]
