"""New facilities are written with COPY (catalogue/imports/engine.py): the text format's
escapes, and a row written so equal to the one the ORM writes for the same values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from catalogue import exports
from catalogue.imports import services
from catalogue.imports.engine import copy_field
from catalogue.models import Facility, ImportJob
from tests.factories import FacilityFactory

AWKWARD = 'Back\\slash, tab\there, line\nbreak, CR\r, "quotes", {braces}, \\N and ünïcødé'


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        (True, "t"),
        (False, "f"),
        (42, "42"),
        (Decimal("-3.50000"), "-3.50000"),
        ("plain", "plain"),
        ("a\\b\tc\nd\re", "a\\\\b\\tc\\nd\\re"),
        ("\\N", "\\\\N"),
        ([], "{}"),
        (["x", 'say "hi"', "back\\slash", None], '{"x","say \\\\"hi\\\\"","back\\\\\\\\slash",NULL}'),
        (
            datetime.datetime(2026, 12, 3, 16, 0, 5, 12, tzinfo=datetime.UTC),
            "2026-12-03T16:00:05.000012+00:00",
        ),
    ],
)
def test_values_are_written_in_copys_text_format(value, text):
    assert copy_field(value) == text


def test_a_value_of_no_known_kind_is_refused():
    with pytest.raises(TypeError, match="no COPY text for dict"):
        copy_field({"a": 1})


def _columns(facility: Facility) -> dict[str, object]:
    """Every stored column but the ids and stamps. An untranslated text is NULL when the
    ORM writes it and "" when an import does (before COPY as now): both read as empty."""
    skip = {"id", "created_at", "updated_at", "search_vector"}
    return {
        f.attname: ""
        if getattr(facility, f.attname) is None and f.get_internal_type() in ("CharField", "TextField")
        else getattr(facility, f.attname)
        for f in Facility._meta.concrete_fields
        if f.attname not in skip
    }


@pytest.mark.django_db
def test_a_facility_imported_anew_equals_the_one_the_orm_wrote(check_file, host, flanders):
    original = FacilityFactory(
        region=flanders,
        host=host,
        slug="awkward-lab",
        name_en="Awkward\\Lab\t2",
        tagline_en=AWKWARD,
        description_en=AWKWARD,
        description_de=AWKWARD,
        keywords=['say "hi"', "back\\slash", "{braces}", "ünïcødé"],
        technologies=["photonics"],
        access_modes=["fee-based"],
        trl_min=3,
        trl_max=6,
        latitude=Decimal("50.87500"),
        longitude=Decimal("-4.70000"),
        training_offered=True,
        contact_email="lab@example.org",
        external_id="A-1",
        source="test",
    )
    from catalogue.services import facility_save

    facility_save(facility=original)
    original.refresh_from_db()
    content = exports.export(Facility.objects.filter(pk=original.pk), "json")
    expected = _columns(original)
    Facility.objects.filter(pk=original.pk).delete()

    job = check_file(content, "export.json", preset="portal")
    services.import_job_confirm(job=job)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == ImportJob.Status.DONE, job.row_errors
    imported = Facility.objects.get(slug="awkward-lab")
    assert _columns(imported) == expected
    assert Facility.objects.filter(pk=imported.pk, search_vector="awkward").exists()


@pytest.mark.django_db
def test_new_ids_come_from_the_sequence_after_the_existing_rows(check_file, host, flanders):
    before = FacilityFactory(region=flanders, host=host)
    job = check_file(b"name,host\nFirst Lab,flanders-make\nSecond Lab,flanders-make\n")
    services.import_job_confirm(job=job)
    services.import_job_run(job_id=job.pk)
    after = FacilityFactory(region=flanders, host=host)

    ids = list(Facility.objects.filter(slug__in=["first-lab", "second-lab"]).values_list("pk", flat=True))
    assert len(ids) == 2
    assert before.pk < min(ids)
    assert max(ids) < after.pk


@pytest.mark.django_db
def test_the_search_index_pending_list_is_merged_by_its_owner():
    from catalogue.imports.engine import merge_pending_search_entries

    assert merge_pending_search_entries() is True


@pytest.mark.django_db
def test_a_role_that_does_not_own_the_index_leaves_the_merge_and_says_so(caplog, as_plain_role):
    from catalogue.imports.engine import merge_pending_search_entries

    with as_plain_role():
        assert merge_pending_search_entries() is False
    assert "does not own the index" in caplog.text


@pytest.mark.django_db
def test_a_missing_search_index_leaves_the_merge_and_says_so(caplog):
    from django.db import connection

    from catalogue.imports.engine import merge_pending_search_entries

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX facility_search_vector")  # undone with the test's transaction
    assert merge_pending_search_entries() is False
    assert "or it is missing" in caplog.text


@pytest.mark.django_db
def test_an_import_that_changes_a_published_facility_changes_what_the_search_reads(
    check_file, host, flanders
):
    from catalogue.models import SearchDocument
    from catalogue.selectors import text_query

    lab = FacilityFactory(
        published=True, region=flanders, host=host, slug="shaker-hall", description_en="Old text."
    )
    job = check_file(
        b"slug,name_en,host,description_en\nshaker-hall,Shaker hall,flanders-make,Xylophone resonance chambers.\n"
    )
    assert not job.row_errors, job.row_errors
    services.import_job_confirm(job=job)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == ImportJob.Status.DONE, job.row_errors
    assert SearchDocument.objects.filter(pk=lab.pk, vector=text_query("xylophone")).exists()
