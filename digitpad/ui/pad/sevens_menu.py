"""View → How You Write 1 and 7: the writer's convention, remembered.

The same shape is a 7 to one writer and a 1 to another (a long flag on a bare stem): writers who
cross their 7s write their 1s that way. The choice decides how a model that knows the crossed 7
reads such a shape; its default comes from the system's language where the convention is known.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from digitpad.ml.outputs import Sevens, sevens_for_locale
from digitpad.ui.support.settings import read_choice

SEVENS_KEY = "reading/sevens"
CHOICES: dict[Sevens, tuple[str, str]] = {
    Sevens.PLAIN: ("&Plain 7, 1 as a Stroke",
                   "A 7 without a bar; a 1 is a stroke, perhaps with a short flag"),
    Sevens.CROSSED: ("&Crossed 7, 1 with a Long Flag",
                     "A 7 with a bar through its stem; a bare flag and stem is a 1"),
}
SHORT_NAMES = {Sevens.PLAIN: "plain 7", Sevens.CROSSED: "crossed 7"}


def default_sevens() -> Sevens:
    """The convention of the system's language (Qt's view of the locale, as the window's)."""
    return sevens_for_locale(QLocale.system().name())


class SevensChoice(QObject):
    """The menu of the two conventions; ``changed`` carries the one the user picks."""

    changed = Signal(object)
    """Sevens: the user chose this convention (saved already)."""

    def __init__(self, settings: QSettings, parent: QWidget) -> None:
        super().__init__(parent)
        self._settings = settings
        self.menu = QMenu("How You Write &1 and 7", parent)
        self.menu.setToolTipsVisible(True)
        self._group = QActionGroup(self)
        current = self.value()
        for sevens, (text, tip) in CHOICES.items():
            action = QAction(text, self, checkable=True)
            action.setData(sevens.value)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.setChecked(sevens is current)
            self._group.addAction(action)
            self.menu.addAction(action)
        self._group.triggered.connect(self._on_triggered)

    def value(self) -> Sevens:
        """The convention chosen last time, else the system language's."""
        default = default_sevens()
        return Sevens(read_choice(self._settings, SEVENS_KEY, [s.value for s in Sevens],
                                  default.value))

    def chosen(self) -> bool:
        """Whether the user ever picked a convention (the first-run hint names the menu until
        then)."""
        return self._settings.contains(SEVENS_KEY)

    def first_run_note(self) -> str:
        """The tip under the empty pad's hint, until the user picks a convention."""
        if self.chosen():
            return ""
        if self.value() is Sevens.CROSSED:
            return ("Reading a bare flag-and-stem as 1 and a barred 7 as 7, as your language "
                    "writes them. Write plain 7s? View \N{RIGHTWARDS ARROW} How You Write 1 and 7")
        return ("Reading 7s written plain. Do you cross your 7s? View \N{RIGHTWARDS ARROW} "
                "How You Write 1 and 7")

    def actions(self) -> list[QAction]:
        return self._group.actions()

    @Slot(QAction)
    def _on_triggered(self, action: QAction) -> None:
        sevens = Sevens(action.data())
        self._settings.setValue(SEVENS_KEY, sevens.value)
        self.changed.emit(sevens)
