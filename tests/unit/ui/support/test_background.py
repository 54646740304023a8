"""Background work: off the GUI thread, its result or expected failure handed back on it."""

from __future__ import annotations

import threading

import pytest

from digitpad.ui.support.background import Background


def test_work_runs_off_the_gui_thread_and_the_result_comes_back_on_it(qtbot) -> None:
    background = Background((OSError,))
    threads: list[threading.Thread] = []
    results: list[tuple[int, threading.Thread]] = []
    busy: list[bool] = []
    background.busy_changed.connect(busy.append)

    def work() -> int:
        threads.append(threading.current_thread())
        return 42

    background.run(work, lambda result: results.append((result, threading.current_thread())),
                   lambda exc: pytest.fail(f"unexpected failure: {exc}"))
    assert background.busy()
    qtbot.waitUntil(lambda: bool(results))
    assert threads != [threading.main_thread()]
    assert results == [(42, threading.main_thread())]
    assert busy == [True, False] and not background.busy()


def test_an_expected_failure_goes_to_failed(qtbot) -> None:
    background = Background((OSError,))
    failures: list[Exception] = []

    def work() -> None:
        raise OSError("disk is full")

    background.run(work, lambda result: pytest.fail("no result expected"), failures.append)
    qtbot.waitUntil(lambda: bool(failures))
    assert isinstance(failures[0], OSError) and str(failures[0]) == "disk is full"


def test_an_unexpected_failure_is_raised_on_the_gui_thread(qtbot) -> None:
    background = Background((OSError,))

    def work() -> None:
        raise ValueError("a bug")

    with qtbot.captureExceptions() as raised:
        background.run(work, lambda result: None, lambda exc: pytest.fail("not expected"))
        qtbot.waitUntil(lambda: bool(raised))
    assert isinstance(raised[0][1], ValueError)
    assert not background.busy()
