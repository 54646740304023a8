"""The window process killed while teaching: no sample it had confirmed is lost.

A real app process (offscreen, its own settings and data folder) draws real pen-drawn digits and
teaches each with its digit key, printing a sample only once the store has confirmed it. The test
kills it with SIGKILL mid-stream, between two samples or while one is being kept, then opens the
store, as the next start of the app would, and finds every confirmed sample there with its label.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from digitpad.app import build
from digitpad.samples import SampleStore, store_path, strokes_fingerprint
from tests.unit.ui.fakes import FakeDialogs

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")

PROJECT_ROOT = Path(__file__).resolve().parents[2]

TEACHER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from digitpad.app import build
    from digitpad.ml.ink import load_ink
    from digitpad.paths import bundled_model_path
    from tests.integration.window_driver import draw_on

    folder, pendigits = Path(sys.argv[1]), sys.argv[2]
    qt = QApplication([])
    QCoreApplication.setApplicationName("digitpad")
    parts = build(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat),
                  data_dir=folder / "data")
    window, recognition, teacher = parts.window, parts.recognition, parts.teaching.teacher
    canvas = window.canvas


    class Stop:
        # A message box would wait for a click no one makes: say it and stop instead.
        def error(self, title, message):
            print("dialog:", title, message, file=sys.stderr, flush=True)
            os._exit(3)


    window.dialogs = Stop()


    def wait_until(condition):
        while not condition():
            QTest.qWait(2)


    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    canvas.setFocus()
    wait_until(canvas.hasFocus)
    ready = []
    recognition.model_ready.connect(ready.append)
    recognition.load_model(str(bundled_model_path()))
    wait_until(lambda: ready)

    kept = []
    # Printed only now: the store has committed the sample when the teacher says it was kept.
    teacher.kept.connect(lambda k: (kept.append(k), print(
        "kept", k.sample_id, k.label, k.fingerprint, flush=True)))
    print("ready", flush=True)
    for index, drawing in enumerate(load_ink(pendigits)[:400]):
        draw_on(canvas, drawing)
        wait_until(recognition.is_up_to_date)
        print("teaching", index, drawing.label, flush=True)
        QTest.keyClick(canvas, Qt.Key(Qt.Key.Key_0.value + drawing.label))
        wait_until(lambda: len(kept) == index + 1)
    print("finished", flush=True)
    """
)


def start_teacher(folder: Path, pendigits_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    errors = (folder / "stderr.txt").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", TEACHER, str(folder), str(pendigits_path)],
        stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=PROJECT_ROOT,
    )
    errors.close()
    return process


def read_until(process: subprocess.Popen[str], folder: Path, word: str, count: int
               ) -> list[list[str]]:
    """The child's lines up to and including the ``count``-th that starts with ``word``."""
    assert process.stdout is not None
    lines: list[list[str]] = []
    while sum(line[0] == word for line in lines) < count:
        line = process.stdout.readline()
        if not line:
            process.wait()
            pytest.fail(f"the app stopped early ({process.returncode}): "
                        f"{(folder / 'stderr.txt').read_text()}")
        lines.append(line.split())
    return lines


@pytest.mark.parametrize(("word", "count"), [("kept", 1), ("kept", 6), ("teaching", 9)],
                         ids=["after-the-first-sample", "between-two-samples",
                              "as-a-digit-key-is-pressed"])
def test_sigkill_while_teaching_loses_no_confirmed_sample(
    word: str, count: int, tmp_path: Path, pendigits_path: Path, qtbot
) -> None:
    process = start_teacher(tmp_path, pendigits_path)
    try:
        lines = read_until(process, tmp_path, word, count)
        process.send_signal(signal.SIGKILL)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not any(line[0] == "finished" for line in lines)  # killed mid-stream
    lines += [line.split() for line in rest.splitlines()]  # printed before the kill
    announced = [int(line[2]) for line in lines if line[0] == "teaching"]
    confirmed = {int(line[1]): (int(line[2]), line[3]) for line in lines if line[0] == "kept"}
    assert len(confirmed) >= (count if word == "kept" else count - 1)
    assert [label for label, _ in confirmed.values()] == announced[:len(confirmed)]

    with SampleStore.open(store_path(tmp_path / "data"), recover=False) as store:
        assert store.recovered_from is None
        stored = {s.id: (s.label, strokes_fingerprint(s.drawing)) for s in store.samples()}
    assert {i: stored.get(i) for i in confirmed} == confirmed  # each one, with its label
    unconfirmed = {i: sample for i, sample in stored.items() if i not in confirmed}
    assert len(unconfirmed) <= 1  # at most the one being kept at the kill
    for label, _ in unconfirmed.values():
        assert label == announced[len(confirmed)]

    # The next start of the app opens the same store with them all, and tells of no repair.
    QCoreApplication.setApplicationName("digitpad")
    again = build(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                  data_dir=tmp_path / "data")
    again.window.dialogs = FakeDialogs()
    qtbot.addWidget(again.window)
    try:
        assert again.samples is not None and not again.samples_problem
        assert again.samples.recovery_message is None
        assert {s.id for s in again.samples.samples()} == set(stored)
    finally:
        again.window.close()
        again.shutdown()
