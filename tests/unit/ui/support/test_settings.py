"""A settings file someone edited by hand, or one damaged on disk, reads as digitpad's defaults:
every reader gives a valid value whatever the file holds (generated inputs, deterministic), and
what digitpad writes reads back."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QByteArray, QSettings

from digitpad.ui.models.choice import MODEL_KEY, ModelChoice
from digitpad.ui.pad.canvas import DEFAULT_PEN, PEN_WIDTHS
from digitpad.ui.support.dialogs import last_folder, remember_folder
from digitpad.ui.support.settings import (
    MAX_TEXT,
    read_bool,
    read_bytes,
    read_choice,
    read_path,
    read_text,
    settings_problem,
)
from digitpad.ui.teaching.samples_window import GEOMETRY_KEY as SAMPLES_GEOMETRY_KEY
from digitpad.ui.teaching.teacher import CLEAR_AFTER_LABEL_KEY
from digitpad.ui.training.form import MNIST_PATH_KEY
from tests.fuzzing import fuzz

FUZZ = fuzz(1000)

BUNDLED = Path("/app/assets/digitpad-cnn.keras")
PEN_KEY, GEOMETRY_KEY, FOLDER_KEY = "pen/width", "window/geometry", "files/last_dir"
KEYS = (PEN_KEY, GEOMETRY_KEY, SAMPLES_GEOMETRY_KEY, CLEAR_AFTER_LABEL_KEY, MODEL_KEY,
        MNIST_PATH_KEY, FOLDER_KEY)
"""Every key digitpad reads."""

# Qt itself warns while it parses a ``@Variant(…)`` of a type it does not know; nothing of ours.
UNKNOWN_VARIANTS = pytest.mark.qt_log_ignore("QVariant::load", "invalid type")


@dataclass(frozen=True)
class Places:
    """Real paths a settings value can name."""

    base: Path
    folder: Path
    file: Path
    missing: Path


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Places:
    base = tmp_path_factory.mktemp("settings")
    (base / "a folder").mkdir()
    (base / "mnist.npz").write_bytes(b"PK")
    return Places(base, base / "a folder", base / "mnist.npz", base / "gone" / "my.keras")


_names = itertools.count()


def _fresh(places: Places) -> Path:
    """A settings file name not used before: QSettings caches what it read by file name."""
    return places.base / f"settings-{next(_names)}.ini"


def _open(places: Places, content: bytes) -> QSettings:
    path = _fresh(places)
    path.write_bytes(content)
    return QSettings(str(path), QSettings.Format.IniFormat)


_TOKENS = [
    "true", "false", "True", "garbage", "0", "1", "", " ", "a, b", '"a, b"', "a\\, b",
    "Thin", "Medium", "Bold", "bold", "Bold, Thin", "46", "-1", "1e400", "nan",
    "@ByteArray()", "@ByteArray(garbage)", "@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3)",
    "@Size(1 2)", "@Rect(0 0 10 10)", "@Point(1 2)", "@Invalid()", "@DateTime(x)", "@Variant(",
    "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\aUnknown\\0)", "@Variant(\\0\\0\\0\\n\\0\\0\\0\\x2\\0h)",
    "\\0", "\\x0", "\x00", "a\x00b", "\\", '"', "\\n", "x" * (MAX_TEXT + 1), "/" + "a" * 300,
    "relative/dir", "~", "/", "/dev/null", "{folder}", "{file}", "{missing}",
]
_values = st.sampled_from(_TOKENS) | st.text(max_size=12)
_keys = st.sampled_from(KEYS) | st.sampled_from(["General/x", "pen", "a/b/c", "%General"])
_lines = st.lists(st.tuples(_keys, _values), max_size=10)


def _ini(lines: list[tuple[str, str]], places: Places) -> bytes:
    """``lines`` as INI text, one ``[section]`` per key, the placeholders filled in."""
    text = ""
    for key, value in lines:
        section, _, name = key.rpartition("/")
        for placeholder, place in (("{folder}", places.folder), ("{file}", places.file),
                                   ("{missing}", places.missing)):
            value = value.replace(placeholder, str(place))
        text += f"[{section or 'General'}]\n{name}={value}\n"
    return text.encode()


def _assert_valid(settings: QSettings) -> None:
    """What every read site gets is a value it can use."""
    assert read_choice(settings, PEN_KEY, PEN_WIDTHS, DEFAULT_PEN) in PEN_WIDTHS
    assert isinstance(read_bool(settings, CLEAR_AFTER_LABEL_KEY, True), bool)
    for key in (GEOMETRY_KEY, SAMPLES_GEOMETRY_KEY):
        geometry = read_bytes(settings, key)
        assert geometry is None or (isinstance(geometry, QByteArray) and not geometry.isEmpty())
    mnist = read_path(settings, MNIST_PATH_KEY)
    assert mnist is None or mnist.is_absolute()
    assert ModelChoice(settings, BUNDLED).startup_path().is_absolute()
    assert last_folder(settings).is_dir()
    for key in KEYS:
        text = read_text(settings, key)
        assert isinstance(text, str) and "\0" not in text and len(text) <= MAX_TEXT


@FUZZ
@UNKNOWN_VARIANTS
@given(lines=_lines)
def test_any_values_at_digitpads_keys_read_as_usable_values(
    places: Places, lines: list[tuple[str, str]]
) -> None:
    _assert_valid(_open(places, _ini(lines, places)))


@settings(FUZZ, max_examples=1000)
@UNKNOWN_VARIANTS
@given(content=st.binary(max_size=300)
       | st.builds(lambda head, junk: head + junk,
                   st.sampled_from([b"[pen]\nwidth=", b"[window]\ngeometry=@ByteArray(",
                                    b"[model]\npath=", b"[General]\n"]),
                   st.binary(max_size=100)))
def test_any_bytes_read_as_usable_values(places: Places, content: bytes) -> None:
    _assert_valid(_open(places, content))


# --- exactly what each read gives ------------------------------------------------------------


def _with(places: Places, key: str, value: str) -> QSettings:
    return _open(places, _ini([(key, value)], places))


@pytest.mark.parametrize(("text", "expected"), [
    ("Bold", "Bold"), ("Thin", "Thin"), ("bold", DEFAULT_PEN), ("Bold, Thin", DEFAULT_PEN),
    ("46", DEFAULT_PEN), ("", DEFAULT_PEN), ("@ByteArray(Bold)", DEFAULT_PEN),
])
def test_the_pen_is_one_the_menu_offers_or_the_default(
    places: Places, text: str, expected: str
) -> None:
    settings = _with(places, PEN_KEY, text)
    assert read_choice(settings, PEN_KEY, PEN_WIDTHS, DEFAULT_PEN) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("false", False), ("garbage", None), ("0", None), ("a, b", None), ("", None),
])
@pytest.mark.parametrize("default", [True, False])
def test_a_switch_is_true_or_false_as_written_else_the_default(
    places: Places, text: str, expected: bool | None, default: bool
) -> None:
    settings = _with(places, CLEAR_AFTER_LABEL_KEY, text)
    wanted = default if expected is None else expected
    assert read_bool(settings, CLEAR_AFTER_LABEL_KEY, default) is wanted


@pytest.mark.parametrize("text", [
    "12", "relative/my.keras", "a, b", "\\0", "/models/a\x00b.keras", "", "@Size(1 2)",
    pytest.param("/" + "a" * MAX_TEXT, id="longer than any path"),
])
def test_a_remembered_model_that_is_not_a_path_starts_the_bundled_one(
    places: Places, text: str
) -> None:
    assert ModelChoice(_with(places, MODEL_KEY, text), BUNDLED).startup_path() == BUNDLED


def test_a_remembered_model_that_is_gone_is_still_tried_so_the_user_is_told(
    places: Places,
) -> None:
    settings = _with(places, MODEL_KEY, "{missing}")
    assert ModelChoice(settings, BUNDLED).startup_path() == places.missing


def test_a_remembered_model_written_by_hand_that_fails_falls_back(qtbot, places: Places) -> None:
    choice = ModelChoice(_with(places, MODEL_KEY, "/models//mine.keras/"), BUNDLED)
    path = choice.startup_path()  # tidied, as the failed load names it
    with qtbot.waitSignal(choice.fell_back), qtbot.waitSignal(choice.load_requested) as loaded:
        choice.on_model_failed(str(path), f"{path}: no such model file", False)
    assert loaded.args == [str(BUNDLED)]


@pytest.mark.parametrize(("text", "where"), [
    ("{folder}", "folder"), ("{file}", "home"), ("{missing}", "home"), ("relative/dir", "home"),
    ("a, b", "home"), ("@Invalid()", "home"),
    pytest.param("/" + "a" * 300, "home", id="a name too long for the file system"),
])
def test_a_file_dialog_starts_in_the_last_folder_if_it_is_still_there(
    places: Places, text: str, where: str
) -> None:
    expected = places.folder if where == "folder" else Path.home()
    assert last_folder(_with(places, FOLDER_KEY, text)) == expected


def test_an_ignored_value_is_logged_with_its_key(
    places: Places, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _with(places, PEN_KEY, "x" * 10_000)
    with caplog.at_level(logging.WARNING):
        assert read_choice(settings, PEN_KEY, PEN_WIDTHS, DEFAULT_PEN) == DEFAULT_PEN
    (record,) = caplog.records
    assert "ignoring pen/width" in record.getMessage() and len(record.getMessage()) < 300


# --- what digitpad writes reads back --------------------------------------------------------

_folder_names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1,
    max_size=30,
).filter(lambda name: name not in (".", "..") and len(name.encode()) <= 255)


@settings(FUZZ, max_examples=300)
@given(name=_folder_names)
def test_the_folder_of_the_last_file_is_remembered_whatever_its_name(
    places: Places, name: str
) -> None:
    folder = places.base / f"chosen-{next(_names)}" / name
    folder.mkdir(parents=True)
    written = _fresh(places)
    settings = QSettings(str(written), QSettings.Format.IniFormat)
    remember_folder(settings, folder / "digit.png")
    settings.sync()
    # Read from a copy: QSettings would answer from its cache of the file just written.
    assert last_folder(_open(places, written.read_bytes())) == folder


def test_a_switch_and_a_pen_digitpad_wrote_read_back(places: Places) -> None:
    written = _fresh(places)
    settings = QSettings(str(written), QSettings.Format.IniFormat)
    settings.setValue(CLEAR_AFTER_LABEL_KEY, False)
    settings.setValue(PEN_KEY, "Bold")
    settings.sync()
    again = _open(places, written.read_bytes())
    assert read_bool(again, CLEAR_AFTER_LABEL_KEY, True) is False
    assert read_choice(again, PEN_KEY, PEN_WIDTHS, DEFAULT_PEN) == "Bold"


# --- a file that cannot be used at all ------------------------------------------------------


def test_a_folder_where_the_settings_file_belongs_gives_defaults_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "digitpad.ini"
    path.mkdir()
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    with caplog.at_level(logging.WARNING):
        assert read_choice(settings, PEN_KEY, PEN_WIDTHS, DEFAULT_PEN) == DEFAULT_PEN
        problem = settings_problem(settings)
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "cannot be read" in messages and "will not be remembered" in messages
    assert problem is not None
    assert "cannot be read" in problem and "will not be remembered" in problem
    settings.setValue(PEN_KEY, "Bold")
    settings.sync()  # fails quietly: the value lives on in memory only
    assert path.is_dir() and settings.status() == QSettings.Status.AccessError
