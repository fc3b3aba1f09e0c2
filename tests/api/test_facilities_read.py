"""Reading facilities through /api/v1/: visibility, caching headers, paging, facets, CSV."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue import selectors
from catalogue.models import Facility
from catalogue.services import facility_verify
from core.selectors import term_index
from tests.api.conftest import API
from tests.factories import FacilityFactory, ServiceFactory

pytestmark = pytest.mark.django_db

FACILITIES = f"{API}/facilities/"


def slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


def relative(url: str) -> str:
    """A `next` link as the test client requests it (path and query)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# --- visibility -------------------------------------------------------------------------


def test_published_facility_is_readable_anonymously(api, flanders_published):
    listed = api.get(FACILITIES)
    one = api.get(f"{FACILITIES}{flanders_published.slug}/")

    assert listed.status_code == 200
    assert slugs(listed) == ["flanders-photonics-lab"]
    assert one.status_code == 200
    assert one.json()["host"]["slug"] == "flanders-make-lab"


def test_drafts_stay_hidden_from_anonymous_even_when_asked_for(api, flanders_draft, flanders_published):
    response = api.get(FACILITIES, {"include": "drafts"})

    assert response.status_code == 200
    assert slugs(response) == ["flanders-photonics-lab"]


def test_editor_token_with_include_drafts_lists_own_region_drafts_only(
    api_as, editor, flanders_draft, skane_draft, flanders_published
):
    response = api_as(editor).get(FACILITIES, {"include": "drafts"})

    assert response.status_code == 200
    assert sorted(slugs(response)) == ["flanders-draft-lab", "flanders-photonics-lab"]


def test_editor_token_without_include_lists_published_only(
    api_as, editor, flanders_draft, flanders_published
):
    response = api_as(editor).get(FACILITIES)

    assert slugs(response) == ["flanders-photonics-lab"]


