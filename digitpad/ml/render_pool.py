"""Rendering thousands of drawings on every core, for ``digitpad classify`` of big ink files.

Rendering one drawing takes ~0.2 ms of Python holding the GIL, classifying it ~0.12 ms of LiteRT
on two cores; in one process the renderer is the bottleneck. Worker processes render batches in
order while this process classifies. They are spawned, not forked: safe beside LiteRT's threads,
and the frozen app runs them the way it runs the training child.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

import numpy as np

from digitpad.ml.batching import batched
from digitpad.ml.ink import Drawing
from digitpad.ml.preprocess import ink_to_image

PARALLEL_FROM_BYTES = 1_000_000
"""Ink files of this size together (~2,000 drawings) are rendered by worker processes; for less,
starting the workers (~0.3 s) would cost more than it saves."""
MAX_WORKERS = 8
CHUNK = 128
"""Drawings per message to a worker: enough to amortise the pickling, small enough that the
model gets its first batch early. Twice as many chunks as workers are in flight."""

Strokes = Sequence[np.ndarray]


class InkRenderer:
    """Renders drawings to model inputs (:func:`ink_to_image`), in order; in worker processes
    when ``parallel`` and the machine has more than one core.

    Use it as a context manager, entered before the files are read: the workers start while the
    caller parses, so their start-up is hidden.
    """

    def __init__(self, parallel: bool) -> None:
        cores = os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight = 0
        if parallel and cores > 1:
            workers = min(cores, MAX_WORKERS)
            spawn = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(workers, mp_context=spawn,
                                             initializer=_leave_ctrl_c_to_the_command)
            self._in_flight = 2 * workers
            for _ in range(workers):  # each submit starts a worker, which imports numpy and Pillow
                self._pool.submit(_ready)

    def render(self, drawings: Iterable[Drawing]) -> Iterator[np.ndarray | None]:
        """Each drawing's model input (None for an empty one), in order, lazily: ``drawings``
        may still be parsing its file while the first batches render."""
        if self._pool is None:
            yield from (ink_to_image(drawing.strokes) for drawing in drawings)
            return
        pending: deque[Future[list[np.ndarray | None]]] = deque()
        for chunk in batched((drawing.strokes for drawing in drawings), CHUNK):
            pending.append(self._pool.submit(_render_chunk, chunk))
            while len(pending) > self._in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def __enter__(self) -> InkRenderer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def _render_chunk(drawings: list[Strokes]) -> list[np.ndarray | None]:
    return [ink_to_image(strokes) for strokes in drawings]


def _leave_ctrl_c_to_the_command() -> None:
    """Ctrl+C reaches the whole process group: the command says "interrupted" and stops the
    workers; they must not each print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ready() -> None:
    """A worker's first task: nothing, once its imports are done."""
