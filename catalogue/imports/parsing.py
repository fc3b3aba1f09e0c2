"""Reading uploaded spreadsheets into rows, refusing what is unsafe or unreadable.

Every refusal is a `FileProblem` whose message a partner can act on. Row numbers are the
ones a spreadsheet shows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELL = 20_000
# An XLSX is a zip: refuse archives that would expand far beyond the upload (zip bombs).
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_ENTRIES = 1_000


class FileProblem(Exception):
    """The whole file cannot be imported; nothing is changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    format: str = ""  # csv, xlsx or json


def read_table(data: bytes, fmt: str) -> Table:
    if not data or not data.strip():
        raise FileProblem(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": MAX_BYTES // 2**20}
        )
    if fmt == "csv":
        table = _read_csv(data)
    elif fmt == "xlsx":
        table = _read_xlsx(data)
    elif fmt == "json":
        table = _read_json(data)
    else:
        raise FileProblem(_("Unknown format %(fmt)s: use CSV, XLSX or JSON.") % {"fmt": fmt})
    if not table.rows:
        raise FileProblem(_("The file has a header but no data rows."))
    table.format = fmt
    return table


def guess_format(filename: str) -> str:
    name = filename.lower()
    for ext in ("csv", "xlsx", "json"):
        if name.endswith("." + ext):
            return ext
    if name.endswith(".tsv") or name.endswith(".txt"):
        return "csv"
    raise FileProblem(_("Only .csv, .xlsx and .json files can be imported."))


# --- CSV ------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError:
            # A BOM promises UTF-8: do not guess another encoding for what it breaks.
            raise FileProblem(_encoding_problem()) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise FileProblem(_encoding_problem()) from None


def _encoding_problem() -> str:
    return _("The file's text encoding is not UTF-8 or Windows-1252: save it as 'CSV UTF-8' and try again.")


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise FileProblem(_("The file contains binary data; is it really a CSV file?"))
    sample = text[:65536]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        raw_rows = list(_limited(reader))
    except csv.Error as exc:
        raise FileProblem(_("The CSV file cannot be read: %(error)s.") % {"error": exc}) from None
    table = _table_from_rows(raw_rows)
    table.encoding, table.delimiter = encoding, delimiter
    return table


def _limited(reader: Any) -> Any:
    for n, row in enumerate(reader):
        if n > MAX_ROWS:
            raise FileProblem(
                _("The file has more than %(n)s rows; split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
            )
        yield row


def _table_from_rows(raw_rows: list[list[Any]]) -> Table:
    while raw_rows and not any(str(c or "").strip() for c in raw_rows[0]):
        raw_rows.pop(0)
    if not raw_rows:
        raise FileProblem(_("The file is empty."))
    header = [str(c or "").strip().lstrip("\ufeff") for c in raw_rows[0]]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise FileProblem(_("The file has more than %(n)d columns.") % {"n": MAX_COLUMNS})
    seen: set[str] = set()
    for name in header:
        if not name:
            raise FileProblem(_("A column in the header row has no name."))
        if name.lower() in seen:
            raise FileProblem(_("The column '%(name)s' appears twice in the header row.") % {"name": name})
        seen.add(name.lower())
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        values = ["" if c is None else str(c) for c in raw]
        if not any(v.strip() for v in values):
            continue
        rows.append(
            (
                number,
                {
                    name: (values[i].strip() if i < len(values) else "")[:MAX_CELL]
                    for i, name in enumerate(header)
                },
            )
        )
    return Table(columns=header, rows=rows)


# --- XLSX -----------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileProblem(_("The file is not a valid XLSX workbook.")) from None
    infos = archive.infolist()
    if len(infos) > XLSX_MAX_ENTRIES:
        raise FileProblem(_("The workbook has too many parts to be a spreadsheet."))
    total = sum(i.file_size for i in infos)
    compressed = max(1, sum(i.compress_size for i in infos))
    if total > XLSX_MAX_UNCOMPRESSED or total / compressed > XLSX_MAX_RATIO:
        raise FileProblem(_("The workbook expands to an unsafe size (a 'zip bomb'); it was not opened."))


def _read_xlsx(data: bytes) -> Table:
    _check_zip(data)
    import openpyxl  # defusedxml is installed, so openpyxl parses XML safely

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise FileProblem(
            _("The workbook cannot be opened: %(error)s.") % {"error": exc.__class__.__name__}
        ) from None
    sheet = workbook.worksheets[0]
    raw_rows: list[list[Any]] = []
    for n, row in enumerate(sheet.iter_rows(values_only=True)):
        if n > MAX_ROWS:
            raise FileProblem(
                _("The file has more than %(n)s rows; split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
            )
        if len(row) > MAX_COLUMNS:
            row = row[:MAX_COLUMNS]
        raw_rows.append([_xlsx_value(v) for v in row])
    workbook.close()
    return _table_from_rows(raw_rows)


def _xlsx_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- JSON -----------------------------------------------------------------------------


def _read_json(data: bytes) -> Table:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileProblem(_("The JSON file cannot be read: %(error)s.") % {"error": exc}) from None
    except RecursionError:
        raise FileProblem(
            _("The JSON file cannot be read: %(error)s.") % {"error": _("it is nested too deeply")}
        ) from None
    if isinstance(payload, dict):
        payload = payload.get("results", payload.get("facilities"))
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise FileProblem(_('The JSON file must hold a list of objects (or {"results": [...]}).'))
    if len(payload) > MAX_ROWS:
        raise FileProblem(
            _("The file has more than %(n)s rows; split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
        )
    columns: list[str] = []
    for item in payload:
        for key in item:
            if key not in columns:
                columns.append(str(key))
    if len(columns) > MAX_COLUMNS:
        raise FileProblem(_("The file has more than %(n)d columns.") % {"n": MAX_COLUMNS})
    rows = []
    for number, item in enumerate(payload, start=1):
        rows.append((number, {c: _json_cell(item.get(c)) for c in columns}))
    return Table(columns=columns, rows=rows)


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_json_cell(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("slug") or value.get("code") or value.get("name") or "")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)[:MAX_CELL]
