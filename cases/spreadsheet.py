"""Reading and writing the registry's spreadsheets: XLSX (openpyxl, read-only
and write-only modes: constant memory for a district's 8,741 members) and CSV
(UTF-8, with or without a byte order mark; comma or semicolon).

Written cells that begin with ``=``, ``+``, ``-`` or ``@`` are stored as text,
never as formulas (CSV/formula injection: a name like ``=HYPERLINK(...)`` stays
a name when the file is opened in a spreadsheet program).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any, Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import InvalidFileException

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")
# A spreadsheet larger than this (uncompressed, XLSX) is refused before it is read.
MAX_UNCOMPRESSED = 200 * 1024 * 1024


class UnreadableFile(ValueError):
    """The upload is not an XLSX workbook nor a UTF-8 CSV file (the message says why, in the user's language)."""


Sheet = list[tuple[int, list[Any]]]  # (row number as the spreadsheet shows it, cell values)


def is_xlsx(data: bytes) -> bool:
    """An XLSX workbook is a ZIP archive (``PK`` first)."""
    return data[:2] == b"PK"


def read_sheets(data: bytes, unreadable: str) -> dict[str, Sheet]:
    """Every sheet of an XLSX workbook, or the one table of a CSV file (named ``""``),
    as rows of cell values with their row numbers; empty rows are left out.
    Raises :class:`UnreadableFile` with ``unreadable`` as its message."""
    if is_xlsx(data):
        return _read_xlsx(data, unreadable)
    return {"": _read_csv(data, unreadable)}


def _read_xlsx(data: bytes, unreadable: str) -> dict[str, Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise UnreadableFile(unreadable)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(unreadable) from exc
    try:
        return {ws.title: _rows(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    except Exception as exc:  # a damaged part inside a valid ZIP  # noqa: BLE001
        raise UnreadableFile(unreadable) from exc
    finally:
        book.close()


def _read_csv(data: bytes, unreadable: str) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(unreadable) from exc
    if "\x00" in text:
        raise UnreadableFile(unreadable)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return _rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(unreadable) from exc


def _rows(rows: Iterable[Iterable[Any]]) -> Sheet:
    out = []
    for number, row in enumerate(rows, start=1):
        values = [v.strip() if isinstance(v, str) else v for v in row]
        if any(v not in (None, "") for v in values):
            out.append((number, values))
    return out


def safe_cell(sheet, value: Any):
    """A write-only cell holding ``value``; text that would start a formula is forced to text."""
    if isinstance(value, dt.datetime):
        value = value.date()
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    if isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    return cell


def write_workbook(sheets: Iterable[tuple[str, list[str], Iterable[Iterable[Any]]]]) -> bytes:
    """An XLSX workbook of ``(title, headers, rows)`` sheets, formula-safe (:func:`safe_cell`)."""
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([safe_cell(sheet, h) for h in headers])
        for row in rows:
            sheet.append([safe_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(headers: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A UTF-8 CSV table (dates as dd/mm/yyyy), formula-safe: a risky cell gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else
                         v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else ("" if v is None else v)
                         for v in row])
    return out.getvalue()
