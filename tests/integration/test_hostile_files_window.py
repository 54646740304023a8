"""Odd and hostile files given to the real window: one clear message, and nothing else changes.

Open Image and Open Ink are fed files built here (deeply nested JSON, absurd numbers, a bomb of a
picture, an EPS file dressed as a PNG, cut-short and random files...). Each one must end in one
dialog that names the file and the problem, while the drawing on the pad, its undo history, the
answer shown and the model all stay, and the next drawing is read as usual. The table runs twice
in the same app: a failure path that only breaks the second time is still a broken app.

Saving onto a full disk must say so, leave the old file as it was and leave no temporary file.
"""

from __future__ import annotations

import errno
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import EpsImagePlugin, Image, ImageDraw

from digitpad.app import Digitpad
from digitpad.ml.card import ModelCard
from digitpad.ml.ink import MAX_POINTS, Drawing, load_ink
from digitpad.ml.preprocess import MAX_IMAGE_PIXELS
from digitpad.ml.recognizer import Recognizer
from digitpad.paths import bundled_model_path
from tests.integration.window_driver import dialogs, draw, shown_digit

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints")]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON_WORDING = ("Traceback", "Error", "Exception", "errno", "Errno", "codec", "utf-8-sig",
                  "NoneType", "object has no", 'File "', "Warning")
"""What a message shown to a user must never contain: Python's words, not the user's."""


# --- driving the window -----------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    """Everything a user sees of the drawing and the answer, to compare before and after."""

    strokes: tuple[np.ndarray, ...]
    can_undo: bool
    can_redo: bool
    headline: str
    detail: str
    bars: np.ndarray
    preview: np.ndarray | None
    model: str

    @classmethod
    def of(cls, app: Digitpad) -> Seen:
        window = app.window
        return cls(window.canvas.strokes(), window.undo_action.isEnabled(),
                   window.redo_action.isEnabled(), window.panel.headline.text(),
                   window.panel.detail.text(), window.chart.probabilities(),
                   window.preview.image(), window.model_status.text())

    def assert_same(self, other: Seen) -> None:
        assert len(other.strokes) == len(self.strokes)
        for now, before in zip(other.strokes, self.strokes, strict=True):
            np.testing.assert_array_equal(now, before)
        assert (other.can_undo, other.can_redo) == (self.can_undo, self.can_redo)
        assert (other.headline, other.detail) == (self.headline, self.detail)
        np.testing.assert_array_equal(other.bars, self.bars)
        assert (other.preview is None) == (self.preview is None)
        if self.preview is not None:
            np.testing.assert_array_equal(other.preview, self.preview)
        assert other.model == self.model


def assert_one_clear_line(message: str, path: Path, problem: str) -> None:
    """The first paragraph is one short line that names the file and says what is wrong."""
    first = message.split("\n\n")[0]
    assert first.startswith((f"{path}: ", f"{path}, ")), message  # ", sample 3: ..." may follow
    assert problem in first, message
    assert "\n" not in first, message
    assert len(first) <= len(str(path)) + 160, message  # a hostile value never floods it
    assert not [word for word in PYTHON_WORDING if word in message], message


@pytest.fixture
def well_read(pendigits: list[Drawing], bundled_recognizer: Recognizer) -> list[Drawing]:
    """Pen-drawn digits the bundled model reads surely, every digit in turn: each row ends by
    drawing the next one, which the window must still read."""
    candidates = pendigits[:600]
    sure = [d for d, p in zip(candidates, bundled_recognizer.predict_drawings(candidates),
                              strict=True) if p.digit == d.label and p.confidence > 0.995]
    by_digit = [[d for d in sure if d.label == digit] for digit in range(10)]
    return [d for group in zip(*by_digit, strict=False) for d in group]


# --- the hostile files, built here --------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One hostile file: its name, how to make its bytes, and what the message must say."""

    name: str
    content: Callable[[], bytes]
    problem: str


def _one_drawing(**extra: object) -> dict[str, object]:
    return {"strokes": [[[10, 10], [40, 80], [70, 10]]], **extra}


def _long_stroke(points: int) -> bytes:
    """One stroke of ``points`` points, written as a pen would: small integer steps."""
    body = ",".join(f"[{i % 997},{i % 991}]" for i in range(points))
    return ('{"strokes":[[' + body + "]]}").encode()


