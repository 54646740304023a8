"""My Samples: the grid of the user's samples, kept in step with the store and the model."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from digitpad.samples import SampleStore
from digitpad.ui.teaching import samples_window as samples_module
from digitpad.ui.teaching.filter_bar import ALL
from digitpad.ui.teaching.sample_grid import GUESS_ROLE, ID_ROLE
from tests.unit.ui.keyboard import tab_through
from tests.unit.ui.teaching.my_samples import add, read_all, select, shown_labels


def test_the_grid_shows_every_sample_newest_first_with_counts(
    open_window, sample_store: SampleStore
) -> None:
    ids = [add(sample_store, label) for label in (3, 3, 7)]
    window = open_window()
    assert [window.shown.index(r, 0).data(ID_ROLE) for r in range(3)] == ids[::-1]
    buttons = window.filters.buttons
    assert buttons.button(ALL).text() == "All\n3"
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
    window.filters.misread_only.setChecked(True)
    assert shown_labels(window) == [5]
    tooltip = window.shown.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "The current model reads 2" in tooltip


def test_no_samples_says_how_to_make_some(open_window) -> None:
    window = open_window()
    assert window.pages.currentWidget() is window.empty_text
    assert window.empty_text.text().startswith("No samples yet.")
    assert not window.files.export_action.isEnabled()


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


def test_tab_reaches_every_control_and_the_focus_shows(
    open_window, sample_store: SampleStore
) -> None:
    for label in (1, 2):
        add(sample_store, label)
    window = open_window()
    select(window, 0)  # Relabel As and Delete are enabled now
    toolbar = window.findChild(QToolBar, "samples-toolbar")
    import_button, export_button, delete_button = (
        toolbar.widgetForAction(action) for action in (
            window.files.import_action, window.files.export_action, window.changes.delete_action))
    stops = tab_through(7)
    assert [widget for widget, _ in stops] == [
        import_button, export_button, window.changes.relabel_button, delete_button,
        window.filters.buttons.button(ALL), window.filters.misread_only, window.grid]
    assert all(shown for _, shown in stops), [w for w, shown in stops if not shown]
