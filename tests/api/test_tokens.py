"""API tokens on the profile page (shown once, stored hashed, revocable) and API throttling."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from core.models import ApiToken
from core.services import MAX_TOKENS_PER_USER, api_token_create
from tests.api.conftest import API

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
CREATE = "/accounts/profile/tokens/"


def revoke_url(token: ApiToken) -> str:
    return f"/accounts/profile/tokens/{token.token_key}/revoke/"


def key_on_page(response) -> str:
    """The new key from the page that shows it once."""
    html = response.content.decode()
    start = html.index('<code class="token-key">') + len('<code class="token-key">')
    return html[start : html.index("</code>", start)]


def api_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- the profile page -------------------------------------------------------------------


def test_profile_lists_my_tokens_by_name_and_prefix_only(client_for, editor):
    token, key = api_token_create(user=editor, name="ERP connector")

    response = client_for(editor).get(PROFILE)

    assert response.status_code == 200
    assert "ERP connector" in response.content.decode()
    assert token.token_key in response.content.decode()
    assert key not in response.content.decode()


def test_profile_does_not_list_another_users_tokens(client_for, editor, other_editor):
    api_token_create(user=other_editor, name="Skane importer")

    response = client_for(editor).get(PROFILE)

    assert "Skane importer" not in response.content.decode()


def test_a_new_token_is_shown_once_and_works(client_for, editor):
    client = client_for(editor)

    created = client.post(CREATE, {"name": "ERP connector"})
    key = key_on_page(created)
    later = client.get(PROFILE)

    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    assert key not in later.content.decode()
    assert api_with(key).get(f"{API}/facilities/", {"include": "drafts"}).status_code == 200


def test_only_the_hash_of_a_token_is_stored(client_for, editor):
    key = key_on_page(client_for(editor).post(CREATE, {"name": "ERP connector"}))

    token = ApiToken.objects.get(user=editor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        cells = [str(cell) for row in cursor.fetchall() for cell in row]
    assert token.digest != key
    assert key.startswith(token.token_key)
    assert not [cell for cell in cells if key in cell]


def test_the_new_key_is_not_kept_in_the_session(client_for, editor):
    key = key_on_page(client_for(editor).post(CREATE, {"name": "ERP connector"}))

    sessions = [str(s.get_decoded()) + s.session_data for s in Session.objects.all()]

    assert sessions
    assert not [s for s in sessions if key in s]


def test_a_token_without_a_name_is_refused(client_for, editor):
    response = client_for(editor).post(CREATE, {"name": "   "})

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.filter(user=editor).exists()


def test_a_user_cannot_hold_more_than_the_maximum_of_tokens(client_for, editor):
    for n in range(MAX_TOKENS_PER_USER):
        api_token_create(user=editor, name=f"system {n}")

    response = client_for(editor).post(CREATE, {"name": "one too many"})

    assert response.status_code == 400
    assert ApiToken.objects.filter(user=editor).count() == MAX_TOKENS_PER_USER


def test_revoking_a_token_removes_it_and_locks_its_key_out(client_for, editor):
    token, key = api_token_create(user=editor, name="ERP connector")

    response = client_for(editor).post(revoke_url(token), follow=True)

    assert "was revoked" in response.content.decode()
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api_with(key).get(f"{API}/facilities/", {"include": "drafts"}).status_code == 401


def test_another_user_cannot_revoke_my_token(client_for, editor, other_editor):
    token, key = api_token_create(user=editor, name="ERP connector")

    response = client_for(other_editor).post(revoke_url(token), follow=True)

    assert "No such token." in response.content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert api_with(key).get(f"{API}/facilities/").status_code == 200


@pytest.mark.parametrize("url", [CREATE, "/accounts/profile/tokens/abcdefgh/revoke/"])
def test_anonymous_token_posts_redirect_to_login(client, url):
    response = client.post(url, {"name": "ERP connector"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ApiToken.objects.exists()


def test_revoking_is_post_only(client_for, editor):
    token, _key = api_token_create(user=editor, name="ERP connector")

    response = client_for(editor).get(revoke_url(token))

    assert response.status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_creating_a_token_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(CREATE, {"name": "ERP connector"})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


# --- throttling -------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    """DRF copies the rates into the throttle classes at import: set them there."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"})


def test_the_third_anonymous_request_a_minute_is_throttled(api, low_rates):
    first, second = api.get(f"{API}/regions/"), api.get(f"{API}/regions/")

    third = api.get(f"{API}/regions/")

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert 0 < int(third["Retry-After"]) <= 60
    assert set(third.json()) == {"code", "message", "errors"}
    assert third.json()["code"] == "throttled"


def test_a_token_has_its_own_allowance(api_as, editor, low_rates):
    client = api_as(editor)
    statuses = [client.get(f"{API}/regions/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert APIClient().get(f"{API}/regions/").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(api, low_rates):
    statuses = [
        api.get(f"{API}/regions/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]

    assert statuses[-1] == 429
