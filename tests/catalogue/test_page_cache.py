"""The search page shared by anonymous visitors (core/pagecache.py, issue #6).

Rendered once per URL, language and catalogue version with a slot for the CSRF token;
each visitor gets their own token, a signed-in user or a visitor with a message waiting
gets a page of their own.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from core.pagecache import CSRF_SLOT

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cache_on(search_memory_on):
    return


def page(client, **params) -> str:
    response = client.get("/facilities/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_anonymous_visitor_is_served_without_a_query(lab):
    page(Client(), q="vibration")
    with CaptureQueriesContext(connection) as captured:
        html = page(Client(), q="vibration")
    assert "Vibration lab" in html
    assert captured.captured_queries == []


def test_each_visitor_gets_a_token_of_their_own_that_the_language_form_accepts(lab):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = [TOKEN.findall(page(c, q="vibration")) for c in (first, second)]
    assert [len(t) for t in tokens] == [1, 1]
    assert tokens[0] != tokens[1]
    assert CSRF_SLOT not in page(second, q="vibration")
    response = second.post(
        "/i18n/setlang/", {"language": "de", "csrfmiddlewaretoken": tokens[1][0], "next": "/"}
    )
    assert response.status_code == 302


def test_a_query_cannot_plant_the_token_slot(lab):
    html = page(Client(), q=f"vibration {CSRF_SLOT}", region=str(CSRF_SLOT))
    token = TOKEN.findall(html)
    assert len(token) == 1
    assert html.count(token[0]) == 1
    assert CSRF_SLOT not in html


def test_a_signed_in_user_never_gets_the_shared_page_nor_leaves_theirs(lab, client_for, editor):
    assert "Sign in" in page(Client(), q="vibration")
    mine = page(client_for(editor), q="vibration")
    assert "Sign out" in mine
    assert "Vibration lab" in mine
    anonymous = page(Client(), q="vibration")
    assert "Sign out" not in anonymous


def test_a_visitor_with_a_message_waiting_sees_it(lab):
    page(Client(), q="vibration")
    visitor = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    visitor.cookies[storage.cookie_name] = storage._encode(
        [Message(constants.SUCCESS, "Your enquiry was sent.")]
    )
    assert "Your enquiry was sent." in page(visitor, q="vibration")
    assert "Your enquiry was sent." not in page(Client(), q="vibration")


def test_the_page_follows_the_url_it_was_asked_by(lab):
    html = page(Client(), q="vibration", sort="name")
    assert 'value="/facilities/?q=vibration&amp;sort=name"' in html
    assert (
        'value="/facilities/?sort=name&amp;q=vibration"'
        in Client().get("/facilities/?sort=name&q=vibration").content.decode()
    )