INK_ROWS = [
    Row("deep.json", lambda: b"[" * 100_000 + b"]" * 100_000,
        "nested more than 64 levels"),  # the limit the README gives
    Row("long-integer.json",
        lambda: ('{"strokes": [[[12, 40], [1' + "0" * 309 + ", 40]]]}").encode(),
        "out of range"),
    Row("extreme-floats.json",
        lambda: b'{"strokes": [[[1.7e308, -1.7e308], [5e-324, -5e-324], [0, 0]]]}',
        "out of range"),
    Row("long-label.json",
        lambda: json.dumps(_one_drawing())[:-1].encode() + b', "label": ' + b"7" * 5000 + b"}",
        "'label' must be a digit 0-9"),
    Row("two-million-points.json", lambda: _long_stroke(2_000_000),
        f"2,000,000 points; a drawing may have at most {MAX_POINTS:,}"),
    Row("random.json", lambda: random.Random(17).randbytes(64 * 1024), "not a text file"),
    Row("empty.json", lambda: b"", "the file is empty"),
]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _huge_png(side: int) -> bytes:
    """A valid ``side`` x ``side`` black-and-white PNG; a few kB on disk for any side."""
    row = b"\x00" + bytes((side + 7) // 8)  # filter byte, then one bit per pixel
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 100) for _ in range(side // 100))
    idat += packer.compress(row * (side % 100)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


EPS = textwrap.dedent("""\
    %!PS-Adobe-3.0 EPSF-3.0
    %%BoundingBox: 0 0 28 28
    %%EndComments
    newpath 4 4 moveto 24 24 lineto 8 setlinewidth stroke
    showpage
    %%EOF
    """).encode()


def _picture_of(drawing: Drawing, side: int = 280) -> Image.Image:
    """The pen-drawn digit as black ink on white paper, as a scan of it would look."""
    picture = Image.new("L", (side, side), 255)
    _ink_onto(picture, drawing, fill=0)
    return picture


def _ink_onto(picture: Image.Image, drawing: Drawing, fill: int | tuple[int, ...]) -> None:
    side = picture.width
    points = np.concatenate(drawing.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = 0.7 * side / float((high - low).max())
    pen = side // 14
    pencil = ImageDraw.Draw(picture)
    for stroke in drawing.strokes:
        path = [tuple(p) for p in (stroke - (low + high) / 2) * scale + side / 2]
        pencil.line(path, fill=fill, width=pen, joint="curve")
        for x, y in (path[0], path[-1]):
            pencil.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=fill)


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def image_rows(digit: Drawing) -> list[Row]:
    return [
        Row("huge.png", lambda: _huge_png(20_000),
            f"too many pixels; the limit is {MAX_IMAGE_PIXELS // 10**6} megapixels"),
        Row("eps-inside.png", lambda: EPS, "not a supported image"),
        Row("cut-short.png", lambda: (whole := _png(_picture_of(digit)))[: len(whole) // 2],
            "damaged or cut short"),
        Row("photo.jpg", lambda: random.Random(18).randbytes(64 * 1024), "not a supported image"),
        Row("empty.png", lambda: b"", "the file is empty"),
    ]


@pytest.fixture
def ghostscript_trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``gs`` first on PATH that leaves a marker file if anything ever runs it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    marker = tmp_path / "ghostscript-ran"
    fake = folder / "gs"
    fake.write_text(f"#!/bin/sh\ntouch '{marker}'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(EpsImagePlugin, "gs_binary", None)  # Pillow looks for gs afresh
    return marker


# --- the table --------------------------------------------------------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="the Ghostscript trap is a shell script")
def test_hostile_files_end_in_one_message_and_the_drawing_stays(
    app: Digitpad, well_read: list[Drawing], ghostscript_trap: Path, qtbot, tmp_path: Path,
    recwarn: pytest.WarningsRecorder,
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    rows = [(app.window.open_ink_action, "Cannot open the ink file", row) for row in INK_ROWS]
    rows += [(app.window.open_image_action, "Cannot open the image", row)
             for row in image_rows(well_read[0])]
    for _, _, row in rows:
        (files / row.name).write_bytes(row.content())
    fresh = iter(well_read[1:])
    draw(app, next(fresh), qtbot)

    for _ in range(2):  # the same app, the same files, a second time
        for action, title, row in rows:
            path = files / row.name
            before = Seen.of(app)
            assert before.strokes and before.can_undo
            dialogs(app).paths = [path]
            action.trigger()
            qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)

            ((shown_title, message),) = dialogs(app).errors
            assert shown_title == title, message
            assert_one_clear_line(message, path, row.problem)
            Seen.of(app).assert_same(before)
            # The undo history is the one before: Undo takes back the last stroke, Redo restores.
            app.window.undo_action.trigger()
            undone = app.window.canvas.strokes()
            assert len(undone) == len(before.strokes) - 1
            for now, earlier in zip(undone, before.strokes, strict=False):
                np.testing.assert_array_equal(now, earlier)
            app.window.redo_action.trigger()
            qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
            assert app.window.panel.headline.text() == before.headline

            dialogs(app).errors.clear()
            app.window.clear_action.trigger()
            new = next(fresh)
            draw(app, new, qtbot)
            assert shown_digit(app) == new.label, row.name

    assert app.recognition.model() is not None
    assert not [str(w.message) for w in recwarn.list]
    assert not ghostscript_trap.exists()
    # The trap works: Pillow left to itself would have run Ghostscript on the EPS file.
    with pytest.raises(OSError), Image.open(files / "eps-inside.png") as eps:
        eps.load()
    assert ghostscript_trap.exists()


def test_ink_of_denormal_coordinates_opens_as_a_dot(
    app: Digitpad, well_read: list[Drawing], qtbot, tmp_path: Path,
    recwarn: pytest.WarningsRecorder,
) -> None:
    """In range, so not refused, but a drawing 1e-323 across: scaled to the pad it must become a
    dot in the middle, not infinities, and the next drawing is read as usual."""
    tiny = tmp_path / "tiny.json"
    tiny.write_text('{"strokes": [[[5e-324, 0], [0, 5e-324], [-5e-324, 0]], [[1e-323, 1e-323]]]}')
    for drawing in well_read[:2]:
        dialogs(app).paths = [tiny]
        app.window.open_ink_action.trigger()
        qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
        assert not dialogs(app).errors
        strokes = app.window.canvas.strokes()
        assert len(strokes) == 2
        assert all(np.isfinite(s).all() for s in strokes)
        np.testing.assert_allclose(np.concatenate(strokes), 500.0)  # the middle of the pad
        assert app.window.preview.image() is not None  # the model sees a dot

        app.window.clear_action.trigger()
        draw(app, drawing, qtbot)
        assert shown_digit(app) == drawing.label
    assert not [str(w.message) for w in recwarn.list]


@pytest.mark.parametrize("kind", ["transparent", "16-bit"])
def test_odd_but_honest_pictures_read_as_the_digit_on_paper(
    kind: str, app: Digitpad, pendigits: list[Drawing], bundled_recognizer: Recognizer, qtbot,
    tmp_path: Path, recwarn: pytest.WarningsRecorder,
) -> None:
    """Black ink on transparent pixels (which are black too, under the alpha) is ink on paper;
    grey ink on a 16-bit page is ink, not two shades of white clipped to 8 bits."""
    from digitpad.ml.preprocess import load_image

    def read_on_white(drawing: Drawing) -> bool:
        white = tmp_path / "white.png"
        white.write_bytes(_png(_picture_of(drawing)))
        return bundled_recognizer.predict_image(load_image(white)).digit == drawing.label

    digits = [next(d for d in pendigits if d.label == digit and read_on_white(d))
              for digit in (3, 7)]
    for drawing in digits:
        if kind == "transparent":
            picture = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
            _ink_onto(picture, drawing, fill=(0, 0, 0, 255))
        else:
            grey = np.asarray(_picture_of(drawing), dtype=np.float64) / 255.0
            levels = 20_000 + grey * (65_535 - 20_000)  # ink at 30 %, paper white
            picture = Image.fromarray(levels.astype(np.uint16))
        path = tmp_path / f"{kind}-{drawing.label}.png"
        path.write_bytes(_png(picture))
        with Image.open(path) as check:
            assert check.mode == ("RGBA" if kind == "transparent" else "I;16")

        dialogs(app).paths = [path]
        with qtbot.waitSignal(app.recognition.picture_opened):
            app.window.open_image_action.trigger()
        qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
        assert not dialogs(app).errors
        assert app.window.canvas.picture() is not None
        assert shown_digit(app) == drawing.label

    app.window.clear_action.trigger()
    draw(app, digits[0], qtbot)
    assert shown_digit(app) == digits[0].label
    assert not [str(w.message) for w in recwarn.list]


# --- a full disk --------------------------------------------------------------------------------

def _fills_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file write gets half its bytes onto the disk, then there is no room left."""
    original = Path.write_bytes

    def write_until_full(self: Path, data: bytes) -> int:
        original(self, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_bytes", write_until_full)


@pytest.mark.parametrize("save", ["save_png_action", "save_ink_action"])
def test_a_full_disk_is_explained_and_the_old_file_kept(
    save: str, app: Digitpad, well_read: list[Drawing], qtbot, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "drawings"
    folder.mkdir()
    target = folder / ("digit.png" if save == "save_png_action" else "digit.json")
    action = getattr(app.window, save)
    first, second = well_read[:2]
    draw(app, first, qtbot)
    dialogs(app).paths = [target]
    action.trigger()
    old = target.read_bytes()

    app.window.clear_action.trigger()
    draw(app, second, qtbot)
    drawn = Seen.of(app)
    with monkeypatch.context() as disk:
        _fills_the_disk(disk)
        for _ in range(2):
            dialogs(app).paths = [target]
            action.trigger()
    assert [title for title, _ in dialogs(app).errors] == ["Cannot save", "Cannot save"]
    _, message = dialogs(app).errors[0]
    assert_one_clear_line(message, target, "there is no room for it on the disk")
    assert "Free some space" in message and "is unchanged" in message
    assert target.read_bytes() == old
    assert list(folder.iterdir()) == [target]  # no half-written temporary file left behind
    Seen.of(app).assert_same(drawn)

    dialogs(app).paths = [target]  # room again: the same save now works
    action.trigger()
    assert len(dialogs(app).errors) == 2
    assert target.read_bytes() != old
    if save == "save_ink_action":
        (saved,) = load_ink(target)
        for stroke, on_pad in zip(saved.strokes, app.window.canvas.strokes(), strict=True):
            np.testing.assert_allclose(stroke, on_pad)


FILE_SIZE_LIMIT = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication
    from digitpad.app import build
    from tests.unit.ui.fakes import FakeDialogs

    folder, limit = Path(sys.argv[1]), int(sys.argv[2])
    strokes = json.loads(sys.argv[3])
    qt = QApplication([])
    QCoreApplication.setApplicationName("digitpad")
    parts = build(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat),
                  data_dir=folder / "data")
    dialogs = parts.window.dialogs = FakeDialogs()
    parts.window.show()
    for stroke in strokes:
        parts.window.canvas.draw_stroke([tuple(p) for p in stroke])
    # From here on the kernel refuses to let any file of this process grow beyond the limit.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    for action, name in ((parts.window.save_png_action, "digit.png"),
                         (parts.window.save_ink_action, "digit.json")):
        dialogs.paths = [folder / "drawings" / name]
        action.trigger()
    print(json.dumps(dialogs.errors), flush=True)
    parts.window.close()
    parts.shutdown()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX resource limits")
def test_a_real_write_refused_by_the_kernel_keeps_the_old_files(
    tmp_path: Path, well_read: list[Drawing]
) -> None:
    """No stand-in: a file size limit makes the kernel refuse the write part-way, as a full
    disk or a quota does, for both the PNG and the ink."""
    folder = tmp_path / "app"
    drawings = folder / "drawings"
    drawings.mkdir(parents=True)
    old = {"digit.png": _png(_picture_of(well_read[0])), "digit.json": b'{"strokes":[[[1,2]]]}'}
    for name, data in old.items():
        (drawings / name).write_bytes(data)
    drawing = well_read[1]
    points = np.concatenate(drawing.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    strokes = [((s - low) / float((high - low).max()) * 300 + 50).tolist()
               for s in drawing.strokes]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMIT, str(folder), "200", json.dumps(strokes)],
        capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    errors = json.loads(done.stdout.strip().splitlines()[-1])
    assert [title for title, _ in errors] == ["Cannot save", "Cannot save"], errors
    for (_, message), name in zip(errors, ("digit.png", "digit.json"), strict=True):
        assert_one_clear_line(message, drawings / name, "there is no room for it on the disk")
        assert "Free some space" in message and "is unchanged" in message
    assert {p.name: p.read_bytes() for p in drawings.iterdir()} == old


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_ink_saved_by_a_windows_editor_opens(
    app: Digitpad, well_read: list[Drawing], qtbot, tmp_path: Path, encoding: str
) -> None:
    """Windows editors save UTF-8 with a byte-order mark, or UTF-16: still ink JSON, and JSON's
    standard allows all of them."""
    marked = tmp_path / "notepad.json"
    marked.write_bytes(json.dumps(_one_drawing()).encode(encoding))
    for _ in range(2):
        draw(app, well_read[0], qtbot)
        dialogs(app).paths = [marked]
        app.window.open_ink_action.trigger()
        assert dialogs(app).errors == []
        assert len(app.window.canvas.strokes()) == 1  # the one stroke the file holds


# --- models -------------------------------------------------------------------------------------

def _hostile_models(folder: Path) -> list[tuple[Path, str]]:
    """Model files a user may pick, and what the message must say. All but the last are told
    apart without TensorFlow; the last needs the conversion child to find its weights cut short."""
    import keras

    _OwnLayer = _own_layer_class()
    rows: list[tuple[Path, str]] = []

    def add(name: str, problem: str) -> Path:
        rows.append((folder / name, problem))
        return folder / name

    add("photo.keras", "not a Keras model, or a damaged one").write_bytes(
        b"\xff\xd8\xff\xe0" + random.Random(3).randbytes(4096))
    add("bomb.keras", "would unpack to more than").write_bytes(_zip_bomb())
    keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                      keras.layers.Dense(10, activation="softmax")]).save(
        add("colour.keras", "takes input of shape (None, 32, 32, 3)"))
    keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                      keras.layers.Dense(26, activation="softmax")]).save(
        add("letters.keras", "outputs shape (None, 26)"))
    keras.Sequential([keras.Input((28, 28)), keras.layers.Lambda(lambda x: x),
                      keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]).save(
        add("lambda.keras", "has a Lambda layer, whose code is stored in the file"))
    keras.Sequential([keras.Input((28, 28)), _OwnLayer(), keras.layers.Flatten(),
                      keras.layers.Dense(10, activation="softmax")]).save(
        add("own-layer.keras", "uses a layer of its own (someone>_OwnLayer)"))
    with zipfile.ZipFile(bundled_model_path()) as bundled, zipfile.ZipFile(
            add("cut-short.keras", "its weights are damaged or cut short"), "w") as cut:
        cut.writestr("config.json", bundled.read("config.json"))
        cut.writestr("model.weights.h5", bundled.read("model.weights.h5")[:4096])
    # With its card, as a copy of the model travels: the card names its twelve outputs.
    shutil.copy(ModelCard.path_for(bundled_model_path()), ModelCard.path_for(rows[-1][0]))
    return rows


def _own_layer_class() -> type:
    import keras

    @keras.saving.register_keras_serializable(package="someone")
    class _OwnLayer(keras.layers.Layer):
        """A layer of another program's own, which digitpad does not have."""

        def call(self, inputs: object) -> object:
            return inputs

    return _OwnLayer


def _zip_bomb() -> bytes:
    """A 3 MB archive that claims to unpack to 4 GB: a config and 4 GB of zeros, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", "{}")
        with archive.open("model.weights.h5", "w", force_zip64=True) as weights:
            block = bytes(2**24)
            for _ in range(256):
                weights.write(block)
    return buffer.getvalue()


def test_hostile_models_end_in_one_message_and_the_model_and_drawing_stay(
    app: Digitpad, well_read: list[Drawing], qtbot, tmp_path: Path,
    recwarn: pytest.WarningsRecorder,
) -> None:
    rows = _hostile_models(tmp_path)
    recwarn.clear()  # what Keras said while the test made the files is not the window's
    fresh = iter(well_read)
    for _ in range(2):
        for path, problem in rows:
            draw(app, next(fresh), qtbot)
            before = Seen.of(app)
            dialogs(app).paths = [path]
            with qtbot.waitSignal(app.recognition.model_failed, timeout=120_000):
                app.window.load_model_action.trigger()
            ((title, message),) = dialogs(app).errors
            assert title == "Cannot load the model"
            assert_one_clear_line(message, path, problem)
            assert "keeps using digitpad-cnn.keras" in message
            Seen.of(app).assert_same(before)
            dialogs(app).errors.clear()
            app.window.clear_action.trigger()
            new = next(fresh)
            draw(app, new, qtbot)
            assert shown_digit(app) == new.label, path.name
    assert not [str(w.message) for w in recwarn.list]
