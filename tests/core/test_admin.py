"""The admin asks the same two questions as everything else (ARCHITECTURE §5).

Rows come from `core.scoping`, object permissions from `user.has_perm`; these tests go
through the real admin with the test client.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail

from core.mail import outbox_flush
from core.models import Membership, Organisation, OutboxEmail, Term
from tests.factories import MembershipFactory, OrganisationFactory, TermFactory, UserFactory

User = get_user_model()

ORGANISATIONS = "/admin/core/organisation/"
MEMBERSHIPS = "/admin/core/membership/"
TERMS = "/admin/core/term/"
REGIONS = "/admin/core/region/"


def _change_url(base: str, obj) -> str:
    return f"{base}{obj.pk}/change/"


def _organisation_form(organisation: Organisation, **changes) -> dict[str, str]:
    data = {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "slug": organisation.slug,
        "type": organisation.type,
        "helix": organisation.helix,
        "region": str(organisation.region_id),
        "country": organisation.country,
        "website": organisation.website,
        "ror_id": organisation.ror_id,
        "vat_id": organisation.vat_id,
        "_save": "Save",
    }
    data.update({key: str(value) for key, value in changes.items()})
    return data


def _models_in_index(response) -> set[str]:
    return {model["object_name"] for app in response.context["app_list"] for model in app["models"]}


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The cast's factory passwords, hashed in microseconds instead of ~0.5 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def flanders_org(flanders):
    return OrganisationFactory(name="Photonics Lab Flanders", acronym="PLF", region=flanders)


@pytest.fixture
def skane_org(skane):
    return OrganisationFactory(name="Photonics Lab Skane", acronym="PLS", region=skane)


# --- Who may enter ---------------------------------------------------------------------


def test_anonymous_is_sent_to_the_portal_sign_in(client_for, db):
    client = client_for(None)
    first = client.get("/admin/")
    second = client.get(first.url)
    assert first.status_code == 302
    assert first.url.startswith("/admin/login/")
    assert second.status_code == 302
    assert second.url.startswith("/accounts/login/")


def test_anonymous_is_sent_to_sign_in_from_a_changelist(client_for, flanders_org):
    response = client_for(None).get(ORGANISATIONS, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert response.status_code == 200


def test_outsider_without_role_gets_403_from_the_admin_index(client_for, outsider):
    response = client_for(outsider).get("/admin/", follow=True)
    assert response.status_code == 403
    assert "You have no role in any region yet" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("editor", {"Organisation", "Region", "Term"}),
        ("viewer", {"Organisation", "Region", "Term"}),
        ("coordinator", {"Organisation", "Region", "Term", "Membership"}),
        ("project_coordinator", {"Organisation", "Region", "Term", "Membership"}),
        ("superuser", {"Organisation", "Region", "Term", "Membership"}),
    ],
)
def test_admin_index_lists_the_models_the_role_may_see(db, request, client_for, role, expected):
    response = client_for(request.getfixturevalue(role)).get("/admin/")
    assert response.status_code == 200
    assert _models_in_index(response) >= expected
    assert ("Membership" in _models_in_index(response)) is ("Membership" in expected)


# --- Organisations: which rows ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("editor", {"Photonics Lab Flanders"}),
        ("other_editor", {"Photonics Lab Skane"}),
        ("coordinator", {"Photonics Lab Flanders"}),
        ("viewer", {"Photonics Lab Flanders", "Photonics Lab Skane"}),
        ("project_coordinator", {"Photonics Lab Flanders", "Photonics Lab Skane"}),
    ],
)
def test_organisation_changelist_shows_the_roles_regions_only(
    request, client_for, flanders_org, skane_org, role, expected
):
    response = client_for(request.getfixturevalue(role)).get(ORGANISATIONS)
    assert response.status_code == 200
    assert {o.name for o in response.context["cl"].result_list} == expected


def test_organisation_search_does_not_leak_other_regions(client_for, editor, flanders_org, skane_org):
    response = client_for(editor).get(ORGANISATIONS, {"q": "Photonics"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [flanders_org]
    assert "Photonics Lab Skane" not in response.content.decode()


def test_organisation_search_for_another_regions_name_finds_nothing(client_for, editor, skane_org):
    response = client_for(editor).get(ORGANISATIONS, {"q": "Skane"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_organisation_region_filter_for_another_region_shows_nothing(client_for, editor, skane, skane_org):
    response = client_for(editor).get(ORGANISATIONS, {"region__id__exact": skane.pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


# --- Organisations: one object ---------------------------------------------------------


def test_editor_opening_another_regions_organisation_is_redirected_as_missing(client_for, editor, skane_org):
    # Django's admin answers an object outside get_queryset with a redirect to the
    # index and a "doesn't exist" message, not a 404: the object stays invisible.
    response = client_for(editor).get(_change_url(ORGANISATIONS, skane_org))
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert "doesn’t exist" in str(next(iter(get_messages(response.wsgi_request))))


def test_editor_opens_own_regions_organisation_with_a_save_button(client_for, editor, flanders_org):
    response = client_for(editor).get(_change_url(ORGANISATIONS, flanders_org))
    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()


def test_viewer_opens_an_organisation_read_only(client_for, viewer, skane_org):
    response = client_for(viewer).get(_change_url(ORGANISATIONS, skane_org))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in content
    assert 'name="name"' not in content  # no input, the value is shown as text


def test_editor_changes_own_regions_organisation(client_for, editor, flanders_org):
    data = _organisation_form(flanders_org, name="Photonics Lab Ghent")
    response = client_for(editor).post(_change_url(ORGANISATIONS, flanders_org), data)
    assert response.status_code == 302
    flanders_org.refresh_from_db()
    assert flanders_org.name == "Photonics Lab Ghent"


def test_editor_post_to_another_regions_organisation_changes_nothing(client_for, editor, skane_org):
    data = _organisation_form(skane_org, name="Taken over")
    response = client_for(editor).post(_change_url(ORGANISATIONS, skane_org), data)
    assert response.status_code == 302
    assert response.url == "/admin/"
    skane_org.refresh_from_db()
    assert skane_org.name == "Photonics Lab Skane"


def test_viewer_post_to_an_organisation_is_forbidden_and_changes_nothing(client_for, viewer, flanders_org):
    data = _organisation_form(flanders_org, name="Taken over")
    response = client_for(viewer).post(_change_url(ORGANISATIONS, flanders_org), data)
    assert response.status_code == 403
    flanders_org.refresh_from_db()
    assert flanders_org.name == "Photonics Lab Flanders"


def test_editor_cannot_move_an_organisation_to_another_region(client_for, editor, flanders_org, skane):
    data = _organisation_form(flanders_org, region=skane.pk, country="SE")
    response = client_for(editor).post(_change_url(ORGANISATIONS, flanders_org), data)
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    flanders_org.refresh_from_db()
    assert flanders_org.region.code == "flanders"


def test_editor_cannot_delete_another_regions_organisation(client_for, editor, skane_org):
    response = client_for(editor).post(f"{ORGANISATIONS}{skane_org.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert Organisation.objects.filter(pk=skane_org.pk).exists()


def test_viewer_cannot_open_the_add_form(client_for, viewer):
    response = client_for(viewer).get(f"{ORGANISATIONS}add/")
    assert response.status_code == 403
    assert "adminform" not in (response.context or {})


def test_editors_add_form_offers_only_their_region(client_for, editor, flanders):
    response = client_for(editor).get(f"{ORGANISATIONS}add/")
    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields["region"].queryset) == [flanders]


def test_editor_adds_an_organisation_in_own_region(client_for, editor, flanders):
    data = _organisation_form(
        Organisation(name="Ghent Testbed", slug="ghent-testbed", type="rto", helix="academia", country="BE"),
        region=flanders.pk,
    )
    response = client_for(editor).post(f"{ORGANISATIONS}add/", data)
    assert response.status_code == 302
    assert Organisation.objects.get(slug="ghent-testbed").region == flanders


def test_editor_posting_an_organisation_for_another_region_gets_a_form_error(client_for, editor, skane):
    data = _organisation_form(
        Organisation(name="Lund Testbed", slug="lund-testbed", type="rto", helix="academia", country="SE"),
        region=skane.pk,
    )
    response = client_for(editor).post(f"{ORGANISATIONS}add/", data)
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(slug="lund-testbed").exists()


# --- Regions and terms -----------------------------------------------------------------


def test_coordinator_may_edit_own_regions_page(client_for, coordinator, flanders):
    response = client_for(coordinator).get(_change_url(REGIONS, flanders))
    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()
    assert 'name="inclusion_criteria"' in response.content.decode()


def test_coordinator_sees_another_region_read_only(client_for, coordinator, skane):
    response = client_for(coordinator).get(_change_url(REGIONS, skane))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_editor_sees_a_term_read_only(client_for, editor):
    term = TermFactory(code="photonics")
    response = client_for(editor).get(_change_url(TERMS, term))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_project_coordinator_adds_a_term_with_history(client_for, project_coordinator):
    data = {
        "vocabulary": Term.Vocabulary.KET,
        "code": "quantum-sensing",
        "label_en": "Quantum sensing",
        "order": "0",
        "crosswalk": "{}",
        "_save": "Save",
    }
    response = client_for(project_coordinator).post(f"{TERMS}add/", data)
    assert response.status_code == 302
    term = Term.objects.get(code="quantum-sensing")
    assert term.history.count() == 1


# --- Autocomplete (a facility's host organisation) --------------------------------------

AUTOCOMPLETE = "/admin/autocomplete/"
HOST_PHOTONICS = {
    "app_label": "catalogue",
    "model_name": "facility",
    "field_name": "host",
    "term": "Photonics",
}


def _autocomplete_ids(response) -> set[int]:
    return {int(result["id"]) for result in response.json()["results"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("editor", {"flanders"}),
        ("other_editor", {"skane"}),
        ("viewer", {"flanders", "skane"}),
        ("project_coordinator", {"flanders", "skane"}),
    ],
)
def test_host_autocomplete_offers_only_organisations_the_role_may_read(
    request, client_for, flanders_org, skane_org, role, expected
):
    response = client_for(request.getfixturevalue(role)).get(AUTOCOMPLETE, HOST_PHOTONICS)
    organisations = {"flanders": flanders_org.pk, "skane": skane_org.pk}
    assert response.status_code == 200
    assert _autocomplete_ids(response) == {organisations[key] for key in expected}


def test_host_autocomplete_is_closed_to_an_outsider(client_for, outsider, flanders_org):
    response = client_for(outsider).get(AUTOCOMPLETE, HOST_PHOTONICS)
    assert response.status_code == 302
    assert "Photonics" not in response.content.decode()


# --- Memberships: the coordinator manages the region's members ---------------------------


def test_membership_changelist_shows_flanders_memberships_only(
    client_for, coordinator, editor, other_editor, viewer
):
    response = client_for(coordinator).get(MEMBERSHIPS)
    users = {m.user.username for m in response.context["cl"].result_list}
    assert response.status_code == 200
    assert users == {"coordinator-flanders", "editor-flanders"}


def test_editor_gets_403_from_the_membership_admin(client_for, editor):
    response = client_for(editor).get(MEMBERSHIPS)
    assert response.status_code == 403


def test_viewer_gets_403_from_the_membership_admin(client_for, viewer):
    response = client_for(viewer).get(MEMBERSHIPS)
    assert response.status_code == 403


def test_coordinators_add_form_offers_only_their_region(client_for, coordinator, flanders):
    response = client_for(coordinator).get(f"{MEMBERSHIPS}add/")
    field = response.context["adminform"].form.fields["region"]
    assert response.status_code == 200
    assert list(field.queryset) == [flanders]
    assert field.required is True


def test_coordinators_role_choices_exclude_project_coordinator(client_for, coordinator):
    response = client_for(coordinator).get(f"{MEMBERSHIPS}add/")
    roles = [value for value, _label in response.context["adminform"].form.fields["role"].choices]
    assert response.status_code == 200
    assert Membership.Role.PROJECT_COORDINATOR not in roles
    assert Membership.Role.EDITOR in roles


def test_project_coordinators_role_choices_include_project_coordinator(client_for, project_coordinator):
    response = client_for(project_coordinator).get(f"{MEMBERSHIPS}add/")
    form = response.context["adminform"].form
    roles = [value for value, _label in form.fields["role"].choices]
    assert Membership.Role.PROJECT_COORDINATOR in roles
    assert form.fields["region"].required is False


def test_coordinator_adds_a_new_person_by_email(client_for, coordinator, flanders):
    data = {"email": "new.person@example.org", "region": flanders.pk, "role": "editor", "_save": "Save"}
    response = client_for(coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.memberships.get().region == flanders
    assert user.has_usable_password() is False


def test_adding_a_new_person_sends_one_invitation_with_a_set_password_link(client_for, coordinator, flanders):
    data = {"email": "new.person@example.org", "region": flanders.pk, "role": "editor", "_save": "Save"}
    client_for(coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert outbox_flush() == (1, 0)  # the outbox's own sender, as the worker runs it
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert re.search(r"http://testserver/accounts/password/reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body)


def test_coordinator_adds_an_existing_person_without_mail(client_for, coordinator, outsider, flanders):
    data = {"email": outsider.email.upper(), "region": flanders.pk, "role": "viewer", "_save": "Save"}
    response = client_for(coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert response.status_code == 302
    assert outsider.memberships.get().role == Membership.Role.VIEWER
    assert not OutboxEmail.objects.exists()


def test_coordinator_adding_a_duplicate_role_gets_a_form_error(client_for, coordinator, editor, flanders):
    data = {"email": editor.email, "region": flanders.pk, "role": "editor", "_save": "Save"}
    response = client_for(coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert editor.memberships.count() == 1


def test_coordinator_posting_a_skane_membership_gets_a_form_error(client_for, coordinator, skane):
    data = {"email": "new.person@example.org", "region": skane.pk, "role": "editor", "_save": "Save"}
    response = client_for(coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_coordinator_posting_a_project_coordinator_role_gets_a_form_error(client_for, coordinator, flanders):
    data = {"email": "new.person@example.org", "region": "", "role": "project-coordinator", "_save": "Save"}
    response = client_for(coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(
        role=Membership.Role.PROJECT_COORDINATOR, user__email="new.person@example.org"
    ).exists()


def test_coordinator_opening_a_skane_membership_is_redirected_as_missing(
    client_for, coordinator, other_editor
):
    membership = other_editor.memberships.get()
    response = client_for(coordinator).get(_change_url(MEMBERSHIPS, membership))
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_coordinator_promotes_an_editor_to_coordinator(client_for, coordinator, editor):
    membership = editor.memberships.get()
    data = {"role": "coordinator", "_save": "Save"}
    response = client_for(coordinator).post(_change_url(MEMBERSHIPS, membership), data)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.Role.COORDINATOR


def test_coordinator_revokes_an_editor_through_the_delete_page(client_for, coordinator, editor):
    membership = editor.memberships.get()
    response = client_for(coordinator).post(f"{MEMBERSHIPS}{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not editor.memberships.exists()


def test_project_coordinator_revokes_an_all_regions_viewer(client_for, project_coordinator, viewer):
    membership = viewer.memberships.get()
    response = client_for(project_coordinator).post(f"{MEMBERSHIPS}{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not viewer.memberships.exists()


def test_project_coordinator_adds_a_project_coordinator(client_for, project_coordinator, outsider):
    data = {"email": outsider.email, "region": "", "role": "project-coordinator", "_save": "Save"}
    response = client_for(project_coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert response.status_code == 302
    membership = outsider.memberships.get()
    assert (membership.role, membership.region) == (Membership.Role.PROJECT_COORDINATOR, None)


def test_regional_project_coordinator_gets_a_region_error(
    client_for, project_coordinator, outsider, flanders
):
    data = {"email": outsider.email, "region": flanders.pk, "role": "project-coordinator", "_save": "Save"}
    response = client_for(project_coordinator).post(f"{MEMBERSHIPS}add/", data)
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not outsider.memberships.exists()


def test_membership_changelist_of_a_coordinator_of_two_regions_shows_both(
    client_for, coordinator, skane, other_editor
):
    MembershipFactory(user=coordinator, region=skane, role=Membership.Role.COORDINATOR)
    response = client_for(coordinator).get(MEMBERSHIPS)
    users = {m.user.username for m in response.context["cl"].result_list}
    assert "editor-skane" in users


def test_coordinator_changing_a_role_into_one_the_person_has_gets_a_form_error(
    client_for, coordinator, editor, flanders
):
    second = MembershipFactory(user=editor, region=flanders, role=Membership.Role.VIEWER)
    data = {"role": "editor", "_save": "Save"}
    response = client_for(coordinator).post(_change_url(MEMBERSHIPS, second), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    second.refresh_from_db()
    assert second.role == Membership.Role.VIEWER


# --- History pages ----------------------------------------------------------------------


def test_editor_cannot_read_another_regions_organisation_history(client_for, editor, skane_org):
    response = client_for(editor).get(f"{ORGANISATIONS}{skane_org.pk}/history/")
    assert response.status_code == 403


def test_editor_cannot_open_an_old_version_of_another_regions_organisation(client_for, editor, skane_org):
    version = skane_org.history.get()
    response = client_for(editor).get(f"{ORGANISATIONS}{skane_org.pk}/history/{version.history_id}/")
    assert response.status_code == 403


def test_editor_reads_own_regions_organisation_history(client_for, editor, flanders_org):
    response = client_for(editor).get(f"{ORGANISATIONS}{flanders_org.pk}/history/")
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 1


# --- A coordinator words the region's page ----------------------------------------------


def _region_form(region, **changes) -> dict[str, str]:
    data = {
        "name": region.name,
        "country": region.country,
        "nuts_code": region.nuts_code,
        "nuts_level": str(region.nuts_level),
        "partner_name": region.partner_name,
        "latitude": str(region.latitude),
        "longitude": str(region.longitude),
        "languages": ",".join(region.languages),
        "inclusion_criteria": region.inclusion_criteria,
        "_save": "Save",
    }
    data.update({key: str(value) for key, value in changes.items()})
    return data


def test_coordinator_updates_own_regions_inclusion_criteria(client_for, coordinator, flanders):
    data = _region_form(flanders, inclusion_criteria="Open to SMEs from Flanders.")
    response = client_for(coordinator).post(_change_url(REGIONS, flanders), data)
    assert response.status_code == 302
    flanders.refresh_from_db()
    assert flanders.inclusion_criteria == "Open to SMEs from Flanders."


def test_coordinator_cannot_rename_own_region(client_for, coordinator, flanders):
    data = _region_form(flanders, name="Vlaanderen", nuts_code="XX1")
    response = client_for(coordinator).post(_change_url(REGIONS, flanders), data)
    assert response.status_code == 302  # saved, with the identity fields left as they were
    flanders.refresh_from_db()
    assert (flanders.name, flanders.nuts_code) == ("Flanders", "BE2")
