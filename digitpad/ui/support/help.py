"""Help → How to Use and Keyboard Shortcuts: what the window shows as rich text.

The shortcut list is made from the window's actions each time it is shown, so an action added
anywhere (a new menu entry, a feature's keys) is listed without a word changed here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

OTHER_KEYS = "Other keys"
"""The group of the keys that work in the window but have no menu entry."""


def how_to_use_html() -> str:
    """The window's features in the order one meets them; keys are named only where a key is
    the feature (0-9, Tab): the rest are in Keyboard Shortcuts, which cannot go stale."""
    return """
<h2>How to use digitpad</h2>

<h3>Draw</h3>
<p>Draw a digit on the pad with the mouse, a pen or a finger. digitpad reads it as you draw:
<b>Prediction</b> shows its answer and how sure it is, <b>What the model sees</b> the drawing
as the model gets it (28&nbsp;&times;&nbsp;28 pixels), and <b>Probabilities</b> how likely
each digit is. Edit &rarr; Undo and Redo take back and put back strokes; Clear empties the pad
(Undo brings the drawing back). The pen width only changes how the ink looks.</p>

<h3>Numbers</h3>
<p>Write up to 12 digits side by side, left to right, and digitpad reads the number. Each digit
gets a box on the pad with its confidence, and the number shows large under Prediction. Click a
digit of the number there, or press <b>Tab</b>, <b>Shift+Tab</b> or the <b>arrow keys</b> on the
pad, to see that digit in the chart and the preview.</p>

<h3>Not a digit</h3>
<p>A drawing that is no digit (a letter, a scribble) is answered <b>Not a digit</b> instead of
the digit it resembles most.</p>

<h3>How you write 1 and 7</h3>
<p>The same shape is a 7 to one writer and a 1 to another. View &rarr; How You Write 1 and 7
says which you write: a plain 7 and a 1 as a stroke, or a crossed 7 and a 1 with a long flag.
The default follows your system's language; your choice is remembered.</p>

<h3>Teach digitpad your handwriting</h3>
<p>When the answer is wrong (or right), press the digit you drew, <b>0</b>&ndash;<b>9</b>, or
click it under <b>That was a&nbsp;&hellip;</b>: the drawing is kept as a sample of that digit.
For a number, type the whole number, one key per digit. A line under the buttons says what was
kept and offers Undo for a few seconds.</p>
<p><b>Collect</b> (Teach &rarr; Collect Samples) asks for one digit after another: draw the
digit asked for and press Enter; Esc stops. It is the quickest way to many samples.</p>

<h3>My Samples</h3>
<p>Window &rarr; My Samples shows the drawings you kept and how the current model reads each:
a tick when it reads it right, else what it reads instead. Filter by digit or show only the
misread ones; select samples to relabel them (Relabel As, or a digit key) or delete them, each
undoable. Export and Import write and read them as ink JSON files.</p>

<h3>Retrain and History</h3>
<p>Model &rarr; Retrain trains a new model on the training data that ships with digitpad and, if
you like, your samples, and shows it learning. Model &rarr; History lists the models you trained:
use one, compare them, delete them. Reset to Bundled Model goes back to the model digitpad came
with.</p>

<h3>Inside the model</h3>
<p>View &rarr; Inside the Model opens a panel beside the answer with every layer of the model in
use, in order, named and shaped as Model &rarr; Model Summary lists them, responding to your
drawing as you draw (for a number, to the selected digit). Each picture has its own colour
scale, its range beside it: black is 0, warm colours are positive values, cool ones negative.
Click a map, a cell or a bar to see what that unit looks for and its value now. The first time
for each model its layers are prepared for viewing, which takes a few seconds; the status bar
shows it and offers Cancel.</p>
<table cellspacing='0' cellpadding='3'>
<tr><td><b>Convolution</b> (Conv2D)</td><td>Slides small filters, each a 3&times;3 kernel of
weights, over the picture and adds up what each sees at every place: it finds strokes, edges and
corners wherever they are. <i>Shown:</i> one small map per filter, bright where its pattern is;
click one to see its kernel.</td></tr>
<tr><td><b>Pooling</b> (MaxPooling2D)</td><td>Keeps the largest value of each 2&times;2 block,
so the maps halve in size and a pattern counts wherever it is in its block. No weights.
<i>Shown:</i> the same maps, half as large.</td></tr>
<tr><td><b>Flatten</b></td><td>Unstacks the rows of the 28&times;28 image (or of the maps) and
lines them up in one row of numbers, 784 for the image; it only reformats the data.
<i>Shown:</i> a grid of cells, one per number.</td></tr>
<tr><td><b>Dense</b></td><td>Densely (fully) connected: each unit multiplies every number of the
layer before by its own weight and adds them up; the tutorial's first Dense layer has 128 units.
<i>Shown:</i> a cell per unit (128 as 16&times;8); click one to see its weights, for the
tutorial's model a 28&times;28 picture of what that unit responds to.</td></tr>
<tr><td><b>Softmax</b></td><td>The last layer's ten numbers (the logits) become probabilities,
one per digit, that add up to 1. <i>Shown:</i> a bar per digit, as in Probabilities.</td></tr>
</table>

