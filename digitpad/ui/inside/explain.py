"""What each kind of layer does, in the words the view shows beside a unit (and Help repeats):
the MNIST tutorial's terms, one or two sentences each."""

from __future__ import annotations

from digitpad.ml.layer_outputs import Layer
from digitpad.ui.inside.colours import format_value

INPUT_TEXT = ("The drawing as the model gets it: 28\N{MULTIPLICATION SIGN}28 pixels, from 0 "
              "(paper) to 1 (ink).")
WEIGHTS_KEY = ("Warm weights: more of what it reads there raises the unit; cool ones lower it.")


def layer_text(layer: Layer, activation: str | None, reads: str, last: bool) -> str:
    """What ``layer`` does to what it ``reads``; ``last``: its output is the model's answer."""
    kind = layer.class_name
    if kind == "Conv2D":
        return ("A convolution slides each unit's small kernel over the maps it reads and adds "
                "up the products at every place (plus a bias): the unit's map is bright where "
                f"its pattern is. {WEIGHTS_KEY}") + _activated(activation)
    if kind == "Dense":
        return ("A Dense unit is connected to every value it reads: it multiplies each by its "
                f"weight and adds them up (plus a bias). {WEIGHTS_KEY}"
                ) + _activated(activation, last)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        how = "largest" if kind.startswith("Max") else "average"
        return (f"Pooling keeps the {how} value of each 2\N{MULTIPLICATION SIGN}2 block of "
                f"{reads}: the maps halve in size, and a pattern counts wherever it is in its "
                "block. It has no weights.")
    if kind == "Flatten":
        return (f"Flatten lines up the values of {reads} in one row, row after row: it only "
                "reshapes them and has no weights.")
    if kind == "Dropout":
        return ("Dropout passes the values on unchanged when reading a drawing; while training "
                "it sets a random share of them to 0, so no unit can rely on one other.")
    if kind == "BatchNormalization":
        return ("Batch normalisation rescales each channel with what it learned in training: "
                "\N{GREEK SMALL LETTER GAMMA} (x \N{MINUS SIGN} mean) / "
                "\N{SQUARE ROOT}(variance + \N{GREEK SMALL LETTER EPSILON}) + "
                "\N{GREEK SMALL LETTER BETA}.")
    if kind == "Activation":
        return _activated(activation, last).strip() or "It changes each value on its own."
    if kind == "Reshape":
        return (f"Reshape gives {reads} the shape {layer.shape}: the same values, arranged "
                "for the next layer.")
    return f"A {kind} layer (not explained here): its output is shown as it is."


def _activated(activation: str | None, last: bool = False) -> str:
    if activation == "relu":
        return " ReLU then keeps what is above 0 and sets the rest to 0."
    if activation == "softmax":
        return (" Softmax then turns the sums (the logits) into probabilities that add up to 1"
                + (": the model's answer." if last else "."))
    if activation in (None, "linear"):
        return ""
    return f" Then {activation} is applied to each value."


def normalisation_text(parameters: dict[str, float]) -> str:
    """A normalisation unit's learned numbers, as the formula names them."""
    names = {"gamma": "\N{GREEK SMALL LETTER GAMMA}", "beta": "\N{GREEK SMALL LETTER BETA}",
             "moving_mean": "mean", "moving_variance": "variance"}
    return ", ".join(f"{names[key]} = {format_value(value)}" for key, value in parameters.items())
