"""Who may write facilities, equipment and services through /api/v1/ (ARCHITECTURE §5).

Every request authenticates with a real knox token (or a real session); every refusal is
followed by a look at the database: nothing written, nothing changed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.test import APIClient

from catalogue.models import Equipment, Facility, Service
from core.models import ApiToken
from core.services import api_token_create, api_token_revoke
from tests.api.conftest import API

pytestmark = pytest.mark.django_db

FACILITIES = f"{API}/facilities/"


def new_facility(region: str = "flanders", host: str = "flanders-make-lab", **extra) -> dict:
    return {
        "names": {"en": "Composite Testing Lab", "nl": "Composietentestlab"},
        "region": region,
        "host": host,
        "facility_type": "research-lab",
        "technologies": ["advanced-materials"],
        "trl_min": 3,
        "trl_max": 6,
        "contact_email": "lab@example.org",
        **extra,
    }


def detail(facility: Facility, suffix: str = "") -> str:
    return f"{FACILITIES}{facility.slug}/{suffix}"


def name_in_db(facility: Facility) -> str:
    return Facility.objects.get(pk=facility.pk).name


# --- create -----------------------------------------------------------------------------


def test_anonymous_cannot_create_a_facility(api, flanders_host):
    response = api.post(FACILITIES, new_facility(), format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Facility.objects.exists()


def test_editor_token_creates_a_draft_in_own_region(api_as, editor, flanders_host):
    response = api_as(editor).post(FACILITIES, new_facility(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "draft"
    facility = Facility.objects.get(slug=response.json()["slug"])
    assert (facility.region.code, facility.name, facility.name_nl) == (
        "flanders",
        "Composite Testing Lab",
        "Composietentestlab",
    )


def test_other_region_editor_cannot_create_in_flanders(api_as, other_editor, flanders_host):
    response = api_as(other_editor).post(FACILITIES, new_facility(region="flanders"), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["region"]
    assert not Facility.objects.exists()


def test_viewer_token_cannot_create_a_facility(api_as, viewer, flanders_host):
    response = api_as(viewer).post(FACILITIES, new_facility(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Facility.objects.exists()


def test_member_without_a_role_cannot_create_a_facility(api_as, outsider, flanders_host):
    response = api_as(outsider).post(FACILITIES, new_facility(), format="json")

    assert response.status_code == 403
    assert not Facility.objects.exists()


# --- change -----------------------------------------------------------------------------


def test_editor_token_changes_own_region_draft(api_as, editor, flanders_draft):
    response = api_as(editor).patch(detail(flanders_draft), {"city": "Leuven"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["city"] == "Leuven"
    assert Facility.objects.get(pk=flanders_draft.pk).city == "Leuven"


def test_anonymous_cannot_change_a_published_facility(api, flanders_published):
    response = api.patch(detail(flanders_published), {"name": "Hijacked"}, format="json")

    assert response.status_code == 401
    assert name_in_db(flanders_published) == "Flanders Photonics Lab"


def test_other_region_editor_does_not_see_a_flanders_draft_to_change(api_as, other_editor, flanders_draft):
    response = api_as(other_editor).patch(detail(flanders_draft), {"name": "Hijacked"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert name_in_db(flanders_draft) == "Flanders Draft Lab"


def test_other_region_editor_cannot_change_a_published_flanders_facility(
    api_as, other_editor, flanders_published
):
    response = api_as(other_editor).patch(detail(flanders_published), {"name": "Hijacked"}, format="json")

    assert response.status_code == 403
    assert name_in_db(flanders_published) == "Flanders Photonics Lab"


def test_other_region_editor_cannot_move_own_facility_to_flanders(api_as, other_editor, skane_draft):
    response = api_as(other_editor).patch(detail(skane_draft), {"region": "flanders"}, format="json")

    assert response.status_code == 400
    assert "region" in response.json()["errors"]
    assert Facility.objects.get(pk=skane_draft.pk).region.code == "skane"


def test_viewer_token_cannot_change_a_draft_it_may_read(api_as, viewer, flanders_draft):
    response = api_as(viewer).patch(detail(flanders_draft), {"name": "Hijacked"}, format="json")

    assert response.status_code == 403
    assert name_in_db(flanders_draft) == "Flanders Draft Lab"


# --- archive (DELETE) -------------------------------------------------------------------


def test_coordinator_token_archives_a_facility_without_deleting_it(api_as, coordinator, flanders_published):
    response = api_as(coordinator).delete(detail(flanders_published))

    assert response.status_code == 204
    assert Facility.objects.get(pk=flanders_published.pk).state == Facility.State.ARCHIVED


def test_editor_token_cannot_archive(api_as, editor, flanders_published):
    response = api_as(editor).delete(detail(flanders_published))

    assert response.status_code == 403
    assert "coordinator" in response.json()["message"]
    assert Facility.objects.get(pk=flanders_published.pk).state == Facility.State.PUBLISHED


def test_anonymous_cannot_archive(api, flanders_published):
    response = api.delete(detail(flanders_published))

    assert response.status_code == 401
    assert Facility.objects.get(pk=flanders_published.pk).state == Facility.State.PUBLISHED


def test_other_region_editor_cannot_archive_a_flanders_draft_it_cannot_see(
    api_as, other_editor, flanders_draft
):
    response = api_as(other_editor).delete(detail(flanders_draft))

    assert response.status_code == 404
    assert Facility.objects.get(pk=flanders_draft.pk).state == Facility.State.DRAFT


def test_viewer_token_cannot_archive(api_as, viewer, flanders_published):
    response = api_as(viewer).delete(detail(flanders_published))

    assert response.status_code == 403
    assert Facility.objects.get(pk=flanders_published.pk).state == Facility.State.PUBLISHED


# --- publish ----------------------------------------------------------------------------


def test_coordinator_token_publishes_a_draft(api_as, coordinator, flanders_draft):
    response = api_as(coordinator).post(detail(flanders_draft, "publish/"))

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "published"
    published = Facility.objects.get(pk=flanders_draft.pk)
    assert published.state == Facility.State.PUBLISHED
    assert published.published_at is not None


def test_editor_token_cannot_publish(api_as, editor, flanders_draft):
    response = api_as(editor).post(detail(flanders_draft, "publish/"))

    assert response.status_code == 403
    assert Facility.objects.get(pk=flanders_draft.pk).state == Facility.State.DRAFT


def test_anonymous_cannot_publish(api, flanders_draft):
    response = api.post(detail(flanders_draft, "publish/"))

    assert response.status_code == 401
    assert Facility.objects.get(pk=flanders_draft.pk).state == Facility.State.DRAFT


def test_other_region_editor_cannot_publish_a_flanders_draft(api_as, other_editor, flanders_draft):
    response = api_as(other_editor).post(detail(flanders_draft, "publish/"))

    assert response.status_code == 404
    assert Facility.objects.get(pk=flanders_draft.pk).state == Facility.State.DRAFT


def test_viewer_token_cannot_publish(api_as, viewer, flanders_draft):
    response = api_as(viewer).post(detail(flanders_draft, "publish/"))

    assert response.status_code == 403
    assert Facility.objects.get(pk=flanders_draft.pk).state == Facility.State.DRAFT


# --- equipment and services -------------------------------------------------------------


def new_equipment(facility: Facility) -> dict:
    return {"facility": facility.slug, "name": "Scanning electron microscope", "category": "microscopy"}


def new_service(facility: Facility) -> dict:
    return {"facility": facility.slug, "name": "Tensile testing", "service_type": "testing-validation"}


def test_editor_token_adds_equipment_to_own_region_facility(api_as, editor, flanders_draft):
    response = api_as(editor).post(f"{API}/equipment/", new_equipment(flanders_draft), format="json")

    assert response.status_code == 201, response.json()
    assert list(flanders_draft.equipment.values_list("name", flat=True)) == ["Scanning electron microscope"]
    flanders_draft.refresh_from_db()
    assert "Scanning electron microscope" in flanders_draft.search_text_b


def test_other_region_editor_cannot_add_equipment_to_a_flanders_facility(
    api_as, other_editor, flanders_published
):
    response = api_as(other_editor).post(
        f"{API}/equipment/", new_equipment(flanders_published), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["facility"]
    assert not Equipment.objects.exists()


def test_viewer_token_cannot_add_equipment(api_as, viewer, flanders_published):
    response = api_as(viewer).post(f"{API}/equipment/", new_equipment(flanders_published), format="json")

    assert response.status_code == 403
    assert not Equipment.objects.exists()


def test_anonymous_cannot_add_equipment(api, flanders_published):
    response = api.post(f"{API}/equipment/", new_equipment(flanders_published), format="json")

    assert response.status_code == 401
    assert not Equipment.objects.exists()


def test_editor_token_adds_a_service_and_the_facility_lists_its_type(api_as, editor, flanders_draft):
    response = api_as(editor).post(f"{API}/services/", new_service(flanders_draft), format="json")

    assert response.status_code == 201, response.json()
    assert Service.objects.filter(facility=flanders_draft, name="Tensile testing").exists()
    assert Facility.objects.get(pk=flanders_draft.pk).service_types == ["testing-validation"]


def test_other_region_editor_cannot_add_a_service_to_a_flanders_facility(
    api_as, other_editor, flanders_published
):
    response = api_as(other_editor).post(f"{API}/services/", new_service(flanders_published), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["facility"]
    assert not Service.objects.exists()


def test_viewer_token_cannot_add_a_service(api_as, viewer, flanders_published):
    response = api_as(viewer).post(f"{API}/services/", new_service(flanders_published), format="json")

    assert response.status_code == 403
    assert not Service.objects.exists()


def test_other_region_editor_cannot_tell_a_hidden_draft_from_a_missing_slug(
    api_as, other_editor, flanders_draft
):
    client = api_as(other_editor)
    hidden = client.post(f"{API}/equipment/", new_equipment(flanders_draft), format="json")
    missing = client.post(
        f"{API}/equipment/", {**new_equipment(flanders_draft), "facility": "no-such-lab"}, format="json"
    )

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["facility"] == [
        m.replace("no-such-lab", flanders_draft.slug) for m in missing.json()["errors"]["facility"]
    ]


# --- tokens and sessions that no longer hold --------------------------------------------


def test_revoked_token_cannot_write(editor, flanders_draft):
    token, key = api_token_create(user=editor, name="ci")
    api_token_revoke(user=editor, token_key=token.token_key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.patch(detail(flanders_draft), {"name": "Hijacked"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert name_in_db(flanders_draft) == "Flanders Draft Lab"


def test_expired_token_cannot_write_and_is_removed(editor, flanders_draft):
    _token, key = api_token_create(user=editor, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    with time_machine.travel(timezone.now() + timedelta(days=366), tick=False):
        response = client.patch(detail(flanders_draft), {"name": "Hijacked"}, format="json")

    assert response.status_code == 401
    assert name_in_db(flanders_draft) == "Flanders Draft Lab"
    assert not ApiToken.objects.filter(user=editor).exists()


def test_session_of_an_editor_writes_until_logout(editor, flanders_draft):
    client = APIClient()
    client.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    signed_in = client.patch(detail(flanders_draft), {"city": "Gent"}, format="json")
    client.logout()

    signed_out = client.patch(detail(flanders_draft), {"city": "Hijacked"}, format="json")

    assert signed_in.status_code == 200
    assert signed_out.status_code == 401
    assert Facility.objects.get(pk=flanders_draft.pk).city == "Gent"


def test_expired_session_cannot_write(editor, flanders_draft):
    client = APIClient()
    client.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")

    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        response = client.patch(detail(flanders_draft), {"city": "Hijacked"}, format="json")

    assert response.status_code == 401
    assert Facility.objects.get(pk=flanders_draft.pk).city == ""


def test_flushed_session_cannot_write(editor, flanders_draft):
    client = APIClient()
    client.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    Session.objects.all().delete()

    response = client.patch(detail(flanders_draft), {"city": "Hijacked"}, format="json")

    assert response.status_code == 401
    assert Facility.objects.get(pk=flanders_draft.pk).city == ""