<h3>Why this digit</h3>
<p>View &rarr; Why This Digit colours your ink after each stroke: <b>blue</b> ink made the
answer, <b>orange</b> ink argued against it, the deeper the more it mattered; ink that hardly
mattered stays black. digitpad finds out by rubbing out each piece of the ink in turn and reading
what is left again; the line under the chart says how far the answer drops without the bluest
ink. On the 28&times;28 picture the same is done block by block. A 1 drawn with a long flag that
reads as a 7 shows the flag in blue: it is what made it a 7.</p>

<h3>Compare two models</h3>
<p>Model &rarr; Compare With lets a second model read the same drawing: the bundled one, one
from History (select it, then Compare) or a model file. Its bars stand beside the bars of the
model in use, in their own colour, and the line under the chart names both models and both
answers. The tutorial's model next to the bundled one on your own 7 shows what the convolution
layers add. Stop Comparing, in the same menu, ends it.</p>

<h3>Files</h3>
<p>File &rarr; Open Image reads a photo or scan of a digit or a number; it takes the place of
the drawing, which Undo brings back. Open Ink puts a saved
drawing back on the pad. Save as PNG saves the drawing as a picture; Save Ink saves its strokes,
to open again or to read with <code>digitpad read</code> on the command line.</p>
"""


def shortcut_groups(menus: Sequence[QMenu], window_actions: Iterable[QAction]
                    ) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Every action with a shortcut, as (group, [(action, [key, …])]): one group per menu (a
    submenu's actions in its menu's), then ``window_actions`` not in any menu as
    ``OTHER_KEYS``. Each action is listed once, each of its keys once (a keypad digit is the
    digit), in the platform's own words (⌘ on macOS)."""
    listed: set[QAction] = set()
    groups = []
    for menu in menus:
        rows = _rows(_menu_actions(menu), listed)
        if rows:
            groups.append((_plain(menu.title()), rows))
    rows = _rows(window_actions, listed)
    if rows:
        groups.append((OTHER_KEYS, rows))
    return groups


def shortcuts_html(groups: Sequence[tuple[str, Sequence[tuple[str, Sequence[str]]]]]) -> str:
    """``shortcut_groups`` as a table, a heading row per group."""
    body = []
    for title, rows in groups:
        body.append(f"<tr><td colspan='2'><h3>{html.escape(title)}</h3></td></tr>")
        for text, keys in rows:
            shown = ", ".join(f"<b>{html.escape(key)}</b>" for key in keys)
            body.append(f"<tr><td>{html.escape(text)}</td><td>{shown}</td></tr>")
    return ("<h2>Keyboard shortcuts</h2>"
            "<p>The keys work while the drawing pad window is active. Tab moves the focus "
            "between the pad and the buttons, except on a number, where it moves between its "
            "digits.</p>"
            f"<table cellspacing='0' cellpadding='3'>{''.join(body)}</table>")


def _menu_actions(menu: QMenu) -> list[QAction]:
    actions = []
    for action in menu.actions():
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            actions.extend(_menu_actions(submenu))
        else:
            actions.append(action)
    return actions


def _rows(actions: Iterable[QAction], listed: set[QAction]) -> list[tuple[str, list[str]]]:
    rows = []
    for action in actions:
        keys = _key_texts(action.shortcuts())
        if keys and action not in listed and not action.isSeparator():
            listed.add(action)
            rows.append((_plain(action.text()), keys))
    return rows


def _key_texts(sequences: Iterable[QKeySequence]) -> list[str]:
    texts: list[str] = []
    for sequence in sequences:
        text = _without_keypad(sequence).toString(QKeySequence.SequenceFormat.NativeText)
        if text and text not in texts:
            texts.append(text)
    return texts


def _without_keypad(sequence: QKeySequence) -> QKeySequence:
    """The keypad's 7 is the user's 7: the key as the user thinks of it."""
    if sequence.count() != 1:
        return sequence
    combination = sequence[0]
    modifiers = combination.keyboardModifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeySequence(QKeyCombination(modifiers, combination.key()))


def _plain(text: str) -> str:
    """A menu text without its mnemonic marks ("&File" → "File", "&&" → "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")
