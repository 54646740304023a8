"""The Retrain dialog's defaults reach 99.2 % MNIST test accuracy within 120 s (issue 4's target).

Timed as the user sees it: from clicking Train to the result, through the real runner (child
process start, TensorFlow import, reading all of MNIST, training, testing, saving). Run on a quiet
machine with ``python -m pytest tests/benchmarks/test_training_target.py -m benchmark -s``; the
figures, with the load average they were measured under and the CPU time the training process
used (which other load barely changes), are printed as well as checked.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from digitpad.ml.card import ModelCard
from digitpad.ml.jobs import BatchEnd
from digitpad.ml.model_library import ModelLibrary
from digitpad.paths import bundled_model_path
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.training.dialog import TrainingDialog
from digitpad.ui.training.form import MNIST_PATH_KEY

pytestmark = pytest.mark.benchmark

TARGET_ACCURACY = 0.992
TARGET_SECONDS = 120.0


def test_the_defaults_reach_the_target_accuracy_within_two_minutes(
    qtbot, tmp_path: Path, mnist_path: Path
) -> None:
    QCoreApplication.setApplicationName("digitpad")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(MNIST_PATH_KEY, str(mnist_path))
    dialog = TrainingDialog(settings, ModelLibrary(tmp_path / "models"))
    qtbot.addWidget(dialog)
    bundled = bundled_model_path()
    dialog.set_current_model(ModelInfo(bundled, bundled.name, "", ModelCard.read(bundled)))
    dialog.show()
    marks: dict[str, float] = {}

    def on_batch(message: BatchEnd) -> None:
        marks.setdefault("first batch", time.perf_counter())
        if message.batch + 1 == message.batches and message.epoch + 1 == message.epochs:
            marks["last batch"] = time.perf_counter()

    dialog.runner.batch_ended.connect(on_batch)
    load_before = os.getloadavg()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with qtbot.waitSignal(dialog.runner.finished, timeout=900_000) as finished:
        dialog.train_button.click()
    seconds = time.perf_counter() - started
    outcome = finished.args[0]
    config = outcome.card.config
    dialog.shutdown()  # the child has been reaped: its CPU time is counted
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime - children_before.ru_utime
           + children.ru_stime - children_before.ru_stime)
    print(
        f"\nload average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
        f"({os.cpu_count()} cores)\n"
        f"defaults: {config['arch']}, {config['epochs']} epochs, batch {config['batch_size']}, "
        f"learning rate {config['learning_rate']}, augment {config['augment']}\n"
        f"MNIST test accuracy {outcome.test_accuracy:.2%} after {seconds:.1f} s "
        f"(start-up {marks['first batch'] - started:.1f} s, training "
        f"{marks['last batch'] - marks['first batch']:.1f} s, testing and saving "
        f"{started + seconds - marks['last batch']:.1f} s)\n"
        f"the training process used {cpu:.1f} CPU-seconds ({cpu / (os.cpu_count() or 1):.1f} s "
        "if it had every core to itself)"
    )
    assert outcome.test_accuracy >= TARGET_ACCURACY
    assert seconds <= TARGET_SECONDS
