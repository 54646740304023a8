"""Rendering many drawings in worker processes gives what one process gives, in order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from digitpad.ml.ink import Drawing, make_drawing
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.render_pool import CHUNK, InkRenderer


def _one_at_a_time(drawings: list[Drawing]) -> Iterator[Drawing]:
    """As the classify command gives them: parsed lazily, while the first ones render."""
    yield from drawings


def test_workers_render_exactly_what_one_process_renders_in_order(
    pendigits: list[Drawing],
) -> None:
    drawings = list(pendigits[: 5 * CHUNK + 7])
    drawings.insert(CHUNK + 3, make_drawing([]))
    expected = [ink_to_image(d.strokes) for d in drawings]
    with InkRenderer(parallel=True) as renderer:
        for _ in range(2):  # the same workers serve a second file
            rendered = list(renderer.render(_one_at_a_time(drawings)))
            assert len(rendered) == len(expected)
            assert rendered[CHUNK + 3] is None
            for got, want in zip(rendered, expected, strict=True):
                if want is not None:
                    np.testing.assert_array_equal(got, want)


def test_without_workers_it_renders_in_this_process(pendigits: list[Drawing]) -> None:
    drawings = list(pendigits[:20])
    with InkRenderer(parallel=False) as renderer:
        rendered = list(renderer.render(drawings))
    for got, drawing in zip(rendered, drawings, strict=True):
        np.testing.assert_array_equal(got, ink_to_image(drawing.strokes))


def test_leaving_early_stops_the_workers(pendigits: list[Drawing]) -> None:
    """A bad drawing further on in a file ends the command: the renderer must not hang."""
    with InkRenderer(parallel=True) as renderer:
        first = next(iter(renderer.render(_one_at_a_time(list(pendigits[: 20 * CHUNK])))))
    assert first is not None
