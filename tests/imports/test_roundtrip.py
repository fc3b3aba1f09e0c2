"""Export, edit, import again (ARCHITECTURE §7): the portal's own export re-imports unchanged,
and a confirmed import writes every row with its history, once.

`import_job_run` is the body of the Celery task; it is called directly here (the worker
itself is exercised in test_worker.py).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue import exports
from catalogue.imports import services
from catalogue.imports.engine import PORTAL_COLUMNS
from catalogue.models import Facility, ImportJob
from core.models import OutboxEmail
from tests.factories import FacilityFactory
from tests.imports import catalogue_state, csv_bytes

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx", "json"]


@pytest.fixture
def region_catalogue(flanders, skane, host):
    """Facilities using every kind of column: translations, vocabularies, lists, numbers."""
    FacilityFactory(
        region=flanders,
        host=host,
        slug="photonics-pilot-line",
        name_en="Photonics Pilot Line",
        name_nl="Fotonica-pilootlijn",
        name_de="Photonik-Pilotlinie für KMU",
        acronym="PPL",
        tagline_en="Lasers from design to test",
        description_en='Prototyping of photonic integrated circuits, "quoted", with commas, and\nline breaks.',
        facility_type="pilot-line",
        technologies=["photonics", "advanced-manufacturing"],
        access_modes=["fee-based"],
        target_users=["smes", "start-ups"],
        keywords=["lasers", "optics"],
        trl_min=4,
        trl_max=7,
        latitude=Decimal("50.87500"),
        longitude=Decimal("4.70000"),
        training_offered=True,
        website="https://example.org/ppl",
        external_id="FM-1",
        source="flanders-make",
        contact_email="ppl@example.org",
        contact_phone="016 00 00 00",
    )
    FacilityFactory(
        region=flanders,
        host=host,
        slug="atlantic-cold-room",
        name_en="Atlantic Cold Room",
        city="Zeebrugge",
        latitude=Decimal("43.26000"),
        longitude=Decimal("-3.50000"),
        pricing="cost-recovery",
        support_level="assisted",
    )
    FacilityFactory(region=skane, slug="skane-lab", name_en="Skåne Lab")
    return Facility.objects.filter(region=flanders)


def _run(job: ImportJob) -> ImportJob:
    services.import_job_confirm(job=job)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_regions_export_checks_as_unchanged_in_every_format(check_file, region_catalogue, fmt):
    content = exports.export(region_catalogue, fmt)

    job = check_file(content, f"export.{fmt}", preset="portal")

    assert job.status == ImportJob.Status.CHECKED
    assert job.counts == {"new": 0, "updated": 0, "unchanged": 2, "errors": 0}
    assert {row["action"] for row in job.preview} == {"unchanged"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_name_that_looks_like_a_formula_survives_a_spreadsheet_roundtrip(check_file, host, flanders, fmt):
    facility = FacilityFactory(region=flanders, host=host, slug="hyperlink-lab", name_en="=HYPERLINK(1)")

    job = check_file(
        exports.export(Facility.objects.filter(pk=facility.pk), fmt), f"export.{fmt}", preset="portal"
    )

    assert job.status == ImportJob.Status.CHECKED
    assert job.counts["unchanged"] == 1


@pytest.mark.parametrize("phone", ["+32 16 00 00 00"])
def test_an_international_phone_number_survives_a_json_roundtrip(check_file, host, flanders, phone):
    facility = FacilityFactory(
        region=flanders, host=host, slug="phone-lab", name_en="Phone Lab", contact_phone=phone
    )

    job = check_file(
        exports.export(Facility.objects.filter(pk=facility.pk), "json"), "export.json", preset="portal"
    )

    assert job.status == ImportJob.Status.CHECKED


def test_a_new_row_with_empty_structure_and_lifecycle_gets_the_defaults(check_file, host):
    job = _run(check_file(csv_bytes("name,host,structure,lifecycle", "Pilot Line,flanders-make,,")))

    assert job.status == ImportJob.Status.DONE
    assert Facility.objects.get(slug="pilot-line").structure == Facility.Structure.SINGLE_SITED


def test_an_edited_export_creates_and_updates_rows_when_confirmed(check_file, region_catalogue):
    rows = list(csv.DictReader(io.StringIO(exports.export(region_catalogue, "csv").decode("utf-8-sig"))))
    rows[1]["city"] = "Oostende"
    rows.append({**rows[1], "slug": "new-pilot-line", "name_en": "New Pilot Line", "city": "Gent"})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PORTAL_COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(rows)

    job = _run(check_file(buffer.getvalue().encode(), "edited.csv", preset="portal"))

    assert job.counts == {"new": 1, "updated": 1, "unchanged": 1, "errors": 0}
    assert Facility.objects.get(slug="atlantic-cold-room").city == "Oostende"
    assert Facility.objects.get(slug="new-pilot-line").host.slug == "flanders-make"


def test_a_confirmed_import_records_the_job_as_the_reason_in_history(check_file, host):
    job = _run(check_file(csv_bytes("name,host", "Pilot Line,flanders-make")))

    facility = Facility.objects.get(slug="pilot-line")
    assert facility.history.first().history_change_reason.startswith(f"import job {job.pk}")
    assert facility.history.first().history_type == "+"


def test_a_finished_import_queues_one_mail_to_the_uploader(check_file, host, editor):
    _run(check_file(csv_bytes("name,host", "Pilot Line,flanders-make")))

    mails = list(OutboxEmail.objects.all())
    assert [mail.to for mail in mails] == [[editor.email]]
    assert mails[0].subject == "Import finished: facilities.csv"
    assert mails[0].status == OutboxEmail.Status.PENDING


def test_a_finished_job_records_when_it_started_and_finished(check_file, host):
    job = _run(check_file(csv_bytes("name,host", "Pilot Line,flanders-make")))

    assert job.started_at is not None
    assert job.started_at <= job.finished_at


def test_importing_the_same_file_twice_changes_nothing_the_second_time(check_file, host):
    content = csv_bytes("name,host,technologies", "Pilot Line,flanders-make,photonics", "Cold Room,New Host,")
    _run(check_file(content))
    before = catalogue_state()

    second = _run(check_file(content))

    assert second.counts == {"new": 0, "updated": 0, "unchanged": 2, "errors": 0}
    assert catalogue_state() == before


def test_the_dry_run_refuses_what_the_model_would_refuse_at_save_time(check_file, host, existing):
    """TRL order and bounds, lengths of list items: reported with row and column, before any confirm."""
    job = check_file(
        csv_bytes(
            "name,host,trl_min,trl_max,keywords",
            "Pilot Line,flanders-make,4,7,lasers",
            "Bad Lab,flanders-make,7,4,",
            "Far Lab,flanders-make,1,12,",
            f"Long Lab,flanders-make,,,{'k' * 81}",
        )
    )

    assert job.status == ImportJob.Status.REJECTED
    assert (
        job.message == "3 rows have problems. Fix them in the file and upload it again; nothing was changed."
    )
    errors = {(e["row"], e["column"]): e["message"] for e in job.row_errors}
    assert errors[(3, "trl_min")] == "The lowest TRL must not be above the highest."
    assert errors[(4, "trl_max")] == "Ensure this value is less than or equal to 9."
    assert (5, "keywords") in errors


def test_one_row_with_a_problem_is_counted_in_the_singular(check_file, host):
    job = check_file(csv_bytes("name,host,trl_min,trl_max", "Bad Lab,flanders-make,7,4"))

    assert job.message == "1 row has problems. Fix it in the file and upload it again; nothing was changed."


def test_a_trl_of_a_facility_is_checked_against_the_one_the_file_leaves(check_file, host, existing):
    Facility.objects.filter(pk=existing.pk).update(trl_min=3, trl_max=5)

    job = check_file(
        csv_bytes("slug,name,host,trl_min", "existing-photonics-lab,Existing Photonics Lab,flanders-make,8")
    )

    assert job.status == ImportJob.Status.REJECTED
    assert [(e["row"], e["column"]) for e in job.row_errors] == [(2, "trl_min")]


def test_a_batch_that_fails_when_written_rolls_back_the_batches_before_it(
    check_file, host, existing, monkeypatch
):
    """All or nothing: the second batch fails in the database, the first is undone, the job fails."""
    from django.db import IntegrityError

    from catalogue.imports import engine

    job = check_file(csv_bytes("name,host", "Pilot Line,flanders-make", "Cold Room,flanders-make"))
    before = catalogue_state()
    written = engine._write_batch
    calls = []

    def fail_second(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        written(rows, **kwargs)

    monkeypatch.setattr(engine, "BATCH_SIZE", 1)
    monkeypatch.setattr(engine, "_write_batch", fail_second)

    with pytest.raises(IntegrityError):
        _run(job)

    job.refresh_from_db()
    assert calls == [1, 1]
    assert job.status == ImportJob.Status.FAILED
    assert "unexpected error (IntegrityError)" in job.message
    assert job.finished_at is not None
    assert catalogue_state() == before
    assert OutboxEmail.objects.filter(subject__startswith="Import").count() == 1


def test_a_plan_gone_stale_before_the_worker_runs_fails_without_changes(check_file, host, skane):
    job = check_file(csv_bytes("name,host", "Pilot Line,flanders-make", "Clash Lab,flanders-make"))
    FacilityFactory(region=skane, slug="clash-lab", name_en="Clash Lab")
    before = catalogue_state()

    job = _run(job)

    assert job.status == ImportJob.Status.FAILED
    assert job.message == "The file has errors; fix them and upload it again."
    assert [(e["row"], e["message"]) for e in job.row_errors] == [
        (3, "Another region already has a facility 'clash-lab'.")
    ]
    assert catalogue_state() == before


def test_a_second_delivery_of_a_finished_job_changes_nothing(check_file, host):
    job = _run(check_file(csv_bytes("name,host", "Pilot Line,flanders-make")))
    before = catalogue_state()
    history = Facility.history.count()

    again = services.import_job_run(job_id=job.pk)

    assert again.status == ImportJob.Status.DONE
    assert (catalogue_state(), Facility.history.count()) == (before, history)


def test_imported_rows_get_the_derived_columns_facility_refresh_computes(check_file, host, existing):
    from catalogue.services import DERIVED_FIELDS, facility_refresh

    content = csv_bytes(
        "slug,name,host,technologies,city,certifications",
        "pilot-line,Pilot Line,flanders-make,photonics,Leuven,ISO 9001",
        "existing-photonics-lab,Existing Photonics Lab,flanders-make,photonics,Gent,",
    )
    _run(check_file(content))
    fields = [f for f in DERIVED_FIELDS if f != "updated_at"]
    imported = list(Facility.objects.order_by("pk").values_list(*fields))

    facility_refresh(facility_ids=Facility.objects.values_list("pk", flat=True))

    assert list(Facility.objects.order_by("pk").values_list(*fields)) == imported
    assert "Leuven" in Facility.objects.get(slug="pilot-line").search_text_b


def test_an_import_creates_a_host_organisation_named_only_in_the_file(check_file, host):
    job = _run(check_file(csv_bytes("name,host", "Pilot Line,Imec Leuven")))

    facility = Facility.objects.select_related("host").get(slug="pilot-line")
    assert job.status == ImportJob.Status.DONE
    assert (facility.host.name, facility.host.region_id) == ("Imec Leuven", facility.region_id)


def test_an_upload_can_be_given_as_an_uploaded_file_object(editor, flanders, host):
    job = services.import_job_create(
        upload=SimpleUploadedFile("Inventar.CSV", csv_bytes("name,host", "Pilot Line,flanders-make")),
        region=flanders,
        user=editor,
    )

    assert job.format == ImportJob.Format.CSV
    assert services.import_job_check(job=job).status == ImportJob.Status.CHECKED


def test_history_rows_copy_every_tracked_column_with_the_uploader(check_file, host, existing, editor):
    """The history is written by the database from the rows just written (engine._record_history)."""
    content = csv_bytes(
        "slug,name,host,technologies,city",
        "pilot-line,Pilot Line,flanders-make,photonics,Leuven",
        "existing-photonics-lab,Existing Photonics Lab,flanders-make,photonics,Gent",
    )
    job = _run(check_file(content))

    tracked = [
        f.attname
        for f in Facility.history.model._meta.concrete_fields
        if not f.name.startswith("history_") and f.attname != "id"
    ]
    for slug, kind in (("pilot-line", "+"), ("existing-photonics-lab", "~")):
        facility = Facility.objects.get(slug=slug)
        record = facility.history.first()
        assert (record.history_type, record.history_user_id) == (kind, editor.pk)
        assert record.history_change_reason.startswith(f"import job {job.pk}")
        assert {a: getattr(record, a) for a in tracked} == {a: getattr(facility, a) for a in tracked}
    assert Facility.objects.get(slug="existing-photonics-lab").history.count() == 2
