"""Query-count guards of the catalogue pages (ARCHITECTURE §10).

Each page is measured twice, with a small and a larger data set: the number of queries
must not grow with the number of facilities, equipment or services shown, and stays
under a ceiling (the count measured when the guard was written).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EquipmentFactory, FacilityFactory, ServiceFactory

# Measured: term index, regions (filter set), page of hits, its rows, regions (facets),
# the facet index (built for every request here, where the search cache is off; once per
# catalogue version when deployed); with words also the ids the words match, the
# compiled query (which decides whether near-miss names join the hits) and highlights.
SEARCH_CEILING = 6
SEARCH_WITH_WORDS_CEILING = 9
# Facility, services, services' equipment, equipment, term index, similar facilities.
FACILITY_PAGE_CEILING = 6
# Facilities, services, term index, and (today) the equipment of each facility twice:
# 7 with two facilities. Without the N+1 it would be 4 at any size.
COMPARE_CEILING = 7
# Technology counts, region counts, term index.
HOME_CEILING = 3
# Region, term index, technology counts, count, facilities, map points.
REGION_CEILING = 6
# Session, user, memberships, the counts, drafts, stale and incomplete lists, and the
# enquiry figures (per month, outcomes per month).
MY_REGION_CEILING = 9


def queries(client, url: str, params: dict | None = None) -> int:
    client.get(url, params or {})  # warm-up: nothing cached per process is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def _labs(flanders, n: int) -> list:
    return [
        FacilityFactory(
            published=True,
            region=flanders,
            technologies=["photonics"],
            facility_type="research-lab",
            description_en="Laser cutting lab.",
            trl_min=3,
            trl_max=6,
        )
        for _n in range(n)
    ]


def _with_children(facility, n: int) -> None:
    for _n in range(n):
        equipment = EquipmentFactory(facility=facility, category="laser-processing")
        service = ServiceFactory(facility=facility, service_type="prototyping")
        service.equipment.add(equipment)


@pytest.mark.parametrize(
    ("params", "ceiling"),
    [({}, SEARCH_CEILING), ({"q": "laser", "ket": "photonics", "trl": "4"}, SEARCH_WITH_WORDS_CEILING)],
    ids=["browse", "words-and-filters"],
)
def test_search_page_queries_do_not_grow_with_the_catalogue(client, flanders, params, ceiling):
    _labs(flanders, 5)
    small = queries(client, "/facilities/", params)
    _labs(flanders, 20)
    large = queries(client, "/facilities/", params)
    assert small == large
    assert large <= ceiling


def test_htmx_results_partial_queries_do_not_grow_with_the_catalogue(client, flanders):
    client.defaults["HTTP_HX_REQUEST"] = "true"
    _labs(flanders, 5)
    small = queries(client, "/facilities/", {"q": "laser"})
    _labs(flanders, 20)
    large = queries(client, "/facilities/", {"q": "laser"})
    assert small == large


def test_facility_page_queries_do_not_grow_with_equipment_and_services(client, flanders):
    small_lab, large_lab = _labs(flanders, 2)
    _with_children(small_lab, 2)
    _with_children(large_lab, 10)
    small = queries(client, reverse("catalogue:facility", args=[small_lab.slug]))
    large = queries(client, reverse("catalogue:facility", args=[large_lab.slug]))
    assert small == large
    assert large <= FACILITY_PAGE_CEILING


def test_facility_page_queries_for_an_editor_do_not_grow_either(client_for, editor, flanders):
    small_lab, large_lab = _labs(flanders, 2)
    _with_children(small_lab, 2)
    _with_children(large_lab, 10)
    client = client_for(editor)
    small = queries(client, reverse("catalogue:facility", args=[small_lab.slug]))
    large = queries(client, reverse("catalogue:facility", args=[large_lab.slug]))
    assert small == large


def test_compare_page_queries_do_not_grow_with_the_facilities_compared(client, flanders):
    labs = _labs(flanders, 4)
    for lab in labs:
        _with_children(lab, 2)
    two = queries(client, "/compare/", {"ids": ",".join(f.slug for f in labs[:2])})
    four = queries(client, "/compare/", {"ids": ",".join(f.slug for f in labs)})
    assert two == four
    assert four <= COMPARE_CEILING


def test_home_page_queries_do_not_grow_with_the_catalogue(client, flanders):
    _labs(flanders, 2)
    small = queries(client, "/")
    _labs(flanders, 20)
    large = queries(client, "/")
    assert small == large
    assert large <= HOME_CEILING


def test_region_page_queries_do_not_grow_with_the_catalogue(client, flanders):
    _labs(flanders, 2)
    small = queries(client, reverse("catalogue:region", args=["flanders"]))
    _labs(flanders, 20)
    large = queries(client, reverse("catalogue:region", args=["flanders"]))
    assert small == large
    assert large <= REGION_CEILING


def test_my_region_worklist_queries_do_not_grow_with_the_worklist(client_for, editor, flanders):
    client = client_for(editor)
    FacilityFactory(region=flanders)
    _labs(flanders, 2)
    small = queries(client, reverse("catalogue:my-region"))
    for _n in range(10):
        FacilityFactory(region=flanders)
    _labs(flanders, 10)
    large = queries(client, reverse("catalogue:my-region"))
    assert small == large
    assert large <= MY_REGION_CEILING


def test_suggest_makes_at_most_two_queries(client, flanders, django_assert_max_num_queries):
    _labs(flanders, 12)
    client.get("/facilities/suggest/", {"q": "las"})
    with django_assert_max_num_queries(2):
        response = client.get("/facilities/suggest/", {"q": "las"})
    assert response.status_code == 200
