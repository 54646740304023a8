"""Model → Compare With: a second model reads the same drawing, its bars beside the first's.

The second model runs on a thread of its own (a :class:`~digitpad.ui.pad.workers.ModelThread`),
so the live reading never waits for it: each model input the window shows (the drawing, or the
selected digit of a number, or a picture) is posted to it too, and the latest one wins. A model
file without its LiteRT form is prepared by a conversion child first, as Load Model… does; Stop
Comparing cancels that. The chart shows the second series; a line under it names both models and
both verdicts, which is the lesson: the tutorial's MLP beside the CNN on the user's own 7.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSettings, QThread, Signal, Slot
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from digitpad.ml.outputs import Sevens
from digitpad.ml.recognizer import Prediction
from digitpad.ui.models.preparation import ModelPreparer
from digitpad.ui.pad.probability_chart import COMPARED
from digitpad.ui.pad.verdict import digit_caption
from digitpad.ui.pad.workers import Model, ModelInfo, ModelThread, model_thread
from digitpad.ui.support.dialogs import MODEL_FILTER, Dialogs, open_from_last_folder

log = logging.getLogger(__name__)


class ModelComparison(QObject):
    """The menu, the second model's thread and the legend; see the module docstring.

    The composition root tells it the model in use, each model input and prediction shown, and
    the writer's 1s and 7s; it shows ``compared`` on the chart and reports ``failed``.
    """

    compared = Signal(object)
    """The second model's ten probabilities for the input shown, or None: not comparing."""
    failed = Signal(str, str)
    """(title, message): the second model cannot be used; the comparison stopped."""
    history_requested = Signal()
    _load_requested = Signal(str)
    _sevens_changed = Signal(object)

    def __init__(self, loader: Callable[[Path], Model], preparer: ModelPreparer,
                 bundled: Path, settings: QSettings, dialogs: Callable[[], Dialogs],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._preparer = preparer
        self._bundled = bundled
        self._settings = settings
        self._dialogs = dialogs
        self._worker: ModelThread | None = None
        self._thread: QThread | None = None
        self._path: str | None = None
        """The second model asked for; None while not comparing."""
        self._other: ModelInfo | None = None
        """The second model, once it has loaded."""
        self._prepared: set[str] = set()
        self._first: ModelInfo | None = None
        self._image: np.ndarray | None = None
        self._first_prediction = Prediction.empty()
        self._second_prediction = Prediction.empty()
        self._request_id = 0
        self._answered = 0
        """The latest request the second model's bars are of."""
        self._sevens = Sevens.PLAIN

        self.menu = QMenu("&Compare With", parent)
        self.menu.setStatusTip("A second model reads the same drawing; its bars stand beside")
        self.bundled_action = self.menu.addAction("The &Bundled Model")
        self.bundled_action.triggered.connect(lambda: self.compare_with(str(self._bundled)))
        self.history_action = self.menu.addAction("A Model from &History…")
        self.history_action.setStatusTip("Choose a retrained model, then Compare")
        self.history_action.triggered.connect(self.history_requested.emit)
        self.file_action = self.menu.addAction("A Model &File…")
        self.file_action.triggered.connect(self._choose_file)
        self.menu.addSeparator()
        self.stop_action: QAction = self.menu.addAction("&Stop Comparing")
        self.stop_action.triggered.connect(self.stop)
        self.stop_action.setEnabled(False)

        self.legend = QLabel(objectName="comparison-legend")
        self.legend.setWordWrap(True)
        self.legend.hide()

        preparer.prepared.connect(self._on_prepared)
        preparer.failed.connect(self._on_failed)
        preparer.cancelled.connect(self._on_cancelled)
        preparer.stage_changed.connect(self._on_stage)

    def is_comparing(self) -> bool:
        return self._path is not None

    def is_preparing(self) -> bool:
        """Whether a conversion child is preparing the second model (or stopping)."""
        return self._preparer.is_preparing()

    def other(self) -> ModelInfo | None:
        """The second model, once loaded (None while not comparing or still loading)."""
        return self._other

    def is_up_to_date(self) -> bool:
        """Whether the second model's bars are of the input shown now."""
        return self._other is not None and self._answered == self._request_id

    def shutdown(self) -> None:
        """End a preparation and the second model's thread (at quit)."""
        self._preparer.shutdown()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    # -- what the user and the composition root ask ---------------------------------------------

    @Slot(str)
    def compare_with(self, path: str) -> None:
        """Read every input with the model at ``path`` too, beside the model in use."""
        if self._preparer.is_preparing():
            self._preparer.cancel()
        self._path, self._other = path, None
        self._request_id += 1  # the input shown is still to be read by this model
        if self._worker is not None:
            self._worker.drop_pending()  # an input for the model before
        self._second_prediction = Prediction.empty()
        self.stop_action.setEnabled(True)
        self.compared.emit(None)
        self._show_legend(f"Loading {Path(path).name} to compare\N{HORIZONTAL ELLIPSIS}")
        self._ensure_worker()
        self._load_requested.emit(path)

    @Slot()
    def stop(self) -> None:
        if self._preparer.is_preparing():
            self._preparer.cancel()
        self._path, self._other = None, None
        self.stop_action.setEnabled(False)
        if self._worker is not None:
            self._worker.drop_pending()
        self.compared.emit(None)
        self.legend.hide()

    @Slot(object)
    def set_model(self, info: ModelInfo) -> None:
        """The model in use (the first of the two)."""
        self._first = info
        self._update_legend()

    @Slot(object)
    def set_sevens(self, sevens: Sevens) -> None:
        self._sevens = sevens
        self._sevens_changed.emit(sevens)
        self._update_legend()

    @Slot(object)
    def set_input(self, image: np.ndarray | None) -> None:
        """The model input the window shows now (None: an empty pad)."""
        self._image = image
        self._request_id += 1
        self._submit()

    @Slot(object)
    def set_prediction(self, prediction: Prediction) -> None:
        """The first model's answer, for the legend."""
        self._first_prediction = prediction
        self._update_legend()

    # -- the second model -----------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        if self._worker is not None:
            return
        worker, thread = model_thread(self._loader, "comparison", self._sevens,
                                      self._load_requested, self._sevens_changed)
        worker.model_loaded.connect(self._on_loaded)
        worker.model_failed.connect(self._on_failed)
        worker.conversion_needed.connect(self._on_conversion_needed)
        worker.predicted.connect(self._on_predicted)
        self._worker, self._thread = worker, thread
        thread.start()

    def _submit(self) -> None:
        if self._worker is None or self._other is None:
            return
        request_id, image = self._request_id, self._image
        if image is None:
            self._answered = request_id
            self._second_prediction = Prediction.empty()
            self.compared.emit(np.zeros(10, np.float32))
            self._update_legend()
            return
        path = str(self._other.path)
        self._worker.post(lambda model: (path, request_id, model.predict_image(image)))

    @Slot(object)
    def _on_loaded(self, info: ModelInfo) -> None:
        if str(info.path) != self._path:
            return  # replaced, or stopped, meanwhile
        self._other = info
        self._update_legend()
        self._submit()

    @Slot(object)
    def _on_predicted(self, answer: tuple[str, int, Prediction]) -> None:
        if self._other is None:
            return
        path, request_id, prediction = answer
        if path != str(self._other.path) or request_id < self._answered:
            return
        self._answered = request_id
        self._second_prediction = prediction
        self.compared.emit(prediction.probabilities)
        self._update_legend()

    @Slot(str)
    def _on_conversion_needed(self, path: str) -> None:
        if path != self._path:
            return
        if path in self._prepared:  # made, and still not loadable: the cache is the trouble
            self._on_failed(path, f"{path}: it could not be prepared; see the log for details.")
            return
        self._show_legend(f"Preparing {Path(path).name} to compare (Model → Compare With → "
                          "Stop Comparing cancels)\N{HORIZONTAL ELLIPSIS}")
        self._preparer.prepare(path)

    @Slot(str)
    def _on_prepared(self, path: str) -> None:
        if path != self._path:
            return
        self._prepared.add(path)
        self._load_requested.emit(path)

    @Slot(str)
    def _on_stage(self, stage: str) -> None:
        if self._path is not None and self._other is None:
            self._show_legend(f"Preparing {Path(self._path).name} to compare: {stage}")

    @Slot(str)
    def _on_cancelled(self, path: str) -> None:
        log.info("preparing %s for comparison cancelled", path)

    @Slot(str, str)
    def _on_failed(self, path: str, message: str) -> None:
        if path != self._path:
            return
        self.stop()
        self.failed.emit("Cannot compare with this model",
                         f"{message}\n\nThe model in use stays; choose another to compare with.")

    @Slot()
    def _choose_file(self) -> None:
        path = open_from_last_folder(self._dialogs(), self._settings,
                                     "Compare with a Keras model", MODEL_FILTER)
        if path is not None:
            self.compare_with(str(path))

    # -- the legend -------------------------------------------------------------------------------

    def _update_legend(self) -> None:
        if self._other is None or self._first is None:
            return
        self._show_legend(comparison_text(
            (self._first.name, self._first_prediction), (self._other.name, self._second_prediction),
            self._sevens, self.legend.palette().color(QPalette.ColorRole.Highlight)))

    def _show_legend(self, text: str) -> None:
        self.legend.setText(text)
        self.legend.show()


def comparison_text(first: tuple[str, Prediction], second: tuple[str, Prediction],
                    sevens: Sevens, accent: QColor) -> str:
    """The line under a compared chart: each model's name by its bars' colour (``accent`` is
    the first model's), and its verdict in the pad's words."""
    (first_name, first_prediction), (second_name, second_prediction) = first, second
    return (f"<span style='color:{accent.name()}'>\N{BLACK SQUARE}</span> "
            f"{first_name}: <b>{_verdict(first_prediction, sevens)}</b> &nbsp; "
            f"<span style='color:{COMPARED.name()}'>\N{BLACK SQUARE}</span> "
            f"{second_name}: <b>{_verdict(second_prediction, sevens)}</b>")


def _verdict(prediction: Prediction, sevens: Sevens) -> str:
    if prediction.digit is None:
        return "\N{EM DASH}"
    return digit_caption(prediction, sevens=sevens)[0]
