"""Granting and revoking roles: `core.services.membership_grant` / `membership_revoke`."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.mail import outbox_flush
from core.models import Membership, OutboxEmail
from core.services import membership_grant, membership_revoke
from tests.factories import MembershipFactory, UserFactory

User = get_user_model()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The cast's factory passwords, hashed in microseconds instead of ~0.5 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- A new person ---------------------------------------------------------------------


def test_grant_to_a_new_email_creates_a_user_without_usable_password(flanders):
    membership = membership_grant(
        email="new.person@example.org", role=Membership.Role.EDITOR, region=flanders
    )
    user = User.objects.get(email="new.person@example.org")
    assert membership.user == user
    assert user.has_usable_password() is False
    assert user.memberships.get().region == flanders


def test_grant_to_a_new_email_queues_one_invitation_with_a_set_password_link(flanders):
    membership_grant(email="new.person@example.org", role=Membership.Role.EDITOR, region=flanders)
    invitation = OutboxEmail.objects.get()
    assert invitation.to == ["new.person@example.org"]
    assert "/accounts/password/reset/" in invitation.body


def test_queued_invitation_is_sent_by_the_outbox(flanders):
    membership_grant(email="new.person@example.org", role=Membership.Role.EDITOR, region=flanders)
    assert outbox_flush() == (1, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]


def test_grant_derives_a_free_username_from_the_email(flanders):
    UserFactory(username="new.person", email="someone.else@example.org")
    membership = membership_grant(
        email="new.person@example.org", role=Membership.Role.EDITOR, region=flanders
    )
    assert membership.user.username == "new.person2"


def test_grant_lowercases_the_domain_of_a_new_email(flanders):
    membership = membership_grant(
        email="New.Person@EXAMPLE.ORG", role=Membership.Role.EDITOR, region=flanders
    )
    assert membership.user.email == "New.Person@example.org"


# --- A person who already has an account ----------------------------------------------


def test_grant_to_an_existing_email_ignores_case_and_sends_no_mail(outsider, flanders):
    membership = membership_grant(email=outsider.email.upper(), role=Membership.Role.VIEWER, region=flanders)
    assert membership.user == outsider
    assert User.objects.count() == 1
    assert not OutboxEmail.objects.exists()


def test_grant_of_a_second_role_keeps_the_first(editor, flanders):
    membership_grant(email=editor.email, role=Membership.Role.COORDINATOR, region=flanders)
    roles = set(editor.memberships.values_list("role", flat=True))
    assert roles == {Membership.Role.EDITOR, Membership.Role.COORDINATOR}


def test_grant_of_an_all_regions_viewer_role(outsider):
    membership = membership_grant(email=outsider.email, role=Membership.Role.VIEWER, region=None)
    assert membership.region is None
    assert outsider.memberships.get().role == Membership.Role.VIEWER


# --- Refusals -------------------------------------------------------------------------


def test_no_invitation_is_queued_when_the_surrounding_transaction_rolls_back(flanders):
    # The admin wraps each save in a transaction; a later error there must not leave
    # the invitee with a mail for an account that was rolled back.
    def grant_then_fail() -> None:
        with transaction.atomic():
            membership_grant(email="new.person@example.org", role=Membership.Role.EDITOR, region=flanders)
            raise RuntimeError("a later step of the same save fails")

    with pytest.raises(RuntimeError):
        grant_then_fail()
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert not OutboxEmail.objects.exists()


def test_grant_of_a_duplicate_role_raises_and_writes_nothing(editor, flanders):
    history_before = Membership.history.count()
    with pytest.raises(ValidationError):
        membership_grant(email=editor.email, role=Membership.Role.EDITOR, region=flanders)
    assert editor.memberships.count() == 1
    assert Membership.history.count() == history_before


def test_grant_of_a_duplicate_all_regions_role_raises(viewer):
    with pytest.raises(ValidationError):
        membership_grant(email=viewer.email, role=Membership.Role.VIEWER, region=None)
    assert viewer.memberships.count() == 1


def test_grant_of_an_editor_role_without_region_is_refused_and_creates_no_user(db):
    with pytest.raises(ValidationError) as excinfo:
        membership_grant(email="new.person@example.org", role=Membership.Role.EDITOR, region=None)
    assert "membership_region_matches_role" in str(excinfo.value)
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert not OutboxEmail.objects.exists()


def test_grant_of_a_regional_project_coordinator_role_is_refused(outsider, flanders):
    with pytest.raises(ValidationError):
        membership_grant(email=outsider.email, role=Membership.Role.PROJECT_COORDINATOR, region=flanders)
    assert not outsider.memberships.exists()


def test_database_refuses_an_editor_without_region(outsider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=outsider, region=None, role=Membership.Role.EDITOR)
    assert not outsider.memberships.exists()


def test_database_refuses_a_second_all_regions_viewer_row(viewer):
    # nulls_distinct=False: an empty region counts as one value for uniqueness.
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=viewer, region=None, role=Membership.Role.VIEWER)
    assert viewer.memberships.count() == 1


# --- Revoking -------------------------------------------------------------------------


def test_revoke_deletes_the_membership_and_keeps_the_user(editor):
    membership = editor.memberships.get()
    pk = membership.pk
    membership_revoke(membership=membership)
    assert not Membership.objects.filter(pk=pk).exists()
    assert User.objects.filter(pk=editor.pk).exists()


def test_revoke_leaves_the_users_other_roles(editor, skane):
    other = MembershipFactory(user=editor, region=skane, role=Membership.Role.VIEWER)
    membership_revoke(membership=editor.memberships.get(region__code="flanders"))
    assert list(editor.memberships.all()) == [other]


# --- History --------------------------------------------------------------------------


def test_grant_records_a_creation_in_the_history(outsider, flanders):
    membership = membership_grant(email=outsider.email, role=Membership.Role.EDITOR, region=flanders)
    records = Membership.history.filter(id=membership.pk)
    assert records.count() == 1
    assert records.get().history_type == "+"
    assert records.get().role == Membership.Role.EDITOR


def test_revoke_records_a_deletion_in_the_history(editor):
    membership = editor.memberships.get()
    pk = membership.pk
    membership_revoke(membership=membership)
    assert Membership.history.filter(id=pk, history_type="-").count() == 1
