"""The Retrain dialog's "Your handwriting" box: how many labelled samples the user has, and
fine-tuning on them. The store is counted and read on a pool thread (:class:`Background`), so
opening Retrain or starting a run never stalls the window on a big sample store."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from digitpad.ml.ink import Drawing
from digitpad.samples import SampleStore, StoreError
from digitpad.ui.support.background import Background
from digitpad.ui.training.result import plural

log = logging.getLogger(__name__)


class HandwritingBox(QGroupBox):
    """Counts the samples whenever it is shown and whenever the store changes while it is."""

    counted = Signal(int)
    """The samples were counted; :meth:`count` has the new figure."""
    _changed = Signal()

    def __init__(self, store: SampleStore | None, parent: QWidget | None = None) -> None:
        super().__init__("Your handwriting", parent)
        self._store = store
        self._count: int | None = None
        self._recount = False
        self._counting = Background((StoreError,), self)
        self._reading = Background((StoreError,), self)
        self.fine_tune_button = QPushButton("Fine-Tune Current Model on My Samples")
        self.fine_tune_button.setToolTip(
            "Adapt the model in use to your handwriting in seconds: two short epochs over your "
            "samples and a replay of 6,000 MNIST images, so it does not forget the rest")
        self.label = QLabel(wordWrap=True)
        self.label.setProperty("role", "note")
        self.label.setMinimumHeight(3 * self.label.fontMetrics().lineSpacing())
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.fine_tune_button)
        if store is not None:  # a change from another thread is queued to this one
            unsubscribe = store.subscribe(self._changed.emit)
            self.destroyed.connect(lambda: unsubscribe())
        self._changed.connect(self._count_if_shown)

    def count(self) -> int | None:
        """The samples the user has; None until they are first counted."""
        return self._count

    def show_state(self, model: str | None, busy: bool) -> None:
        """``model`` is the name of the model in use (None: none to fine-tune); ``busy``, that a
        run is on or about to start."""
        count = self._count
        self.fine_tune_button.setEnabled(bool(count) and model is not None and not busy)
        if count is None:
            self.label.setText("Counting your samples…")
        elif count == 0:
            self.label.setText("Label some of your drawings and the model can learn "
                               "your handwriting.")
        else:
            self.label.setText(
                f"{plural(count, 'sample')} of your handwriting. Fine-tuning adapts "
                f"{model or 'the current model'} to them and shows how well it reads the ones "
                "it did not learn from.")

    def read(self, done: Callable[[tuple[Drawing, ...]], None],
             failed: Callable[[Exception], None]) -> None:
        """Read every sample's drawing on a pool thread; ``done`` or ``failed`` is called back
        on the GUI thread (with a StoreError)."""
        store = self._store
        if store is None:
            done(())
            return
        self._reading.run(lambda: tuple(sample.drawing for sample in store.samples()),
                          done, failed)

    def wait(self) -> None:
        """Finish the store work in progress (before the store closes)."""
        self._counting.wait()
        self._reading.wait()

    def showEvent(self, event: QShowEvent) -> None:
        self._count_samples()
        super().showEvent(event)

    @Slot()
    def _count_if_shown(self) -> None:
        if self.isVisible():  # a hidden box counts again when it is shown
            self._count_samples()

    def _count_samples(self) -> None:
        store = self._store
        if store is None:
            self._on_counted(0)
        elif self._counting.busy():  # once that count is in, count again
            self._recount = True
        else:
            self._counting.run(lambda: len(store), self._on_counted, self._on_count_failed)

    def _on_counted(self, count: int) -> None:
        self._count = count
        self.counted.emit(count)
        if self._recount:
            self._recount = False
            self._count_samples()

    def _on_count_failed(self, exc: Exception) -> None:
        log.warning("samples not counted: %s", exc)
        self._on_counted(0)
