"""The search documents (catalogue.models.SearchDocument): kept by the database's
triggers on every write path, and answering a word search exactly as the facility rows
would (catalogue.selectors.hits_sql, issue #6)."""

from __future__ import annotations

import random

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from catalogue import selectors
from catalogue.models import Facility, SearchDocument
from tests.factories import EquipmentFactory, FacilityFactory

pytestmark = pytest.mark.django_db


def _document(facility: Facility) -> dict[str, object] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.vector::text = f.search_vector::text, d.name, d.name_en, d.name_de, d.xmin::text"
            " FROM catalogue_searchdocument d JOIN catalogue_facility f ON f.id = d.facility_id"
            " WHERE d.facility_id = %s",
            [facility.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    same_vector, name, name_en, name_de, xmin = row
    return {"same_vector": same_vector, "name": name, "name_en": name_en, "name_de": name_de, "xmin": xmin}


def test_a_published_facility_has_a_document_a_draft_none(flanders):
    published = FacilityFactory(published=True, region=flanders, name="Shaker hall")
    draft = FacilityFactory(region=flanders)
    document = _document(published)
    assert document is not None
    assert (document["same_vector"], document["name"], document["name_en"], document["name_de"]) == (
        True,
        "Shaker hall",
        "Shaker hall",
        None,
    )
    assert _document(draft) is None


def test_the_document_follows_publishing_renaming_text_and_withdrawal(flanders):
    facility = FacilityFactory(region=flanders, name="Shaker hall")
    facility.state = Facility.State.PUBLISHED
    facility.save()
    assert _document(facility) is not None
    facility.name_de = "Schüttelhalle"
    facility.description_en = "Acoustic chambers and vibration tables."
    facility.save()
    document = _document(facility)
    assert document is not None
    assert document["name_de"] == "Schüttelhalle"
    assert document["same_vector"] is True
    assert SearchDocument.objects.filter(vector=selectors.text_query("acoustic")).exists()
    facility.state = Facility.State.ARCHIVED
    facility.save()
    assert _document(facility) is None


def test_equipment_text_reaches_the_document(flanders):
    facility = FacilityFactory(published=True, region=flanders)
    EquipmentFactory(facility=facility, name="Spectrometer XR-9")
    assert SearchDocument.objects.filter(pk=facility.pk, vector=selectors.text_query("spectrometer")).exists()


def test_an_update_of_nothing_copied_leaves_the_document_alone(flanders):
    facility = FacilityFactory(published=True, region=flanders)
    before = _document(facility)
    facility.contact_email = "other@example.org"
    facility.completeness = 17
    facility.save()
    assert _document(facility) == before  # the same row version (xmin): not rewritten


def test_bulk_updates_and_deletes_keep_the_documents(flanders):
    kept, withdrawn, deleted = (FacilityFactory(published=True, region=flanders) for _ in range(3))
    Facility.objects.filter(pk=withdrawn.pk).update(state=Facility.State.DRAFT)
    Facility.objects.filter(pk=deleted.pk).delete()
    with connection.cursor() as cursor:  # a path with neither signals nor the ORM
        cursor.execute("UPDATE catalogue_facility SET name_en = 'Renamed' WHERE id = %s", [kept.pk])
    assert set(SearchDocument.objects.values_list("pk", flat=True)) == {kept.pk}
    assert _document(kept)["name_en"] == "Renamed"  # type: ignore[index]


def test_there_is_a_name_column_for_every_language():
    columns = {f.name for f in SearchDocument._meta.get_fields()}
    assert {f"name_{code}" for code, _label in settings.LANGUAGES} <= columns


# --- the same hits as the facility rows give ----------------------------------------------


@pytest.fixture
def catalogue(flanders, skane):
    rng = random.Random(7)
    words = ["laser", "testing", "vibration", "composites", "cleanroom", "photonics", "pilot"]
    for i in range(60):
        FacilityFactory(
            published=rng.random() < 0.8,
            region=rng.choice([flanders, skane]),
            # Repeated names and texts: equal ranks, broken by the name, then the id.
            name=rng.choice(["Alpha lab", "Beta hall", "Åre centre", "Zeta line"])
            + ("" if i % 3 else f" {i}"),
            name_de=rng.choice(["", "Labor", "Prüfhalle"]),
            description_en=" ".join(rng.choices(words, k=rng.randint(1, 8))),
            tagline_en=rng.choice(["", "laser testing", "pilot line"]),
        )


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    "q",
    [
        "laser",
        "testing",
        "laser testing",
        "laser -composites",
        '"pilot line"',
        "Prüfhalle",
        "laser OR pilot",
        "the",
    ],
)
def test_the_documents_give_the_facility_rows_hits_in_the_same_order(catalogue, language, q):
    with translation.override(language):
        params = selectors.SearchParams(q=q)
        sql, args = selectors.hits_sql(params)
        assert "catalogue_searchdocument" in sql
        from_rows = selectors.facility_search_queryset(user=None, params=selectors.SearchParams(q=q))
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            text = cursor.fetchone()[0]
        documents = [int(pk) for pk in text.split(",")] if text else []
        assert documents == list(from_rows.values_list("pk", flat=True))
        if q != "the":
            assert documents


def test_near_miss_names_and_other_orders_are_read_from_the_facility_rows(catalogue):
    for params in (selectors.SearchParams(q="lazer"), selectors.SearchParams(q="laser", sort="name")):
        sql, _args = selectors.hits_sql(params)
        assert "catalogue_searchdocument" not in sql
