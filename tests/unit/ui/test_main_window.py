"""The main window: shows what it is told, asks through its dialogs, remembers its settings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from digitpad.ml.card import ModelCard
from digitpad.ml.ink import load_ink, make_drawing, save_ink
from digitpad.ml.recognizer import Prediction
from digitpad.ui.main_window import MainWindow
from digitpad.ui.pad.canvas import PEN_WIDTHS
from digitpad.ui.pad.number_marks import DigitMark, MarkKind
from digitpad.ui.pad.verdict import DASH, Certainty
from digitpad.ui.pad.workers import ModelInfo
from tests.unit.ui.fakes import FakeDialogs
from tests.unit.ui.help_pages import native, shortcut_rows

INFO = ModelInfo(Path("/models/test.keras"), "test.keras", 'Model: "t"\n Total params: 7',
                 ModelCard(architecture="cnn", parameters=7))


@pytest.fixture
def window(qtbot, settings: QSettings, dialogs: FakeDialogs) -> MainWindow:
    win = MainWindow(settings, dialogs=dialogs, locations=[("Settings", settings.fileName())])
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def draw_seven(window: MainWindow) -> None:
    canvas = window.canvas
    canvas.draw_stroke([(p.x(), p.y()) for p in (canvas.to_widget(300, 250),
                        canvas.to_widget(700, 250), canvas.to_widget(450, 800))])


def prediction(digit: int, confidence: float, runner_up: int = 0) -> Prediction:
    probabilities = np.zeros(10, np.float32)
    probabilities[digit] = confidence
    probabilities[runner_up] = 1 - confidence
    return Prediction.from_probabilities(probabilities)


def test_before_the_model_is_ready_it_says_loading(window: MainWindow) -> None:
    window.show_model_loading("digitpad-cnn.keras")
    assert window.panel.detail.text() == "Loading model…"
    assert window.chart.empty_text() == "Loading model…"
    assert window.model_status.text() == "Loading digitpad-cnn.keras…"
    assert not window.summary_action.isEnabled()
    # An empty answer while loading keeps the loading message.
    window.show_prediction(Prediction.empty())
    assert window.panel.detail.text() == "Loading model…"


def test_a_sure_answer_shows_the_digit_large(window: MainWindow) -> None:
    window.show_model_ready(INFO)
    window.show_prediction(prediction(7, 0.97))
    assert window.panel.headline.text() == "7"
    assert window.panel.detail.text() == "97% sure"
    assert window.panel.certainty() is Certainty.SURE
    assert window.panel.headline.font().pixelSize() >= 72
    assert window.chart.highlighted() == 7
    assert window.model_status.text() == "Model: test.keras"


def test_an_unsure_answer_shows_doubt_and_the_runner_up(window: MainWindow) -> None:
    window.show_model_ready(INFO)
    window.show_prediction(prediction(4, 0.55, runner_up=9))
    assert window.panel.headline.text() == "4?"
    assert window.panel.detail.text() == "Not sure (55%)\nCould also be 9 (45%)"
    assert window.panel.certainty() is Certainty.UNSURE


def test_an_empty_pad_shows_no_digit_and_an_empty_chart(window: MainWindow) -> None:
    window.show_model_ready(INFO)
    window.show_prediction(prediction(7, 0.97))
    window.show_prediction(Prediction.empty())
    assert window.panel.headline.text() == DASH
    assert window.panel.detail.text() == "Draw a digit"
    assert window.chart.empty_text() == "Draw a digit"


def test_the_preview_shows_the_model_input(window: MainWindow) -> None:
    image = np.zeros((28, 28), np.float32)
    window.show_input(image)
    assert window.preview.image() is image


def test_edit_actions_follow_the_pad(window: MainWindow) -> None:
    assert not window.undo_action.isEnabled() and not window.clear_action.isEnabled()
    assert not window.save_png_action.isEnabled()
    draw_seven(window)
    assert window.undo_action.isEnabled() and window.clear_action.isEnabled()
    assert window.save_png_action.isEnabled() and window.save_ink_action.isEnabled()
    window.undo_action.trigger()
    assert not window.canvas.has_ink() and window.redo_action.isEnabled()
    window.redo_action.trigger()
    assert window.canvas.has_ink()
    window.clear_action.trigger()
    assert not window.canvas.has_ink()


def test_keyboard_shortcuts(window: MainWindow, qtbot) -> None:
    assert QKeySequence("Ctrl+Z") in window.undo_action.shortcuts()
    assert QKeySequence("Ctrl+Shift+Z") in window.redo_action.shortcuts()
    assert {QKeySequence("Esc"), QKeySequence("Del")} <= set(window.clear_action.shortcuts())
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    draw_seven(window)
    draw_seven(window)
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes()) == 1
    QTest.keyClick(window.canvas, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.canvas.strokes()) == 2
    QTest.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert not window.canvas.has_ink()
    draw_seven(window)
    QTest.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert not window.canvas.has_ink()


def test_ctrl_y_redoes_as_well(window: MainWindow, qtbot) -> None:
    """Ctrl+Y is Redo on Windows, Ctrl+Shift+Z elsewhere: both work everywhere."""
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    draw_seven(window)
    window.undo_action.trigger()
    QTest.keyClick(window.canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes()) == 1
    keys = window.redo_action.shortcuts()
    assert len(keys) == len(set(k.toString() for k in keys))  # each key once


def test_the_actions_use_the_platforms_standard_keys(window: MainWindow) -> None:
    standard = QKeySequence.StandardKey
    for action, key in [(window.open_image_action, standard.Open),
                        (window.save_png_action, standard.Save),
                        (window.undo_action, standard.Undo), (window.redo_action, standard.Redo),
                        (window.how_to_use_action, standard.HelpContents)]:
        assert QKeySequence(key) in action.shortcuts(), action.text()
    assert window.quit_action.shortcuts() == [
        s for s in [QKeySequence(standard.Quit)] if not s.isEmpty()]  # Windows has none


def test_ctrl_tab_leaves_the_pad_even_on_a_number(window: MainWindow, qtbot) -> None:
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    draw_seven(window)
    window.canvas.set_marks([DigitMark((100, 100, 400, 800), "7", MarkKind.SURE, True),
                             DigitMark((500, 100, 800, 800), "1", MarkKind.SURE, False)])
    QTest.keyClick(window.canvas, Qt.Key.Key_Tab)  # the pad's: the next digit
    assert window.canvas.hasFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.pen_button.hasFocus()
    QTest.keyClick(window.pen_button, Qt.Key.Key_Backtab,  # Shift+Tab, as the keyboard sends it
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.canvas.hasFocus()


def test_every_action_is_in_a_menu(window: MainWindow) -> None:
    in_menus = {action for menu in (window.file_menu, window.edit_menu, window.view_menu,
                                    window.model_menu, window.help_menu, window.pen_menu,
                                    window.sevens.menu) for action in menu.actions()}
    for action in (window.open_image_action, window.open_ink_action, window.save_png_action,
                   window.save_ink_action, window.quit_action, window.undo_action,
                   window.redo_action, window.clear_action, window.summary_action,
                   window.card_action, window.load_model_action, window.reset_model_action,
                   window.how_to_use_action, window.shortcuts_action,
                   window.about_action, window.sevens.menu.menuAction(),
                   *window.pen_actions.actions(), *window.sevens.actions()):
        assert action in in_menus, action.text()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Model", "&Help"]


def test_the_pad_has_focus_and_tab_reaches_it(window: MainWindow) -> None:
    assert window.canvas.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert window.focusWidget() is window.canvas


def test_pen_width_changes_and_persists(qtbot, settings: QSettings, dialogs: FakeDialogs) -> None:
    first = MainWindow(settings, dialogs=dialogs)
    qtbot.addWidget(first)
    bold = next(a for a in first.pen_actions.actions() if a.data() == "Bold")
    bold.trigger()
    assert first.canvas.pen_width() == PEN_WIDTHS["Bold"]
    first.resize(720, 520)
    first.close()
    second = MainWindow(settings, dialogs=dialogs)
    qtbot.addWidget(second)
    assert second.canvas.pen_width() == PEN_WIDTHS["Bold"]
    assert second.pen_actions.checkedAction().data() == "Bold"
    assert (second.width(), second.height()) == (720, 520)


def test_an_unknown_pen_setting_falls_back_to_the_default(qtbot, settings: QSettings) -> None:
    settings.setValue("pen/width", "Gigantic")
    window = MainWindow(settings, dialogs=FakeDialogs())
    qtbot.addWidget(window)
    assert window.pen_actions.checkedAction().data() == "Medium"


def test_save_ink_and_open_it_again(window, dialogs: FakeDialogs, tmp_path: Path) -> None:
    draw_seven(window)
    strokes = window.canvas.strokes()
    dialogs.paths = [tmp_path / "seven", tmp_path / "seven.json"]
    window.save_ink_action.trigger()
    (saved,) = load_ink(tmp_path / "seven.json")  # the .json suffix was added
    window.clear_action.trigger()
    window.open_ink_action.trigger()
    np.testing.assert_allclose(np.concatenate(window.canvas.strokes()), np.concatenate(strokes),
                               atol=1e-6)
    assert len(saved.strokes) == 1
    assert "Opened seven.json" in window.statusBar().currentMessage()


def test_opening_a_file_of_many_drawings_shows_the_first(window, dialogs, tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    save_ink(path, [make_drawing([[(0, 0), (0, 10)]], label=1),
                    make_drawing([[(0, 0), (10, 0), (0, 10)]], label=7)])
    dialogs.paths = [path]
    window.open_ink_action.trigger()
    assert len(window.canvas.strokes()) == 1 and len(window.canvas.strokes()[0]) == 2
    assert "first of 2" in window.statusBar().currentMessage()


def test_a_bad_ink_file_is_explained_and_the_drawing_kept(window, dialogs, tmp_path: Path) -> None:
    draw_seven(window)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"strokes": [[[0, "x"]]]}))
    dialogs.paths = [bad]
    window.open_ink_action.trigger()
    ((title, message),) = dialogs.errors
    assert title == "Cannot open the ink file"
    assert str(bad) in message and "Save Ink" in message
    assert len(window.canvas.strokes()) == 1


def test_save_png_writes_the_drawing(window, dialogs, tmp_path: Path) -> None:
    draw_seven(window)
    dialogs.paths = [tmp_path / "seven.png"]
    window.save_png_action.trigger()
    image = QImage(str(tmp_path / "seven.png"))
    assert not image.isNull() and image.width() == 512
    assert image.pixelColor(5, 5).lightness() == 255
    assert list(tmp_path.iterdir()) == [tmp_path / "seven.png"]  # no temporary file left over


def test_a_failed_save_is_explained(window, dialogs, tmp_path: Path) -> None:
    draw_seven(window)
    blocker = tmp_path / "file"
    blocker.write_text("")
    dialogs.paths = [blocker / "inside" / "seven.png"]  # a folder that cannot exist
    window.save_png_action.trigger()
    ((title, message),) = dialogs.errors
    assert title == "Cannot save" and "seven.png" in message


def test_cancelled_dialogs_change_nothing(window, dialogs, qtbot) -> None:
    draw_seven(window)
    dialogs.paths = [None, None, None, None]
    with qtbot.assertNotEmitted(window.image_open_requested), \
            qtbot.assertNotEmitted(window.model_file_chosen):
        window.open_image_action.trigger()
        window.open_ink_action.trigger()
        window.save_png_action.trigger()
        window.load_model_action.trigger()
    assert len(window.canvas.strokes()) == 1 and not dialogs.errors


def test_open_image_and_load_model_are_requests(window, dialogs, qtbot, tmp_path: Path) -> None:
    dialogs.paths = [tmp_path / "photo.jpg", tmp_path / "other.keras"]
    with qtbot.waitSignal(window.image_open_requested) as image:
        window.open_image_action.trigger()
    with qtbot.waitSignal(window.model_file_chosen) as model:
        window.load_model_action.trigger()
    assert image.args == [str(tmp_path / "photo.jpg")]
    assert model.args == [str(tmp_path / "other.keras")]
    with qtbot.waitSignal(window.bundled_model_requested):
        window.reset_model_action.trigger()


def test_an_opened_picture_is_shown_on_the_pad(window: MainWindow, tmp_path: Path) -> None:
    picture = QImage(30, 30, QImage.Format.Format_RGB32)
    picture.fill(Qt.GlobalColor.black)
    picture.save(str(tmp_path / "photo.png"))
    window.show_picture(str(tmp_path / "photo.png"), "what was read")
    assert window.canvas.picture() is not None
    assert window.clear_action.isEnabled()


def test_model_summary_and_card(window: MainWindow, dialogs: FakeDialogs) -> None:
    window.show_model_ready(INFO)
    window.summary_action.trigger()
    window.card_action.trigger()
    (summary_title, summary, summary_format), (card_title, card, card_format) = \
        dialogs.documents
    assert "test.keras" in summary_title and "Total params: 7" in summary
    assert summary_format is Qt.TextFormat.RichText
    assert "test.keras" in card_title and "| Architecture | cnn |" in card
    assert card_format is Qt.TextFormat.MarkdownText


def test_a_broken_model_is_explained_and_the_old_one_kept(window, dialogs) -> None:
    window.show_model_ready(INFO)
    window.show_prediction(prediction(7, 0.97))
    window.show_model_failed("/x/broken.keras", "/x/broken.keras: not a Keras model", True)
    ((title, message),) = dialogs.errors
    assert title == "Cannot load the model"
    assert "/x/broken.keras: not a Keras model" in message and "keeps using test.keras" in message
    assert window.model_status.text() == "Model: test.keras"
    assert window.panel.headline.text() == "7"


def test_without_any_model_the_window_says_so(window, dialogs) -> None:
    window.show_model_loading("digitpad-cnn.keras")
    window.show_model_failed("/a/digitpad-cnn.keras", "/a/digitpad-cnn.keras: no such model file",
                             False)
    assert window.panel.detail.text() == "No model loaded"
    assert window.model_status.text() == "No model"
    assert "Load Model" in dialogs.errors[0][1]
    window.show_prediction(Prediction.empty())
    assert window.panel.detail.text() == "No model loaded"


def test_about_names_versions_the_shipped_data_its_licences_and_where_data_lives(
    window, dialogs, settings
) -> None:
    window.about_action.trigger()
    ((title, text),) = dialogs.abouts
    assert title == "About digitpad"
    for needle in ("digitpad", "TensorFlow", "Qt", settings.fileName(),
                   "MNIST", "LeCun", "CC BY-SA 3.0", "Pen-Based Recognition of Handwritten Digits",
                   "Alpaydin", "CC BY 4.0"):
        assert needle in text


def test_the_window_stays_usable_at_its_minimum_size(window: MainWindow, qtbot) -> None:
    window.resize(window.minimumSizeHint())
    QApplication.processEvents()
    assert window.canvas.width() >= 200 and window.chart.height() >= 100


def test_how_to_use_opens_from_help_and_with_f1(window: MainWindow, dialogs, qtbot) -> None:
    window.how_to_use_action.trigger()
    ((title, text),) = dialogs.helps
    assert title == "How to use digitpad"
    for needle in ("12 digits", "confidence", "Tab", "Not a digit", "How You Write 1 and 7",
                   "0</b>&ndash;<b>9", "whole number", "Collect", "My Samples", "Retrain",
                   "History", "Open Image", "Open Ink", "Save as PNG", "Save Ink"):
        assert needle in text, needle
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    QTest.keyClick(window.canvas, Qt.Key.Key_F1)
    assert [title for title, _ in dialogs.helps] == ["How to use digitpad"] * 2


def test_keyboard_shortcuts_list_every_key_of_the_window_once(window: MainWindow,
                                                              dialogs) -> None:
    window.shortcuts_action.trigger()
    ((title, text),) = dialogs.helps
    assert title == "Keyboard shortcuts"
    rows = shortcut_rows(text)
    assert rows["Undo"] == [native("Ctrl+Z")]
    assert set(rows["Redo"]) == {native("Ctrl+Shift+Z"), native("Ctrl+Y")}
    assert len(rows["Redo"]) == 2
    assert rows["Retrain…"] == [native("Ctrl+R")]
    assert rows["How to Use digitpad"] == [native("F1")]
    assert "Model Summary…" not in rows  # no key, not listed
    for group in ("File", "Edit", "Model", "Help"):
        assert f"<h3>{group}</h3>" in text
    assert text.index("<h3>Edit</h3>") < text.index("<td>Redo</td>") < text.index("<h3>Model")


def test_keyboard_shortcuts_follow_the_actions_as_they_are_now(window: MainWindow,
                                                               dialogs) -> None:
    """A new action is listed without a word of the help changed; so are changed keys."""
    mirror = QAction("&Mirror the Drawing", window)
    mirror.setShortcut(QKeySequence("Ctrl+Alt+M"))
    window.edit_menu.addAction(mirror)
    nudge = QAction("Nudge", window)
    nudge.setShortcut(QKeySequence("Ctrl+Alt+N"))
    window.addAction(nudge)
    window.lend_escape(True)
    window.shortcuts_action.trigger()
    rows = shortcut_rows(dialogs.helps[-1][1])
    assert rows["Mirror the Drawing"] == [native("Ctrl+Alt+M")]
    assert rows["Nudge"] == [native("Ctrl+Alt+N")]
    assert rows["Clear"] == [native("Del")]  # Esc is lent to another action meanwhile
    text = dialogs.helps[-1][1]
    assert text.index("<td>Mirror the Drawing</td>") < text.index("<h3>Model</h3>")
    assert text.index("<h3>Other keys</h3>") < text.index("<td>Nudge</td>")
