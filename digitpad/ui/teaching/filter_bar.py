"""What My Samples says about the samples: the digit filter with its counts, "Only misread", and
the one-line summary of how the current model reads them.

The filter buttons carry the counts, so the user sees at a glance which digits need more samples.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QHBoxLayout, QToolButton, QWidget

from digitpad.ml.digits import NUM_CLASSES
from digitpad.ui.support.notice import sample_count

ALL = NUM_CLASSES
"""The filter button id for all digits (QButtonGroup ids must not be negative)."""

_STYLE = """
QToolButton[role="filter"] {
    border: 1px solid palette(midlight);
    border-radius: 8px;
    padding: 3px 1px;
    min-width: 44px;
}
QToolButton[role="filter"]:hover { border-color: palette(highlight); }
QToolButton[role="filter"]:checked {
    background: palette(highlight);
    color: palette(highlighted-text);
    border-color: palette(highlight);
}
QToolButton[role="filter"]:focus { border: 2px solid palette(highlight); padding: 2px 0; }
QToolButton[role="filter"]:checked:focus { border-color: palette(text); }
"""


class FilterBar(QWidget):
    """"All" and one button per digit, each with its count, and the "Only misread" switch."""

    digit_chosen = Signal(object)
    """The digit to show, or None for all of them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.buttons = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for key, text in [(ALL, "All"), *((d, str(d)) for d in range(NUM_CLASSES))]:
            button = QToolButton()
            button.setProperty("role", "filter")
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setProperty("caption", text)
            button.setAccessibleName("All digits" if key == ALL else f"Only {text}s")
            self.buttons.addButton(button, key)
            layout.addWidget(button)
        self.buttons.button(ALL).setChecked(True)
        self.buttons.idClicked.connect(self._on_clicked)
        layout.addStretch(1)
        self.misread_only = QCheckBox("Only misread")
        self.misread_only.setToolTip("Show only the samples the current model reads wrong")
        layout.addWidget(self.misread_only)

    def set_counts(self, counts: np.ndarray) -> None:
        """Samples per digit, (10,): each button shows its own, "All" the total."""
        for key in range(NUM_CLASSES + 1):
            button = self.buttons.button(key)
            count = int(counts.sum()) if key == ALL else int(counts[key])
            button.setText(f"{button.property('caption')}\n{count}")
            button.setToolTip(sample_count(count))

    @Slot(int)
    def _on_clicked(self, key: int) -> None:
        self.digit_chosen.emit(None if key == ALL else key)


def reading_summary(model_name: str | None, total: int, right: int, read: int) -> str:
    """The status line: how many of ``total`` samples the model ``model_name`` (None while it
    loads) has read, and how many of them it reads right."""
    if model_name is None:
        return "Waiting for the model to load\N{HORIZONTAL ELLIPSIS}" if total else ""
    if read < total:
        return f"{model_name} is reading them\N{HORIZONTAL ELLIPSIS} {read} of {total}"
    if total:
        return f"{model_name} reads {right} of {total} right ({right / total:.0%})"
    return ""
