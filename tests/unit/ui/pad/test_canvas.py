"""The drawing pad: strokes in, domain signals out, ink that looks right and survives resizing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from digitpad.ml.preprocess import ink_to_image
from digitpad.ui.pad.canvas import FIT_FRACTION, PAD_UNITS, PEN_WIDTHS, InkCanvas, fit_to_pad


@pytest.fixture
def canvas(qtbot) -> InkCanvas:
    widget = InkCanvas()
    widget.resize(400, 400)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def along(canvas: InkCanvas, *pad_points: tuple[float, float]) -> list[tuple[float, float]]:
    """Pad points as widget coordinates, the way a user's mouse would reach them."""
    return [(p.x(), p.y()) for p in (canvas.to_widget(x, y) for x, y in pad_points)]


def dark_pixels(image: QImage) -> int:
    return dark_pixels_below(image, 128)


def dark_pixels_below(image: QImage, lightness: int) -> int:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(gray.constBits(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    return int((data[:, : gray.width()] < lightness).sum())


def test_a_stroke_is_recorded_in_pad_coordinates_with_signals(canvas: InkCanvas, qtbot) -> None:
    changes: list[tuple] = []
    canvas.strokes_changed.connect(changes.append)
    with qtbot.waitSignal(canvas.stroke_finished) as finished:
        canvas.draw_stroke(along(canvas, (100, 100), (500, 500), (900, 100)))
    (stroke,) = finished.args[0]
    np.testing.assert_allclose(stroke, [[100, 100], [500, 500], [900, 100]], atol=1.5)
    # One change per point, while the stroke is drawn; pen-up repeats none of them.
    assert [len(c[0]) for c in changes] == [1, 2, 3]
    np.testing.assert_array_equal(changes[-1][0], stroke)


def test_several_strokes_make_one_drawing(canvas: InkCanvas) -> None:
    canvas.draw_stroke(along(canvas, (300, 200), (300, 800)))
    canvas.draw_stroke(along(canvas, (200, 500), (700, 500)))
    assert len(canvas.strokes()) == 2
    assert canvas.has_ink()


def test_undo_redo_per_stroke_and_clear_is_undoable(canvas: InkCanvas, qtbot) -> None:
    canvas.draw_stroke(along(canvas, (300, 200), (300, 800)))
    canvas.draw_stroke(along(canvas, (200, 500), (700, 500)))
    with qtbot.waitSignal(canvas.history_changed, check_params_cb=lambda u, r: u and r):
        canvas.undo()
    assert len(canvas.strokes()) == 1
    canvas.redo()
    assert len(canvas.strokes()) == 2 and not canvas.can_redo()

    with qtbot.waitSignal(canvas.strokes_changed, check_params_cb=lambda s: s == ()):
        canvas.clear()
    assert not canvas.has_ink()
    canvas.undo()
    assert len(canvas.strokes()) == 2


def test_a_new_stroke_after_undo_drops_the_redo_history(canvas: InkCanvas) -> None:
    canvas.draw_stroke(along(canvas, (300, 200), (300, 800)))
    canvas.undo()
    assert canvas.can_redo()
    canvas.draw_stroke(along(canvas, (200, 500), (700, 500)))
    assert not canvas.can_redo()


def test_undo_and_clear_on_an_empty_pad_do_nothing(canvas: InkCanvas, qtbot) -> None:
    with qtbot.assertNotEmitted(canvas.strokes_changed):
        canvas.undo()
        canvas.redo()
        canvas.clear()


def test_real_mouse_events_draw_a_stroke(canvas: InkCanvas, qtbot) -> None:
    start, middle, end = (
        canvas.to_widget(*p).toPoint() for p in ((200, 200), (500, 600), (800, 300))
    )
    changes: list[tuple] = []
    canvas.strokes_changed.connect(changes.append)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas, middle)
    with qtbot.waitSignal(canvas.stroke_finished) as finished:
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    (stroke,) = finished.args[0]
    np.testing.assert_allclose(stroke[0], (200, 200), atol=3)
    np.testing.assert_allclose(stroke[-1], (800, 300), atol=3)
    assert len(stroke) == 3
    assert len(changes) == 3  # press, move, release point: the finished drawing is no news


def test_a_right_click_draws_nothing(canvas: InkCanvas, qtbot) -> None:
    with qtbot.assertNotEmitted(canvas.strokes_changed):
        QTest.mouseClick(canvas, Qt.MouseButton.RightButton, pos=QPoint(200, 200))


def test_tablet_pen_events_draw_a_stroke(canvas: InkCanvas, qtbot) -> None:
    pen = QPointingDevice.primaryPointingDevice()

    def send(
        kind: QTabletEvent.Type, pad_point: tuple[float, float], buttons: Qt.MouseButton
    ) -> None:
        position = canvas.to_widget(*pad_point)
        event = QTabletEvent(kind, pen, position, canvas.mapToGlobal(position), 0.5, 0, 0, 0, 0, 0,
                             Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons)
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()

    send(QTabletEvent.Type.TabletPress, (100, 100), Qt.MouseButton.LeftButton)
    send(QTabletEvent.Type.TabletMove, (400, 400), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(canvas.stroke_finished) as finished:
        send(QTabletEvent.Type.TabletRelease, (700, 100), Qt.MouseButton.NoButton)
    np.testing.assert_allclose(finished.args[0][0], [[100, 100], [400, 400], [700, 100]], atol=1.5)


def test_points_outside_the_pad_are_kept_on_its_edge(canvas: InkCanvas) -> None:
    canvas.draw_stroke([(-50.0, -50.0), (1000.0, 1000.0)])
    (stroke,) = canvas.strokes()
    np.testing.assert_allclose(stroke, [[0, 0], [PAD_UNITS, PAD_UNITS]])


def test_resizing_keeps_the_ink_and_scales_it(canvas: InkCanvas, qtbot) -> None:
    canvas.draw_stroke(along(canvas, (200, 500), (800, 500)))
    before = canvas.strokes()
    small = dark_pixels(canvas.grab().toImage())
    canvas.resize(700, 700)
    qtbot.waitUntil(lambda: canvas.width() == 700)
    assert len(canvas.strokes()) == 1
    np.testing.assert_array_equal(canvas.strokes()[0], before[0])
    assert dark_pixels(canvas.grab().toImage()) > small * 1.4  # a longer, thicker line


def test_ink_is_antialiased_with_round_caps(canvas: InkCanvas) -> None:
    canvas.draw_stroke(along(canvas, (200, 300), (800, 700)))
    image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    values = np.unique(data[:, : image.width()])
    assert ((values > 30) & (values < 220)).sum() > 10  # soft edges, not a jagged two-tone line
    # Round cap: ink reaches beyond the stroke's end point along its direction.
    end = canvas.to_widget(800, 700)
    beyond = canvas.to_widget(800 + 8, 700 + 5)
    assert image.pixelColor(beyond.toPoint()).lightness() < 128
    assert image.pixelColor(end.toPoint()).lightness() < 128


def test_pen_width_changes_the_look_not_the_ink(canvas: InkCanvas) -> None:
    canvas.draw_stroke(along(canvas, (200, 500), (800, 500)))
    strokes = canvas.strokes()
    canvas.set_pen_width(PEN_WIDTHS["Thin"])
    thin = dark_pixels(canvas.grab().toImage())
    canvas.set_pen_width(PEN_WIDTHS["Bold"])
    bold = dark_pixels(canvas.grab().toImage())
    assert bold > thin * 1.8
    assert canvas.strokes() is strokes
    np.testing.assert_array_equal(ink_to_image(canvas.strokes()), ink_to_image(strokes))


def test_set_strokes_fits_any_unit_to_the_pad_and_is_undoable(canvas: InkCanvas) -> None:
    canvas.draw_stroke(along(canvas, (300, 200), (300, 800)))
    canvas.set_strokes([np.array([[0.0, 0.0], [0.001, 0.002]]), np.array([[0.0, 0.002]])])
    points = np.concatenate(canvas.strokes())
    span = points.max(axis=0) - points.min(axis=0)
    assert span.max() == pytest.approx(FIT_FRACTION * PAD_UNITS)
    assert (points.max(axis=0) + points.min(axis=0)) / 2 == pytest.approx([PAD_UNITS / 2] * 2)
    canvas.undo()
    assert len(canvas.strokes()) == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4)), min_size=1,
                         max_size=12), min_size=1, max_size=4))
