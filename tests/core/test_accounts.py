"""Signing in and out, the login lockout, password reset and change, the profile page,
and the invitation mail (templates/registration/, templates/emails/)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template.loader import render_to_string

from core.mail import outbox_flush
from core.models import Membership
from core.services import membership_grant
from tests.factories import PASSWORD

LOGIN_URL = "/accounts/login/"
NEW_PASSWORD = "a-fresh-and-rather-long-passphrase-42"
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}

pytestmark = pytest.mark.django_db


class _FormControls(HTMLParser):
    """Collects the form controls of a page and the ids that a <label> names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self._label_depth += 1
            if attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
        elif tag in {"input", "select", "textarea"}:
            if tag == "input" and attributes.get("type") in UNLABELLED_TYPES:
                return
            self.controls.append({**attributes, "_wrapped": "yes" if self._label_depth else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_depth:
            self._label_depth -= 1


def unlabelled_controls(html: str) -> list[str]:
    """Names of the visible form controls that no <label> describes."""
    parser = _FormControls()
    parser.feed(html)
    return [
        str(control.get("name"))
        for control in parser.controls
        if not control["_wrapped"] and control.get("id") not in parser.label_for
    ]


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def attribute_values(html: str, attribute: str) -> set[str]:
    return set(re.findall(rf'\s{attribute}="([^"]*)"', html))


def link_in(body: str) -> str:
    return urlparse(re.search(r"https?://\S+", body).group(0)).path


# --- Signing in ----------------------------------------------------------------------------


def test_login_page_labels_every_input_and_offers_password_reset(client):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert unlabelled_controls(html) == []
    assert {"username", "current-password"} <= attribute_values(html, "autocomplete")
    assert 'href="/accounts/password/reset/"' in html


def test_login_with_the_right_password_signs_in_and_opens_the_profile(client, editor):
    response = client.post(LOGIN_URL, {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert signed_in_user_id(client) == str(editor.pk)


def test_login_with_a_wrong_password_shows_an_announced_error(client, editor):
    response = client.post(LOGIN_URL, {"username": editor.username, "password": "not-it"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert signed_in_user_id(client) is None


def test_login_without_a_password_ties_the_error_to_the_field(client, editor):
    html = client.post(LOGIN_URL, {"username": editor.username}).content.decode()
    password_input = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in password_input
    assert 'aria-describedby="id_password_error"' in password_input
    assert 'id="id_password_error"' in html


def test_sixth_attempt_after_five_wrong_passwords_is_locked_out_even_with_the_right_one(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"username": editor.username, "password": "wrong-guess"})
    response = client.post(LOGIN_URL, {"username": editor.username, "password": PASSWORD})
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert f"try again in {minutes} minutes" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_other_users_can_still_sign_in_while_one_account_is_locked(client, editor, viewer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"username": editor.username, "password": "wrong-guess"})
    response = client.post(LOGIN_URL, {"username": viewer.username, "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(viewer.pk)


# --- Signing out ---------------------------------------------------------------------------


def test_logout_refuses_get_and_keeps_the_session(client_for, editor):
    client = client_for(editor)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert signed_in_user_id(client) == str(editor.pk)


def test_logout_by_post_signs_out_and_goes_home(client_for, editor):
    client = client_for(editor)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None


def test_logged_out_page_renders_with_a_way_back_in(rf):
    request = rf.get("/accounts/logout/")
    request.user = AnonymousUser()
    html = render_to_string("registration/logged_out.html", request=request)
    assert "You are signed out" in html
    assert f'href="{LOGIN_URL}"' in html


# --- Password reset ------------------------------------------------------------------------


def test_password_reset_form_labels_its_email_input(client):
    html = client.get("/accounts/password/reset/").content.decode()
    assert unlabelled_controls(html) == []
    assert 'autocomplete="email"' in html


def test_password_reset_sends_one_mail_and_shows_where_to_look(client, editor):
    response = client.post("/accounts/password/reset/", {"email": editor.email}, follow=True)
    assert response.templates[0].name == "registration/password_reset_done.html"
    assert outbox_flush() == (1, 0)  # written to the outbox, sent as the worker sends it
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [editor.email]
    assert "The InnoInfra team" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_sends_nothing_but_says_the_same(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert outbox_flush() == (0, 0)


def test_password_reset_link_opens_the_set_password_form(client, editor):
    client.post("/accounts/password/reset/", {"email": editor.email})
    outbox_flush()
    response = client.get(link_in(mail.outbox[0].body), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert {"new_password1", "new_password2"} <= attribute_values(html, "name")
    assert unlabelled_controls(html) == []


def test_new_password_from_the_reset_link_replaces_the_old_one(client, editor):
    client.post("/accounts/password/reset/", {"email": editor.email})
    outbox_flush()
    form_page = client.get(link_in(mail.outbox[0].body), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    editor.refresh_from_db()
    assert response.templates[0].name == "registration/password_reset_complete.html"
    assert "Your password is set" in response.content.decode()
    assert editor.check_password(NEW_PASSWORD)


def test_a_wrong_reset_link_says_it_no_longer_works(client, editor):
    response = client.get("/accounts/password/reset/MQ/not-a-token/")
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


# --- Password change -----------------------------------------------------------------------


def test_password_change_needs_sign_in(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_password_change_form_labels_every_input(client_for, editor):
    html = client_for(editor).get("/accounts/password/change/").content.decode()
    assert unlabelled_controls(html) == []
    assert 'autocomplete="new-password"' in html


def test_password_change_with_the_current_password_confirms_the_change(client_for, editor):
    response = client_for(editor).post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    editor.refresh_from_db()
    assert response.templates[0].name == "registration/password_change_done.html"
    assert editor.check_password(NEW_PASSWORD)


# --- Profile -------------------------------------------------------------------------------


def test_profile_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/accounts/profile/"


def test_profile_lists_the_editors_region_and_role(client_for, editor):
    response = client_for(editor).get("/accounts/profile/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Flanders" in html
    assert "Editor" in html


def test_profile_shows_a_viewer_reads_all_regions(client_for, viewer):
    html = client_for(viewer).get("/accounts/profile/").content.decode()
    assert "All regions" in html
    assert "Viewer" in html


# --- Invitation ----------------------------------------------------------------------------


def test_invitation_names_the_role_and_region_and_links_to_the_password_form(client, flanders):
    membership_grant(email="new.partner@example.org", role=Membership.Role.EDITOR, region=flanders)
    outbox_flush()
    message = mail.outbox[0]
    response = client.get(link_in(message.body), follow=True)
    assert message.subject == "You are invited to InnoInfra"
    assert "- Editor: Flanders" in message.body
    assert "The InnoInfra team" in message.body
    assert 'name="new_password1"' in response.content.decode()
