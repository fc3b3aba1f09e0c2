"""Exports of any catalogue view to CSV, XLSX and JSON in the portal's import format.

An export re-imports without changes (the `portal` preset maps its columns to
themselves). Spreadsheet formulas are neutralised in CSV and XLSX cells (PITFALLS
"django-import-export": = + - @ tab CR and NUL), JSON keeps values as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from catalogue.imports.engine import PORTAL_COLUMNS
from catalogue.models import Facility

EXPORT_LIMIT = 100_000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def neutralise(text: str) -> str:
    """Make a cell inert in spreadsheets: a leading quote before any formula trigger."""
    text = text.replace("\x00", "")
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def facility_rows(facilities: QuerySet[Facility]) -> Iterable[dict[str, Any]]:
    for facility in facilities.select_related("region", "host").order_by("pk")[:EXPORT_LIMIT]:
        row: dict[str, Any] = {}
        for column in PORTAL_COLUMNS:
            if column == "region":
                value: Any = facility.region.code
            elif column == "host":
                value = facility.host.slug
            else:
                value = getattr(facility, column)
            row[column] = value
        yield row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def to_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PORTAL_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(column, row[column]) for column in PORTAL_COLUMNS])
    # With a BOM, spreadsheet programs open the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(column: str, value: Any) -> str:
    text = _cell(value)
    # Numbers stay numbers (a negative longitude is not a formula).
    if column in ("latitude", "longitude", "trl_min", "trl_max"):
        return text
    return neutralise(text)


def to_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("facilities")
    sheet.append(PORTAL_COLUMNS)
    for row in rows:
        sheet.append([_xlsx_cell(column, row[column]) for column in PORTAL_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(column: str, value: Any) -> Any:
    if column in ("latitude", "longitude") and value is not None:
        return float(value)
    if column in ("trl_min", "trl_max"):
        return value
    return neutralise(_cell(value))


def to_json(rows: Iterable[dict[str, Any]]) -> bytes:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        raise TypeError(type(value).__name__)

    return json.dumps({"results": list(rows)}, ensure_ascii=False, default=default, indent=1).encode("utf-8")


def export(facilities: QuerySet[Facility], fmt: str) -> bytes:
    rows = facility_rows(facilities)
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "xlsx":
        return to_xlsx(rows)
    if fmt == "json":
        return to_json(rows)
    raise ValueError(fmt)
