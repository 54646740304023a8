"""``digitpad read``: what each drawing of real pen-drawn digits reads as, from ink and pictures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad.ml.ink import Drawing, make_drawing, save_ink
from digitpad.ml.number_synthesis import SynthesisedNumber, compose_number
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Recognizer
from digitpad.paths import assets_dir
from tests.unit.ml.number_pictures import draw_ink

Cli = Callable[..., tuple[int, str, str]]
WRITER = "tra_w09"


def first(pendigits: list[Drawing], digit: int) -> Drawing:
    return next(d for d in pendigits if d.extra["writer"] == WRITER and d.label == digit)


def number(pendigits: list[Drawing], text: str) -> SynthesisedNumber:
    """One writer's digits side by side, with room between them."""
    return compose_number([first(pendigits, int(c)) for c in text], np.random.default_rng(0),
                          gaps=[0.3] * (len(text) - 1))


def drawing(drawn: SynthesisedNumber) -> Drawing:
    return Drawing(tuple(drawn.strokes))


def test_json_gives_each_drawing_its_kind_its_text_and_each_digit_where_it_was_drawn(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    drawn = number(pendigits, "2026")
    six = first(pendigits, 6)
    path = tmp_path / "a.json"
    save_ink(path, [drawing(drawn), make_drawing([]), six])
    code, out, err = cli("read", "--json", str(path))
    assert (code, err) == (0, "")

    def part(strokes: list[np.ndarray]) -> dict:
        seen = bundled_recognizer.predict_image(ink_to_image(strokes))
        points = np.concatenate(strokes)
        return {"digit": seen.digit, "confidence": round(seen.confidence, 6),
                "box": [*points.min(axis=0).tolist(), *points.max(axis=0).tolist()]}

    digits = [part([drawn.strokes[i] for i in group]) for group in drawn.groups]
    assert [d["digit"] for d in digits] == [2, 0, 2, 6]
    assert json.loads(out) == {"results": [
        {"file": str(path), "index": 0, "kind": "number", "text": "2026", "digits": digits},
        {"file": str(path), "index": 1, "kind": "empty", "text": "", "digits": []},
        {"file": str(path), "index": 2, "kind": "digit", "text": "6",
         "digits": [part(list(six.strokes))]},
    ]}
    assert list(json.loads(out)["results"][0]) == ["file", "index", "kind", "text", "digits"]


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_a_picture_of_a_number_reads_in_either_polarity_with_boxes_in_pixels(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], dark_on_light: bool
) -> None:
    drawn = number(pendigits, "2026")
    picture = draw_ink(drawn.strokes, dark_on_light=dark_on_light)
    path = tmp_path / "number.png"
    picture.image.save(path)
    code, out, _ = cli("read", "--json", str(path))
    assert code == 0
    [result] = json.loads(out)["results"]
    assert (result["file"], result["index"], result["kind"], result["text"]) == (
        str(path), 0, "number", "2026")
    for digit, group in zip(result["digits"], drawn.groups, strict=True):
        assert set(digit) == {"digit", "confidence", "box"}
        assert all(isinstance(v, int) for v in digit["box"])
        np.testing.assert_allclose(
            digit["box"], picture.box_of([drawn.strokes[i] for i in group]), atol=3)
    assert cli("read", str(path))[1] == f"{path}: 2026\n"


