"""The browser search and the API list give the same hits in the same order (ARCHITECTURE §4).

Both go through `catalogue.filters.FacilityFilterSet`; this checks that nothing on either
side (paging, ordering aliases, parameter parsing) drifts. Forty random combinations of
the search parameters, drawn with a fixed seed, run against one catalogue of 34
facilities (30 published, 4 drafts) built once for the module.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from catalogue.models import Facility
from core.models import Region
from tests.api.conftest import API
from tests.factories import FacilityFactory, OrganisationFactory, ServiceFactory

SEED = 20_250_611
BROWSER_PAGE_SIZE = 20

KETS = [
    "micro-and-nanoelectronics",
    "nanotechnology",
    "industrial-biotechnology",
    "advanced-materials",
    "photonics",
    "advanced-manufacturing",
    "artificial-intelligence",
    "security-connectivity",
    "life-science-technologies",
]
TYPES = ["research-lab", "pilot-line", "testbed", "cleanroom", "living-lab", "technology-centre"]
SERVICES = ["equipment-access", "measurement-analysis", "testing-validation", "prototyping", "training"]
ACCESS = ["free", "fee-based", "collaboration-based"]
TARGETS = ["smes", "start-ups", "researchers", "large-enterprises"]
REGIONS = [
    "flanders",
    "south-moravia",
    "tartu",
    "chemnitz",
    "emilia-romagna",
    "vidzeme",
    "brainport",
    "skane",
]
SUBJECTS = ["Laser", "Photonics", "Composite", "Microscopy", "Battery", "Biotech", "Robotics", "Sensor"]
KINDS = ["Lab", "Pilot Line", "Testbed", "Cleanroom", "Centre", "Workshop"]
WORDS = ["laser", "microscopy", "cleanroom", "testing", "battery", "pilot line", "robot", "sensor"]
QUERIES = [
    "",
    "",
    "",
    "laser",
    "photonics",
    "microscopy",
    "battery testing",
    '"pilot line"',
    "lab -laser",
    "laser OR battery",
    "lazer",
    "prüflabor",
    "robotics cleanroom",
    "sensor",
]
SORTS = ["relevance", "name", "verified"]
FACETS = {
    "region": REGIONS,
    "ket": KETS,
    "type": TYPES,
    "service": SERVICES,
    "access": ACCESS,
    "trl": [str(n) for n in range(1, 10)],
    "target": TARGETS,
}


def _build_catalogue(rnd: random.Random) -> None:
    hosts = {
        code: OrganisationFactory(
            name=f"Host of {code}", slug=f"host-{code}", region=Region.objects.get(code=code)
        )
        for code in REGIONS
    }
    now = timezone.now()
    for n in range(34):
        code = rnd.choice(REGIONS)
        trl_min = rnd.randint(1, 7)
        name = f"{rnd.choice(SUBJECTS)} {rnd.choice(KINDS)} {n}"
        facility = FacilityFactory(
            name=name,
            slug=f"parity-{n}",
            region=hosts[code].region,
            host=hosts[code],
            description=" ".join(rnd.sample(WORDS, 3)) + " for small and medium enterprises.",
            facility_type=rnd.choice(TYPES),
            technologies=rnd.sample(KETS, rnd.randint(1, 3)),
            access_modes=rnd.sample(ACCESS, rnd.randint(0, 2)),
            pricing=rnd.choice(["", "cost-recovery", "sme-subsidised"]),
            target_users=rnd.sample(TARGETS, rnd.randint(0, 3)),
            trl_min=trl_min,
            trl_max=rnd.randint(trl_min, 9),
            published=n < 30,
            last_verified_at=rnd.choice([None, now - timedelta(days=rnd.randint(1, 900))]),
        )
        if n % 7 == 0:
            facility.name_de = f"Prüflabor {n}"
            facility.save()
        for _ in range(rnd.randint(0, 2)):
            ServiceFactory(facility=facility, service_type=rnd.choice(SERVICES), name=rnd.choice(WORDS))
    assert Facility.objects.filter(state=Facility.State.PUBLISHED).count() == 30


def _combinations(rnd: random.Random, n: int) -> list[dict[str, object]]:
    combos = []
    for _ in range(n):
        params: dict[str, object] = {}
        q = rnd.choice(QUERIES)
        if q:
            params["q"] = q
        for facet in rnd.sample(sorted(FACETS), rnd.choice([0, 1, 1, 2, 3])):
            params[facet] = rnd.sample(FACETS[facet], rnd.randint(1, 3))
        params["sort"] = rnd.choice(SORTS)
        combos.append(params)
    return combos


COMBINATIONS = _combinations(random.Random(SEED + 1), 40)


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """Thirty-four facilities for the whole module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        _build_catalogue(random.Random(SEED))
        yield
        transaction.set_rollback(True)


def _browser(client, params: dict[str, object]) -> tuple[list[str], int]:
    response = client.get("/facilities/", params)
    assert response.status_code == 200
    slugs = dict(Facility.objects.filter(pk__in=response.context["hit_ids"]).values_list("pk", "slug"))
    return [slugs[pk] for pk in response.context["hit_ids"]], response.context["count"]


def _api(api, params: dict[str, object]) -> tuple[list[str], int]:
    query = {("search" if k == "q" else "ordering" if k == "sort" else k): v for k, v in params.items()}
    response = api.get(f"{API}/facilities/", {**query, "page": 1, "page_size": 100})
    assert response.status_code == 200, response.json()
    body = response.json()
    return [row["slug"] for row in body["results"]], body["count"]


@pytest.mark.parametrize("params", COMBINATIONS, ids=[f"combo-{n}" for n in range(len(COMBINATIONS))])
def test_browser_search_and_api_list_give_the_same_first_page(catalogue, db, client, api, params):
    browser_slugs, browser_count = _browser(client, params)
    api_slugs, api_count = _api(api, params)

    assert api_count == browser_count
    assert api_slugs[:BROWSER_PAGE_SIZE] == browser_slugs


def test_the_combinations_are_not_vacuous(catalogue, db, client):
    """Most combinations find something, and some fill more than one browser page."""
    counts = [_browser(client, params)[1] for params in COMBINATIONS]

    assert sum(1 for c in counts if c > 0) >= 20
    assert any(c > BROWSER_PAGE_SIZE for c in counts)
