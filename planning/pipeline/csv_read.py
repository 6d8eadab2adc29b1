"""Reading a history CSV as text cells: the separator detected (comma, semicolon, tab or bar), and
every line with the wrong number of fields found at once.

Spreadsheets save "CSV" with the separator of the locale (semicolons where the comma is the decimal
mark) or as tab-separated text; the separator is the candidate that splits the header into several
fields and every sampled line into as many (quoted fields respected), so ``"Smith, J";12`` is two
fields of a semicolon file.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

__all__ = ["SEPARATORS", "SEPARATOR_NAMES", "detect_separator", "read_csv_cells", "header_columns", "CsvCells"]

SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_LINES = 200


def detect_separator(sample: str) -> str:
    """The field separator of CSV text whose start is ``sample``: of :data:`SEPARATORS`, the one
    that gives the header more than one field and every sampled complete line as many; else the
    one giving the header most fields; a comma when none splits it (a one-column file)."""
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end inside a line
    lines = lines[:_SAMPLE_LINES]
    if not lines:
        return ","
    scores = {}
    for sep in SEPARATORS:
        rows = [row for row in csv.reader(lines, delimiter=sep) if row]
        width = len(rows[0]) if rows else 0
        consistent = all(len(row) == width for row in rows)
        scores[sep] = (width > 1 and consistent, width)
    best = max(SEPARATORS, key=lambda s: scores[s])  # ties: the earlier candidate (a comma first)
    return best if scores[best][1] > 1 else ","


class CsvCells:
    """A CSV read as text: ``frame`` (str cells, no NA conversion; the index is the file's data
    row number minus 2, so ``index + 2`` is the line of the row with the header on line 1),
    ``separator``, and ``ragged``: ``[(line, fields)]`` of lines with another number of fields
    than the header (left out of ``frame``)."""

    def __init__(self, frame: pd.DataFrame, separator: str, ragged: list[tuple[int, int]]):
        self.frame, self.separator, self.ragged = frame, separator, ragged


def _text_sample(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def read_csv_cells(path: str | Path) -> CsvCells:
    """``path`` (UTF-8 CSV with a header row, a byte-order mark allowed) as :class:`CsvCells`,
    with the detected separator and the column names stripped of spaces. Raises
    ``UnicodeDecodeError`` for a file that is not UTF-8, pandas' ``EmptyDataError`` for no header."""
    path = Path(path)
    sep = detect_separator(_text_sample(path))
    try:
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame.columns = [str(c).strip() for c in frame.columns]
        return CsvCells(frame, sep, [])
    except pd.errors.ParserError:
        pass  # ragged lines: find them all, below
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        header = [c.strip() for c in next(reader)]
        rows, index, ragged = [], [], []
        start = reader.line_num + 1
        for row in reader:
            if not row:  # a blank line: pandas skips it too
                pass
            elif len(row) == len(header):
                rows.append(row)
                index.append(start - 2)
            else:
                ragged.append((start, len(row)))
            start = reader.line_num + 1
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(index, dtype="int64"), dtype=str)
    return CsvCells(frame, sep, ragged)


def header_columns(data: bytes) -> tuple[list[str], str]:
    """The column names of CSV bytes' header row and the detected separator (``([], ",")`` for no
    readable header)."""
    text = data[:_SAMPLE_BYTES].decode("utf-8", errors="ignore").lstrip("\ufeff")
    sep = detect_separator(text)
    try:
        first = next(csv.reader(io.StringIO(text), delimiter=sep))
    except (StopIteration, csv.Error):
        return [], sep
    return [c.strip() for c in first], sep
