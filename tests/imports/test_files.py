"""Every kind of file a partner may upload, good or bad (ARCHITECTURE §7, PITFALLS
"django-import-export").

A refused file says what is wrong in words a partner can act on, and changes nothing:
the facilities and their `updated_at` are the same before and after. Row numbers are
the spreadsheet's: the header is row 1.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from catalogue.imports import engine, parsing
from catalogue.models import ImportJob
from tests.imports import catalogue_state, csv_bytes

pytestmark = pytest.mark.django_db

REJECTED = ImportJob.Status.REJECTED
CHECKED = ImportJob.Status.CHECKED


def _errors(job: ImportJob) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.row_errors]


# --- encodings and delimiters -----------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param("utf-8", id="utf-8"),
        pytest.param("utf-8-sig", id="utf-8-with-bom"),
        pytest.param("cp1252", id="windows-1252"),
    ],
)
def test_accented_names_are_read_in_every_supported_encoding(check_file, host, encoded):
    content = csv_bytes("name,host", "Prüfstand Skåne-Müller,flanders-make", encoding=encoded)

    job = check_file(content)

    assert job.status == CHECKED
    assert job.preview[0]["name"] == "Prüfstand Skåne-Müller"


def test_a_file_in_neither_utf8_nor_windows_1252_is_refused_and_changes_nothing(check_file, existing):
    before = catalogue_state()

    job = check_file(b"name,host\n\x81\x8d,flanders-make\n")

    assert job.status == REJECTED
    assert "not UTF-8 or Windows-1252" in job.message
    assert catalogue_state() == before


def test_a_file_with_a_utf8_bom_but_invalid_bytes_is_refused(check_file, existing):
    job = check_file(b"\xef\xbb\xbfname,host\n\x81\x8d,flanders-make\n")

    assert job.status == REJECTED
    assert "not UTF-8" in job.message


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_comma_semicolon_and_tab_separated_files_are_read(check_file, host, delimiter):
    content = csv_bytes(
        delimiter.join(["name", "host", "city"]), delimiter.join(["Pilot Line", "flanders-make", "Leuven"])
    )

    job = check_file(content)

    assert job.status == CHECKED
    assert job.counts == {"new": 1, "updated": 0, "unchanged": 0, "errors": 0}


# --- columns and rows -------------------------------------------------------------------


def test_a_file_without_name_and_host_columns_is_refused_with_both_reasons(check_file, existing):
    before = catalogue_state()

    job = check_file(csv_bytes("city,website", "Leuven,https://example.org"))

    assert job.status == REJECTED
    assert "No column gives the facility's name" in job.message
    assert "No column gives the host organisation" in job.message
    assert catalogue_state() == before


def test_a_row_repeating_an_earlier_one_names_that_row(check_file, host, existing):
    before = catalogue_state()

    job = check_file(csv_bytes("name,host", "Pilot Line,flanders-make", "Pilot Line,flanders-make"))

    assert job.status == REJECTED
    assert (3, "name", "Same facility as row 2.") in _errors(job)
    assert catalogue_state() == before


def test_a_row_for_another_region_is_refused(check_file, host, existing):
    before = catalogue_state()

    job = check_file(csv_bytes("name,host,region", "Pilot Line,flanders-make,skane"))

    assert job.status == REJECTED
    assert (2, "region", "This row is for Skåne; this import is for Flanders.") in _errors(job)
    assert catalogue_state() == before


@pytest.mark.parametrize("formula", ["=SUM(1)", "+cmd", "@x", "-2+3"])
def test_a_cell_a_spreadsheet_would_evaluate_is_refused(check_file, host, existing, formula):
    before = catalogue_state()

    job = check_file(csv_bytes("name,host,city", f"Pilot Line,flanders-make,{formula}"))

    assert job.status == REJECTED
    assert (2, "city", "Formulas are not imported: type the value itself.") in _errors(job)
    assert catalogue_state() == before


def test_a_negative_longitude_is_a_number_not_a_formula(check_file, host):
    job = check_file(csv_bytes("name,host,latitude,longitude", "Pilot Line,flanders-make,43.26,-3.5"))

    assert job.status == CHECKED
    assert job.row_errors == []


def test_an_unknown_technology_is_refused_with_a_suggestion(check_file, host, existing):
    before = catalogue_state()

    job = check_file(csv_bytes("name,host,technologies", "Pilot Line,flanders-make,fotonics-x"))

    assert job.status == REJECTED
    # The suggestion is the term's label or its code, depending on TermIndex.closest.
    assert [(row, column, message.lower()) for row, column, message in _errors(job)] == [
        (2, "technologies", "'fotonics-x' is not a known key enabling technology: did you mean 'photonics'?")
    ]
    assert catalogue_state() == before


def test_a_technology_named_in_another_portal_language_is_understood(check_file, host):
    job = check_file(csv_bytes("name,host,technologies", "Pilot Line,flanders-make,fotonica"))

    assert job.status == CHECKED


# --- sizes and limits -------------------------------------------------------------------


def test_a_file_over_20_mb_is_refused_before_anything_is_stored(check_file, existing):
    before, jobs = catalogue_state(), ImportJob.objects.count()
    content = b"name,host\n" + b"x" * (parsing.MAX_BYTES + 1)

    with pytest.raises(parsing.FileProblem, match="larger than 20 MB"):
        check_file(content)

    assert ImportJob.objects.count() == jobs
    assert catalogue_state() == before


def test_a_file_over_100000_rows_is_refused(check_file, existing):
    before = catalogue_state()
    content = b"name,host\n" + b"a,b\n" * (parsing.MAX_ROWS + 1)

    job = check_file(content)

    assert job.status == REJECTED
    assert job.message == "The file has more than 100,000 rows; split it into smaller files."
    assert catalogue_state() == before


def test_exactly_100000_rows_are_within_the_limit():
    table = parsing.read_table(b"name,host\n" + b"a,b\n" * parsing.MAX_ROWS, "csv")

    assert len(table.rows) == parsing.MAX_ROWS


def _zip_bomb() -> bytes:
    """A small archive whose one sheet expands to 300 MB of zeros."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        chunk = b"\0" * 2**20
        for _ in range(300):
            entry.write(chunk)
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_without_being_expanded(check_file, existing):
    before = catalogue_state()
    bomb = _zip_bomb()
    assert len(bomb) < parsing.MAX_BYTES

    job = check_file(bomb, "bomb.xlsx")

    assert job.status == REJECTED
    assert "zip bomb" in job.message
    assert catalogue_state() == before


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(check_file, existing):
    before = catalogue_state()

    job = check_file(b"name,host\nPilot Line,flanders-make\n", "facilities.xlsx")

    assert job.status == REJECTED
    assert job.message == "The file is not a valid XLSX workbook."
    assert catalogue_state() == before


