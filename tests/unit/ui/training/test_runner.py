"""The runner drives a real child process: results, failures, crashes and cancels all end cleanly.

The child runs stand-ins from ``training_work`` (no TensorFlow), so each test costs one quick
process start.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digitpad.ml.jobs import UNEXPECTED, BatchEnd, EpochEnd, Outcome, TrainingJob
from digitpad.ui.training.runner import TrainingRunner
from tests.unit.ui import training_work

TIMEOUT_MS = 30_000
"""Starting a Python process on two busy cores can take a few seconds."""


@pytest.fixture
def output(tmp_path: Path) -> Path:
    return tmp_path / "models" / "new.keras"


def job(output: Path) -> TrainingJob:
    return TrainingJob("train", str(output), {"arch": "mlp", "epochs": 2}, priority=0)


@pytest.fixture
def make_runner():
    made: list[TrainingRunner] = []

    def make(work) -> TrainingRunner:
        runner = TrainingRunner(work)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.shutdown()


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir()) if output.parent.exists() else []


def test_a_finished_run_hands_over_its_progress_and_outcome(qtbot, make_runner, output) -> None:
    runner = make_runner(training_work.finish)
    batches: list[BatchEnd] = []
    epochs: list[EpochEnd] = []
    runner.batch_ended.connect(batches.append)
    runner.epoch_ended.connect(epochs.append)
    with qtbot.waitSignal(runner.finished, timeout=TIMEOUT_MS) as finished:
        runner.start(job(output))
        assert runner.is_running()
    outcome: Outcome = finished.args[0]
    assert outcome.path == str(output) and output.read_bytes() == b"model"
    assert [(b.epoch, b.batch) for b in batches] == [(e, b) for e in range(2) for b in range(3)]
    assert [e.logs["val_loss"] for e in epochs] == [0.6, 0.6]
    assert not runner.is_running()


def test_a_failure_inside_the_child_is_reported_and_leaves_nothing(
    qtbot, make_runner, output, caplog
) -> None:
    runner = make_runner(training_work.explode)
    with qtbot.waitSignal(runner.failed, timeout=TIMEOUT_MS) as failed:
        runner.start(job(output))
    assert failed.args == [UNEXPECTED, "RuntimeError: injected failure"]
    assert leftovers(output) == []
    assert "Traceback" in caplog.text and "injected failure" in caplog.text
    assert not runner.is_running()


def test_a_child_that_dies_without_a_word_is_reported_as_such(qtbot, make_runner, output) -> None:
    runner = make_runner(training_work.die)
    with qtbot.waitSignal(runner.failed, timeout=TIMEOUT_MS) as failed:
        runner.start(job(output))
    problem, message = failed.args
    assert problem == UNEXPECTED
    assert "stopped unexpectedly (exit code 3)" in message and "Nothing was saved" in message
    assert leftovers(output) == []


def test_cancel_stops_the_run_at_a_batch_and_removes_what_it_began(
    qtbot, make_runner, output
) -> None:
    runner = make_runner(training_work.train_until_stopped)
    with qtbot.waitSignal(runner.batch_ended, timeout=TIMEOUT_MS):
        runner.start(job(output))
    with qtbot.waitSignal(runner.cancelled, timeout=TIMEOUT_MS):
        runner.cancel()
    assert leftovers(output) == []
    assert not runner.is_running()


def test_a_child_that_cannot_stop_by_itself_is_terminated(qtbot, make_runner, output) -> None:
    runner = make_runner(training_work.ignore_stop)
    with qtbot.waitSignal(runner.stage_changed, timeout=TIMEOUT_MS):
        runner.start(job(output))
    with qtbot.waitSignal(runner.cancelled, timeout=TIMEOUT_MS), \
            qtbot.assertNotEmitted(runner.failed):
        runner.cancel()
    assert leftovers(output) == []


def test_one_run_at_a_time(qtbot, make_runner, output) -> None:
    runner = make_runner(training_work.ignore_stop)
    runner.start(job(output))
    with pytest.raises(RuntimeError, match="already going"):
        runner.start(job(output))


def test_shutdown_ends_a_run_at_once_and_silently(qtbot, make_runner, output) -> None:
    runner = make_runner(training_work.ignore_stop)
    with qtbot.waitSignal(runner.stage_changed, timeout=TIMEOUT_MS):
        runner.start(job(output))
    with qtbot.assertNotEmitted(runner.cancelled, wait=150), \
            qtbot.assertNotEmitted(runner.failed, wait=150):  # a few polling intervals
        runner.shutdown()
    assert not runner.is_running()
    assert leftovers(output) == []


def test_the_training_ui_does_not_import_tensorflow() -> None:
    """Retrain and History run on the GUI thread: importing TensorFlow there would freeze it."""
    code = (
        "import sys, digitpad.ui.training.runner, digitpad.ui.training.dialog, "
        "digitpad.ui.models.history, digitpad.ui.models.choice; "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    assert fresh_python(code) == "[]"


def test_an_idle_runner_starts_no_helper_process() -> None:
    """Every launch makes a runner; only a training run should cost a process."""
    code = (
        "from multiprocessing import resource_tracker; "
        "from digitpad.ui.training.runner import TrainingRunner; "
        "runner = TrainingRunner(); runner.cancel(); "
        "print(resource_tracker._resource_tracker._fd is None)"
    )
    assert fresh_python(code) == "True"


def fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter, where nothing else is imported or started."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()