def test_include_accepts_only_drafts(api, flanders_published):
    response = api.get(FACILITIES, {"include": "everything"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["include"]


def test_draft_detail_is_not_found_for_anonymous(api, flanders_draft):
    response = api.get(f"{FACILITIES}{flanders_draft.slug}/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"], "errors": {}}


def test_draft_detail_is_not_found_for_another_region_editor(api_as, other_editor, flanders_draft):
    response = api_as(other_editor).get(f"{FACILITIES}{flanders_draft.slug}/")

    assert response.status_code == 404


def test_draft_detail_is_readable_by_own_region_editor_and_viewer(api_as, editor, viewer, flanders_draft):
    as_editor = api_as(editor).get(f"{FACILITIES}{flanders_draft.slug}/")
    as_viewer = api_as(viewer).get(f"{FACILITIES}{flanders_draft.slug}/")

    assert as_editor.status_code == 200
    assert as_viewer.status_code == 200
    assert as_editor.json()["state"] == "draft"


# --- conditional requests ---------------------------------------------------------------


def test_list_answers_304_to_its_own_etag(api, flanders_published):
    first = api.get(FACILITIES)
    again = api.get(FACILITIES, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""


def test_detail_answers_304_to_its_own_etag_with_last_modified(api, flanders_published):
    first = api.get(f"{FACILITIES}{flanders_published.slug}/")
    again = api.get(f"{FACILITIES}{flanders_published.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["Last-Modified"].endswith("GMT")
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_list_carries_last_modified_and_varies_on_credentials(api, flanders_published):
    response = api.get(FACILITIES)

    assert response["Last-Modified"].endswith("GMT")
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_change_gives_the_list_and_the_detail_new_etags(api, api_as, editor, flanders_published):
    url = f"{FACILITIES}{flanders_published.slug}/"
    list_before, detail_before = api.get(FACILITIES)["ETag"], api.get(url)["ETag"]

    changed = api_as(editor).patch(url, {"city": "Leuven"}, format="json")

    assert changed.status_code == 200
    assert api.get(FACILITIES, HTTP_IF_NONE_MATCH=list_before).status_code == 200
    after = api.get(url, HTTP_IF_NONE_MATCH=detail_before)
    assert (after.status_code, after.json()["city"]) == (200, "Leuven")


def test_etag_differs_between_anonymous_and_an_editor(api, api_as, editor, flanders_published):
    anonymous = api.get(FACILITIES)["ETag"]
    signed_in = api_as(editor).get(FACILITIES)["ETag"]

    assert anonymous != signed_in


def test_adding_a_service_changes_the_detail_etag(api, flanders_published):
    url = f"{FACILITIES}{flanders_published.slug}/"
    before = api.get(url)["ETag"]

    ServiceFactory(facility=flanders_published, name="Tensile testing")

    after = api.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert [s["name"] for s in after.json()["services"]] == ["Tensile testing"]


def test_adding_a_service_changes_the_list_etag(api, flanders_published):
    before = api.get(FACILITIES)["ETag"]

    ServiceFactory(facility=flanders_published, name="Tensile testing")

    after = api.get(FACILITIES, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after.json()["results"][0]["service_types"] == ["testing-validation"]


def test_verifying_changes_the_detail_etag(api, flanders_published):
    url = f"{FACILITIES}{flanders_published.slug}/"
    before = api.get(url)["ETag"]

    facility_verify(facility=Facility.objects.get(pk=flanders_published.pk))

    assert api.get(url, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_verifying_changes_the_list_etag(api, flanders_published):
    before = api.get(FACILITIES)["ETag"]

    facility_verify(facility=Facility.objects.get(pk=flanders_published.pk))

    after = api.get(FACILITIES, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after.json()["results"][0]["last_verified_at"] is not None


# --- paging -----------------------------------------------------------------------------


@pytest.fixture
def five_published(flanders, flanders_host) -> list[Facility]:
    return [
        FacilityFactory(name=f"Lab {n}", slug=f"lab-{n}", region=flanders, host=flanders_host, published=True)
        for n in range(5)
    ]


def test_cursor_mode_links_the_next_page(api, five_published):
    response = api.get(FACILITIES, {"page_size": 2})

    assert "count" not in response.json()
    assert response.json()["next"] is not None
    assert response["Link"] == f'<{response.json()["next"]}>; rel="next"'
    assert "cursor" in parse_qs(urlsplit(response.json()["next"]).query)


def test_walking_the_cursor_visits_each_facility_once_while_one_is_added(
    api, five_published, flanders, flanders_host
):
    seen: list[str] = []
    url: str | None = f"{FACILITIES}?page_size=2"
    pages = 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        seen += slugs(response)
        url = relative(response.json()["next"]) if response.json()["next"] else None
        pages += 1
        if pages == 1:
            FacilityFactory(
                name="Late Lab", slug="late-lab", region=flanders, host=flanders_host, published=True
            )

    assert len(seen) == len(set(seen))
    assert set(seen) == {f.slug for f in five_published} | {"late-lab"}


def test_page_mode_counts_the_hits_and_links_both_ways(api, five_published):
    response = api.get(FACILITIES, {"page": 2, "page_size": 2, "ordering": "name"})

    assert response.json()["count"] == 5
    assert slugs(response) == ["lab-2", "lab-3"]
    assert 'rel="next"' in response["Link"]
    assert 'rel="prev"' in response["Link"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "10001"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "1", "page_size": "many"}, "page_size"),
    ],
)
def test_out_of_range_paging_is_refused_with_the_field_named(api, five_published, params, field):
    response = api.get(FACILITIES, params)

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "errors"}
    assert list(response.json()["errors"]) == [field]


# --- facets -----------------------------------------------------------------------------


def test_facets_equal_the_selector_counts(api, flanders_published, skane_published, flanders, flanders_host):
    FacilityFactory(
        name="Photonics Pilot Line",
        slug="photonics-pilot-line",
        region=flanders,
        host=flanders_host,
        technologies=["photonics", "advanced-manufacturing"],
        published=True,
    )
    response = api.get(FACILITIES, {"facets": "region,ket", "ket": "photonics"})

    expected = selectors.facet_counts(
        user=AnonymousUser(),
        params=selectors.SearchParams(filters={"ket": ["photonics"]}),
        index=term_index(),
    )
    wanted = {r.facet.param: {v.value: v.count for v in r.values} for r in expected}
    facets = response.json()["facets"]
    assert set(facets) == {"region", "ket"}
    assert {v["value"]: v["count"] for v in facets["region"]} == wanted["region"]
    assert {v["value"]: v["count"] for v in facets["ket"]} == wanted["ket"]
    assert wanted["ket"]["photonics"] == 2


def test_unknown_facet_is_refused(api):
    response = api.get(FACILITIES, {"facets": "region,colour"})

    assert response.status_code == 400
    assert "colour" in response.json()["errors"]["facets"][0]


# --- CSV --------------------------------------------------------------------------------


def test_csv_export_neutralises_spreadsheet_formulas(api, flanders, flanders_host):
    FacilityFactory(
        name="=HYPERLINK(1)",
        slug="formula-lab",
        acronym="@SUM",
        tagline="+cmd",
        city="-2+3",
        region=flanders,
        host=flanders_host,
        published=True,
    )

    response = api.get(FACILITIES, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["name"], r["acronym"], r["tagline"], r["city"]) for r in rows] == [
        ("'=HYPERLINK(1)", "'@SUM", "'+cmd", "'-2+3")
    ]


def test_csv_export_holds_published_facilities_only_for_anonymous(api, flanders_draft, flanders_published):
    response = api.get(FACILITIES, {"format": "csv", "include": "drafts"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["slug"] for r in rows] == ["flanders-photonics-lab"]


# --- reference data ---------------------------------------------------------------------


def test_api_root_is_public(api):
    response = api.get(f"{API}/")

    assert response.status_code == 200
    assert {"facilities", "regions", "terms"} <= set(response.json())


def test_terms_list_ket_labels_in_every_language(api):
    response = api.get(f"{API}/terms/", {"vocabulary": "ket"})

    terms = {t["code"]: t for t in response.json()}
    assert response.status_code == 200
    assert len(terms) == 9
    assert set(terms["photonics"]["labels"]) == {"en", "nl", "cs", "et", "de", "it", "lv", "sv"}
    assert terms["photonics"]["labels"]["de"] == "Photonik"


def test_term_label_follows_the_request_language(api):
    response = api.get(f"{API}/terms/", {"vocabulary": "ket"}, HTTP_ACCEPT_LANGUAGE="de")

    labels = {t["code"]: t["label"] for t in response.json()}
    assert labels["photonics"] == "Photonik"


def test_detail_asked_for_csv_is_not_acceptable(api, flanders_published):
    response = api.get(f"{FACILITIES}{flanders_published.slug}/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 406
