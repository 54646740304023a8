"""Model → Model Card and Model Summary as pages to read, not monospaced dumps.

The card is the Markdown written beside the model (``name.md``, as the bundled model has), or
else its figures as a table. The summary is Keras' (recorded when the model was prepared for
LiteRT, so no TensorFlow is needed to show it), read back from its box-drawn table into rows.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from digitpad.ui.pad.workers import ModelInfo

MAX_CARD_BYTES = 256 * 1024
"""A written card is a few kilobytes; a larger ``.md`` is not one and is not shown."""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")
_LAYER = re.compile(r"^(?P<name>.*?) \((?P<type>[^()]*)\)$")
"""Keras' "name (Type)" in the first column."""
_HEADINGS = {"Output Shape": "Output shape", "Param #": "Parameters"}


def card_markdown(info: ModelInfo) -> str:
    """The model's card as Markdown: the one written beside it, else its figures."""
    written = _written_card(info.path)
    if written is not None:
        return written
    lines = [f"# Model card: {_escaped(info.name)}", ""]
    figures = info.card.figures()
    if not figures:
        lines.append("This model has no card: it was not trained by digitpad, so there are no "
                     "figures on how it was made or how well it does.")
        return "\n".join(lines) + "\n"
    lines += ["| | |", "|---|---|"]
    lines += [f"| {_escaped(label[:1].upper() + label[1:])} | {_escaped(value)} |"
              for label, value in figures]
    return "\n".join(lines) + "\n"


def _written_card(model: Path) -> str | None:
    path = model.with_suffix(".md")
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _escaped(text: str) -> str:
    """Plain text that Markdown shows as it is."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


@dataclass(frozen=True)
class Summary:
    """A Keras model summary read back: its title, column headings, one row per layer (each
    cell's lines joined) and the totals under the table."""

    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[tuple[str, str], ...]


def read_summary(text: str) -> Summary | None:
    """The rows of the table Keras 3 draws with box characters; None for text that is not one."""
    title, headings, rows, totals = "", [], [], []
    new_row = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Model:"):
            title = stripped.removeprefix("Model:").strip().strip('"')
        elif stripped.startswith("┃"):
            cells = [cell.strip() for cell in stripped.strip("┃").split("┃")]
            headings = _joined(headings, cells) if headings else cells
        elif stripped[:1] in ("┡", "├"):
            new_row = True
        elif stripped.startswith("│") and headings:
            cells = [cell.strip() for cell in stripped.strip("│").split("│")]
            if len(cells) != len(headings):
                return None
            if new_row or not rows:
                rows.append(cells)
                new_row = False
            else:  # a cell too long for its column goes on under it
                rows[-1] = _joined(rows[-1], cells)
        elif ":" in stripped and rows:
            label, value = stripped.split(":", 1)
            totals.append((label.strip(), value.strip()))
    if not headings or not rows:
        return None
    return Summary(title, tuple(headings), tuple(tuple(row) for row in rows), tuple(totals))


def _joined(cells: list[str], more: list[str]) -> list[str]:
    return [f"{a} {b}".strip() for a, b in zip(cells, more, strict=True)]


def summary_html(info: ModelInfo) -> str:
    """The summary as a table (layer, type, output shape, parameters, ...), or as its text when
    it is not a table digitpad can read."""
    summary = read_summary(info.summary)
    where = f"<p>{html.escape(str(info.path))}</p>"
    if summary is None:
        return f"{where}<pre>{html.escape(info.summary)}</pre>"
    headings = [_HEADINGS.get(heading, heading) for heading in summary.headings]
    rows = [list(row) for row in summary.rows]
    if headings[0] == "Layer (type)":  # "conv2d (Conv2D)": two columns
        headings[:1] = ["Layer", "Type"]
        for row in rows:
            match = _LAYER.match(row[0])
            row[:1] = [match["name"], match["type"]] if match else [row[0], ""]
    aligns = ["right" if heading == "Parameters" else "left" for heading in headings]

    def cells(tag: str, texts: list[str]) -> str:
        return "".join(f"<{tag} align='{align}'>{html.escape(text)}</{tag}>"
                       for text, align in zip(texts, aligns, strict=True))

    table = "".join([f"<tr>{cells('th', headings)}</tr>",
                     *(f"<tr>{cells('td', row)}</tr>" for row in rows)])
    totals = "<br>".join(f"{html.escape(label)}: <b>{html.escape(value)}</b>"
                         for label, value in summary.totals)
    title = f"<h2>{html.escape(summary.title)}</h2>" if summary.title else ""
    return (f"{title}{where}<table cellspacing='0' cellpadding='4'>{table}</table>"
            f"<p>{totals}</p>")
