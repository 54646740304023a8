"""Numbers as colours in the view inside the model: one scale per picture, zero always black.

Positive values glow warm (black → red → orange → pale yellow), negative ones cool (black → blue
→ pale cyan), so a map reads like the drawing itself: dark where nothing happens. A picture
without negative values uses the warm half only, from 0 to its largest value; one with both
spreads its largest magnitude over each half, so equal magnitudes look equally strong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_STEPS = 128
"""Colours per half of the scale."""
_WARM = ((0.0, (0, 0, 0)), (0.35, (120, 20, 40)), (0.65, (225, 95, 20)), (1.0, (255, 245, 190)))
_COOL = ((0.0, (0, 0, 0)), (0.35, (20, 40, 130)), (0.65, (40, 130, 225)), (1.0, (200, 245, 255)))
_TINY = 1e-12
MINUS = "\N{MINUS SIGN}"


def _ramp(anchors: tuple[tuple[float, tuple[int, int, int]], ...]) -> np.ndarray:
    """``_STEPS`` opaque ARGB32 colours through ``anchors`` (position in [0, 1], RGB)."""
    at = np.linspace(0.0, 1.0, _STEPS)
    positions = [a for a, _ in anchors]
    channels = [np.interp(at, positions, [rgb[i] for _, rgb in anchors]).round().astype(np.uint32)
                for i in range(3)]
    return np.uint32(0xFF000000) | channels[0] << 16 | channels[1] << 8 | channels[2]


_WARM_RAMP = _ramp(_WARM)
_COOL_RAMP = _ramp(_COOL)


@dataclass(frozen=True)
class ColourScale:
    """How one picture's values become colours: ``low`` and ``high`` are its smallest and
    largest values (the range shown beside it)."""

    low: float
    high: float

    @staticmethod
    def of(values: np.ndarray) -> ColourScale:
        if values.size == 0:
            return ColourScale(0.0, 0.0)
        return ColourScale(float(np.min(values)), float(np.max(values)))

    @property
    def reach(self) -> float:
        """The magnitude each half of the scale spans."""
        return max(abs(self.low), abs(self.high), _TINY)

    def colours(self, values: np.ndarray) -> np.ndarray:
        """``values`` as opaque ARGB32 colours (uint32, same shape), for a ``QImage``."""
        scaled = np.nan_to_num(np.asarray(values, np.float32) / self.reach, nan=0.0)
        steps = np.clip(np.abs(scaled) * (_STEPS - 1) + 0.5, 0, _STEPS - 1).astype(np.intp)
        return np.where(scaled < 0, _COOL_RAMP[steps], _WARM_RAMP[steps])

    def text(self) -> str:
        """The range as the view labels it: "0 … 3.21", "-1.5 … 2" (with a true minus)."""
        return f"{format_value(self.low)} \N{HORIZONTAL ELLIPSIS} {format_value(self.high)}"


def format_value(value: float) -> str:
    """Three significant digits and a true minus sign: "0.0123", "-4.56" (minus), "1.23e+03"."""
    text = f"{value:.3g}"
    if text == "-0":
        return "0"
    return MINUS + text[1:] if text.startswith("-") else text
