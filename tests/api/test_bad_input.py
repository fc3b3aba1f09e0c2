"""Bad input is refused with a 400 naming what is wrong, nothing is written, and every
4xx has one shape: exactly {"code", "message", "errors"} (STYLE "API")."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from catalogue.models import Facility
from tests.api.conftest import API

pytestmark = pytest.mark.django_db

FACILITIES = f"{API}/facilities/"
SHAPE = {"code", "message", "errors"}


def valid_facility(**changes) -> dict:
    return {
        "names": {"en": "Composite Testing Lab"},
        "region": "flanders",
        "host": "flanders-make-lab",
        "trl_min": 3,
        "trl_max": 6,
        **changes,
    }


def refused(response, status: int = 400) -> dict:
    """The error body, after checking the status and the one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE
    return body


@pytest.fixture
def editor_api(api_as, editor, flanders_host):
    return api_as(editor)


# --- fields -----------------------------------------------------------------------------


def test_an_unknown_field_is_named_and_nothing_is_written(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(colour="red"), format="json"))

    assert list(body["errors"]) == ["colour"]
    assert not Facility.objects.exists()


def test_an_unknown_field_in_a_change_is_named_and_nothing_changes(editor_api, flanders_draft):
    body = refused(editor_api.patch(f"{FACILITIES}{flanders_draft.slug}/", {"city": "Gent", "colour": "red"}))

    assert list(body["errors"]) == ["colour"]
    assert Facility.objects.get(pk=flanders_draft.pk).city == ""


def test_a_read_only_field_sent_on_create_is_refused(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(state="published"), format="json"))

    assert list(body["errors"]) == ["state"]
    assert not Facility.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trl_min", "high"),
        ("latitude", "north"),
        ("technologies", "photonics"),
        ("names", "Composite Testing Lab"),
        ("training_offered", "perhaps"),
    ],
)
def test_a_value_of_the_wrong_type_is_named(editor_api, field, value):
    body = refused(editor_api.post(FACILITIES, valid_facility(**{field: value}), format="json"))

    assert field in body["errors"]
    assert not Facility.objects.exists()


def test_an_unknown_vocabulary_code_is_named(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(technologies=["fotonica"]), format="json"))

    [message] = body["errors"]["technologies"]
    assert "'fotonica'" in message
    assert not Facility.objects.exists()


def test_the_suggested_vocabulary_code_is_one_the_api_accepts(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(technologies=["fotonica"]), format="json"))

    assert "Did you mean 'photonics'?" in body["errors"]["technologies"][0]


def test_an_unknown_region_is_named(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(region="atlantis"), format="json"))

    assert list(body["errors"]) == ["region"]
    assert not Facility.objects.exists()


def test_a_name_in_an_unknown_language_is_refused(editor_api):
    names = {"en": "Composite Testing Lab", "xx": "Kompozit"}
    body = refused(editor_api.post(FACILITIES, valid_facility(names=names), format="json"))

    assert "xx" in body["errors"]["names"][0]
    assert not Facility.objects.exists()


def test_a_lowest_trl_above_the_highest_is_refused(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(trl_min=8, trl_max=3), format="json"))

    assert "lowest TRL" in json.dumps(body["errors"])
    assert not Facility.objects.exists()


def test_a_change_that_inverts_the_trl_range_is_refused(editor_api, flanders_draft):
    url = f"{FACILITIES}{flanders_draft.slug}/"
    editor_api.patch(url, {"trl_min": 3, "trl_max": 6}, format="json")

    refused(editor_api.patch(url, {"trl_min": 8}, format="json"))

    assert Facility.objects.get(pk=flanders_draft.pk).trl_min == 3


def test_errors_that_belong_to_no_field_use_one_key(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(trl_min=8, trl_max=3), format="json"))

    assert "__all__" not in body["errors"]


def test_the_slug_cannot_change(editor_api, flanders_draft):
    body = refused(
        editor_api.patch(f"{FACILITIES}{flanders_draft.slug}/", {"slug": "renamed"}, format="json")
    )

    assert list(body["errors"]) == ["slug"]
    assert Facility.objects.filter(slug="flanders-draft-lab").exists()


def test_a_taken_slug_is_refused_on_create(editor_api, flanders_draft):
    body = refused(editor_api.post(FACILITIES, valid_facility(slug=flanders_draft.slug), format="json"))

    assert list(body["errors"]) == ["slug"]
    assert Facility.objects.count() == 1


