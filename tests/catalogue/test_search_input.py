"""Whatever a visitor types or a bot sends, the public search pages answer, never 500.

Unknown filter values are dropped and named (`ignored`), nothing a visitor sends comes
back as markup, and the database is untouched by anything in the query string.
"""

from __future__ import annotations

import pytest
from django.db import connection

from catalogue.models import Facility
from tests.factories import FacilityFactory

SCRIPT = "<script>alert(1)</script>"
INJECTION = "'; DROP TABLE catalogue_facility; --"

HOSTILE_SEARCHES = [
    pytest.param({"ket": "nope"}, id="unknown-ket"),
    pytest.param({"trl": "abc"}, id="trl-abc"),
    pytest.param({"trl": "0"}, id="trl-0"),
    pytest.param({"page": "-1"}, id="page-negative"),
    pytest.param({"page": str(10**9)}, id="page-huge"),
    pytest.param({"page": "abc"}, id="page-abc"),
    pytest.param({"page": "\x00"}, id="page-nul"),
    pytest.param({"q": "laser " * 2000}, id="q-12000-chars"),
    pytest.param({"q": "x" * 10_000}, id="q-10000-char-word"),
    pytest.param({"q": INJECTION}, id="q-sql-injection"),
    pytest.param({"q": SCRIPT}, id="q-script"),
    pytest.param({"ket": SCRIPT}, id="ket-script"),
    pytest.param({"region": SCRIPT, "type": SCRIPT}, id="region-type-script"),
    pytest.param({"q": "laser\x00cutting"}, id="q-nul"),
    pytest.param({"ket": "photonics\x00"}, id="ket-nul"),
    pytest.param({"q": '"laser cutting'}, id="q-unbalanced-quote"),
    pytest.param({"q": 'laser "" -"'}, id="q-stray-quotes"),
    pytest.param({"q": "the and of"}, id="q-only-stopwords"),
    pytest.param({"q": "-"}, id="q-only-dash"),
    pytest.param({"q": "- - -"}, id="q-dashes"),
    pytest.param({"q": "OR"}, id="q-only-or"),
    pytest.param({"q": "!!! &&& ||| :* () <-> \\"}, id="q-tsquery-operators"),
    pytest.param({"q": "laser:* & !cutting"}, id="q-raw-tsquery-syntax"),
    pytest.param({"sort": "evil"}, id="sort-evil"),
    pytest.param({"sort": SCRIPT, "view": SCRIPT}, id="sort-view-script"),
    pytest.param({"q": "laser", "page": "99"}, id="page-beyond-last"),
]


@pytest.fixture
def laser_lab(db):
    return FacilityFactory(
        published=True,
        slug="laser-cutting-lab",
        name="Laser Cutting Lab",
        description_en="Laser cutting of composites.",
        technologies=["photonics"],
    )


@pytest.mark.parametrize("params", HOSTILE_SEARCHES)
def test_search_page_answers_hostile_input_without_error_or_reflected_markup(client, laser_lab, params):
    response = client.get("/facilities/", params)
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()
    assert Facility.objects.filter(pk=laser_lab.pk).exists()


@pytest.mark.parametrize("params", HOSTILE_SEARCHES)
def test_suggest_answers_hostile_input_with_json(client, laser_lab, params):
    response = client.get("/facilities/suggest/", params)
    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"ket": "nope"}, "nope"),
        ({"trl": "abc"}, "abc"),
        ({"trl": "0"}, "0"),
        ({"type": "nope-type", "access": "nope-access"}, "nope-access"),
        ({"sort": "evil"}, "sort"),
        ({"q": "x" * 10_000}, "200"),
    ],
)
def test_ignored_values_are_named_in_a_message(client, laser_lab, params, named):
    response = client.get("/facilities/", params)
    assert response.status_code == 200
    assert any(named in message for message in response.context["ignored"])


def test_a_valid_value_still_filters_beside_an_ignored_one(client, laser_lab):
    FacilityFactory(published=True, technologies=["nanotechnology"])
    response = client.get("/facilities/", {"ket": ["nope", "photonics"]})
    assert response.context["count"] == 1
    assert response.context["hit_ids"] == [laser_lab.pk]
    assert len(response.context["ignored"]) == 1


def test_a_clean_search_ignores_nothing(client, laser_lab):
    response = client.get("/facilities/", {"q": "laser", "ket": "photonics", "trl": "4", "sort": "name"})
    assert response.status_code == 200
    assert response.context["ignored"] == []


def test_sql_in_the_query_is_searched_for_not_run(client, laser_lab):
    response = client.get("/facilities/", {"q": INJECTION})
    assert response.status_code == 200
    assert "catalogue_facility" in connection.introspection.table_names()
    assert Facility.objects.count() == 1


def test_script_in_the_query_comes_back_escaped(client, laser_lab):
    content = client.get("/facilities/", {"q": SCRIPT}).content.decode()
    assert SCRIPT not in content
    assert "&lt;script&gt;" in content


def test_a_page_beyond_the_last_shows_the_last_page(client, laser_lab):
    response = client.get("/facilities/", {"page": str(10**9)})
    assert response.status_code == 200
    assert response.context["hit_ids"] == [laser_lab.pk]


@pytest.mark.parametrize(
    "ids",
    [
        SCRIPT,
        INJECTION,
        "x" * 10_000,
        ",,,,",
        "laser-cutting-lab,\x00",
        "\x00",
        "../../etc/passwd",
        "%",
        ",".join(["laser-cutting-lab"] * 50),
    ],
    ids=["script", "sql", "10000-chars", "commas", "nul-after-slug", "nul", "path", "percent", "repeated"],
)
def test_compare_answers_garbage_ids_without_error(client, laser_lab, ids):
    response = client.get("/compare/", {"ids": ids})
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()
    assert len(response.context["facilities"]) <= 1


@pytest.mark.parametrize(
    "path",
    ["/facilities/no-such-facility/", "/regions/nope/", "/facilities/%00/", "/regions/%3Cscript%3E/"],
)
def test_unknown_facility_or_region_is_404(client, db, path):
    assert client.get(path).status_code == 404
