"""Retrain's default (the "Best for drawings" preset) reaches 99.3 % on MNIST's test set and
98.5 % on the held-out pen writers within 180 s on two cores, and keeps the bundled model's
twelve outputs (``test_not_a_digit.py`` with ``DIGITPAD_MODEL`` measures what they do).

Timed as the user sees it: from clicking Train to the result, through the real runner (child
process start, reading MNIST and the pen-drawn digits shipped with digitpad, rendering the
training writers' digits, TensorFlow import, training, testing on MNIST and on the held-out
writers, saving). Offline, as on a first launch: the test's profile has no Keras cache and no
mnist.npz is chosen. Run on a quiet machine with
``python -m pytest tests/benchmarks/test_training_target.py -m benchmark -s``; the figures, with
the load average they were measured under and the CPU time the training process used (which
other load barely changes), are printed as well as checked.
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
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.presets import DEFAULT
from digitpad.paths import bundled_model_path
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.training.dialog import TrainingDialog

pytestmark = pytest.mark.benchmark

TARGET_MNIST = 0.993
TARGET_PEN_WRITERS = 0.985
TARGET_SECONDS = 180.0
BENCHMARK_TIMEOUT_S = 900
"""On a loaded machine the run takes longer than the suite's five minutes; it still gives its
accuracies (and fails the time)."""


@pytest.mark.timeout(BENCHMARK_TIMEOUT_S)
def test_the_default_reads_mnist_and_the_held_out_writers_well_within_three_minutes(
    qtbot, tmp_path: Path
) -> None:
    QCoreApplication.setApplicationName("digitpad")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = TrainingDialog(settings, ModelLibrary(tmp_path / "models"))
    qtbot.addWidget(dialog)
    bundled = bundled_model_path()
    dialog.set_current_model(ModelInfo(bundled, bundled.name, "", ModelCard.read(bundled)))
    dialog.show()
    assert dialog.presets.current() is DEFAULT
    marks: dict[str, float] = {}

    def on_stage(text: str) -> None:
        marks.setdefault(text, time.perf_counter())

    def on_batch(message: BatchEnd) -> None:
        marks.setdefault("first batch", time.perf_counter())
        if message.batch + 1 == message.batches and message.epoch + 1 == message.epochs:
            marks["last batch"] = time.perf_counter()

    dialog.runner.stage_changed.connect(on_stage)
    dialog.runner.batch_ended.connect(on_batch)
    load_before = os.getloadavg()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with qtbot.waitSignal(dialog.runner.finished, timeout=BENCHMARK_TIMEOUT_S * 1000) as finished:
        dialog.train_button.click()
    seconds = time.perf_counter() - started
    outcome = finished.args[0]
    config = outcome.card.config
    dialog.shutdown()  # the child has been reaped: its CPU time is counted
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime - children_before.ru_utime
           + children.ru_stime - children_before.ru_stime)
    rendering = next((at for text, at in marks.items() if text.startswith("Rendering")), started)
    tensorflow = marks.get("Starting TensorFlow…", rendering)
    print(
        f"\nload average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
        f"({os.cpu_count()} cores)\n"
        f"default ({DEFAULT.title}): {config['arch']}, {config['epochs']} epochs, batch "
        f"{config['batch_size']}, learning rate {config['learning_rate']}, augment "
        f"{config['augment']}, validation {config['validation_fraction']:.0%}, pen-drawn digits "
        f"with {DEFAULT.pen_copies} variants, {DEFAULT.not_a_digit:,} non-digits, "
        f"{len(outcome.card.outputs or range(10))} outputs ({outcome.card.train_examples:,} "
        "training images)\n"
        f"MNIST test accuracy {outcome.test_accuracy:.2%} (bundled model "
        f"{outcome.current_accuracy:.2%}), held-out pen writers {outcome.pen_accuracy:.2%} "
        f"(bundled {outcome.current_pen_accuracy:.2%}, {outcome.pen_samples} drawings) after "
        f"{seconds:.1f} s\n"
        f"(reading and rendering {tensorflow - started:.1f} s, TensorFlow start "
        f"{marks['first batch'] - tensorflow:.1f} s, training "
        f"{marks['last batch'] - marks['first batch']:.1f} s, testing and saving "
        f"{started + seconds - marks['last batch']:.1f} s)\n"
        f"the training process used {cpu:.1f} CPU-seconds ({cpu / (os.cpu_count() or 1):.1f} s "
        "if it had every core to itself)\n"
        "each step began after: " + ", ".join(
            f"{text} {at - started:.1f} s" for text, at in sorted(marks.items(),
                                                                 key=lambda mark: mark[1]))
    )
    assert outcome.card.outputs == list(OUTPUT_NAMES)  # it can say "not a digit", as bundled
    assert outcome.test_accuracy >= TARGET_MNIST
    assert outcome.pen_accuracy is not None and outcome.pen_accuracy >= TARGET_PEN_WRITERS
    assert seconds <= TARGET_SECONDS
