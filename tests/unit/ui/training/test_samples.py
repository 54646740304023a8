"""The "Your handwriting" box counts and reads the sample store without blocking the window."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digitpad.ml.ink import Drawing
from digitpad.samples import SampleStore, StoreError
from digitpad.ui.training.samples import HandwritingBox
from tests.unit.ml.test_training_process import three_of_each_digit


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SampleStore]:
    with SampleStore.open_in(tmp_path / "data") as opened:
        yield opened


class SlowStore:
    """A store whose count waits for the test to open the gate; records the thread it ran on."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.threads: list[threading.Thread] = []

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        return lambda: None

    def __len__(self) -> int:
        self.threads.append(threading.current_thread())
        if not self.gate.wait(10):
            raise StoreError("the test never opened the gate")
        return 7


def test_a_slow_store_is_counted_while_the_window_goes_on(qtbot) -> None:
    slow = SlowStore()
    box = HandwritingBox(slow)  # type: ignore[arg-type]  # only what the box calls
    qtbot.addWidget(box)
    box.show()
    try:
        qtbot.wait(50)  # the event loop runs while the count is held up
        box.show_state("m.keras", busy=False)
        assert box.count() is None and box.label.text() == "Counting your samples…"
        assert not box.fine_tune_button.isEnabled()
    finally:
        with qtbot.waitSignal(box.counted, check_params_cb=lambda count: count == 7):
            slow.gate.set()
    assert slow.threads and slow.threads[0] is not threading.main_thread()
    box.show_state("m.keras", busy=False)
    assert box.label.text().startswith("7 samples of your handwriting. Fine-tuning adapts m.keras")
    assert box.fine_tune_button.isEnabled()
    box.wait()


def test_the_drawings_are_read_off_the_gui_thread(
    qtbot, store: SampleStore, pendigits: list[Drawing]
) -> None:
    drawings = three_of_each_digit(pendigits)[:3]
    for drawing in drawings:
        assert drawing.label is not None
        store.add(drawing, drawing.label)
    box = HandwritingBox(store)
    qtbot.addWidget(box)
    read: list[tuple[Drawing, ...]] = []
    box.read(read.append, pytest.fail)
    qtbot.waitUntil(lambda: bool(read))
    assert sorted(d.label for d in read[0]) == sorted(d.label for d in drawings)
    box.wait()


def test_a_hidden_box_does_not_count_until_it_is_shown(
    qtbot, store: SampleStore, pendigits: list[Drawing]
) -> None:
    box = HandwritingBox(store)
    qtbot.addWidget(box)
    drawing = three_of_each_digit(pendigits)[0]
    assert drawing.label is not None
    with qtbot.assertNotEmitted(box.counted, wait=100):
        store.add(drawing, drawing.label)
    with qtbot.waitSignal(box.counted, check_params_cb=lambda count: count == 1):
        box.show()