def test_the_command_reads_files_of_ink_and_pictures_one_line_a_drawing(
    tmp_path: Path, pendigits: list[Drawing]
) -> None:
    """As a user runs it: a process of its own, the bundled model, nothing on stderr."""
    drawn = number(pendigits, "314159")
    save_ink(tmp_path / "many.json", [drawing(drawn), make_drawing([]), first(pendigits, 6)])
    save_ink(tmp_path / "one.json", first(pendigits, 7))
    draw_ink(drawn.strokes).image.save(tmp_path / "photo.png")
    Image.new("L", (120, 80), 240).save(tmp_path / "blank.png")
    result = subprocess.run(
        [sys.executable, "-m", "digitpad", "read", "many.json", "one.json", "photo.png",
         "blank.png"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "many.json#0: 314159", "many.json#1: empty", "many.json#2: 6", "one.json: 7",
        "photo.png: 314159", "blank.png: empty"]


def test_the_sample_file_the_readme_names_reads_as_its_numbers(cli: Cli) -> None:
    """assets/samples/numbers.json, for a newcomer's first ``digitpad read``: each drawing reads
    as the number (or digit) it was composed of."""
    sample = assets_dir() / "samples" / "numbers.json"
    expected = [str(d.get("number", d.get("label"))) for d in json.loads(sample.read_text())]
    code, out, _ = cli("read", str(sample))
    assert code == 0
    assert [line.rsplit(": ", 1)[1] for line in out.splitlines()] == expected
    assert len(expected) == 4 and "2026" in expected


def test_more_than_twelve_digits_are_not_claimed_as_a_number(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing]
) -> None:
    drawn = number(pendigits, "1234567890123")
    save_ink(tmp_path / "long.json", drawing(drawn))
    drawn_picture = tmp_path / "long.png"
    draw_ink(drawn.strokes, scale=1.0, pen=7).image.save(drawn_picture)
    code, out, _ = cli("read", "--json", str(tmp_path / "long.json"), str(drawn_picture))
    assert code == 0
    for result in json.loads(out)["results"]:
        assert (result["kind"], result["text"], result["digits"]) == ("not-a-digit", "", [])
    assert cli("read", str(tmp_path / "long.json"))[1] == f"{tmp_path / 'long.json'}: not a digit\n"


def test_a_part_that_is_no_digit_makes_the_drawing_not_a_digit_and_is_marked(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], heavy_ink_model: Path
) -> None:
    """A twelve-output model that takes the heavy ink of a 0 for no digit and a 1 for a 7."""
    drawn = number(pendigits, "101")
    path = tmp_path / "101.json"
    save_ink(path, drawing(drawn))
    code, out, err = cli("read", "--json", "--model", str(heavy_ink_model), "--sevens", "plain",
                         str(path))
    assert (code, err) == (0, "")
    [result] = json.loads(out)["results"]
    assert (result["kind"], result["text"]) == ("not-a-digit", "")
    one, zero, other_one = result["digits"]
    assert one["digit"] == other_one["digit"] == 7 and "not_a_digit" not in one
    assert zero["digit"] is None and zero["not_a_digit"] is True
    assert zero["confidence"] > 0.99  # sure it is no digit
    assert zero["box"][0] > one["box"][2] and zero["box"][2] < other_one["box"][0]
    plain = cli("read", "--model", str(heavy_ink_model), str(path))[1]
    assert plain == f"{path}: not a digit\n"


@pytest.mark.parametrize(("arguments", "language", "read"), [
    (["--sevens", "plain"], "de_DE.UTF-8", "7"),
    (["--sevens", "crossed"], "en_US.UTF-8", "1"),
    ([], "de_DE.UTF-8", "1"),  # where 7s are crossed, an uncrossed one is a 1
    ([], "en_US.UTF-8", "7"),
])
def test_sevens_says_whether_an_uncrossed_7_is_a_7_default_from_the_locale(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], heavy_ink_model: Path,
    monkeypatch: pytest.MonkeyPatch, arguments: list[str], language: str, read: str
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", language)
    save_ink(tmp_path / "one.json", first(pendigits, 1))  # light ink: an uncrossed 7 to the model
    code, out, _ = cli("read", "--model", str(heavy_ink_model), *arguments,
                       str(tmp_path / "one.json"))
    assert (code, out) == (0, f"{tmp_path / 'one.json'}: {read}\n")


def test_an_unknown_sevens_is_refused_with_the_choices(cli: Cli, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    save_ink(tmp_path / "ink.json", make_drawing([[(0, 0), (1, 1)]]))
    with pytest.raises(SystemExit) as exited:
        cli("read", "--sevens", "european", str(tmp_path / "ink.json"))
    assert exited.value.code == 2
    assert "argument --sevens: invalid choice: 'european' (choose from 'plain', 'crossed')" in (
        capsys.readouterr().err)


def test_a_file_that_is_no_picture_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "eps.png").write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n")
    code, out, err = cli("read", str(tmp_path / "eps.png"))
    assert (code, out) == (2, "")
    assert err == (f"digitpad: error: {tmp_path / 'eps.png'}: not a supported image (PNG, JPEG, "
                   "BMP, GIF, WebP or TIFF)\n")
