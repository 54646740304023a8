"""The My Samples window, opened over the test's sample store with the fake model loaded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings

from digitpad.samples import SampleStore
from digitpad.ui.teaching.samples_window import SamplesWindow
from tests.unit.ui.fakes import FakeDialogs

if TYPE_CHECKING:  # fixture types; the parent conftest is loaded by pytest
    from tests.unit.ui.conftest import RunningRecognizer


@pytest.fixture
def open_window(
    qtbot, sample_store: SampleStore, recognizer_thread: RunningRecognizer, settings: QSettings,
    dialogs: FakeDialogs,
) -> Iterator[Callable[[], SamplesWindow]]:
    """Opens My Samples over ``sample_store`` with the fake model loaded; shut down after."""
    opened: list[SamplesWindow] = []

    def open_it() -> SamplesWindow:
        live = recognizer_thread.live
        if live.model() is None:
            with qtbot.waitSignal(live.model_ready):
                live.load_model("/models/fake.keras")
        window = SamplesWindow(sample_store, live, recognizer_thread.worker, settings,
                               dialogs=dialogs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # shortcuts reach the active window only
        qtbot.waitUntil(window.isActiveWindow)
        window.grid.setFocus()
        opened.append(window)
        return window

    yield open_it
    for window in opened:
        window.shutdown()
