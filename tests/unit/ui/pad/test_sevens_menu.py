"""View → How You Write 1 and 7: the system language's convention until the user picks one,
then the pick, remembered; a damaged value falls back to the default."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import QWidget

from digitpad.ml.outputs import Sevens, sevens_for_locale
from digitpad.ui.pad.sevens_menu import SEVENS_KEY, SevensChoice


def checked(choice: SevensChoice) -> Sevens:
    return next(Sevens(a.data()) for a in choice.actions() if a.isChecked())


def test_the_default_is_the_system_languages_then_the_users_pick_is_remembered(
    settings: QSettings, qtbot
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    choice = SevensChoice(settings, parent)
    system = sevens_for_locale(QLocale.system().name())
    assert choice.value() is system and checked(choice) is system
    other = Sevens.CROSSED if system is Sevens.PLAIN else Sevens.PLAIN
    with qtbot.waitSignal(choice.changed) as changed:
        next(a for a in choice.actions() if a.data() == other.value).trigger()
    assert changed.args == [other]
    again = SevensChoice(settings, parent)
    assert again.value() is other and checked(again) is other


def test_a_damaged_value_is_the_default(settings: QSettings, qtbot) -> None:
    settings.setValue(SEVENS_KEY, "sideways")
    parent = QWidget()
    qtbot.addWidget(parent)
    assert SevensChoice(settings, parent).value() is sevens_for_locale(QLocale.system().name())