def test_a_zip_without_a_workbook_inside_is_refused(check_file, existing):
    before = catalogue_state()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a spreadsheet")

    job = check_file(buffer.getvalue(), "facilities.xlsx")

    assert job.status == REJECTED
    assert job.message.startswith("The workbook cannot be opened")
    assert catalogue_state() == before


# --- empty and malformed ----------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n"], ids=["no-bytes", "blank-lines"])
def test_an_empty_file_is_refused(check_file, existing, content):
    before = catalogue_state()

    job = check_file(content)

    assert job.status == REJECTED
    assert job.message == "The file is empty."
    assert catalogue_state() == before


def test_a_header_without_rows_is_refused(check_file, existing):
    before = catalogue_state()

    job = check_file(csv_bytes("name,host"))

    assert job.status == REJECTED
    assert job.message == "The file has a header but no data rows."
    assert catalogue_state() == before


@pytest.mark.parametrize(
    "payload", [{"name": "Pilot Line"}, [1, 2], "text"], ids=["object", "numbers", "string"]
)
def test_a_json_file_that_is_not_a_list_of_objects_is_refused(check_file, existing, payload):
    before = catalogue_state()

    job = check_file(json.dumps(payload).encode(), "facilities.json")

    assert job.status == REJECTED
    assert job.message == 'The JSON file must hold a list of objects (or {"results": [...]}).'
    assert catalogue_state() == before


def test_a_json_file_that_does_not_parse_is_refused(check_file, existing):
    before = catalogue_state()

    job = check_file(b'[{"name": "Pilot Line",', "facilities.json")

    assert job.status == REJECTED
    assert job.message.startswith("The JSON file cannot be read")
    assert catalogue_state() == before


def test_a_deeply_nested_json_file_is_refused(check_file, existing):
    job = check_file(b"[" * 100_000, "facilities.json")

    assert job.status == REJECTED
    assert job.message.startswith("The JSON file cannot be read")


def test_a_file_type_other_than_csv_xlsx_json_is_refused_before_anything_is_stored(check_file):
    jobs = ImportJob.objects.count()

    with pytest.raises(parsing.FileProblem, match=r"Only \.csv, \.xlsx and \.json"):
        check_file(b"name,host\n", "facilities.ods")

    assert ImportJob.objects.count() == jobs


def test_a_file_with_binary_data_is_refused(check_file, existing):
    before = catalogue_state()

    job = check_file(b"name,host\nPilot\x00Line,flanders-make\n")

    assert job.status == REJECTED
    assert "binary data" in job.message
    assert catalogue_state() == before


def test_the_engine_reports_rows_in_spreadsheet_numbering():
    table = parsing.read_table(csv_bytes("name,host", "", "Pilot Line,flanders-make"), "csv")

    assert [number for number, _row in table.rows] == [3]
    assert engine.resolve_mapping(table, preset="", mapping={})[1] == []
