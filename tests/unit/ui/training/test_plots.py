"""The training curves: a point per batch message (smoothed), a point per epoch for validation,
epoch marks, a view that keeps every point, tick labels that are whole, a PNG; and pyqtgraph left
out of the app's start-up."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QFontMetrics, QImage

from digitpad.ui.training.plots import (
    MARKED_EPOCHS,
    TRAINING,
    VALIDATION,
    VALIDATION_COLOUR,
    TrainingPlot,
    TrainingPlots,
    number_label,
    percent_label,
)

PROJECT_ROOT = Path(__file__).resolve().parents[4]
"""The checkout, so that a fresh interpreter imports this digitpad, not an installed one."""


def logs(accuracy: float, loss: float, val_accuracy: float, val_loss: float) -> dict[str, float]:
    return {"sparse_categorical_accuracy": accuracy, "loss": loss,
            "val_sparse_categorical_accuracy": val_accuracy, "val_loss": val_loss}


def running(accuracy: float, loss: float) -> dict[str, float]:
    return {"sparse_categorical_accuracy": accuracy, "loss": loss}


def train_epochs(plots: TrainingPlots, epochs: list[list[tuple[float, float]]],
                 validation: list[tuple[float, float]]) -> None:
    """Feed ``epochs`` of (accuracy, loss) per batch as Keras reports them: every batch a
    message whose figures are the running means of its epoch; then each epoch's figures."""
    for epoch, batches in enumerate(epochs):
        accuracy = loss = 0.0
        for batch, (batch_accuracy, batch_loss) in enumerate(batches):
            accuracy += batch_accuracy
            loss += batch_loss
            plots.add_batch(epoch, batch, len(batches),
                            running(accuracy / (batch + 1), loss / (batch + 1)))
        plots.add_epoch(epoch, logs(accuracy / len(batches), loss / len(batches),
                                    *validation[epoch]))