def test_fitting_keeps_the_shape_on_the_pad(strokes: list[list[tuple[float, float]]]) -> None:
    fitted = fit_to_pad([np.array(s) for s in strokes])
    assert len(fitted) == len(strokes)
    points = np.concatenate(fitted)
    assert points.min() >= -1e-6 and points.max() <= PAD_UNITS + 1e-6
    original = np.concatenate([np.array(s) for s in strokes])
    size = np.ptp(original, axis=0).max()
    if size > 1e-3:  # only scaled and shifted: the drawing keeps its proportions
        assert np.ptp(points, axis=0).max() == pytest.approx(FIT_FRACTION * PAD_UNITS)
        scale = FIT_FRACTION * PAD_UNITS / size
        np.testing.assert_allclose(points - points.min(axis=0),
                                   (original - original.min(axis=0)) * scale, atol=1e-6)


def test_a_picture_replaces_the_ink_until_the_next_edit(canvas: InkCanvas, qtbot) -> None:
    canvas.draw_stroke(along(canvas, (300, 200), (300, 800)))
    picture = QImage(50, 50, QImage.Format.Format_RGB32)
    picture.fill(QColor("black"))
    with qtbot.assertNotEmitted(canvas.strokes_changed):
        canvas.show_picture(picture, "photo")
    assert canvas.picture() is not None and not canvas.has_ink()
    assert dark_pixels(canvas.grab().toImage()) > 50_000  # the picture is on the pad
    canvas.draw_stroke(along(canvas, (300, 200), (300, 800)))
    assert canvas.picture() is None and len(canvas.strokes()) == 1

    canvas.show_picture(picture, "photo")
    with qtbot.waitSignal(canvas.strokes_changed):
        canvas.clear()
    assert canvas.picture() is None


