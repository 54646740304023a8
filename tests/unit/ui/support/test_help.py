"""Help's pages: How to Use, and the keyboard shortcuts as the actions have them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from digitpad.ui.support.help import OTHER_KEYS, how_to_use_html, shortcut_groups, shortcuts_html
from tests.unit.ui.help_pages import native


@pytest.fixture
def owner(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def action(owner: QWidget, text: str, *keys: QKeySequence | str) -> QAction:
    made = QAction(text, owner)
    made.setShortcuts([QKeySequence(key) for key in keys])
    return made


def test_menus_give_the_groups_and_actions_without_keys_are_left_out(owner: QWidget) -> None:
    file_menu, edit_menu = QMenu("&File", owner), QMenu("&Edit", owner)
    file_menu.addAction(action(owner, "&Open…", "Ctrl+O"))
    file_menu.addSeparator()
    file_menu.addAction(action(owner, "Model &Summary…"))
    edit_menu.addAction(action(owner, "Save && &Quit", "Ctrl+Q"))
    assert shortcut_groups([file_menu, edit_menu], []) == [
        ("File", [("Open…", [native("Ctrl+O")])]),
        ("Edit", [("Save & Quit", [native("Ctrl+Q")])]),
    ]


def test_a_submenus_keys_are_in_its_menus_group(owner: QWidget) -> None:
    edit_menu, pen_menu = QMenu("&Edit", owner), QMenu("&Pen Width", owner)
    pen_menu.addAction(action(owner, "Thick", "Ctrl+3"))
    edit_menu.addMenu(pen_menu)
    assert shortcut_groups([edit_menu], []) == [("Edit", [("Thick", [native("Ctrl+3")])])]


def test_each_action_and_each_key_is_listed_once(owner: QWidget) -> None:
    seven = action(owner, "That was a 7", "7", QKeySequence(
        QKeyCombination(Qt.KeyboardModifier.KeypadModifier, Qt.Key.Key_7)))
    redo = action(owner, "&Redo", "Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+Shift+Z")
    menu = QMenu("&Edit", owner)
    menu.addAction(redo)
    groups = shortcut_groups([menu], [redo, seven, action(owner, "Nothing")])
    assert groups == [("Edit", [("Redo", [native("Ctrl+Shift+Z"), native("Ctrl+Y")])]),
                      (OTHER_KEYS, [("That was a 7", ["7"])])]


def test_the_table_escapes_what_it_shows() -> None:
    html = shortcuts_html([("Edit", [("Cut <all>", ["Ctrl+X"])])])
    assert "<h3>Edit</h3>" in html
    assert "<td>Cut &lt;all&gt;</td><td><b>Ctrl+X</b></td>" in html


def test_how_to_use_covers_every_feature() -> None:
    text = how_to_use_html()
    for needle in ("Draw", "Numbers", "12 digits", "Not a digit", "How You Write 1 and 7",
                   "Teach", "Collect", "My Samples", "Retrain", "History", "Open Image",
                   "Save Ink", "Inside the Model", "Why This Digit", "Compare With"):
        assert needle in text, needle


def test_how_to_use_says_what_each_kind_of_layer_does_beside_what_the_view_shows() -> None:
    text = how_to_use_html()
    section = text[text.index("<h3>Inside the model</h3>"):text.index("<h3>Files</h3>")]
    rows = section.split("<tr>")[1:]
    assert [row.split("</b>")[0].split("<b>")[1] for row in rows] == [
        "Convolution", "Pooling", "Flatten", "Dense", "Softmax"]
    assert all("<i>Shown:</i>" in row for row in rows)
    assert "28&times;28" in section and "784" in section and "16&times;8" in section
