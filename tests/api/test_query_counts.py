"""Query-count guards of the list and detail endpoints (STYLE "Tests").

Each guard compares two sizes: the number of queries must not grow with the page size,
the number of hits, or the number of related rows. The absolute ceilings are today's
counts, so that an added query is a deliberate change of this file.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Facility
from tests.api.conftest import API
from tests.factories import EquipmentFactory, FacilityFactory, ServiceFactory

pytestmark = pytest.mark.django_db

FACILITIES = f"{API}/facilities/"


def queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(captured)


def publish(n: int, region, host, start: int = 0) -> list[Facility]:
    return [
        FacilityFactory(
            name=f"Counted Lab {i}",
            slug=f"counted-lab-{i}",
            region=region,
            host=host,
            technologies=["photonics"],
            published=True,
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def sixty(flanders, flanders_host) -> list[Facility]:
    return publish(60, flanders, flanders_host)


@pytest.mark.parametrize(
    ("params", "ceiling"),
    [
        # vocabulary + regions (FilterSet), ETag stamp, the page
        ({}, 4),
        # ... then public hits in order (one query per words; once per catalogue version
        # when deployed), the facet index and its regions (built per request here, where
        # the search cache is off), the page's rows (core.api `paginate_hits`)
        ({"page": 1}, 7),
        ({"page": 1, "ordering": "name"}, 7),
        # ... and the words compiled once, then whether they match any facility (which
        # decides whether names match by trigram), asked with the compiled query
        ({"search": "counted lab", "page": 1}, 9),
        # ... and the one facet aggregate (plus vocabulary and regions read a second time)
        ({"facets": "all"}, 7),
    ],
    ids=["cursor", "page", "page-by-name", "search", "facets"],
)
def test_list_queries_do_not_grow_with_the_page_size(api, sixty, params, ceiling):
    small = queries(api, FACILITIES, {**params, "page_size": 5})
    large = queries(api, FACILITIES, {**params, "page_size": 50})

    assert small == large
    assert large <= ceiling


def test_list_queries_do_not_grow_with_the_number_of_facilities(api, flanders, flanders_host):
    publish(10, flanders, flanders_host)
    few = queries(api, FACILITIES, {"page": 1, "page_size": 100})
    publish(50, flanders, flanders_host, start=10)

    many = queries(api, FACILITIES, {"page": 1, "page_size": 100})

    assert few == many
    assert many <= 7  # as the "page" case above


def test_list_with_a_token_and_drafts_stays_flat(api_as, editor, sixty):
    client = api_as(editor)
    # The first use of a token records when it was last used (one UPDATE, then 5 min quiet).
    client.get(FACILITIES)
    small = queries(client, FACILITIES, {"include": "drafts", "page_size": 5})
    large = queries(client, FACILITIES, {"include": "drafts", "page_size": 50})

    assert small == large
    # the anonymous 4, plus the token, the owner's other tokens (knox expiry sweep), roles
    assert large <= 7


def test_csv_export_queries_do_not_grow_with_the_hits(api, flanders, flanders_host):
    publish(5, flanders, flanders_host)
    few = queries(api, FACILITIES, {"format": "csv"})
    publish(55, flanders, flanders_host, start=5)

    many = queries(api, FACILITIES, {"format": "csv"})

    assert few == many
    assert many <= 4


def _with_children(facility: Facility, n: int) -> Facility:
    machines = [EquipmentFactory(facility=facility, name=f"Instrument {i}") for i in range(n)]
    for i in range(n):
        service = ServiceFactory(facility=facility, name=f"Service {i}")
        service.equipment.set(machines[:2])
    return facility


def test_detail_queries_do_not_grow_with_equipment_and_services(api, flanders, flanders_host):
    two, ten = publish(2, flanders, flanders_host)
    _with_children(two, 2)
    _with_children(ten, 10)

    small = queries(api, f"{FACILITIES}{two.slug}/")
    large = queries(api, f"{FACILITIES}{ten.slug}/")

    assert small == large
    # the facility, then its equipment, its services and the services' equipment
    assert large <= 4


@pytest.mark.parametrize("collection", ["equipment", "services"])
def test_child_lists_do_not_grow_with_the_rows(api, flanders, flanders_host, collection):
    first, second = publish(2, flanders, flanders_host)
    _with_children(first, 2)
    few = queries(api, f"{API}/{collection}/", {"page_size": 100})
    _with_children(second, 20)

    many = queries(api, f"{API}/{collection}/", {"page_size": 100})

    assert few == many


def test_organisation_list_does_not_grow_with_the_rows(api, sixty):
    small = queries(api, f"{API}/organisations/", {"page_size": 5})
    large = queries(api, f"{API}/organisations/", {"page_size": 50})

    assert small == large
