"""The training curves: a point per epoch per curve, a running line during an epoch, a PNG."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from digitpad.ui.training.plots import TRAINING, VALIDATION, TrainingPlot, TrainingPlots


def logs(accuracy: float, loss: float, val_accuracy: float, val_loss: float) -> dict[str, float]:
    return {"sparse_categorical_accuracy": accuracy, "loss": loss,
            "val_sparse_categorical_accuracy": val_accuracy, "val_loss": val_loss}


@pytest.fixture
def plots(qtbot) -> TrainingPlots:
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    widget.resize(520, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_epochs_become_points_of_both_curves(plots: TrainingPlots) -> None:
    plots.reset(5)
    plots.add_epoch(0, logs(0.90, 0.30, 0.95, 0.20))
    plots.add_epoch(1, logs(0.97, 0.10, 0.96, 0.15))
    assert plots.accuracy.points(TRAINING) == [(1.0, 0.90), (2.0, 0.97)]
    assert plots.accuracy.points(VALIDATION) == [(1.0, 0.95), (2.0, 0.96)]
    assert plots.loss.points(TRAINING) == [(1.0, 0.30), (2.0, 0.10)]
    assert plots.loss.points(VALIDATION) == [(1.0, 0.20), (2.0, 0.15)]
    assert plots.accuracy.epochs() == 5 and plots.has_data()


def test_the_epoch_under_way_is_a_running_line_until_it_ends(plots: TrainingPlots) -> None:
    plots.reset(3)
    plots.add_batch(0, 99, 400, {"sparse_categorical_accuracy": 0.6, "loss": 1.2})
    plots.add_batch(0, 199, 400, {"sparse_categorical_accuracy": 0.8, "loss": 0.6})
    assert plots.accuracy.running() == [(0.25, 0.6), (0.5, 0.8)]
    assert plots.loss.running() == [(0.25, 1.2), (0.5, 0.6)]
    assert not plots.has_data()  # no epoch finished yet
    plots.grab()
    plots.add_epoch(0, logs(0.85, 0.5, 0.93, 0.25))
    assert plots.accuracy.running() == [] and plots.loss.running() == []


def test_early_stopping_or_more_epochs_than_planned_widen_the_axis(plots: TrainingPlots) -> None:
    plots.reset(2)
    for epoch in range(3):
        plots.add_epoch(epoch, logs(0.9, 0.3, 0.9, 0.3))
    assert plots.accuracy.epochs() == 3


def test_a_models_history_is_shown_whole(plots: TrainingPlots) -> None:
    plots.set_history({"loss": [0.3, 0.1, 0.05], "val_loss": [0.2, 0.12, 0.14],
                       "sparse_categorical_accuracy": [0.9, 0.97, 0.99],
                       "val_sparse_categorical_accuracy": [0.95, 0.97, 0.96]})
    assert plots.loss.points(VALIDATION) == [(1.0, 0.2), (2.0, 0.12), (3.0, 0.14)]
    assert plots.accuracy.epochs() == 3
    plots.set_history({})  # a model whose card has no history
    assert not plots.has_data()


def test_a_diverged_run_skips_values_that_are_not_numbers(plots: TrainingPlots) -> None:
    plots.reset(2)
    plots.add_epoch(0, logs(0.1, math.nan, 0.1, math.inf))
    plots.add_batch(1, 0, 10, {"loss": math.nan, "sparse_categorical_accuracy": 0.1})
    assert plots.loss.points(TRAINING) == [] and plots.loss.running() == []
    assert plots.accuracy.points(TRAINING) == [(1.0, 0.1)]
    plots.grab()


@pytest.mark.parametrize(
    "values",
    [[], [1.0], [1.0, 1.0], [0.2, 0.999], [0.98, 0.985, 0.99], [0.0001, 0.00012]],
    ids=["empty", "one-perfect", "all-perfect", "wide", "narrow", "tiny"],
)
def test_any_values_paint(qtbot, values: list[float]) -> None:
    for percent in (True, False):
        plot = TrainingPlot("Accuracy" if percent else "Loss", percent=percent)
        qtbot.addWidget(plot)
        plot.resize(400, 220)
        plot.set_history(values, values[::-1])
        assert not plot.grab().isNull()


def test_the_plots_are_saved_as_one_sharp_png(plots: TrainingPlots, tmp_path: Path) -> None:
    plots.add_epoch(0, logs(0.9, 0.3, 0.95, 0.2))
    target = tmp_path / "curves.png"
    plots.save_png(target)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (2 * plots.width(), 2 * plots.height())
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]  # no temporary file left


def test_a_png_that_cannot_be_written_raises_and_leaves_nothing(
    plots: TrainingPlots, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(OSError):
        plots.save_png(blocked / "curves.png")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]