@pytest.fixture
def plots(qtbot) -> TrainingPlots:
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    widget.resize(520, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_batch_points_appear_as_they_come(plots: TrainingPlots) -> None:
    plots.reset(3)
    assert not plots.has_data()
    for batch in range(4):
        plots.add_batch(0, batch, 400, running(0.5, 1.0))
        assert [x for x, _ in plots.accuracy.batches()] == pytest.approx(
            [(b + 0.5) / 400 for b in range(batch + 1)])
        assert len(plots.loss.batches()) == batch + 1
        assert plots.has_data()  # before any epoch ends: a cancelled first epoch can be saved


def test_a_point_is_the_mean_of_the_batches_since_the_last_message(plots: TrainingPlots) -> None:
    """The child reports at most ten times a second: a fast model's message covers batches."""
    plots.reset(2)
    accuracies = [0.5, 0.7, 0.9, 0.6]
    for batch in (0, 2, 3):  # batch 1 came between two messages
        mean = sum(accuracies[: batch + 1]) / (batch + 1)
        plots.add_batch(0, batch, 4, running(mean, 1 - mean))
    plots.add_batch(1, 0, 4, running(0.95, 0.05))  # a new epoch's running means start again
    x, values = zip(*plots.accuracy.batches(), strict=True)
    assert x == pytest.approx((0.125, 0.5, 0.875, 1.125))  # the middle of what each covers
    assert values == pytest.approx((0.5, 0.8, 0.6, 0.95))
    assert [v for _, v in plots.loss.batches()] == pytest.approx([0.5, 0.2, 0.4, 0.05])


def test_the_training_curve_is_smoothed_but_follows_a_change_within_a_tenth_of_an_epoch(
    plots: TrainingPlots,
) -> None:
    plots.reset(1)
    noisy = [(0.90 if batch % 2 else 1.0, 0.3) for batch in range(200)]
    train_epochs(plots, [noisy + [(0.5, 2.0)] * 200], [(0.9, 0.3)])
    smoothed = [value for _, value in plots.accuracy.smoothed()]
    raw = [value for _, value in plots.accuracy.batches()]
    assert max(raw[100:200]) - min(raw[100:200]) == pytest.approx(0.1)
    assert max(smoothed[100:200]) - min(smoothed[100:200]) < 0.02  # the noise calmed
    assert smoothed[0] == raw[0]  # no start from zero
    assert smoothed[200 + 40] == pytest.approx(0.5, abs=0.02)  # 40 batches: a tenth of it


def test_epochs_are_marked_and_a_new_run_clears_the_marks(plots: TrainingPlots) -> None:
    plots.reset(3)
    train_epochs(plots, [[(0.9, 0.3)] * 5] * 2, [(0.95, 0.2), (0.96, 0.15)])
    assert plots.accuracy.epoch_marks() == plots.loss.epoch_marks() == [1.0, 2.0]
    plots.reset(3)
    assert plots.accuracy.epoch_marks() == [] and not plots.has_data()


def test_a_long_run_is_not_hatched_with_a_mark_per_epoch(plots: TrainingPlots) -> None:
    plots.reset(100)  # the over-fitting preset
    train_epochs(plots, [[(0.9, 0.3)] * 5] * 3, [(0.95, 0.2)] * 3)
    assert plots.accuracy.epoch_marks() == [] and plots.accuracy.has_data()
    plots.reset(MARKED_EPOCHS)
    train_epochs(plots, [[(0.9, 0.3)] * 5] * 3, [(0.95, 0.2)] * 3)
    assert plots.loss.epoch_marks() == [1.0, 2.0, 3.0]


def test_after_two_epochs_validation_has_a_point_per_epoch_and_training_one_per_batch(
    plots: TrainingPlots,
) -> None:
    """The report: a two-epoch run drew two points per line."""
    plots.reset(2)
    train_epochs(plots, [[(0.9, 0.3)] * 50, [(0.97, 0.1)] * 50], [(0.95, 0.2), (0.96, 0.15)])
    assert plots.accuracy.points(VALIDATION) == [(1.0, 0.95), (2.0, 0.96)]
    assert plots.loss.points(VALIDATION) == [(1.0, 0.2), (2.0, 0.15)]
    assert len(plots.accuracy.batches()) == len(plots.loss.smoothed()) == 100
    assert [value for _, value in plots.accuracy.points(TRAINING)] == pytest.approx([0.9, 0.97])


def test_the_view_keeps_every_point_when_it_rescales(plots: TrainingPlots) -> None:
    """The report: the first epoch vanished when the axis rescaled."""
    plots.reset(3)
    plots.grab()
    assert_shows(plots.accuracy, [(0.0, 0.0), (3.0, 1.0)])  # the planned run, before data
    first = [(0.1 + 0.8 * b / 99, 2.3 - 2.0 * b / 99) for b in range(100)]
    second = [(0.985, 0.05)] * 100
    train_epochs(plots, [first, second], [(0.93, 0.25), (0.99, 0.04)])
    plots.grab()
    for plot in plots.plots():
        assert_shows(plot, [*plot.batches(), *plot.points(VALIDATION), (0.0, plot.batches()[0][1])])
    plots.add_epoch(2, logs(0.99, 0.03, 0.98, 4.0))  # a spike: rescales once more
    plots.grab()
    assert_shows(plots.loss, [*plots.loss.batches(), *plots.loss.points(VALIDATION)])


def test_a_new_run_follows_its_data_even_if_the_user_zoomed(plots: TrainingPlots) -> None:
    train_epochs(plots, [[(0.5, 1.0)] * 10], [(0.6, 0.9)])
    plots.accuracy.graph.getPlotItem().getViewBox().scaleBy((0.2, 0.2))  # a mouse-wheel zoom
    plots.reset(4)
    train_epochs(plots, [[(0.97, 0.1)] * 10], [(0.98, 0.08)])
    plots.grab()
    assert_shows(plots.accuracy, [*plots.accuracy.batches(), (0.0, 0.98), (4.0, 0.98)])


def assert_shows(plot: TrainingPlot, points: list[tuple[float, float]]) -> None:
    (x_low, x_high), (y_low, y_high) = plot.view_range()
    for x, y in points:
        assert x_low <= x <= x_high and y_low <= y <= y_high, (x, y, plot.view_range())


@pytest.mark.parametrize(
    ("value", "step", "label"),
    [(0.9975, 0.0025, "99.75 %"), (0.995, 0.005, "99.5 %"), (1.0, 0.05, "100 %"),
     (0.9, 0.1, "90 %"), (0.30000000000000004, 0.1, "30 %"), (0.0, 0.2, "0 %"),
     (-1e-17, 0.2, "0 %"), (0.9999, 0.0001, "99.99 %"), (1.0025, 0.0025, ""), (-0.05, 0.05, "")],
)
def test_accuracy_ticks_are_whole_per_cents(value: float, step: float, label: str) -> None:
    """The report: "99.75 %" showed as "9.75 %"."""
    assert percent_label(value, step) == label


@pytest.mark.parametrize(
    ("value", "step", "label"),
    [(0.015, 0.005, "0.015"), (0.1, 0.05, "0.10"), (2.0, 1.0, "2"), (-0.0, 0.1, "0.0"),
     (0.30000000000000004, 0.1, "0.3"), (150.0, 50.0, "150")],
)
def test_loss_and_epoch_ticks_have_the_decimals_their_spacing_needs(
    value: float, step: float, label: str
) -> None:
    assert number_label(value, step) == label


def test_the_accuracy_axis_is_wide_enough_for_its_labels_from_the_first_frame(
    qtbot, plots: TrainingPlots
) -> None:
    """pyqtgraph measures labels as it paints them: an axis that widened after the first paint
    had cut that frame's labels short."""
    axis = plots.accuracy.graph.getPlotItem().getAxis("left")
    plots.set_history({"sparse_categorical_accuracy": [0.9952, 0.9968, 0.9979, 0.9985],
                       "val_sparse_categorical_accuracy": [0.9950, 0.9960, 0.9975, 0.9970]})
    before = axis.width()
    plots.grab()
    qtbot.wait(10)  # a layout the paint asked for is done
    plots.grab()
    assert axis.width() == before
    low, high = plots.accuracy.view_range()[1]
    (spacing, values), *_ = axis.tickValues(low, high, axis.height())
    labels = axis.tickStrings(values, 1.0, spacing)
    assert all(label.endswith(" %") and label.startswith("99.") for label in labels)
    widest = max(QFontMetrics(axis.font()).horizontalAdvance(label) for label in labels)
    assert axis.width() >= widest + axis.style["tickLength"] + axis.style["tickTextOffset"][0]
    assert plots.loss.graph.getPlotItem().getAxis("left").width() == axis.width()  # aligned


def test_the_best_epoch_is_marked_once_on_both_plots(plots: TrainingPlots) -> None:
    plots.reset(5)
    train_epochs(plots, [[(0.9, 0.3)] * 5] * 3, [(0.95, 0.2), (0.97, 0.1), (0.96, 0.15)])
    plots.mark_best_epoch(2)
    assert plots.accuracy.best_epoch() == plots.loss.best_epoch() == 2
    plots.mark_best_epoch(3)
    assert plots.accuracy.best_epoch() == 3
    plots.grab()
    plots.mark_best_epoch(None)
    assert plots.loss.best_epoch() is None
    plots.mark_best_epoch(1)
    plots.reset(5)
    assert plots.accuracy.best_epoch() is None


def test_a_models_history_is_a_point_per_epoch(plots: TrainingPlots) -> None:
    plots.set_history({"loss": [0.3, 0.1, 0.05], "val_loss": [0.2, 0.12, 0.14],
                       "sparse_categorical_accuracy": [0.9, 0.97, 0.99],
                       "val_sparse_categorical_accuracy": [0.95, 0.97, 0.96]})
    assert plots.loss.points(VALIDATION) == [(1.0, 0.2), (2.0, 0.12), (3.0, 0.14)]
    assert plots.accuracy.points(TRAINING) == [(1.0, 0.9), (2.0, 0.97), (3.0, 0.99)]
    assert plots.accuracy.epochs() == 3 and plots.accuracy.epoch_marks() == [1.0, 2.0, 3.0]
    assert plots.accuracy.batches() == []
    plots.set_history({})  # a model whose card has no history
    assert not plots.has_data()


def test_early_stopping_or_more_epochs_than_planned_widen_the_axis(plots: TrainingPlots) -> None:
    plots.reset(2)
    train_epochs(plots, [[(0.9, 0.3)] * 3] * 3, [(0.9, 0.3)] * 3)
    assert plots.accuracy.epochs() == 3
    plots.grab()
    assert plots.accuracy.view_range()[0][1] >= 3.0


def test_a_diverged_run_skips_values_that_are_not_numbers(plots: TrainingPlots) -> None:
    plots.reset(2)
    plots.add_epoch(0, logs(0.1, math.nan, 0.1, math.inf))
    plots.add_batch(1, 0, 10, running(0.1, math.nan))
    plots.add_batch(1, 1, 10, running(0.1, math.nan))
    assert plots.loss.points(TRAINING) == [] and plots.loss.batches() == []
    assert plots.accuracy.points(TRAINING) == [(1.0, 0.1)]
    assert len(plots.accuracy.batches()) == 2
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


def test_the_plots_are_saved_as_one_sharp_png_with_the_curves(
    plots: TrainingPlots, tmp_path: Path
) -> None:
    plots.reset(2)
    train_epochs(plots, [[(0.9, 0.3)] * 20, [(0.95, 0.2)] * 20], [(0.93, 0.25), (0.96, 0.18)])
    target = tmp_path / "curves.png"
    target.write_bytes(b"an older picture")
    plots.save_png(target)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (2 * plots.width(), 2 * plots.height())
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]  # no temporary file left
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2)
               for y in range(0, image.height(), 2)}
    training = plots.palette().color(plots.palette().ColorRole.Highlight).name()
    assert {VALIDATION_COLOUR.name(), QColor(training).name()} <= colours


