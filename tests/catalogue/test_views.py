"""The public catalogue pages and the editors' worklist, for every role (ARCHITECTURE §5).

A record the user may not see is a 404; one they may see but not change is a 403. The
cast (tests/conftest.py): editor and coordinator of Flanders, other_editor of Skåne,
viewer of all regions, project_coordinator, outsider (signed in, no role), anonymous.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Facility
from tests.factories import FacilityFactory, ServiceFactory

SEE_FLANDERS_DRAFTS = ["editor", "coordinator", "viewer", "project_coordinator"]
NOT_SEE_FLANDERS_DRAFTS = ["anonymous", "other_editor", "outsider"]
EVERYONE = SEE_FLANDERS_DRAFTS + NOT_SEE_FLANDERS_DRAFTS


@pytest.fixture
def user_of(request, db):
    """`user_of("editor")`: a cast member by name; "anonymous" is None."""

    def _user(role: str):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return _user


@pytest.fixture
def draft(flanders):
    return FacilityFactory(
        slug="flanders-draft", name="Photonics Draft Lab", region=flanders, technologies=["photonics"]
    )


@pytest.fixture
def published(flanders):
    return FacilityFactory(
        published=True,
        slug="flanders-published",
        name="Photonics Published Lab",
        region=flanders,
        technologies=["photonics"],
    )


def _page(facility: Facility) -> str:
    return reverse("catalogue:facility", args=[facility.slug])


# --- facility page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_SEE_FLANDERS_DRAFTS)
def test_draft_facility_page_is_404_for_those_outside_its_region(client_for, user_of, draft, role):
    response = client_for(user_of(role)).get(_page(draft))
    assert response.status_code == 404


@pytest.mark.parametrize("role", SEE_FLANDERS_DRAFTS)
def test_draft_facility_page_is_shown_to_its_regions_readers(client_for, user_of, draft, role):
    response = client_for(user_of(role)).get(_page(draft))
    assert response.status_code == 200
    assert response.context["facility"] == draft


@pytest.mark.parametrize("role", EVERYONE)
def test_published_facility_page_is_shown_to_everyone(client_for, user_of, published, role):
    response = client_for(user_of(role)).get(_page(published))
    assert response.status_code == 200
    assert "Photonics Published Lab" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [
        ("editor", True),
        ("coordinator", True),
        ("project_coordinator", True),
        ("viewer", False),
        ("other_editor", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_facility_page_offers_editing_only_to_its_region_editors(
    client_for, user_of, published, role, can_edit
):
    response = client_for(user_of(role)).get(_page(published))
    assert response.context["can_edit"] is can_edit


# --- search, compare, region, home ------------------------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
def test_public_search_shows_drafts_to_nobody(client_for, user_of, draft, published, role):
    client = client_for(user_of(role))
    with_words = client.get("/facilities/", {"q": "photonics"})
    without_words = client.get("/facilities/")
    assert with_words.context["hit_ids"] == [published.pk]
    assert without_words.context["hit_ids"] == [published.pk]


@pytest.mark.parametrize("role", ["anonymous", "other_editor", "outsider"])
def test_compare_drops_facilities_the_user_may_not_see(client_for, user_of, draft, published, role):
    response = client_for(user_of(role)).get("/compare/", {"ids": f"{draft.slug},{published.slug}"})
    assert response.status_code == 200
    assert response.context["facilities"] == [published]
    assert response.context["missing"] == 1


def test_compare_shows_a_draft_to_its_region_editor(client_for, editor, draft, published):
    response = client_for(editor).get("/compare/", {"ids": f"{draft.slug},{published.slug}"})
    assert response.context["facilities"] == [draft, published]


def test_compare_keeps_at_most_four_facilities_and_says_so(client, flanders):
    slugs = [FacilityFactory(published=True, region=flanders).slug for _n in range(5)]
    response = client.get("/compare/", {"ids": ",".join(slugs)})
    assert [f.slug for f in response.context["facilities"]] == slugs[:4]
    assert response.context["notice"]


@pytest.mark.parametrize("role", ["anonymous", "other_editor", "editor"])
def test_region_page_lists_only_published_facilities(client_for, user_of, draft, published, role):
    response = client_for(user_of(role)).get(reverse("catalogue:region", args=["flanders"]))
    assert response.status_code == 200
    assert response.context["facilities"] == [published]
    assert response.context["count"] == 1


def test_home_page_counts_published_facilities_per_technology(client, flanders, skane):
    FacilityFactory(published=True, region=flanders, technologies=["photonics", "nanotechnology"])
    FacilityFactory(published=True, region=skane, technologies=["photonics"])
    FacilityFactory(region=flanders, technologies=["photonics", "artificial-intelligence"])
    FacilityFactory(state=Facility.State.ARCHIVED, region=skane, technologies=["artificial-intelligence"])
    response = client.get("/")
    counts = {term.code: n for term, n in response.context["ket_counts"]}
    assert response.status_code == 200
    assert counts["photonics"] == 2
    assert counts["nanotechnology"] == 1
    assert counts["artificial-intelligence"] == 0


def test_home_page_counts_published_facilities_per_region(client, flanders, skane):
    FacilityFactory(published=True, region=flanders)
    FacilityFactory(published=True, region=skane)
    FacilityFactory(region=skane)
    response = client.get("/")
    counts = {r.code: n for r, n in response.context["region_counts"]}
    assert counts["flanders"] == 1
    assert counts["skane"] == 1
    assert response.context["total"] == 2


def test_htmx_search_renders_only_the_results_partial(client, published):
    response = client.get("/facilities/", {"q": "photonics"}, HTTP_HX_REQUEST="true")
    names = [t.name for t in response.templates]
    assert response.status_code == 200
    assert "catalogue/partials/results.html" in names
    assert "catalogue/search.html" not in names


def test_search_page_without_htmx_renders_the_whole_page(client, published):
    html = client.get("/facilities/", {"q": "photonics"}).content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<form id="search-form"' in html  # the page around the results
    assert 'value="photonics"' in html
    assert '<ul class="result-list">' in html  # the results part
    assert published.name in html


# --- the editors' worklist --------------------------------------------------------------


def test_my_region_needs_a_sign_in(client, db):
    response = client.get(reverse("catalogue:my-region"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_region_is_forbidden_without_a_role(client_for, outsider):
    assert client_for(outsider).get(reverse("catalogue:my-region")).status_code == 403


@pytest.fixture
def worklists(flanders, skane):
    """A draft, a stale and an incomplete record in each of Flanders and Skåne."""
    long_ago = timezone.now() - datetime.timedelta(days=800)
    made = {}
    for region in (flanders, skane):
        made[region.code] = {
            "draft": FacilityFactory(region=region, slug=f"{region.code}-draft"),
            "stale": FacilityFactory(
                published=True, region=region, slug=f"{region.code}-stale", last_verified_at=long_ago
            ),
        }
    return made


def test_my_region_lists_only_the_editors_own_region(client_for, editor, worklists):
    response = client_for(editor).get(reverse("catalogue:my-region"))
    assert response.status_code == 200
    assert [f.slug for f in response.context["drafts"]] == ["flanders-draft"]
    assert [f.slug for f in response.context["stale"]] == ["flanders-stale"]
    assert {f.region.code for f in response.context["incomplete"]} == {"flanders"}


def test_my_region_lists_skane_for_the_skane_editor(client_for, other_editor, worklists):
    response = client_for(other_editor).get(reverse("catalogue:my-region"))
    assert [f.slug for f in response.context["drafts"]] == ["skane-draft"]
    assert response.context["counts"]["drafts"] == 1


def test_my_region_is_read_only_for_a_viewer(client_for, viewer, worklists):
    response = client_for(viewer).get(reverse("catalogue:my-region"))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert response.context["counts"]["drafts"] == 2


def test_a_complete_record_is_not_listed_as_incomplete(client_for, editor, flanders):
    complete = FacilityFactory(
        published=True,
        region=flanders,
        description_en="A lab.",
        access_modes=["fee-based"],
        pricing="commercial-rate",
        trl_min=3,
        trl_max=6,
    )
    ServiceFactory(facility=complete)
    complete.refresh_from_db()
    response = client_for(editor).get(reverse("catalogue:my-region"))
    assert complete.completeness == 100
    assert complete not in response.context["incomplete"]


# --- verify -------------------------------------------------------------------------------


def _verify_url(facility: Facility) -> str:
    return reverse("catalogue:facility-verify", args=[facility.slug])


def test_editor_marks_a_facility_verified(client_for, editor, draft):
    response = client_for(editor).post(_verify_url(draft))
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.last_verified_at is not None
    assert timezone.now() - draft.last_verified_at < datetime.timedelta(minutes=1)


def test_other_region_editor_gets_404_verifying_a_draft_they_cannot_see(client_for, other_editor, draft):
    response = client_for(other_editor).post(_verify_url(draft))
    draft.refresh_from_db()
    assert response.status_code == 404
    assert draft.last_verified_at is None


def test_other_region_editor_gets_403_verifying_a_published_facility(client_for, other_editor, published):
    before = published.last_verified_at
    response = client_for(other_editor).post(_verify_url(published))
    published.refresh_from_db()
    assert response.status_code == 403
    assert published.last_verified_at == before


def test_viewer_may_not_verify(client_for, viewer, draft):
    response = client_for(viewer).post(_verify_url(draft))
    draft.refresh_from_db()
    assert response.status_code == 403
    assert draft.last_verified_at is None


def test_anonymous_verify_is_sent_to_sign_in(client, draft):
    response = client.post(_verify_url(draft))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_verify_by_get_is_not_allowed(client_for, editor, draft):
    response = client_for(editor).get(_verify_url(draft))
    draft.refresh_from_db()
    assert response.status_code == 405
    assert draft.last_verified_at is None


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/phish", "//evil.example/phish", "https:evil.example", "javascript:alert(1)"],
)
def test_verify_does_not_follow_an_external_next(client_for, editor, draft, target):
    response = client_for(editor).post(_verify_url(draft), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:my-region")


def test_verify_follows_a_next_on_this_site(client_for, editor, draft):
    response = client_for(editor).post(_verify_url(draft), {"next": _page(draft)})
    assert response["Location"] == _page(draft)


def test_search_export_downloads_the_hits_with_formulas_neutralised(client, flanders):
    from tests.factories import FacilityFactory

    FacilityFactory(region=flanders, name="=HYPERLINK(1)", published=True)
    FacilityFactory(region=flanders, name="Hidden Draft Lab")
    response = client.get("/facilities/export/", {"region": "flanders", "format": "csv"})
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert "'=HYPERLINK(1)" in body
    assert "Hidden Draft Lab" not in body


def test_search_export_refuses_an_unknown_format(client, db):
    response = client.get("/facilities/export/", {"format": "exe"})
    assert response.status_code == 400
