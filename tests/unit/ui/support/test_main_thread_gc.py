"""Cycles are collected on the GUI thread, never by whichever thread happens to allocate."""

from __future__ import annotations

import gc
import threading

from digitpad.ui.support.main_thread_gc import MainThreadGarbageCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        COLLECTED.append(threading.current_thread().name)


COLLECTED: list[str] = []


def test_garbage_made_on_another_thread_is_collected_on_the_gui_thread(qtbot) -> None:
    collector = MainThreadGarbageCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        COLLECTED.clear()

        def make_garbage() -> None:
            for _ in range(5000):  # far past the first generation's threshold
                Cycle()

        worker = threading.Thread(target=make_garbage, name="worker")
        worker.start()
        worker.join()
        assert COLLECTED == []  # the worker's allocations did not trigger a collection
        qtbot.waitUntil(lambda: len(COLLECTED) == 5000, timeout=5000)
        assert set(COLLECTED) == {threading.main_thread().name}
    finally:
        collector.stop()
    assert gc.isenabled()
