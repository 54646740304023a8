"""The app's side of a training run: starts the child process and turns its messages into signals.

Why a process and not a thread: see :mod:`digitpad.ml.training_process`. The messages come over a
``multiprocessing`` queue that a timer on the GUI thread drains every ``POLL_MS``: unpickling a
few small messages costs microseconds, there is no second thread to keep in step, and the same
tick notices a child that died without a word (killed, out of memory, a crash inside TensorFlow).

Cancel sets the child's stop flag, which it honours at the next batch boundary; a child still
alive ``CANCEL_GRACE_MS`` later (busy importing TensorFlow, testing or saving) is terminated.
Either way whatever it may have begun writing at the job's output path is removed, so a
cancelled, failed or crashed run leaves the model library as it was.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from multiprocessing.context import SpawnProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from digitpad.ml.jobs import (
    CONVERT,
    UNEXPECTED,
    BatchEnd,
    Cancelled,
    EpochEnd,
    Failed,
    Finished,
    Stage,
    TrainingJob,
    Work,
)
from digitpad.ml.model_library import ModelLibrary
from digitpad.ml.training_process import child_main, run_job

log = logging.getLogger(__name__)

POLL_MS = 50
"""How often the queue is read: progress at 20 updates a second is smooth to the eye."""
CANCEL_GRACE_MS = 1000
"""How long a cancelled child may take to stop by itself before it is terminated."""
_MESSAGES_PER_POLL = 200
"""A cap so that one tick never holds the GUI thread for long, whatever the child sends (after
the child has exited, everything left is read at once)."""


class TrainingRunner(QObject):
    """Runs one :class:`TrainingJob` at a time in a child process."""

    stage_changed = Signal(str)
    """A step without batch progress: reading data, starting TensorFlow, testing, saving."""
    batch_ended = Signal(object)
    """A BatchEnd: where the run is and the running figures of the epoch."""
    epoch_ended = Signal(object)
    """An EpochEnd: the epoch's training and validation figures."""
    finished = Signal(object)
    """An Outcome: the new model is saved at ``outcome.path``."""
    failed = Signal(str, str)
    """(problem, message): a problem kind of :mod:`digitpad.ml.jobs` and what to tell the user."""
    cancelled = Signal()
    """The run stopped on request; nothing was saved."""

    def __init__(self, work: Work = run_job, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._context = multiprocessing.get_context("spawn")
        self._process: SpawnProcess | None = None
        self._queue: Queue | None = None
        self._stop: Event | None = None
        """Made per run: creating one starts multiprocessing's resource tracker process."""
        self._job: TrainingJob | None = None
        self._final: Finished | Failed | Cancelled | None = None
        self._cancelling = False
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._read)
        self._grace = QTimer(self, singleShot=True, interval=CANCEL_GRACE_MS)
        self._grace.timeout.connect(self._terminate)

    def is_running(self) -> bool:
        return self._job is not None

    def start(self, job: TrainingJob) -> None:
        if self._job is not None:
            raise RuntimeError("a training run is already going; cancel it first")
        self._job = job
        self._final = None
        self._cancelling = False
        self._stop = self._context.Event()
        self._queue = self._context.Queue()
        self._process = self._context.Process(
            target=child_main, args=(self._work, job, self._queue, self._stop),
            name="digitpad-training", daemon=True,  # never outlives the app
        )
        self._process.start()
        log.info("training started: %s -> %s (pid %s)", job.kind, job.output, self._process.pid)
        self._poll.start()

    @Slot()
    def cancel(self) -> None:
        """Stop the run; ``cancelled`` follows within about a second."""
        if self._job is None or self._stop is None or self._cancelling:
            return
        self._cancelling = True
        self._stop.set()
        self._grace.start()

    def shutdown(self) -> None:
        """End any run now (the app is closing); no signal follows."""
        self._grace.stop()
        self._poll.stop()
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        self._clean_up()

    @Slot()
    def _terminate(self) -> None:
        if self._process is not None and self._process.is_alive():
            log.info("training process %s did not stop in time; terminating it", self._process.pid)
            self._process.terminate()

    @Slot()
    def _read(self) -> None:
        process, messages = self._process, self._queue
        if process is None or messages is None or self._job is None:
            return
        alive = process.is_alive()  # before draining, so no message sent before death is missed
        count = 0
        while not alive or count < _MESSAGES_PER_POLL:
            count += 1
            try:
                message = messages.get_nowait()
            except queue.Empty:
                break
            except (EOFError, OSError, ValueError) as exc:  # a message cut short by a kill
                log.warning("unreadable message from the training process: %s", exc)
                break
            self._handle(message)
        if not alive:
            self._end(process.exitcode)

    def _handle(self, message: object) -> None:
        if self._final is not None or self._cancelling:
            if isinstance(message, Finished | Failed | Cancelled):
                self._final = message
            return
        if isinstance(message, Stage):
            self.stage_changed.emit(message.text)
        elif isinstance(message, BatchEnd):
            self.batch_ended.emit(message)
        elif isinstance(message, EpochEnd):
            self.epoch_ended.emit(message)
        elif isinstance(message, Finished | Failed | Cancelled):
            self._final = message

    def _end(self, exit_code: int | None) -> None:
        """The child has exited: say how the run ended and forget it."""
        final, cancelling, job = self._final, self._cancelling, self._job
        self._grace.stop()
        self._poll.stop()
        if isinstance(final, Finished) and not cancelling:
            self._forget()
            log.info("%s finished: %s", job.kind if job else "job", final.outcome)
            self.finished.emit(final.outcome)
            return
        self._clean_up()
        if cancelling:
            log.info("training cancelled")
            self.cancelled.emit()
        elif isinstance(final, Failed):
            if final.details:
                log.error("training failed: %s\n%s", final.message, final.details)
            else:
                log.warning("training failed: %s", final.message)
            self.failed.emit(final.problem, final.message)
        else:
            assert job is not None
            log.error("training process ended without a result (exit code %s)", exit_code)
            self.failed.emit(
                UNEXPECTED,
                f"The training process stopped unexpectedly (exit code {exit_code}), perhaps "
                "because the computer ran short of memory. Nothing was saved; the current model "
                "is unchanged. Try again, perhaps with a smaller batch size.",
            )

    def _clean_up(self) -> None:
        """Remove anything the run began writing, and forget it."""
        job = self._job
        self._forget()
        if job is None or job.kind == CONVERT:
            return  # a conversion writes atomically; its cache holds no half-made model
        output = Path(job.output)
        try:
            ModelLibrary(output.parent).delete(output)
        except OSError as exc:
            log.warning("could not remove the unfinished model %s: %s", output, exc)

    def _forget(self) -> None:
        if self._queue is not None:
            self._queue.close()
        if self._process is not None:
            self._process.join(1)
        self._job = self._process = self._queue = None
        self._final = None
