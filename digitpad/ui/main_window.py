"""The main window: the pad on the left, the answer, preview and chart on the right (how they
share the room is ``ui/window_layout.py``'s).

It shows what it is told (model state, input, prediction) and reports what the user asks for as
signals; the composition root (``digitpad.app``) connects those to the recogniser. Features
built elsewhere (teaching, the view inside the model) come in through the extension points only:
``add_side_panel_section``, ``add_menu``, ``add_model_submenu``, ``add_panel``,
``add_view_action``, ``add_status_widget`` and ``lend_escape``; the window knows nothing about
them. The pad's files are ``ui/pad/drawing_files.py``'s. Over 500 lines, but flat: most of it
builds the actions, menus and toolbar, one statement each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QImageReader, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.numbers import NumberReading
from digitpad.ml.outputs import Sevens
from digitpad.ml.recognizer import Prediction
from digitpad.ui.models.pages import card_markdown, summary_html
from digitpad.ui.pad.canvas import DEFAULT_PEN, PAD_MARGIN, PEN_WIDTHS, InkCanvas
from digitpad.ui.pad.drawing_files import DrawingFiles
from digitpad.ui.pad.number_marks import DigitMark
from digitpad.ui.pad.prediction_panel import PredictionPanel
from digitpad.ui.pad.preview import ModelInputPreview
from digitpad.ui.pad.probability_chart import ProbabilityChart
from digitpad.ui.pad.sevens_menu import SHORT_NAMES, SevensChoice
from digitpad.ui.pad.verdict import Certainty, digit_caption, number_verdict, verdict_for
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.support import icons
from digitpad.ui.support.about import about_html
from digitpad.ui.support.dialogs import MODEL_FILTER, Dialogs, open_from_last_folder
from digitpad.ui.support.help import how_to_use_html, shortcut_groups, shortcuts_html
from digitpad.ui.support.settings import read_bool, read_bytes, read_choice, settings_problem
from digitpad.ui.window_layout import PadRowLayout, SidePanel, first_size, widened

log = logging.getLogger(__name__)

STATUS_MS = 4000
"""How long a passing status-bar message stays."""
Shortcut = QKeySequence | QKeySequence.StandardKey | str
"""An action's key: ours ("Ctrl+R") or a standard one, which each platform names its own way."""

_STYLE = """
QFrame#card {
    background: palette(base);
    border: 1px solid palette(midlight);
    border-radius: 14px;
}
QLabel[role="caption"] {
    color: palette(placeholder-text);
    font-weight: 600;
    letter-spacing: 0.5px;
}
QToolBar { spacing: 4px; padding: 4px 8px; border: none; }
QToolButton { padding: 4px 8px; }
QToolButton#pen-button::menu-indicator { image: none; width: 0; }
QToolButton#pen-button:focus {
    border: 2px solid palette(highlight);
    border-radius: 4px;
    padding: 2px 6px;
}
"""


