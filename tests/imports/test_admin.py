"""Import jobs and saved mappings in the admin, scoped like every list (ARCHITECTURE §5,
PITFALLS "Permissions": changelists, foreign-key choices and object pages, each tried with
an editor of another region).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalogue.models import ImportJob, ImportMapping
from tests.imports import csv_bytes

pytestmark = pytest.mark.django_db

JOBS = reverse("admin:catalogue_importjob_changelist")
MAPPINGS = reverse("admin:catalogue_importmapping_changelist")
ADD_MAPPING = reverse("admin:catalogue_importmapping_add")


@pytest.fixture
def flanders_job(check_file, host) -> ImportJob:
    return check_file(csv_bytes("name,host", "Pilot Line,flanders-make"))


@pytest.fixture
def flanders_mapping(flanders) -> ImportMapping:
    return ImportMapping.objects.create(region=flanders, name="Dutch sheet", columns={"Naam": "name_en"})


def test_the_job_list_shows_an_editor_their_regions_jobs_with_a_link_to_the_job_page(
    client_for, editor, flanders_job
):
    response = client_for(editor).get(JOBS)

    assert list(response.context["cl"].queryset) == [flanders_job]
    assert reverse("imports:job", args=[flanders_job.pk]) in response.content.decode()


def test_the_job_list_hides_flanders_jobs_from_another_regions_editor(client_for, other_editor, flanders_job):
    response = client_for(other_editor).get(JOBS)

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == []


def test_a_reader_without_import_rights_does_not_get_the_job_list(client_for, viewer, flanders_job):
    response = client_for(viewer).get(JOBS)

    assert response.status_code == 403


def test_an_import_job_is_read_only_in_the_admin(client_for, editor, flanders_job):
    client = client_for(editor)
    change = reverse("admin:catalogue_importjob_change", args=[flanders_job.pk])

    assert client.get(change).status_code == 200
    assert client.post(change, {"status": "done"}).status_code == 403
    assert client.get(reverse("admin:catalogue_importjob_add")).status_code == 403


def test_a_new_mapping_offers_only_the_regions_the_editor_imports_for(client_for, other_editor):
    response = client_for(other_editor).get(ADD_MAPPING)

    assert [r.code for r in response.context["adminform"].form.fields["region"].queryset] == ["skane"]


def test_an_editor_saves_a_mapping_for_their_region(client_for, editor, flanders):
    response = client_for(editor).post(
        ADD_MAPPING, {"region": flanders.pk, "name": "Uniquip export", "columns": '{"Name": "name_en"}'}
    )

    assert response.status_code == 302
    assert ImportMapping.objects.get(name="Uniquip export").columns == {"Name": "name_en"}


def test_a_mapping_naming_an_unknown_field_is_refused(client_for, editor, flanders):
    response = client_for(editor).post(
        ADD_MAPPING, {"region": flanders.pk, "name": "Typo", "columns": '{"Name": "nmae_en"}'}
    )

    assert "Unknown portal fields: nmae_en." in response.context["adminform"].form.errors["columns"]
    assert not ImportMapping.objects.filter(name="Typo").exists()


def test_another_regions_editor_cannot_open_or_list_a_flanders_mapping(
    client_for, other_editor, flanders_mapping
):
    client = client_for(other_editor)

    response = client.get(reverse("admin:catalogue_importmapping_change", args=[flanders_mapping.pk]))

    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert list(client.get(MAPPINGS).context["cl"].queryset) == []
