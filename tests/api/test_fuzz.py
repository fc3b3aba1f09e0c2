"""schemathesis fuzzes the API in-process from its own OpenAPI schema (ARCHITECTURE §10).

The schema is fetched from /api/v1/schema/ through Django's WSGI handler, and every case
is sent through the same handler, inside the test's transaction. Reads go out
anonymously (enquiries, which are never public, once more with a token); writes carry a
project coordinator's knox token and aim at a facility, equipment, service and enquiry
that exist, so that they reach the serializers and services instead of stopping at 404.

Checks: no 5xx (`not_a_server_error`), every documented response matches its schema
(`response_schema_conformance`), and every status code is documented
(`status_code_conformance`; core.schema.add_error_responses documents the 4xx).

Bounded: 25 examples per operation and generation mode (positive, negative),
derandomised, no shrinking. The operations are driven through `APIOperation.as_strategy`
rather than `schemathesis.pytest.from_fixture`, whose subtest reporting sets
`Node._nodeid`, which pytest 9.2 no longer has.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from catalogue.enquiries.services import EnquiryRequest, Requester, enquiry_submit
from catalogue.models import Facility
from core.models import Region
from core.services import api_token_create
from tests.factories import EquipmentFactory, FacilityFactory, OrganisationFactory, ServiceFactory

SCHEMA_URL = "/api/v1/schema/?format=json"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
BOUNDS = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 20250611,
            "generation": {
                "max-examples": 25,
                "deterministic": True,
                # Credentials come from the test, never from generated Authorization headers.
                "with-security-parameters": False,
            },
            "suppress-health-check": ["all"],
        }
    )


@pytest.fixture
def wsgi_app(db, monkeypatch):
    """Django's WSGI handler, kept inside the test transaction.

    Django closes "obsolete" connections when a request starts and ends; inside a test's
    transaction that would drop the transaction. Its own test client disconnects the same
    two receivers for the same reason.
    """
    # Hundreds of requests from one address: the rate limit is not under test here.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_catalogue(db, flanders):
    host = OrganisationFactory(name="Fuzz Host", slug="fuzz-lab", region=flanders)
    facility = FacilityFactory(
        name="Fuzz Lab",
        slug="fuzz-lab",
        region=flanders,
        host=host,
        technologies=["photonics"],
        published=True,
    )
    FacilityFactory(name="Fuzz Draft", slug="fuzz-draft", region=flanders, host=host)
    equipment = EquipmentFactory(facility=facility, name="Fuzz microscope", category="microscopy")
    service = ServiceFactory(facility=facility, name="Fuzz service", service_type="measurement-analysis")
    # The host named by the create example in the schema (catalogue/apis.py).
    OrganisationFactory(
        name="Demo Institute of Lightweight Structures",
        slug="demo-institute-of-lightweight-structures",
        region=Region.objects.get(code="chemnitz"),
    )
    enquiry = enquiry_submit(
        requester=Requester(
            name="Fuzz SME", email="sme@example.org", organisation="", organisation_type="sme", country="BE"
        ),
        request=EnquiryRequest(
            type="quote", message="A quote, please.", wished_start=None, budget_band="unknown"
        ),
        facilities=[facility],
        consent_text="Shared with the facility.",
    )
    thread = enquiry.threads.get()
    return {"facility": facility, "equipment": equipment, "service": service, "thread": thread}


@pytest.fixture
def api_schema(wsgi_app, fuzz_catalogue):
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, wsgi_app, config=_config())


@pytest.fixture
def coordinator_headers(project_coordinator) -> dict[str, str]:
    _token, key = api_token_create(user=project_coordinator, name="fuzz")
    return {"Authorization": f"Token {key}"}


def operations(schema, methods: set[str]) -> list:
    return [op for op in (r.ok() for r in schema.get_all_operations()) if op.method.upper() in methods]


def exercise(strategy, headers: dict[str, str] | None) -> None:
    """Send the bounded examples of one strategy and check every response."""

    @BOUNDS
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def fuzz(targets) -> dict[str, str]:
    """Each (operation, fixed path parameters, headers) in both generation modes.

    Returns the failures by mode and operation, so that one failing operation does not
    hide the others.
    """
    failures: dict[str, str] = {}
    for operation, fixed, headers in targets:
        for mode in MODES:
            label = f"{mode.value} {operation.label}" + (f" {fixed}" if fixed else "")
            try:
                exercise(operation.as_strategy(generation_mode=mode, path_parameters=fixed), headers)
            except FailureGroup as exc:
                failures[label] = str(exc)[:3000]
            except Unsatisfiable:
                # An operation without free parameters or body has no invalid variant to send.
                if mode is not GenerationMode.NEGATIVE:
                    raise
    return failures


def report(failures: dict[str, str]) -> str:
    return "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())


def existing(fuzz_catalogue) -> dict[str, dict[str, object]]:
    """Path parameters naming records that exist, per path template."""
    slug = {"slug": fuzz_catalogue["facility"].slug}
    return {
        "/api/v1/facilities/{slug}/": slug,
        "/api/v1/facilities/{slug}/publish/": slug,
        "/api/v1/facilities/{slug}/submit/": slug,
        "/api/v1/facilities/{slug}/verify/": slug,
        "/api/v1/equipment/{id}/": {"id": fuzz_catalogue["equipment"].pk},
        "/api/v1/services/{id}/": {"id": fuzz_catalogue["service"].pk},
        "/api/v1/organisations/{slug}/": {"slug": "fuzz-lab"},
        "/api/v1/regions/{code}/": {"code": "flanders"},
        "/api/v1/enquiries/{id}/": {"id": fuzz_catalogue["thread"].pk},
        "/api/v1/enquiries/{id}/replies/": {"id": fuzz_catalogue["thread"].pk},
    }


def test_anonymous_reads_never_fail_and_match_the_schema(api_schema, fuzz_catalogue):
    reads = operations(api_schema, {"GET"})
    known = existing(fuzz_catalogue)
    # Every read with generated paths, and the detail reads once more on records that exist.
    targets = [(op, None, None) for op in reads] + [
        (op, known[op.path], None) for op in reads if op.path in known
    ]

    failures = fuzz(targets)

    assert len(reads) == 13
    assert failures == {}, report(failures)


def test_project_coordinator_enquiry_reads_never_fail_and_match_the_schema(
    api_schema, fuzz_catalogue, coordinator_headers
):
    reads = [op for op in operations(api_schema, {"GET"}) if op.path.startswith("/api/v1/enquiries/")]
    known = existing(fuzz_catalogue)
    targets = [(op, None, coordinator_headers) for op in reads] + [
        (op, known[op.path], coordinator_headers) for op in reads if op.path in known
    ]

    failures = fuzz(targets)

    assert len(reads) == 2
    assert failures == {}, report(failures)


def test_project_coordinator_writes_never_fail_and_match_the_schema(
    api_schema, fuzz_catalogue, coordinator_headers
):
    writes = operations(api_schema, {"POST", "PUT", "PATCH", "DELETE"})
    known = existing(fuzz_catalogue)

    failures = fuzz([(op, known.get(op.path), coordinator_headers) for op in writes])

    assert len(writes) == 17
    assert failures == {}, report(failures)


def test_the_documented_create_example_is_accepted(api_schema, coordinator_headers):
    operation = api_schema["/api/v1/facilities/"]["POST"]
    statuses: list[int] = []

    @BOUNDS
    @given(case=st.one_of(api_schema.get_strategies_from_examples(operation)))
    def run(case):
        # Besides the documented example, schemathesis assembles one from property examples.
        documented = case.body.get("host") == "demo-institute-of-lightweight-structures"
        if documented:
            headers = {**coordinator_headers, "Accept": "application/json"}
            statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    run()

    assert statuses
    assert set(statuses) == {201}
    assert Facility.objects.filter(name="Composite Testing Lab", region__code="chemnitz").exists()