class MainWindow(QMainWindow):
    """The drawing pad window; see the module docstring for who does what."""

    image_open_requested = Signal(str)
    model_file_chosen = Signal(str)
    bundled_model_requested = Signal()
    retrain_requested = Signal()
    history_requested = Signal()
    model_preparation_cancelled = Signal()
    digit_selected = Signal(int)
    """(index): show this digit of the number in the preview and the chart."""
    digit_step_requested = Signal(int)
    """(+1 or -1): the next or previous digit of the number."""

    def __init__(
        self,
        settings: QSettings,
        dialogs: Dialogs | None = None,
        locations: Sequence[tuple[str, str]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.dialogs = dialogs if dialogs is not None else Dialogs(self)
        self._locations = tuple(locations)
        self._model: ModelInfo | None = None
        self._reading: NumberReading | None = None
        self._selected = 0
        self._no_model_text = "Loading model…"
        self._close_checks: list[Callable[[], bool]] = []
        self._panels: list[QDockWidget] = []
        self._panel_separator: QAction | None = None
        self._widened_by: dict[str, int] = {}
        """How much wider each open panel made the window: given back when it is closed."""

        self.setWindowTitle("digitpad")
        self.setWindowIcon(icons.app_icon())
        self.setStyleSheet(_STYLE)
        self.canvas = InkCanvas()
        self.panel = PredictionPanel()
        self.preview = ModelInputPreview()
        self.chart = ProbabilityChart()
        self.files = DrawingFiles(self.canvas, lambda: self.dialogs, settings, parent=self)
        self.files.image_chosen.connect(self.image_open_requested)
        self.files.done.connect(lambda text: self.statusBar().showMessage(text, STATUS_MS))
        self.sevens = SevensChoice(settings, self)
        self._sevens = self.sevens.value()
        self.sevens.changed.connect(self._on_sevens_changed)
        self.canvas.set_hint("Draw a digit or a number here", self.sevens.first_run_note())
        self.panel.digit_clicked.connect(self.digit_selected)
        self.canvas.digit_step_requested.connect(self.digit_step_requested)
        self.chart.set_empty_text(self._no_model_text)
        self.panel.show_message(self._no_model_text)
        self._build_layout()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_canvas()
        self._restore_settings()
        self.canvas.setFocus()

    # -- construction ------------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.side_panel = SidePanel(self.preview)
        side = QVBoxLayout(self.side_panel)
        side.setContentsMargins(20, 16, 20, 16)
        side.setSpacing(10)

        top = QHBoxLayout()
        answer = QVBoxLayout()
        answer.addWidget(_caption("PREDICTION"))
        answer.addWidget(self.panel, 1)
        top.addLayout(answer, 1)
        seen = QVBoxLayout()
        seen.addWidget(_caption("WHAT THE MODEL SEES"))
        seen.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        seen.addStretch(1)
        top.addLayout(seen)
        side.addLayout(top)
        side.addSpacing(6)
        side.addWidget(_caption("PROBABILITIES"))
        side.addWidget(self.chart, 1)
        self._side_layout = side

        central = QWidget()
        row = PadRowLayout(self.canvas, self.side_panel, PAD_MARGIN, central)
        row.setContentsMargins(4, 0, 16, 4)  # with the pad's margin: 16 all round
        row.setSpacing(4)  # the pad's margin makes it 16 too
        self.setCentralWidget(central)

    def _action(self, text: str, slot: Callable[[], object],
                shortcuts: Sequence[Shortcut] = (), tip: str = "") -> QAction:
        """An action; each of ``shortcuts`` is a standard key (the platform's key for it) or a
        key of ours ("Ctrl+R")."""
        action = QAction(text, self)
        action.setShortcuts(_keys(shortcuts))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence
        standard = QKeySequence.StandardKey
        text_colour = self.palette().color(QPalette.ColorRole.ButtonText)
        self.open_image_action = self._action(
            "Open &Image…", self.files.open_image, [standard.Open],
            "Classify a photo or scan of a handwritten digit")
        self.open_ink_action = self._action(
            "Open In&k…", self.files.open_ink, ["Ctrl+Shift+O"],
            "Put a saved ink drawing on the pad")
        self.save_png_action = self._action(
            "Save as &PNG…", self.files.save_png, [standard.Save],
            "Save the drawing as a picture")
        self.save_ink_action = self._action(
            "Save I&nk…", self.files.save_ink, ["Ctrl+Shift+S"],
            "Save the strokes as ink JSON, to open again or classify later")
        self.quit_action = self._action("&Quit", self.request_close, [standard.Quit])

        self.undo_action = self._action(
            "&Undo", self.canvas.undo, [standard.Undo],
            "Take back the last change: a stroke, Clear or an opened image")
        self.undo_action.setIcon(icons.undo_icon(text_colour))
        self.redo_action = self._action(  # both keys everywhere: each platform lacks one
            "&Redo", self.canvas.redo, [standard.Redo, "Ctrl+Shift+Z", "Ctrl+Y"],
            "Put back the change taken back")
        self.redo_action.setIcon(icons.redo_icon(text_colour))
        self._clear_shortcuts = [key(Qt.Key.Key_Escape), key(Qt.Key.Key_Delete)]
        self.clear_action = self._action(
            "&Clear", self.canvas.clear, self._clear_shortcuts,
            "Empty the pad (Undo brings the drawing back)")
        self.clear_action.setIcon(icons.clear_icon(text_colour))

        self.pen_actions = QActionGroup(self)
        for name in PEN_WIDTHS:
            action = QAction(name, self, checkable=True)
            action.setData(name)
            action.setStatusTip("How thick the ink looks; recognition does not depend on it")
            self.pen_actions.addAction(action)
        self.pen_actions.triggered.connect(self._on_pen_chosen)

        self.summary_action = self._action(
            "Model &Summary…", self._show_summary, tip="Layers and parameters of the model")
        self.card_action = self._action(
            "Model &Card…", self._show_card, tip="How the model was trained and how well it does")
        self.retrain_action = self._action(
            "&Retrain…", self.retrain_requested.emit, ["Ctrl+R"],
            "Train a new model on MNIST and watch it learn")
        self.history_action = self._action(
            "&History…", self.history_requested.emit, ["Ctrl+H"],
            "The models you trained: use one, compare them, delete them")
        self.load_model_action = self._action(
            "&Load Model…", self._choose_model, ["Ctrl+L"], "Use another .keras model")
        self.reset_model_action = self._action(
            "&Reset to Bundled Model", self.bundled_model_requested.emit,
            tip="Go back to the model that comes with digitpad")
        self.how_to_use_action = self._action(
            "&How to Use digitpad", self._show_how_to_use, [standard.HelpContents],
            "Drawing, numbers, teaching, My Samples, retraining and the files")
        self.shortcuts_action = self._action(
            "&Keyboard Shortcuts", self._show_shortcuts, tip="Every key this window knows")
        self.about_action = self._action("&About digitpad", self._show_about)
        # On a number the pad keeps Tab for its digits; Ctrl+Tab always moves on, as in GTK.
        self.addActions([
            self._action("Focus the Next Control", self.focusNextChild, ["Ctrl+Tab"]),
            self._action("Focus the Previous Control", self.focusPreviousChild,
                         ["Ctrl+Shift+Tab"]),
        ])
        for action in (self.summary_action, self.card_action):
            action.setEnabled(False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([self.open_image_action, self.open_ink_action])
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.save_png_action, self.save_ink_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([self.undo_action, self.redo_action, self.clear_action])
        self.edit_menu.addSeparator()
        self.pen_menu = QMenu("&Pen Width", self)
        self.pen_menu.setIcon(icons.pen_icon(self.palette().color(QPalette.ColorRole.ButtonText)))
        self.pen_menu.addActions(self.pen_actions.actions())
        self.edit_menu.addMenu(self.pen_menu)

        self.view_menu = bar.addMenu("&View")
        self.view_menu.addMenu(self.sevens.menu)

        self.model_menu = bar.addMenu("&Model")
        self.model_menu.addActions([self.summary_action, self.card_action])
        self.model_menu.addSeparator()
        self.model_menu.addActions([self.retrain_action, self.history_action])
        self.model_menu.addSeparator()
        self.model_menu.addActions([self.load_model_action, self.reset_model_action])

        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addActions([self.how_to_use_action, self.shortcuts_action])
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Edit", objectName="edit-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.undo_action, self.redo_action, self.clear_action])
        toolbar.addSeparator()
        self.pen_button = QToolButton(objectName="pen-button")
        self.pen_button.setIcon(self.pen_menu.icon())
        self.pen_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pen_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pen_button.setMenu(self.pen_menu)
        self.pen_button.setToolTip("Pen width: how thick the ink looks")
        toolbar.addWidget(self.pen_button)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        self.model_status = QLabel()
        self.model_status.setContentsMargins(8, 0, 8, 0)
        self.cancel_preparation_button = QPushButton("Cancel")
        self.cancel_preparation_button.setToolTip("Stop preparing the model; keep the one in use")
        self.cancel_preparation_button.clicked.connect(self.model_preparation_cancelled)
        self.cancel_preparation_button.hide()
        self.settings_warning = QLabel(objectName="settings-warning")
        """Shown when the settings file cannot be read or written; its tooltip says why."""
        self.settings_warning.setContentsMargins(8, 0, 8, 0)
        self.settings_warning.hide()
        self.statusBar().addPermanentWidget(self.settings_warning)
        self.statusBar().addPermanentWidget(self.model_status)
        self.statusBar().addPermanentWidget(self.cancel_preparation_button)

    def _connect_canvas(self) -> None:
        self.canvas.history_changed.connect(self._on_history_changed)
        self.canvas.strokes_changed.connect(self._on_strokes_changed)
        self._on_history_changed(False, False)
        self._on_strokes_changed(())

    # -- extension points: what the composition root adds ------------------------------------

    def add_side_panel_section(self, widget: QWidget) -> None:
        """Add ``widget`` to the right-hand column, under the chart and any sections before it.

        Tab reaches its controls after the pad's, before the toolbar's: the order one reads the
        window in, not the order its parts were made in.
        """
        self._side_layout.addSpacing(4)
        self._side_layout.addWidget(widget)
        last = self.previousInFocusChain()  # the new section's last widget, or the window's
        while last not in (self, self.pen_button, self.cancel_preparation_button):
            if last.focusPolicy() & Qt.FocusPolicy.TabFocus:
                QWidget.setTabOrder(last, self.pen_button)
                QWidget.setTabOrder(self.pen_button, self.cancel_preparation_button)
                return
            last = last.previousInFocusChain()

    def add_close_check(self, check: Callable[[], bool]) -> None:
        """Before the user closes the window (File → Quit, the title bar), ``check`` may ask
        them about what closing would end; False keeps the window open. Closing it from the
        program (at shutdown) asks nothing."""
        self._close_checks.append(check)

    def add_menu(self, menu: QMenu) -> None:
        """Add ``menu`` to the menu bar after the window's own menus; Help stays last."""
        self.menuBar().insertMenu(self.help_menu.menuAction(), menu)

    def add_panel(self, dock: QDockWidget, shortcut: str, tip: str) -> QAction:
        """Dock ``dock`` at the right, and put View → its title (``shortcut``, ``tip``) to show
        and hide it; whether it is shown is remembered. Opening it widens the window by its
        width where the screen has room, so the pad keeps its size. Returns the View action."""
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        action = dock.toggleViewAction()
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        self.add_view_action(action)
        dock.setVisible(read_bool(self._settings, _panel_key(dock), False))
        action.toggled.connect(lambda shown: self._make_room(dock, shown))
        self._panels.append(dock)
        return action

    def add_model_submenu(self, menu: QMenu) -> None:
        """Put ``menu`` into the Model menu, after the models one can switch to."""
        self.model_menu.addSeparator()
        self.model_menu.addMenu(menu)

    def add_view_action(self, action: QAction) -> None:
        """Put ``action`` into the View menu with the panels, before the menu's own entries."""
        if self._panel_separator is None:
            self._panel_separator = self.view_menu.insertSeparator(self.sevens.menu.menuAction())
        self.view_menu.insertAction(self._panel_separator, action)

    def add_status_widget(self, widget: QWidget) -> None:
        """Add ``widget`` to the status bar, after the model's state."""
        self.statusBar().addPermanentWidget(widget)

    def _make_room(self, dock: QDockWidget, shown: bool) -> None:
        """Grow the window for a panel the user opened; shrink it back when they close it."""
        if not self.isVisible() or dock.isFloating() or self.isMaximized() or self.isFullScreen():
            return
        geometry = self.geometry()
        if shown:
            extra = dock.sizeHint().width() + self.style().pixelMetric(
                QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
            grown = widened(geometry, extra, self.screen().availableGeometry())
            self._widened_by[dock.objectName()] = grown.width() - geometry.width()
            self.setGeometry(grown)
        else:
            narrower = self._widened_by.pop(dock.objectName(), 0)
            self.resize(geometry.width() - narrower, geometry.height())

    @Slot(bool)
    def lend_escape(self, lent: bool) -> None:
        """While ``lent``, Esc belongs to another action (collect mode's Stop) instead of Clear,
        which keeps Delete: one key must not do two things."""
        escape = QKeySequence(Qt.Key.Key_Escape)
        self.clear_action.setShortcuts(
            [s for s in self._clear_shortcuts if s != escape] if lent else self._clear_shortcuts)

    # -- what the recogniser tells the window ------------------------------------------------

    @Slot(str)
    def show_model_loading(self, name: str) -> None:
        self.model_status.setText(f"Loading {name}…")
        if self._model is None:
            self._show_no_answer("Loading model…")

    @Slot(str)
    def show_model_preparing(self, name: str) -> None:
        """A model without its LiteRT form is being converted: seconds, once per file."""
        self.model_status.setText(f"Preparing {name} for fast reading (once)…")
        self.cancel_preparation_button.show()
        if self._model is None:
            self._show_no_answer("Preparing model…")

    @Slot()
    def show_model_unchanged(self) -> None:
        """A model change was cancelled: the model in use, if any, stays."""
        self.cancel_preparation_button.hide()
        if self._model is not None:
            self.model_status.setText(f"Model: {self._model.name}")
        else:
            self.model_status.setText("No model")
            self._show_no_answer("No model loaded")

    @Slot(object)
    def show_model_ready(self, info: ModelInfo) -> None:
        self.cancel_preparation_button.hide()
        self._model = info
        self.model_status.setText(f"Model: {info.name}")
        self.model_status.setToolTip(str(info.path))
        self.summary_action.setEnabled(True)
        self.card_action.setEnabled(True)
        self.statusBar().showMessage(f"Model {info.name} ready", STATUS_MS)

    @Slot(str, str, bool)
    def show_model_failed(self, path: str, message: str, has_model: bool) -> None:
        self.cancel_preparation_button.hide()
        if has_model and self._model is not None:
            self.model_status.setText(f"Model: {self._model.name}")
            outcome = f"digitpad keeps using {self._model.name}."
        else:
            self.model_status.setText("No model")
            self._show_no_answer("No model loaded")
            outcome = "Load a working model with Model → Load Model…"
        self.dialogs.error("Cannot load the model", f"{message}\n\n{outcome}")

    @Slot(object)
    def show_input(self, image: np.ndarray | None) -> None:
        self.preview.set_image(image)

    @Slot(object, int)
    def show_reading(self, reading: NumberReading | None, selected: int) -> None:
        """The drawing read left to right (before the selected digit's prediction): a number
        gets a box per digit on the pad; a single digit, a picture or nothing gets none."""
        self._reading, self._selected = reading, selected
        marks = []
        if reading is not None and reading.is_number():
            for n, digit in enumerate(reading.digits):
                caption, kind = digit_caption(digit.prediction, sevens=self._sevens)
                box = (digit.box if self.canvas.picture() is None
                       else self.canvas.picture_box_to_pad(digit.box))
                marks.append(DigitMark(box, caption, kind, n == selected))
        self.canvas.set_marks(marks)

    @Slot(object)
    def show_prediction(self, prediction: Prediction) -> None:
        """The selected digit's prediction; for a number the headline is the whole number."""
        if self._model is None:  # nothing but the empty answer can come without a model
            self._show_no_answer(self._no_model_text)
            return
        verdict = verdict_for(prediction, sevens=self._sevens)
        reading = self._reading
        if reading is not None and reading.too_many:
            self.panel.show_verdict(number_verdict(reading, sevens=self._sevens))
        elif reading is not None and reading.is_number():
            self.panel.show_number(number_verdict(reading, sevens=self._sevens), self._selected)
        else:
            self.panel.show_verdict(verdict)
        self.chart.set_empty_text("Too many parts" if reading is not None and reading.too_many
                                  else "Draw a digit")
        self.chart.set_probabilities(  # no digit is the answer: no bar stands out
            None if prediction.digit is None else prediction.probabilities,
            highlight=verdict.digit, muted=verdict.certainty is not Certainty.SURE,
        )

    @Slot(str, object)
    def show_picture(self, path: str, source: object) -> None:
        """An opened picture replaces the drawing on the pad; Undo brings the drawing back, and
        the pad gives ``source`` back (``canvas.picture_restored``) when Redo brings the picture
        back."""
        reader = QImageReader(path)
        reader.setAutoTransform(True)
        self.canvas.show_picture(reader.read(), source)
        self.statusBar().showMessage(f"Classifying {Path(path).name} (Undo brings back what was "
                                     "on the pad)", STATUS_MS)

    @Slot(str, str)
    def show_error(self, title: str, message: str) -> None:
        self.dialogs.error(title, message)

    def _show_no_answer(self, text: str) -> None:
        self._no_model_text = text
        self.panel.show_message(text)
        self.chart.set_empty_text(text)
        self.chart.set_probabilities(None)

    @Slot(object)
    def _on_sevens_changed(self, sevens: Sevens) -> None:
        self._sevens = sevens
        self.canvas.set_hint(self.canvas.hint()[0], self.sevens.first_run_note())
        self.statusBar().showMessage(f"Reading 1 and 7 as a writer of the {SHORT_NAMES[sevens]}"
                                     " would", STATUS_MS)

    # -- canvas state ------------------------------------------------------------------------

    @Slot(bool, bool)
    def _on_history_changed(self, can_undo: bool, can_redo: bool) -> None:
        self.undo_action.setEnabled(can_undo)
        self.redo_action.setEnabled(can_redo)
        self._on_strokes_changed(self.canvas.strokes())

    @Slot(QAction)
    def _on_pen_chosen(self, action: QAction) -> None:
        self.canvas.set_pen_width(PEN_WIDTHS[action.data()])
        self.pen_button.setText(f"{action.data()} pen \N{BLACK DOWN-POINTING SMALL TRIANGLE}")

    @Slot(object)
    def _on_strokes_changed(self, strokes: Sequence[np.ndarray]) -> None:
        has_ink = bool(strokes)
        self.save_png_action.setEnabled(has_ink)
        self.save_ink_action.setEnabled(has_ink)
        self.clear_action.setEnabled(has_ink or self.canvas.picture() is not None)

    # -- model -------------------------------------------------------------------------------

    @Slot()
    def _choose_model(self) -> None:
        path = open_from_last_folder(self.dialogs, self._settings, "Load a Keras model",
                                     MODEL_FILTER)
        if path is not None:
            self.model_file_chosen.emit(str(path))

    @Slot()
    def _show_summary(self) -> None:
        if self._model is not None:
            self.dialogs.document(f"Model summary \N{EN DASH} {self._model.name}",
                                  summary_html(self._model), Qt.TextFormat.RichText)

    @Slot()
    def _show_card(self) -> None:
        if self._model is not None:
            self.dialogs.document(f"Model card \N{EN DASH} {self._model.name}",
                                  card_markdown(self._model), Qt.TextFormat.MarkdownText)

    @Slot()
    def _show_how_to_use(self) -> None:
        self.dialogs.help("How to use digitpad", how_to_use_html())

    @Slot()
    def _show_shortcuts(self) -> None:
        """The keys as they are now: every menu's actions and the window's own (a feature's
        keys, e.g. 0-9)."""
        menus = [action.menu() for action in self.menuBar().actions()]
        groups = shortcut_groups([menu for menu in menus if isinstance(menu, QMenu)],
                                 self.actions())
        self.dialogs.help("Keyboard shortcuts", shortcuts_html(groups))

    @Slot()
    def _show_about(self) -> None:
        self.dialogs.about("About digitpad", about_html(self._locations))

    # -- settings ----------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = read_bytes(self._settings, "window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(first_size(self.screen().availableGeometry()))
        pen = read_choice(self._settings, "pen/width", PEN_WIDTHS, DEFAULT_PEN)
        problem = settings_problem(self._settings)
        if problem is not None:  # not worth a dialog: nothing is lost but what is chosen now
            self.settings_warning.setText("\N{WARNING SIGN} Settings not remembered")
            self.settings_warning.setToolTip(f"{problem}.")
            self.settings_warning.show()
        for action in self.pen_actions.actions():
            if action.data() == pen:
                action.setChecked(True)
                self._on_pen_chosen(action)

    @Slot()
    def request_close(self) -> None:
        """Close the window as the user asked to, if every close check agrees."""
        if self._may_close():
            self.close()

    def _may_close(self) -> bool:
        return all(check() for check in self._close_checks)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and not self._may_close():  # the title bar's close button
            event.ignore()
            return
        self._settings.setValue("window/geometry", self.saveGeometry())
        for dock in self._panels:
            self._settings.setValue(_panel_key(dock), dock.toggleViewAction().isChecked())
        checked = self.pen_actions.checkedAction()
        if checked is not None:
            self._settings.setValue("pen/width", checked.data())
        self._settings.sync()
        super().closeEvent(event)


def _panel_key(dock: QDockWidget) -> str:
    return f"view/{dock.objectName()}"


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "caption")
    return label


def _keys(shortcuts: Sequence[Shortcut]) -> list[QKeySequence]:
    """The key sequences, each once (Redo is Ctrl+Shift+Z on some platforms already). A
    standard key is the platform's main key for it (not F14 or a keyboard's Undo key); one the
    platform has none for (Quit on Windows, where Alt+F4 closes) adds none."""
    result: list[QKeySequence] = []
    for sequence in map(QKeySequence, shortcuts):
        if not sequence.isEmpty() and sequence not in result:
            result.append(sequence)
    return result
