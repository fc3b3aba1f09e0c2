"""The import pages and the export, for every role (ARCHITECTURE §5, §7, §8).

Cast (tests/conftest.py): `editor` edits Flanders, `other_editor` edits Skåne, `viewer`
reads every region, `outsider` has no role. A job of a region the user may not edit is a
404; a page the user's role does not allow is a 403.

With REDIS_URL set the Celery app is not eager: the confirm's on-commit callback would
publish to the broker, so the happy path runs the task body (`import_job_run`) itself;
tests/imports/test_worker.py runs the real worker.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.imports import services
from catalogue.models import Facility, ImportJob, ImportMapping
from innoinfra.celery import app as celery_app
from tests.factories import FacilityFactory
from tests.imports import csv_bytes

pytestmark = pytest.mark.django_db

UPLOAD = reverse("imports:upload")
EXPORT = reverse("imports:export")


def _post_file(client, content: bytes, name: str = "facilities.csv", **fields):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content), "region": "flanders", **fields})


@pytest.fixture
def flanders_job(check_file, host):
    """A checked Flanders job with one new row."""
    return check_file(csv_bytes("name,host", "Pilot Line,flanders-make"))


@pytest.fixture
def rejected_job(check_file, host):
    return check_file(csv_bytes("name,host,technologies", "Pilot Line,flanders-make,fotonics-x"))


# --- permission trio --------------------------------------------------------------------


@pytest.mark.parametrize("url", [UPLOAD, EXPORT + "?region=flanders&format=csv"], ids=["upload", "export"])
def test_anonymous_visitors_are_sent_to_sign_in(client_for, url):
    response = client_for(None).get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_visitors_cannot_open_a_job(client_for, flanders_job):
    response = client_for(None).get(reverse("imports:job", args=[flanders_job.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["outsider", "viewer"])
def test_users_who_edit_no_region_may_not_upload(client_for, request, role):
    response = client_for(request.getfixturevalue(role)).get(UPLOAD)

    assert response.status_code == 403


def test_the_viewer_cannot_post_an_upload_either(client_for, viewer, host):
    response = _post_file(client_for(viewer), csv_bytes("name,host", "Pilot Line,flanders-make"))

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["job", "job-progress", "job-errors"])
def test_another_regions_editor_cannot_see_a_flanders_job(client_for, other_editor, flanders_job, name):
    response = client_for(other_editor).get(reverse(f"imports:{name}", args=[flanders_job.pk]))

    assert response.status_code == 404


def test_another_regions_editor_cannot_confirm_a_flanders_job(client_for, other_editor, flanders_job):
    response = client_for(other_editor).post(reverse("imports:job-confirm", args=[flanders_job.pk]))

    flanders_job.refresh_from_db()
    assert response.status_code == 404
    assert flanders_job.status == ImportJob.Status.CHECKED


def test_another_regions_editor_is_not_offered_flanders(client_for, other_editor):
    response = client_for(other_editor).get(UPLOAD)

    assert response.status_code == 200
    assert [r.code for r in response.context["form"].fields["region"].queryset] == ["skane"]
    assert 'value="flanders"' not in response.content.decode()


def test_another_regions_editor_posting_flanders_gets_a_form_error(client_for, other_editor, host):
    response = _post_file(client_for(other_editor), csv_bytes("name,host", "Pilot Line,flanders-make"))

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_the_upload_page_lists_only_jobs_of_the_users_regions(client_for, other_editor, flanders_job):
    response = client_for(other_editor).get(UPLOAD)

    assert response.context["jobs"] == []


# --- upload -----------------------------------------------------------------------------


def test_an_upload_runs_the_dry_run_and_shows_the_preview(client_for, editor, host):
    response = _post_file(client_for(editor), csv_bytes("name,host", "Pilot Line,flanders-make"))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:job", args=[job.pk])
    page = client_for(editor).get(response.url).content.decode()
    assert "Pilot Line" in page
    assert "Confirm the import" in page


def test_an_unreadable_file_is_a_form_error_and_nothing_is_saved(client_for, editor, host):
    response = _post_file(client_for(editor), b"name,host\n\x81\x8d,flanders-make\n")

    assert response.status_code == 200
    assert "not UTF-8 or Windows-1252" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


def test_a_file_of_another_type_is_a_form_error(client_for, editor):
    response = _post_file(client_for(editor), b"name,host\n", "facilities.ods")

    assert "Only .csv, .xlsx and .json" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


def test_a_saved_mapping_of_another_region_is_not_offered(client_for, editor, skane):
    ImportMapping.objects.create(region=skane, name="Skåne sheet", columns={"Namn": "name_en"})

    response = client_for(editor).get(UPLOAD)

    assert list(response.context["form"].fields["mapping"].queryset) == []


def test_an_upload_with_a_saved_mapping_reads_the_columns_it_names(client_for, editor, flanders, host):
    saved = ImportMapping.objects.create(
        region=flanders, name="Dutch sheet", columns={"Naam": "name_en", "Organisatie": "host"}
    )

    _post_file(
        client_for(editor), csv_bytes("Naam,Organisatie", "Pilot Line,flanders-make"), mapping=saved.pk
    )

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    assert job.mapping == {"Naam": "name_en", "Organisatie": "host"}


def test_the_upload_page_runs_a_bounded_number_of_queries(
    client_for, editor, check_file, host, django_assert_max_num_queries
):
    for n in range(5):
        check_file(csv_bytes("name,host", f"Pilot Line {n},flanders-make"))
    client = client_for(editor)

    with django_assert_max_num_queries(12):
        response = client.get(UPLOAD)

    assert len(response.context["jobs"]) == 5


# --- the job page -----------------------------------------------------------------------


def test_the_confirmed_job_imports_the_rows(
    client_for, editor, flanders_job, django_capture_on_commit_callbacks
):
    eager = bool(celery_app.conf.task_always_eager)

    with django_capture_on_commit_callbacks(execute=eager) as callbacks:
        response = client_for(editor).post(reverse("imports:job-confirm", args=[flanders_job.pk]))
    if not eager:  # REDIS_URL is set: run the queued task's body here instead of publishing it
        assert len(callbacks) == 1
        services.import_job_run(job_id=flanders_job.pk)

    flanders_job.refresh_from_db()
    assert response.status_code == 302
    assert flanders_job.status == ImportJob.Status.DONE
    assert Facility.objects.filter(slug="pilot-line", region__code="flanders").exists()


def test_confirming_queues_exactly_one_task(
    client_for, editor, flanders_job, django_capture_on_commit_callbacks
):
    client = client_for(editor)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("imports:job-confirm", args=[flanders_job.pk]))
        client.post(reverse("imports:job-confirm", args=[flanders_job.pk]))

    flanders_job.refresh_from_db()
    assert flanders_job.status == ImportJob.Status.QUEUED
    assert len(callbacks) == 1


def test_a_job_with_errors_cannot_be_confirmed(client_for, editor, rejected_job):
    response = client_for(editor).post(reverse("imports:job-confirm", args=[rejected_job.pk]), follow=True)

    rejected_job.refresh_from_db()
    assert rejected_job.status == ImportJob.Status.REJECTED
    assert "Only a checked import without errors can be confirmed." in response.content.decode()


def test_the_job_page_lists_row_errors_with_a_download_link(client_for, editor, rejected_job):
    response = client_for(editor).get(reverse("imports:job", args=[rejected_job.pk]))

    page = response.content.decode()
    assert "did you mean &#x27;photonics&#x27;?" in page.lower()
    assert reverse("imports:job-errors", args=[rejected_job.pk]) in page
    assert "Confirm the import" not in page


def test_the_errors_download_has_one_line_per_problem(client_for, editor, rejected_job):
    response = client_for(editor).get(reverse("imports:job-errors", args=[rejected_job.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"] == f'attachment; filename="import-{rejected_job.pk}-errors.csv"'
    assert rows[1][:2] == ["2", "technologies"]
    assert rows[1][2].startswith("'fotonics-x' is not a known")


def test_the_errors_download_neutralises_formulas(client_for, editor, check_file, host):
    job = check_file(csv_bytes("=cmd,host", ",flanders-make"), mapping={"=cmd": "name_en"})

    response = client_for(editor).get(reverse("imports:job-errors", args=[job.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["2", "'=cmd", "The name is empty."]


def test_a_file_without_a_name_column_offers_the_column_mapping(client_for, editor, check_file, host):
    job = check_file(csv_bytes("Naam,Organisatie", "Pilot Line,flanders-make"))

    response = client_for(editor).get(reverse("imports:job", args=[job.pk]))

    form = response.context["mapping_form"]
    assert response.context["mapping_problems"] is True
    assert [field.label for field in form.column_fields()] == ["Naam", "Organisatie"]


def test_mapping_the_columns_checks_the_file_again_and_saves_the_mapping(
    client_for, editor, check_file, host
):
    job = check_file(csv_bytes("Naam,Organisatie", "Pilot Line,flanders-make"))

    client_for(editor).post(
        reverse("imports:job-mapping", args=[job.pk]),
        {"column_0": "name_en", "column_1": "host", "save_as": "Dutch sheet"},
    )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert ImportMapping.objects.get(name="Dutch sheet").columns == {"Naam": "name_en", "Organisatie": "host"}


def test_ignoring_a_column_named_like_a_portal_field_leaves_it_out(client_for, editor, check_file, host):
    job = check_file(csv_bytes("name,host,region", "Pilot Line,flanders-make,skane"))

    client_for(editor).post(
        reverse("imports:job-mapping", args=[job.pk]),
        {"column_0": "name_en", "column_1": "host", "column_2": ""},
    )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED


def test_one_field_cannot_be_filled_from_two_columns(client_for, editor, check_file, host):
    job = check_file(csv_bytes("Naam,Organisatie", "Pilot Line,flanders-make"))

    response = client_for(editor).post(
        reverse("imports:job-mapping", args=[job.pk]), {"column_0": "name_en", "column_1": "name_en"}
    )

    job.refresh_from_db()
    assert "column_1" in response.context["mapping_form"].errors
    assert job.status == ImportJob.Status.REJECTED


# --- progress ---------------------------------------------------------------------------


def test_the_progress_of_a_running_job_is_polled_every_second(client_for, editor, flanders_job):
    ImportJob.objects.filter(pk=flanders_job.pk).update(
        status=ImportJob.Status.IMPORTING, total_rows=200, processed_rows=50
    )

    response = client_for(editor).get(reverse("imports:job-progress", args=[flanders_job.pk]))

    page = response.content.decode()
    assert '<progress id="job-progress-bar" max="100" value="25"' in page
    assert 'aria-valuenow="25"' in page
    assert 'hx-trigger="every 1s"' in page


def test_a_finished_job_stops_the_polling_and_links_to_the_facilities(client_for, editor, flanders_job):
    services.import_job_confirm(job=flanders_job)
    services.import_job_run(job_id=flanders_job.pk)

    response = client_for(editor).get(
        reverse("imports:job-progress", args=[flanders_job.pk]), headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert "hx-trigger" not in page
    assert "1 new, 0 updated and 0 unchanged" in page
    assert 'id="job-announcement" hx-swap-oob="innerHTML"' in page


# --- export -----------------------------------------------------------------------------


@pytest.fixture
def flanders_catalogue(flanders, skane, host):
    FacilityFactory(region=flanders, host=host, slug="hyperlink-lab", name_en="=HYPERLINK(1)")
    FacilityFactory(region=skane, slug="skane-lab", name_en="Skåne Lab")


def test_the_export_is_a_named_attachment_of_the_regions_facilities(client_for, editor, flanders_catalogue):
    response = client_for(editor).get(EXPORT, {"region": "flanders", "format": "json"})

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="innoinfra-flanders-')
    assert [row["slug"] for row in json.loads(response.content)["results"]] == ["hyperlink-lab"]


def test_the_csv_export_neutralises_formulas(client_for, editor, flanders_catalogue):
    response = client_for(editor).get(EXPORT, {"region": "flanders", "format": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"].endswith('.csv"')
    assert rows[0]["name_en"] == "'=HYPERLINK(1)"


def test_the_xlsx_export_is_a_workbook(client_for, editor, flanders_catalogue):
    response = client_for(editor).get(EXPORT, {"region": "flanders", "format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_a_reader_of_all_regions_may_export_any(client_for, viewer, flanders_catalogue):
    response = client_for(viewer).get(EXPORT, {"region": "skane", "format": "json"})

    assert response.status_code == 200
    assert [row["slug"] for row in json.loads(response.content)["results"]] == ["skane-lab"]


@pytest.mark.parametrize("role", ["other_editor", "outsider"])
def test_users_who_cannot_read_the_region_may_not_export_it(client_for, request, flanders_catalogue, role):
    response = client_for(request.getfixturevalue(role)).get(EXPORT, {"region": "flanders", "format": "csv"})

    assert response.status_code == 403


def test_an_unknown_region_or_format_is_refused(client_for, editor, flanders):
    client = client_for(editor)

    assert client.get(EXPORT, {"region": "atlantis", "format": "csv"}).status_code == 404
    assert client.get(EXPORT, {"region": "flanders", "format": "ods"}).status_code == 400
