"""View → Inside the Model: every layer of the model in use, responding to the drawing live.

``InsideModel`` makes the panel (a dock), and the status-bar line that shows the layers being
prepared; the composition root puts both into the window and tells it the model in use and the
model input of the drawing (or of the selected digit of a number). Nothing happens while the
panel is hidden. When it is shown, the model's layers form is read on a thread of its own
(:mod:`digitpad.ui.inside.worker`); a model without one gets it from a conversion child, once,
which the user may cancel like a model's own preparation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QPushButton, QWidget

from digitpad.ml.outputs import DIGIT_NAMES
from digitpad.ui.inside.view import InsideView
from digitpad.ui.inside.worker import Layers, LayersInfo, LayersWorker, LayerValues
from digitpad.ui.models.preparation import ModelPreparer
from digitpad.ui.pad.workers import ModelInfo

log = logging.getLogger(__name__)

TITLE = "Inside the Model"
SHORTCUT = "Ctrl+I"
TIP = "Every layer of the model as it responds to your drawing; click a unit to see its weights"


class InsideModel(QObject):
    """The panel and what keeps it up to date; see the module docstring."""

    _load_requested = Signal(str)

    def __init__(self, loader: Callable[[Path], Layers], preparer: ModelPreparer,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._preparer = preparer
        self._worker: LayersWorker | None = None
        self._thread: QThread | None = None
        self._model: ModelInfo | None = None
        self._wanted: str | None = None
        """The model whose layers are shown, or being read or prepared."""
        self._layers: LayersInfo | None = None
        self._preparing: str | None = None
        self._prepared: set[str] = set()
        self._image: np.ndarray | None = None
        self._request_id = 0
        self._shown_id = 0

        self.view = InsideView()
        self.view.retry_requested.connect(self._retry)
        self.dock = QDockWidget(TITLE, objectName="inside-model")
        self.dock.setWidget(self.view)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea
                                  | Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock.toggleViewAction().toggled.connect(self._on_toggled)

        self.status = QWidget()
        """In the status bar while the layers are being prepared: what is happening, Cancel."""
        self.status_text = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop preparing the layers; the model in use stays")
        self.cancel_button.clicked.connect(self._preparer.cancel)
        status = QHBoxLayout(self.status)
        status.setContentsMargins(8, 0, 0, 0)
        status.addWidget(self.status_text)
        status.addWidget(self.cancel_button)
        self.status.hide()

        preparer.prepared.connect(self._on_prepared)
        preparer.failed.connect(self._on_preparation_failed)
        preparer.cancelled.connect(self._on_preparation_cancelled)
        preparer.stage_changed.connect(self._on_stage)

    def is_open(self) -> bool:
        """Whether the user has the panel shown (asked for it; the window may be minimised)."""
        return self.dock.toggleViewAction().isChecked()

    def layers(self) -> LayersInfo | None:
        """The layers shown now, None while there are none."""
        return self._layers

    def is_up_to_date(self) -> bool:
        """Whether the panel shows the layers of the model in use for the latest drawing."""
        return (self._model is not None and self._layers is not None
                and self._layers.path == str(self._model.path)
                and (self._image is None or self._shown_id == self._request_id))

    def shutdown(self) -> None:
        """End a preparation and the panel's thread (at quit)."""
        self._preparer.shutdown()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    # -- what the composition root tells it ----------------------------------------------------

    @Slot(object)
    def set_model(self, info: ModelInfo) -> None:
        """The model now in use."""
        self._model = info
        if self.is_open():
            self._show_model()

    @Slot(object)
    def set_input(self, image: np.ndarray | None) -> None:
        """The model input now read (None: an empty pad)."""
        self._image = image
        if self.is_open() and self._layers is not None:
            self._submit()

    # -- reading and preparing the layers ------------------------------------------------------

    @Slot(bool)
    def _on_toggled(self, shown: bool) -> None:
        if shown:
            if self._model is None:
                self.view.show_message("Loading the model\N{HORIZONTAL ELLIPSIS}")
            elif self._wanted == str(self._model.path) and self._layers is not None:
                self._submit()  # drawn while hidden
            else:
                self._show_model()
        elif self._preparing is not None:
            self._preparer.cancel()  # nobody is looking: seconds of CPU for nothing

    def _show_model(self) -> None:
        assert self._model is not None
        path = str(self._model.path)
        if path == self._wanted:
            return
        if self._preparing is not None and self._preparing != path:
            self._stop_preparing()
        self._wanted, self._layers = path, None
        self.view.show_message(f"Reading the layers of {self._model.name}\N{HORIZONTAL ELLIPSIS}")
        self._ensure_worker()
        self._load_requested.emit(path)

    def _ensure_worker(self) -> None:
        """The thread is started when the panel is first shown: most sessions never need it."""
        if self._worker is not None:
            return
        worker = LayersWorker(self._loader)
        thread = QThread()
        thread.setObjectName("layers")
        worker.moveToThread(thread)
        thread.finished.connect(worker.deleteLater)
        worker.loaded.connect(self._on_loaded)
        worker.form_needed.connect(self._on_form_needed)
        worker.failed.connect(self._on_failed)
        worker.computed.connect(self._on_computed)
        self._load_requested.connect(worker.load)
        self._worker, self._thread = worker, thread
        thread.start()

    def _submit(self) -> None:
        """Run the drawing through the layers shown (there are some, so there is a worker)."""
        assert self._worker is not None
        if self._image is None:
            self.view.set_outputs(None, None)
            self._shown_id = self._request_id
            return
        self._request_id += 1
        self._worker.submit(self._request_id, self._image)

    @Slot(object)
    def _on_loaded(self, info: LayersInfo) -> None:
        if info.path != self._wanted or self._model is None:
            return  # replaced by another model meanwhile
        self._layers = info
        names = self._model.card.outputs or DIGIT_NAMES
        self.view.show_layers(info.layers, info.weights, names)
        self._submit()

    @Slot(object)
    def _on_computed(self, values: LayerValues) -> None:
        if (self._layers is None or values.path != self._layers.path
                or values.request_id < self._shown_id or self._image is None):
            return
        self._shown_id = values.request_id
        self.view.set_outputs(values.image, values.outputs)

    @Slot(str)
    def _on_form_needed(self, path: str) -> None:
        if path != self._wanted or self._model is None:
            return
        if path in self._prepared:  # made, and still not readable: the cache is the trouble
            self._on_failed(path, f"{path}: its layers could not be prepared for viewing; see "
                            "the log for details.")
            return
        if not self.is_open():
            self._wanted = None
            return
        self._preparing = path
        name = self._model.name
        self._show_progress(f"Preparing the layers of {name} for viewing (once)"
                            "\N{HORIZONTAL ELLIPSIS}")
        self._preparer.prepare(path)

    @Slot(str)
    def _on_stage(self, text: str) -> None:
        if self._preparing is not None:
            self._show_progress(text)

    def _show_progress(self, text: str) -> None:
        self.status_text.setText(text)
        self.status.show()
        self.view.show_message(f"{text}\n\nOnce per model: it takes a few seconds.")

    def _stop_preparing(self) -> None:
        self._preparing = None
        self.status.hide()
        self._preparer.cancel()

    @Slot(str)
    def _on_prepared(self, path: str) -> None:
        self._prepared.add(path)
        if path != self._preparing:
            return
        self._preparing = None
        self.status.hide()
        if path == self._wanted:
            self._load_requested.emit(path)

    @Slot(str, str)
    def _on_preparation_failed(self, path: str, message: str) -> None:
        if path != self._preparing:
            return
        self._preparing = None
        self.status.hide()
        self._on_failed(path, message)

    @Slot(str)
    def _on_preparation_cancelled(self, path: str) -> None:
        if path != self._preparing:
            return
        self._preparing = None
        self.status.hide()
        if path == self._wanted:
            self._wanted = None
            self.view.show_message("The layers were not prepared.", "Prepare the Layers")

    @Slot(str, str)
    def _on_failed(self, path: str, message: str) -> None:
        if path != self._wanted:
            return
        self._wanted = None
        log.warning("layers of %s not shown: %s", path, message)
        self.view.show_message(f"The layers cannot be shown.\n\n{message}", "Try Again")

    @Slot()
    def _retry(self) -> None:
        if self._model is not None:
            self._prepared.discard(str(self._model.path))
            self._wanted = None
            self._show_model()
