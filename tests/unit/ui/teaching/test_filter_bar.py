"""The digit filter with its counts, and the summary of how the current model reads the samples."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from digitpad.samples import SampleStore
from digitpad.ui.teaching.filter_bar import ALL, FilterBar, reading_summary
from tests.unit.ui.teaching.my_samples import add, shown_labels


def test_the_buttons_show_the_counts_and_name_the_digit_chosen(qtbot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_counts(np.array([0, 1, 2, 0, 0, 0, 0, 0, 0, 4]))
    assert bar.buttons.button(ALL).text() == "All\n7"
    assert (bar.buttons.button(1).toolTip(), bar.buttons.button(2).toolTip()) == (
        "1 sample", "2 samples")
    chosen: list[int | None] = []
    bar.digit_chosen.connect(chosen.append)
    QTest.mouseClick(bar.buttons.button(9), Qt.MouseButton.LeftButton)
    QTest.mouseClick(bar.buttons.button(ALL), Qt.MouseButton.LeftButton)
    assert chosen == [9, None]


def test_the_summary_says_what_the_model_has_read() -> None:
    assert reading_summary(None, 3, 0, 0) == "Waiting for the model to load\N{HORIZONTAL ELLIPSIS}"
    assert reading_summary(None, 0, 0, 0) == ""
    assert reading_summary("m.keras", 5, 1, 2) == (
        "m.keras is reading them\N{HORIZONTAL ELLIPSIS} 2 of 5")
    assert reading_summary("m.keras", 4, 3, 4) == "m.keras reads 3 of 4 right (75%)"
    assert reading_summary("m.keras", 0, 0, 0) == ""


def test_the_filter_buttons_show_one_digit(open_window, sample_store: SampleStore) -> None:
    for label in (1, 2, 2, 9):
        add(sample_store, label)
    window = open_window()
    buttons = window.filters.buttons
    QTest.mouseClick(buttons.button(2), Qt.MouseButton.LeftButton)
    assert shown_labels(window) == [2, 2]
    QTest.mouseClick(buttons.button(5), Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.empty_text
    assert window.empty_text.text() == "No 5s yet."
    QTest.mouseClick(buttons.button(ALL), Qt.MouseButton.LeftButton)
    assert sorted(shown_labels(window)) == [1, 2, 2, 9]