def test_a_png_that_cannot_be_written_raises_and_leaves_nothing(
    plots: TrainingPlots, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(OSError):
        plots.save_png(blocked / "curves.png")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_starting_the_main_window_does_not_import_pyqtgraph(tmp_path: Path) -> None:
    """A third of a second the window would wait for; Retrain pays it when first opened."""
    code = f"""
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
QCoreApplication.setApplicationName("digitpad")
from digitpad.app import build, open_window
work = Path({str(tmp_path)!r})
parts = build(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat),
              data_dir=work / "data")
open_window(parts)
app.processEvents()
at_start = sorted(m for m in ("pyqtgraph", "digitpad.ui.training.plots") if m in sys.modules)
parts.window.retrain_action.trigger()
print(at_start, "pyqtgraph" in sys.modules)
parts.training.close()
parts.window.close()
parts.shutdown()
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=PROJECT_ROOT, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[] True"


def test_the_best_epochs_label_stays_inside_the_plot_at_the_last_epoch(
    qtbot, plots: TrainingPlots
) -> None:
    """Best for drawings' two epochs often end best: "best" beside the plot's right edge."""
    plots.reset(2)
    train_epochs(plots, [[(0.9, 0.3)] * 5] * 2, [(0.95, 0.2), (0.97, 0.1)])
    for epoch in (1, 2):
        plots.mark_best_epoch(epoch)
        plots.grab()
        for plot in (plots.accuracy, plots.loss):
            line = plot._best_line
            label = line.label.sceneBoundingRect()
            at = line.scenePos().x()
            frame = plot._view.sceneBoundingRect()
            assert frame.left() <= label.left() and label.right() <= frame.right() + 1
            assert (label.left() >= at - 1) if epoch == 1 else (label.right() <= at + 1)
