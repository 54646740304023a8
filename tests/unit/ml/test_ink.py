"""The ink format: parsing, validation errors a user can read, and the file round trip."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.ink import (
    MAX_COORDINATE,
    MAX_DRAWINGS,
    MAX_FILE_BYTES,
    MAX_POINTS,
    Drawing,
    InkError,
    load_ink,
    make_drawing,
    parse_ink,
    save_ink,
)
from digitpad.ml.jsonfile import MAX_NESTING
from digitpad.ml.preprocess import ink_to_image


def test_single_drawing_object_is_one_unlabelled_drawing() -> None:
    [drawing] = parse_ink({"strokes": [[[0, 0], [10, 5]], [[3, 3]]]})
    assert drawing.label is None
    assert [s.tolist() for s in drawing.strokes] == [[[0, 0], [10, 5]], [[3, 3]]]


def test_sample_list_keeps_labels_and_ignores_other_keys() -> None:
    samples = parse_ink(
        [{"label": 7, "writer": "w1", "strokes": [[[0, 0], [1, 1]]]}, {"strokes": [[[2, 2]]]}]
    )
    assert [s.label for s in samples] == [7, None]
    assert samples[0].extra == {"writer": "w1"}


def test_one_point_stroke_is_a_dot_not_an_error() -> None:
    [drawing] = parse_ink({"strokes": [[[5, 5]]]})
    assert not drawing.is_empty


def test_empty_drawing_is_allowed_and_empty() -> None:
    [drawing] = parse_ink({"strokes": []})
    assert drawing.is_empty


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (42, "expected a drawing object or a list of samples"),
        ([{"label": 3}], "sample 0: missing the 'strokes' key"),
        ([{"strokes": {}}], "'strokes' must be a list"),
        ([{"strokes": [[[0, 0]]]}, {"strokes": [[[1, "a"]]]}], "sample 1, stroke 0, point 0"),
        ([{"strokes": [[[1, 2, 3]]]}], "two numbers"),
        ([{"strokes": [[[True, 2]]]}], "two numbers"),
        ([{"strokes": [[[0, 0]]], "label": 10}], "'label' must be a digit 0-9, got 10"),
        ([{"strokes": [[[0, 0]]], "label": "7"}], "'label' must be a digit 0-9"),
        ([{"strokes": [[[0, 0]]], "label": True}], "'label' must be a digit 0-9"),
    ],
)
def test_bad_input_names_the_sample_and_the_problem(data: object, expected: str) -> None:
    with pytest.raises(InkError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        parse_ink(data)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinates_are_rejected(bad: float) -> None:
    with pytest.raises(InkError, match="finite"):
        parse_ink({"strokes": [[[0, 0], [bad, 1]]]})


def test_file_round_trip_is_exact(tmp_path: Path) -> None:
    drawings = [
        make_drawing([[(0.5, 1.25), (10, 20)], [(3, 4)]], label=4),
        make_drawing([[(100, 200), (101, 202), (99.125, 250)]]),
    ]
    path = tmp_path / "ink.json"
    save_ink(path, drawings)
    loaded = load_ink(path)
    assert [d.label for d in loaded] == [4, None]
    for before, after in zip(drawings, loaded, strict=True):
        for a, b in zip(before.strokes, after.strokes, strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_single_drawing_is_saved_as_an_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    save_ink(path, make_drawing([[(1, 2), (3, 4)]]))
    assert json.loads(path.read_text()) == {"strokes": [[[1, 2], [3, 4]]]}


def test_unreadable_files_say_which_file_and_why(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(InkError, match=re.escape("nope.json: cannot read the file")):
        load_ink(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"strokes": [[[0, 0]')
    with pytest.raises(InkError, match=r"broken.json: not valid JSON \(line 1"):
        load_ink(broken)
    binary = tmp_path / "picture.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(InkError, match=re.escape("picture.json: not a text file")):
        load_ink(binary)


def test_the_shared_pendigits_file_parses(pendigits: list[Drawing]) -> None:
    assert len(pendigits) == 7494
    assert {d.label for d in pendigits} == set(range(10))
    assert all(not d.is_empty for d in pendigits)


# --- odd and hostile files: one clear line naming the file, quickly, never a traceback ---------


def _refused(tmp_path: Path, text: str | bytes) -> str:
    """The one-line message for an ink file with this content."""
    path = tmp_path / "odd.json"
    if isinstance(text, str):
        path.write_text(text)
    else:
        path.write_bytes(text)
    with pytest.raises(InkError) as raised:
        load_ink(path)
    message = str(raised.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert len(message) - len(str(path)) < 160
    return message


def test_deeply_nested_json_is_not_an_ink_file(tmp_path: Path) -> None:
    message = _refused(tmp_path, "[" * 100_000)
    assert f"nested more than {MAX_NESTING} levels deep; expected ink JSON" in message


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    path = tmp_path / "note.json"
    path.write_text(json.dumps({"strokes": [[[0, 0]]], "note": "[" * 10_000 + '\\"{'}))
    [drawing] = load_ink(path)
    assert drawing.extra["note"].startswith("[[[")


def test_a_310_digit_coordinate_is_out_of_range_and_not_quoted_in_full(tmp_path: Path) -> None:
    message = _refused(tmp_path, '{"strokes": [[[0, 0], [' + "9" * 310 + ", 1]]]}")
    assert "stroke 0, point 1: out of range" in message
    assert "9" * 50 not in message and message.endswith("…")


@pytest.mark.parametrize("value", ["1.7e308", "-1.7e308", "1000000001"])
def test_coordinates_beyond_the_limit_are_out_of_range(tmp_path: Path, value: str) -> None:
    message = _refused(tmp_path, '{"strokes": [[[0, 0], [1, ' + value + "]]]}")
    assert f"out of range; coordinates must be finite and within ±{MAX_COORDINATE:,.0f}" in message


def test_coordinates_at_the_limit_and_denormals_are_read_and_drawn(tmp_path: Path) -> None:
    path = tmp_path / "extremes.json"
    path.write_text('[{"strokes": [[[-1e9, -1e9], [1e9, 1e9]]]},'
                    ' {"strokes": [[[5e-324, 0], [0, 5e-324]]]}]')
    for drawing in load_ink(path):  # warnings are errors in this suite: none may escape
        image = ink_to_image(list(drawing.strokes))
        assert image is not None and np.isfinite(image).all() and image.max() > 0


def test_a_5000_digit_label_is_not_a_digit(tmp_path: Path) -> None:
    message = _refused(tmp_path, '{"strokes": [[[0, 0]]], "label": ' + "7" * 5000 + "}")
    assert "'label' must be a digit 0-9" in message


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    message = _refused(tmp_path, b" " * (MAX_FILE_BYTES + 1))
    assert f"too big for an ink file; the limit is {MAX_FILE_BYTES // 2**20} MB" in message


def test_too_many_drawings_are_refused_before_any_is_parsed(tmp_path: Path) -> None:
    message = _refused(tmp_path, "[" + ",".join(["1"] * (MAX_DRAWINGS + 1)) + "]")
    assert f"{MAX_DRAWINGS + 1:,} drawings; a file may hold at most {MAX_DRAWINGS:,}" in message


def test_a_stroke_of_two_million_points_is_refused_quickly(tmp_path: Path) -> None:
    start = time.perf_counter()
    message = _refused(tmp_path, '{"strokes": [[' + ",".join(["[1,2]"] * 2_000_000) + "]]}")
    assert f"2,000,000 points; a drawing may have at most {MAX_POINTS:,}" in message
    assert time.perf_counter() - start < 10  # decoding 12 MB; parsing would take far longer
