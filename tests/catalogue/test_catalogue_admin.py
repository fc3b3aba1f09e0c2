"""The catalogue in the Django admin, region by region (ARCHITECTURE §5).

Changelists, search, autocomplete and foreign-key choices are narrowed by
`core.scoping`; object actions ask `user.has_perm`. A record of another region does not
exist for the admin (Django redirects to the index with "doesn't exist").
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from catalogue import selectors
from catalogue.models import Facility
from catalogue.selectors import SearchParams
from core.models import Region
from tests.factories import EquipmentFactory, FacilityFactory, OrganisationFactory

CHANGELIST = "/admin/catalogue/facility/"
ADD = "/admin/catalogue/facility/add/"


def _change(facility: Facility) -> str:
    return f"/admin/catalogue/facility/{facility.pk}/change/"


@pytest.fixture
def flanders_lab(flanders):
    return FacilityFactory(region=flanders, name="Flanders Vibration Lab", slug="flanders-vibration-lab")


@pytest.fixture
def skane_lab(skane):
    return FacilityFactory(region=skane, name="Skåne Vibration Lab", slug="skane-vibration-lab")


def _results(response) -> list[Facility]:
    return list(response.context["cl"].result_list)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- who sees what ------------------------------------------------------------------------


def test_editor_changelist_shows_only_flanders(client_for, editor, flanders_lab, skane_lab):
    response = client_for(editor).get(CHANGELIST)
    assert response.status_code == 200
    assert _results(response) == [flanders_lab]


def test_other_editor_changelist_shows_only_skane(client_for, other_editor, flanders_lab, skane_lab):
    response = client_for(other_editor).get(CHANGELIST)
    assert _results(response) == [skane_lab]


def test_editor_cannot_open_a_skane_facility(client_for, editor, skane_lab):
    response = client_for(editor).get(_change(skane_lab))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert any("doesn’t exist" in m for m in _messages(response))


def test_admin_search_does_not_leak_skane(client_for, editor, flanders_lab, skane_lab):
    client = client_for(editor)
    assert _results(client.get(CHANGELIST, {"q": "Vibration Lab"})) == [flanders_lab]
    assert _results(client.get(CHANGELIST, {"q": "Skåne"})) == []


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(CHANGELIST, follow=True)
    assert response.redirect_chain
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_outsider_without_a_role_is_refused(client_for, outsider):
    response = client_for(outsider).get(CHANGELIST, follow=True)
    assert response.status_code == 403


# --- forms ----------------------------------------------------------------------------------


def test_editor_add_form_offers_only_flanders_as_region(client_for, editor, flanders):
    response = client_for(editor).get(ADD)
    regions = response.context["adminform"].form.fields["region"].queryset
    assert response.status_code == 200
    assert list(regions) == [flanders]


def test_equipment_form_offers_only_editable_facilities(client_for, editor, flanders_lab, skane_lab):
    response = client_for(editor).get("/admin/catalogue/equipment/add/")
    choices = response.context["adminform"].form.fields["facility"].queryset
    assert response.status_code == 200
    assert list(choices) == [flanders_lab]


def test_facility_autocomplete_returns_only_flanders(client_for, editor, flanders_lab, skane_lab):
    response = client_for(editor).get(
        "/admin/autocomplete/",
        {"app_label": "catalogue", "model_name": "equipment", "field_name": "facility", "term": "Vibration"},
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(flanders_lab.pk)]


def _add_data(region: Region, host, **extra) -> dict:
    data = {
        "name_en": "Ultrasonic Welding Lab",
        "slug": "ultrasonic-welding-lab",
        "description_en": "Ultrasonic welding of thermoplastic parts.",
        "original_language": "en",
        "structure": Facility.Structure.SINGLE_SITED,
        "lifecycle": Facility.Lifecycle.OPERATIONAL,
        "region": region.pk,
        "host": host.pk,
        "technologies": ["advanced-manufacturing"],
        "keywords": "sonotrode, thermoplastics",
        "contact_email": "welding@example.org",
        "last_verified_at_0": "",
        "last_verified_at_1": "",
        "_save": "Save",
    }
    for prefix in ("services", "equipment"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | extra


def _search(user, q: str) -> list[str]:
    hits = selectors.facility_search_queryset(user=user, params=SearchParams(q=q), public_only=False)
    return list(hits.values_list("slug", flat=True))


def test_editor_adds_a_facility_that_search_finds_at_once(client_for, editor, flanders):
    host = OrganisationFactory(region=flanders, name="Sirris")
    response = client_for(editor).post(ADD, _add_data(flanders, host))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert _search(editor, "ultrasonic welding") == ["ultrasonic-welding-lab"]
    # Copied text (host name, keywords, vocabulary labels) reached the vector too.
    assert _search(editor, "Sirris sonotrode") == ["ultrasonic-welding-lab"]


def test_editor_adds_a_service_inline_that_search_finds(client_for, editor, flanders):
    host = OrganisationFactory(region=flanders)
    data = _add_data(
        flanders,
        host,
        **{
            "services-TOTAL_FORMS": "1",
            "services-0-name": "Horn design consultancy",
            "services-0-service_type": "consultancy",
        },
    )
    response = client_for(editor).post(ADD, data)
    facility = Facility.objects.get(slug="ultrasonic-welding-lab")
    assert response.status_code == 302
    assert facility.service_types == ["consultancy"]
    assert _search(editor, "horn design") == ["ultrasonic-welding-lab"]


def test_editor_cannot_add_a_facility_in_skane(client_for, editor, skane):
    host = OrganisationFactory(region=skane)
    response = client_for(editor).post(ADD, _add_data(skane, host))
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Facility.objects.filter(slug="ultrasonic-welding-lab").exists()


# --- workflow actions -------------------------------------------------------------------------


def _publish(client, facility: Facility):
    return client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [facility.pk]})


def test_editor_cannot_publish_and_is_told(client_for, editor, flanders_lab):
    response = _publish(client_for(editor), flanders_lab)
    flanders_lab.refresh_from_db()
    assert response.status_code == 302
    assert flanders_lab.state == Facility.State.DRAFT
    assert any("skipped" in m for m in _messages(response))


def test_coordinator_publishes(client_for, coordinator, flanders_lab):
    response = _publish(client_for(coordinator), flanders_lab)
    flanders_lab.refresh_from_db()
    assert response.status_code == 302
    assert flanders_lab.state == Facility.State.PUBLISHED
    assert flanders_lab.published_at is not None


def test_editor_submits_for_review(client_for, editor, flanders_lab):
    client_for(editor).post(CHANGELIST, {"action": "submit_selected", "_selected_action": [flanders_lab.pk]})
    flanders_lab.refresh_from_db()
    assert flanders_lab.state == Facility.State.SUBMITTED


# --- read-only viewer ---------------------------------------------------------------------------


def test_viewer_sees_the_changelist_without_an_add_button(client_for, viewer, flanders_lab, skane_lab):
    response = client_for(viewer).get(CHANGELIST)
    assert response.status_code == 200
    assert set(_results(response)) == {flanders_lab, skane_lab}
    assert response.context["has_add_permission"] is False


def test_viewer_change_page_has_no_save(client_for, viewer, flanders_lab):
    response = client_for(viewer).get(_change(flanders_lab))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()


def test_viewer_cannot_post_a_change(client_for, viewer, flanders_lab):
    host = flanders_lab.host
    response = client_for(viewer).post(_change(flanders_lab), _add_data(flanders_lab.region, host))
    flanders_lab.refresh_from_db()
    assert response.status_code == 403
    assert flanders_lab.name == "Flanders Vibration Lab"


def test_editor_deleting_equipment_in_the_admin_refreshes_search(client_for, editor, flanders_lab):
    equipment = EquipmentFactory(facility=flanders_lab, name="Shaker table LDS V875")
    assert _search(editor, "shaker") == [flanders_lab.slug]
    response = client_for(editor).post(f"/admin/catalogue/equipment/{equipment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _search(editor, "shaker") == []


def test_facility_changelist_offers_the_spreadsheet_import(client_for, editor):
    response = client_for(editor).get("/admin/catalogue/facility/")
    assert response.status_code == 200
    assert "/manage/imports/" in response.content.decode()


def test_admin_export_action_exports_only_the_selected_own_region_rows(client_for, editor, flanders, skane):
    from tests.factories import FacilityFactory

    own = FacilityFactory(region=flanders, name="=Own Lab")
    FacilityFactory(region=skane, name="Skane Lab")
    response = client_for(editor).post(
        "/admin/catalogue/facility/", {"action": "export_csv", "_selected_action": [own.pk]}
    )
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=Own Lab" in body
    assert "Skane Lab" not in body
