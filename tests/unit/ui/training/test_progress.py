"""The run's progress: a busy bar until the first batch, then how far it is and how long is left."""

from __future__ import annotations

from digitpad.ml.jobs import BatchEnd
from digitpad.ui.training.progress import RunProgress, clock


def test_the_bar_follows_the_batches_and_the_status_gives_the_times(qtbot) -> None:
    progress = RunProgress()
    qtbot.addWidget(progress)
    progress.start(0)  # a fine-tune: the epochs come with the first batch
    assert progress.bar.maximum() == 0 and progress.status.text() == "Starting…"
    progress.stage("Reading mnist.npz…")
    assert progress.status.text() == "Reading mnist.npz… · 0:00 elapsed"
    assert progress.batch(BatchEnd(0, 4, 10, 2, {})) is True
    assert progress.epochs() == 2 and progress.bar.value() == 250
    assert progress.status.text().startswith("Epoch 1 of 2 · batch 5 of 10 · 0:00 elapsed · about ")
    assert progress.batch(BatchEnd(1, 9, 10, 2, {})) is False
    progress.stop(finished=True)
    assert progress.bar.value() == progress.bar.maximum() == 1000


def test_times_read_like_a_stopwatch() -> None:
    assert [clock(s) for s in (0, 59.6, 61, 3600)] == ["0:00", "1:00", "1:01", "60:00"]