def test_undo_brings_back_what_a_picture_replaced_and_redo_the_picture(
        canvas: InkCanvas, qtbot) -> None:
    """Opening a picture throws nothing away: Undo and Redo step through ink and pictures."""
    canvas.draw_stroke(along(canvas, (300, 200), (300, 800)))
    drawn = canvas.strokes()
    picture = QImage(50, 50, QImage.Format.Format_RGB32)
    picture.fill(QColor("black"))
    canvas.show_picture(picture, "photo")
    assert canvas.can_undo() and not canvas.can_redo()

    with qtbot.waitSignal(canvas.strokes_changed) as changed:
        canvas.undo()
    assert canvas.picture() is None and canvas.strokes() == drawn and changed.args == [drawn]
    with qtbot.waitSignal(canvas.picture_restored) as restored, \
            qtbot.assertNotEmitted(canvas.strokes_changed):
        canvas.redo()
    assert restored.args == ["photo"] and canvas.picture() is not None and not canvas.has_ink()
    assert dark_pixels(canvas.grab().toImage()) > 50_000

    canvas.draw_stroke(along(canvas, (200, 500), (700, 500)))  # ink over the picture
    assert canvas.picture() is None
    with qtbot.waitSignal(canvas.picture_restored):
        canvas.undo()
    assert canvas.picture() is not None
    canvas.clear()
    assert canvas.picture() is None and not canvas.has_ink()
    with qtbot.waitSignal(canvas.picture_restored):
        canvas.undo()  # Clear too
    canvas.undo()
    assert canvas.strokes() == drawn and canvas.picture() is None


def test_render_image_is_dark_ink_on_white(canvas: InkCanvas) -> None:
    canvas.draw_stroke(along(canvas, (200, 500), (800, 500)))
    image = canvas.render_image(256)
    assert image.width() == image.height() == 256
    assert image.pixelColor(5, 5).lightness() == 255
    assert image.pixelColor(128, 128).lightness() < 40


def test_the_empty_pad_invites_drawing(canvas: InkCanvas) -> None:
    pad = canvas.pad_rect().adjusted(20, 20, -20, -20).toRect()
    empty = canvas.grab(pad).toImage()
    assert 0 < dark_pixels_below(empty, 250) < pad.width() * pad.height() / 10  # the hint text
    canvas.draw_stroke(along(canvas, (900, 900), (950, 950)))
    assert dark_pixels_below(canvas.grab(pad).toImage(), 250) < dark_pixels_below(empty, 250)


def test_the_stroke_in_progress_is_painted_before_pen_up(canvas: InkCanvas, qtbot) -> None:
    start = canvas.to_widget(200, 500).toPoint()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas, canvas.to_widget(800, 500).toPoint())
    assert canvas.is_drawing()
    middle = canvas.to_widget(500, 500).toPoint()
    assert canvas.grab().toImage().pixelColor(middle).lightness() < 128
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       canvas.to_widget(800, 500).toPoint())
    assert not canvas.is_drawing()


def test_pad_coordinates_can_be_placed_as_they_are(canvas: InkCanvas) -> None:
    canvas.set_strokes([np.array([[100.0, 200.0], [300.0, 1200.0]])], fit=False)
    np.testing.assert_allclose(canvas.strokes()[0], [[100, 200], [300, PAD_UNITS]])


def test_pen_up_reports_a_drawing_placed_while_the_pen_was_down(canvas: InkCanvas) -> None:
    changes: list[tuple] = []
    canvas.strokes_changed.connect(changes.append)
    dot = canvas.to_widget(200, 500).toPoint()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, dot)
    canvas.set_strokes([np.array([[300.0, 200.0], [300.0, 800.0]])], fit=False)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, dot)
    assert [len(c) for c in changes] == [1, 1, 2]  # the dot, the placed drawing, then both
    assert len(canvas.strokes()) == 2
