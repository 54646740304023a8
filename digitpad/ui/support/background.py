"""Work a widget hands off the GUI thread (reading or writing files, the sample store), with the
result delivered back on the GUI thread: the one way widgets run background work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot


class Background(QObject):
    """Runs work on a pool thread, one job at a time; the result comes back as a call on the GUI
    thread. Failures the user can act on (``expected``) go to ``failed``; others are re-raised
    there, so the crash reporter sees them."""

    busy_changed = Signal(bool)
    _finished = Signal(object, object, object)

    def __init__(self, expected: tuple[type[Exception], ...],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._expected = expected
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._busy = False
        self._finished.connect(self._deliver)

    def busy(self) -> bool:
        return self._busy

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None]) -> None:
        self._busy = True
        self.busy_changed.emit(True)

        def job() -> None:
            try:
                result = work()
            except Exception as exc:  # handed to the GUI thread, which decides
                self._finished.emit(failed, None, exc)
            else:
                self._finished.emit(done, result, None)

        self._pool.start(job)

    def wait(self) -> None:
        self._pool.waitForDone()

    @Slot(object, object, object)
    def _deliver(self, callback: Callable[[Any], None], result: Any,
                 error: Exception | None) -> None:
        self._busy = False
        self.busy_changed.emit(False)
        if error is None:
            callback(result)
        elif isinstance(error, self._expected):
            callback(error)
        else:
            raise error
