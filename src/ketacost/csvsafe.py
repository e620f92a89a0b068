"""CSV cells a spreadsheet cannot run: the OWASP defence against formula injection.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`,
`-2+3+cmd|...`). Every CSV ketacost writes passes each cell through `cell`, which puts a
single quote in front of such a cell, so the spreadsheet shows it as text. The one
exception is a plain number such as `-5` or `+2.50`: a spreadsheet reads it as a number,
never as a formula, and it stays a number. JSON Lines output is data, not a spreadsheet,
and stays verbatim.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
# A trigger at the start of a cell of a row joined with NULs, other than the first (a
# NUL inside a cell can only make it look like one more: then each cell is looked at).
_JOINED_TRIGGERS = tuple("\0" + t for t in TRIGGERS)


def cell(value: object) -> str:
    """`value` as a CSV cell a spreadsheet shows as text or a plain number."""
    text = "" if value is None else str(value)
    if text.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def row(values: list[object] | tuple[object, ...]) -> list[str]:
    return [cell(v) for v in values]


class Writer:
    """A csv.writer whose every cell goes through `cell`, and which quotes a row with a
    carriage return in a cell (Python 3.11's csv quotes a lone CR only when it is part of
    the line terminator, and a reader would take it for the end of the line)."""

    def __init__(self, sink: Any) -> None:
        self._minimal = csv.writer(sink, lineterminator="\n")
        self._all = csv.writer(sink, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, values: Iterable[object]) -> Any:
        cells = [cell(v) for v in values]
        writer = self._all if any("\r" in c for c in cells) else self._minimal
        return writer.writerow(cells)

    def writerow_text(self, values: list[str]) -> Any:
        """`writerow` for a row of strings, looked at all at once: a batch writes
        millions, and almost none has a cell to change."""
        joined = "\0".join(values)
        if (
            "\r" in joined
            or joined.startswith(TRIGGERS)
            or any(t in joined for t in _JOINED_TRIGGERS)
        ):
            return self.writerow(values)
        return self._minimal.writerow(values)
