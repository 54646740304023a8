"""The current model reads the user's samples on the recogniser thread, a chunk at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from digitpad.samples import SampleStore
from digitpad.ui.pad.workers import BATCH_CHUNK
from tests.unit.ui.teaching.my_samples import add, read_all

if TYPE_CHECKING:  # fixture types; conftest itself is loaded by pytest
    from tests.unit.ui.conftest import RunningRecognizer


def test_another_model_reads_them_all_again(
    open_window, sample_store: SampleStore, recognizer_thread: RunningRecognizer, qtbot
) -> None:
    for label in range(5):
        add(sample_store, label)
    window = open_window()
    read_all(window, qtbot)
    with qtbot.waitSignal(recognizer_thread.live.model_ready):
        recognizer_thread.live.load_model("/models/other.keras")
    read_all(window, qtbot)
    assert window.summary.text() == "other.keras reads 5 of 5 right (100%)"


def test_hundreds_of_samples_are_read_in_chunks(
    open_window, sample_store: SampleStore, tmp_path: Path, qtbot
) -> None:
    window = open_window()
    chunks: list[tuple[int, int]] = []
    window.guesses.progress.connect(lambda done, total: chunks.append((done, total)))
    count = 2 * BATCH_CHUNK + 3
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"label": i % 10, "strokes": [[[0, 0], [i + 1, 7], [3, i]]]}
                                for i in range(count)]))
    assert len(sample_store.import_ink(path).added) == count
    qtbot.waitUntil(lambda: window.samples.rowCount() == count)
    read_all(window, qtbot)
    assert window.samples.guess_summary()[1] == count
    # Progress in steps, the grid filling in from the top while the pad stays live.
    assert chunks == [(0, count), (BATCH_CHUNK, count), (2 * BATCH_CHUNK, count),
                      (count, count)]