def test_a_nul_character_in_a_translated_text_is_refused(editor_api):
    editor_api.raise_request_exception = False

    response = editor_api.post(FACILITIES, valid_facility(names={"en": "Lab\x00"}), format="json")

    assert response.status_code == 400
    assert not Facility.objects.exists()


def test_a_nul_character_in_a_plain_field_is_refused(editor_api):
    body = refused(editor_api.post(FACILITIES, valid_facility(city="Gent\x00"), format="json"))

    assert list(body["errors"]) == ["city"]


# --- bodies -----------------------------------------------------------------------------


def test_invalid_json_is_refused_in_the_one_error_shape(editor_api):
    body = refused(editor_api.post(FACILITIES, '{"names": {"en": "Lab"', content_type="application/json"))

    assert body["code"] == "parse_error"
    assert not Facility.objects.exists()


def test_a_json_list_instead_of_an_object_is_refused(editor_api):
    body = refused(editor_api.post(FACILITIES, [valid_facility()], format="json"))

    assert list(body["errors"]) == ["non_field_errors"]
    assert not Facility.objects.exists()


def test_a_body_over_the_size_limit_is_refused(editor_api):
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    payload = json.dumps(valid_facility(descriptions={"en": text}))

    body = refused(editor_api.post(FACILITIES, payload, content_type="application/json"))

    assert list(body["errors"]) == ["non_field_errors"]
    assert not Facility.objects.exists()


def test_a_form_encoded_body_is_an_unsupported_media_type(editor_api):
    body = refused(
        editor_api.post(FACILITIES, "name=Lab", content_type="application/x-www-form-urlencoded"), 415
    )

    assert body["code"] == "unsupported_media_type"
    assert not Facility.objects.exists()


# --- query parameters -------------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["!!!", "aWQ6eA", "bm90OjE", "a\x00b"])
def test_an_invalid_cursor_is_refused(api, cursor):
    body = refused(api.get(FACILITIES, {"cursor": cursor}))

    assert list(body["errors"]) == ["cursor"]


@pytest.mark.parametrize(
    ("params", "field", "named"),
    [
        ({"ket": "fotonica"}, "ket", "fotonica"),
        ({"trl": "10"}, "trl", "10"),
        ({"region": "atlantis,flanders"}, "region", "atlantis"),
        ({"type": "spaceport"}, "type", "spaceport"),
    ],
)
def test_an_unknown_filter_value_is_named(api, params, field, named):
    body = refused(api.get(FACILITIES, params))

    assert list(body["errors"]) == [field]
    assert named in body["errors"][field][0]


def test_an_unknown_ordering_is_named_as_sent(api):
    body = refused(api.get(FACILITIES, {"ordering": "cheapest"}))

    assert list(body["errors"]) == ["ordering"]


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/equipment/?facility=a%00b",
        f"{API}/services/?facility=a%00b",
        f"{API}/organisations/?region=a%00b",
        f"{API}/terms/?vocabulary=a%00b",
    ],
)
def test_a_nul_character_in_a_query_parameter_is_not_a_server_error(api, url):
    api.raise_request_exception = False

    response = api.get(url)

    assert response.status_code < 500


def test_a_nul_character_in_the_search_text_is_harmless(api, flanders_published):
    response = api.get(FACILITIES, {"search": "photonics\x00lab"})

    assert response.status_code == 200


# --- the one error shape ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("get", f"{API}/facilities/no-such-lab/", {}, 404),
        ("delete", f"{API}/regions/flanders/", {}, 405),
        ("get", f"{API}/regions/", {"HTTP_ACCEPT": "application/xml"}, 406),
        ("post", f"{API}/facilities/", {"data": {}, "format": "json"}, 401),
        ("get", f"{API}/facilities/", {"data": {"page_size": "0"}}, 400),
        ("get", f"{API}/facilities/", {"data": {"include": "all"}}, 400),
    ],
)
def test_every_api_error_has_exactly_code_message_and_errors(api, method, url, kwargs, status):
    response = getattr(api, method)(url, **kwargs)

    body = refused(response, status)
    assert isinstance(body["errors"], dict)
    assert body["message"]


def test_a_forbidden_write_has_the_one_error_shape(api_as, viewer, flanders_host):
    body = refused(api_as(viewer).post(FACILITIES, valid_facility(), format="json"), 403)

    assert body["code"] == "permission_denied"


def test_an_unknown_api_url_answers_in_the_one_error_shape(api):
    refused(api.get(f"{API}/no-such-collection/"), 404)


def test_an_unknown_portal_url_keeps_the_html_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
