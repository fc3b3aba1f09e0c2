"""The permission matrix of the core models, asked the one way: `user.has_perm(perm, obj)`.

Expected answers follow `core/rules.py` and ARCHITECTURE §5; the rows each list
visible/editable organisations come from `core/scoping.py`.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from core.models import Membership, Organisation
from core.scoping import (
    coordinated_regions,
    editable_regions,
    scope_editable,
    scope_viewable,
    viewable_regions,
)
from core.services import membership_grant, membership_revoke
from tests.factories import MembershipFactory, OrganisationFactory, TermFactory, UserFactory

ROLES = [
    "anonymous",
    "outsider",
    "editor",
    "other_editor",
    "coordinator",
    "viewer",
    "project_coordinator",
    "superuser",
]
ACTIONS = ("view", "add", "change", "delete")
EVERYTHING = frozenset(ACTIONS)
NOTHING: frozenset[str] = frozenset()
VIEW = frozenset({"view"})


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The cast's factory passwords, hashed in microseconds instead of ~0.5 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _matrix(allowed: dict[str, frozenset[str]]) -> list:
    assert set(allowed) == set(ROLES), "every role has a row"
    return [
        pytest.param(role, action, action in allowed[role], id=f"{role}-{action}")
        for role in ROLES
        for action in ACTIONS
    ]


# --- Organisation of Flanders ---------------------------------------------------------

ORGANISATION = {
    "anonymous": NOTHING,
    "outsider": NOTHING,
    "editor": EVERYTHING,
    "other_editor": NOTHING,
    "coordinator": EVERYTHING,
    "viewer": VIEW,
    "project_coordinator": EVERYTHING,
    "superuser": EVERYTHING,
}


@pytest.mark.parametrize(("role", "action", "expected"), _matrix(ORGANISATION))
def test_organisation_of_flanders_permission_matrix(request, flanders, role, action, expected):
    user = request.getfixturevalue(role)
    organisation = OrganisationFactory(region=flanders)
    assert user.has_perm(f"core.{action}_organisation", organisation) is expected


# --- A Flanders editor's membership ---------------------------------------------------

MEMBERSHIP = {
    "anonymous": NOTHING,
    "outsider": NOTHING,
    "editor": NOTHING,
    "other_editor": NOTHING,
    "coordinator": EVERYTHING,
    "viewer": NOTHING,
    "project_coordinator": EVERYTHING,
    "superuser": EVERYTHING,
}


@pytest.mark.parametrize(("role", "action", "expected"), _matrix(MEMBERSHIP))
def test_flanders_editor_membership_permission_matrix(request, flanders, role, action, expected):
    user = request.getfixturevalue(role)
    membership = MembershipFactory(region=flanders, role=Membership.Role.EDITOR)
    assert user.has_perm(f"core.{action}_membership", membership) is expected


# --- A vocabulary term ----------------------------------------------------------------

TERM = {
    "anonymous": NOTHING,
    "outsider": NOTHING,
    "editor": VIEW,
    "other_editor": VIEW,
    "coordinator": VIEW,
    "viewer": VIEW,
    "project_coordinator": EVERYTHING,
    "superuser": EVERYTHING,
}


@pytest.mark.parametrize(("role", "action", "expected"), _matrix(TERM))
def test_term_permission_matrix(request, db, role, action, expected):
    user = request.getfixturevalue(role)
    term = TermFactory(code="photonics")
    assert user.has_perm(f"core.{action}_term", term) is expected


# --- The region Flanders --------------------------------------------------------------

REGION = {
    "anonymous": NOTHING,
    "outsider": NOTHING,
    "editor": VIEW,
    "other_editor": VIEW,
    "coordinator": frozenset({"view", "change"}),
    "viewer": VIEW,
    "project_coordinator": EVERYTHING,
    "superuser": EVERYTHING,
}


@pytest.mark.parametrize(("role", "action", "expected"), _matrix(REGION))
def test_region_flanders_permission_matrix(request, flanders, role, action, expected):
    user = request.getfixturevalue(role)
    assert user.has_perm(f"core.{action}_region", flanders) is expected


# --- Model-level questions (obj=None: "show this model in the admin?") ----------------


@pytest.mark.parametrize(
    ("role", "perm", "expected"),
    [
        ("editor", "core.add_organisation", True),
        ("viewer", "core.add_organisation", False),
        ("viewer", "core.view_organisation", True),
        ("outsider", "core.view_organisation", False),
        ("editor", "core.view_membership", False),
        ("coordinator", "core.view_membership", True),
        ("coordinator", "core.add_membership", True),
        ("coordinator", "core.add_region", False),
        ("project_coordinator", "core.add_region", True),
    ],
)
def test_model_level_permission(request, db, role, perm, expected):
    user = request.getfixturevalue(role)
    assert user.has_perm(perm) is expected


# --- The limits of a coordinator ------------------------------------------------------


def test_coordinator_cannot_add_a_project_coordinator_membership(coordinator, flanders):
    # Unsaved on purpose: the database would refuse a regional project coordinator anyway.
    membership = Membership(region=flanders, role=Membership.Role.PROJECT_COORDINATOR)
    assert coordinator.has_perm("core.add_membership", membership) is False
    assert coordinator.has_perm("core.change_membership", membership) is False


def test_coordinator_cannot_change_an_all_regions_membership(coordinator, viewer):
    membership = viewer.memberships.get()
    assert coordinator.has_perm("core.view_membership", membership) is False
    assert coordinator.has_perm("core.change_membership", membership) is False
    assert coordinator.has_perm("core.delete_membership", membership) is False


def test_coordinator_cannot_change_another_regions_membership(coordinator, other_editor):
    membership = other_editor.memberships.get()
    assert coordinator.has_perm("core.view_membership", membership) is False
    assert coordinator.has_perm("core.change_membership", membership) is False


def test_project_coordinator_may_change_an_all_regions_membership(project_coordinator, viewer):
    # "project coordinator: everything" (ARCHITECTURE §5): someone below the superuser
    # must be able to revoke an all-regions viewer.
    membership = viewer.memberships.get()
    assert project_coordinator.has_perm("core.change_membership", membership) is True
    assert project_coordinator.has_perm("core.delete_membership", membership) is True


def test_inactive_editor_loses_every_permission(editor, flanders):
    editor.is_active = False
    editor.save()
    organisation = OrganisationFactory(region=flanders)
    assert editor.has_perm("core.view_organisation", organisation) is False
    assert editor.has_perm("core.change_organisation", organisation) is False


def test_editor_of_two_regions_may_change_both(editor, flanders, skane):
    MembershipFactory(user=editor, region=skane, role=Membership.Role.EDITOR)
    assert editor.has_perm("core.change_organisation", OrganisationFactory(region=flanders))
    assert editor.has_perm("core.change_organisation", OrganisationFactory(region=skane))


def test_regional_viewer_sees_only_own_region(flanders, skane):
    viewer = MembershipFactory(region=skane, role=Membership.Role.VIEWER).user
    assert viewer.has_perm("core.view_organisation", OrganisationFactory(region=skane))
    assert not viewer.has_perm("core.view_organisation", OrganisationFactory(region=flanders))
    assert not viewer.has_perm("core.change_organisation", OrganisationFactory(region=skane))


# --- Scoping: which rows? -------------------------------------------------------------


@pytest.fixture
def organisations(flanders, skane):
    return {
        "flanders": OrganisationFactory(name="Flanders Lab", region=flanders),
        "skane": OrganisationFactory(name="Skane Lab", region=skane),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", set()),
        ("outsider", set()),
        ("editor", {"flanders"}),
        ("other_editor", {"skane"}),
        ("coordinator", {"flanders"}),
        ("viewer", {"flanders", "skane"}),
        ("project_coordinator", {"flanders", "skane"}),
        ("superuser", {"flanders", "skane"}),
    ],
)
def test_scope_viewable_returns_the_organisations_of_the_users_regions(
    request, organisations, role, expected
):
    user = request.getfixturevalue(role)
    rows = set(scope_viewable(Organisation.objects.all(), user))
    assert rows == {organisations[key] for key in expected}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", set()),
        ("outsider", set()),
        ("editor", {"flanders"}),
        ("other_editor", {"skane"}),
        ("coordinator", {"flanders"}),
        ("viewer", set()),
        ("project_coordinator", {"flanders", "skane"}),
        ("superuser", {"flanders", "skane"}),
    ],
)
def test_scope_editable_returns_the_organisations_the_user_may_edit(request, organisations, role, expected):
    user = request.getfixturevalue(role)
    rows = set(scope_editable(Organisation.objects.all(), user))
    assert rows == {organisations[key] for key in expected}


def test_region_lists_of_a_coordinator_are_their_one_region(coordinator, flanders):
    assert list(viewable_regions(coordinator)) == [flanders]
    assert list(editable_regions(coordinator)) == [flanders]
    assert list(coordinated_regions(coordinator)) == [flanders]


def test_editor_coordinates_no_region(editor):
    assert list(coordinated_regions(editor)) == []
    assert editable_regions(editor).count() == 1


def test_access_is_read_once_per_user_object(editor, flanders, django_assert_num_queries):
    organisation = OrganisationFactory(region=flanders)
    assert editor.has_perm("core.view_organisation", organisation)
    with django_assert_num_queries(0):
        assert editor.has_perm("core.change_organisation", organisation)


def test_access_cache_is_forgotten_after_membership_grant(outsider, flanders):
    organisation = OrganisationFactory(region=flanders)
    assert outsider.has_perm("core.view_organisation", organisation) is False  # caches Access
    membership_grant(email=outsider.email, role=Membership.Role.EDITOR, region=flanders)
    assert outsider.has_perm("core.view_organisation", organisation) is True


def test_access_cache_is_forgotten_after_membership_revoke(flanders):
    membership = MembershipFactory(region=flanders, role=Membership.Role.EDITOR)
    organisation = OrganisationFactory(region=flanders)
    assert membership.user.has_perm("core.change_organisation", organisation) is True  # caches Access
    membership_revoke(membership=membership)
    assert membership.user.has_perm("core.change_organisation", organisation) is False
