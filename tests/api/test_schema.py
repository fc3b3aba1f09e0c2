"""The OpenAPI schema is valid and complete, and its docs page works under the portal's CSP."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import jsonschema_rs
import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

from innoinfra.urls import api as router
from tests.api.conftest import API

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def schema(client) -> dict:
    response = client.get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def router_paths() -> set[str]:
    """Every URL the router serves, written the way the schema writes it."""
    paths = set()
    for prefix, viewset, _basename in router.registry:
        lookup = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        for route in router.get_routes(viewset):
            if not router.get_method_map(viewset, route.mapping):
                continue
            url = (
                route.url.strip("^$")
                .replace("{prefix}", prefix)
                .replace("{lookup}", "{%s}" % ("id" if lookup == "pk" else lookup))
                .replace("{trailing_slash}", "/")
            )
            paths.add(f"{API}/{url}")
    return paths


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name] or "")
        self._in_script = tag == "script" and not attributes.get("src")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def docs_assets(client) -> tuple[object, _Assets]:
    response = client.get(f"{API}/docs/")
    parser = _Assets()
    parser.feed(response.content.decode())
    return response, parser


# --- the schema -------------------------------------------------------------------------


def test_schema_is_valid_openapi(schema):
    validate(schema)

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "InnoInfra API"


def test_every_router_route_is_in_the_schema(schema):
    expected = router_paths()

    assert len(expected) >= 14
    assert expected <= set(schema["paths"])


def test_every_operation_has_a_summary_and_responses(schema):
    incomplete = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if not operation.get("summary") or not operation.get("responses")
    ]

    assert len(list(operations(schema))) >= 25
    assert incomplete == []


def test_the_token_scheme_is_described(schema):
    token = schema["components"]["securitySchemes"]["tokenAuth"]

    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")


# Enquiries hold an SME's personal data: the reads that need a token (issue #7).
PRIVATE_READS = {f"{API}/enquiries/", f"{API}/enquiries/{{id}}/"}


def test_public_reads_are_documented_as_open_to_anonymous_clients(schema):
    closed = [
        path
        for path, method, operation in operations(schema)
        if method == "get" and path not in PRIVATE_READS and {} not in operation.get("security", [{}])
    ]

    assert closed == []


def test_enquiry_reads_are_documented_as_needing_a_token(schema):
    reads = [schema["paths"][path]["get"] for path in sorted(PRIVATE_READS)]

    assert [{} in operation.get("security", [{}]) for operation in reads] == [False, False]
    assert all({"tokenAuth": []} in operation["security"] for operation in reads)
    assert all("401" in operation["responses"] for operation in reads)


def test_writes_document_their_error_responses_in_the_one_error_shape(schema):
    missing = [
        f"{method.upper()} {path}: {code}"
        for path, method, operation in operations(schema)
        if method in {"post", "put", "patch"}
        for code in ("400", "401", "403")
        if code not in operation["responses"]
    ]

    assert missing == []


def test_spectacular_command_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert out.read_text().startswith("openapi: 3.")


# --- the docs page ----------------------------------------------------------------------


def test_docs_page_loads_only_same_origin_sidecar_assets(client):
    response, assets = docs_assets(client)

    assert response.status_code == 200
    assert assets.urls
    assert [u for u in assets.urls if not re.match(r"^/(?!/)", u)] == []
    # The sidecar's files, and the page's own start-up script (SpectacularSwaggerSplitView).
    assert [
        u
        for u in assets.urls
        if not u.startswith(("/static/drf_spectacular_sidecar/", f"{API}/docs/?script"))
    ] == []


def test_docs_page_start_up_script_is_served_from_the_page_itself(client):
    response = client.get(f"{API}/docs/", {"script": ""})

    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert b"SwaggerUIBundle" in response.content


def test_docs_page_is_served_under_the_strict_script_policy(client):
    response, _assets = docs_assets(client)

    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_page_has_no_inline_script_the_policy_would_block(client):
    _response, assets = docs_assets(client)

    assert assets.inline_scripts == []


# --- response shapes the schema gets wrong (the fuzzer works around them, test_fuzz.py) -----


@pytest.mark.parametrize("component", ["Organisation", "FacilityDetail"])
def test_a_blank_website_matches_the_documented_schema(schema, component):
    definition = schema["components"]["schemas"][component]["properties"]["website"]

    assert jsonschema_rs.Draft4Validator(definition, validate_formats=True).is_valid("")


def test_a_term_without_parent_matches_the_documented_schema(schema):
    definition = schema["components"]["schemas"]["Term"]["properties"]["parent"]

    assert definition.get("nullable") is True


def test_only_the_facility_list_offers_csv(schema):
    offering = {
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if any("text/csv" in r.get("content", {}) for r in operation["responses"].values())
    }

    assert offering == {"GET /api/v1/facilities/"}
