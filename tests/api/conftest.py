"""Fixtures of the API tests: real knox tokens, an API client per cast member, facilities.

Tokens are created the way the profile page creates them (`core.services.api_token_create`)
and sent as `Authorization: Token <key>`; nothing in the authentication or permission
path is replaced.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from catalogue.models import Facility
from core.services import api_token_create
from tests.factories import FacilityFactory, OrganisationFactory

API = "/api/v1"


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """A cache namespace of this test's own, on the configured backend (Redis in CI).

    Throttle counters live in the cache, keyed by client address: without this, the
    anonymous requests of earlier tests would count against later ones. `cache.clear()`
    is no answer on Redis: it flushes the whole database, which is also the Celery
    broker that other tests (and other xdist workers) are using at the same moment.
    """
    caches = copy.deepcopy(settings.CACHES)
    namespace = f"test-api-{uuid.uuid4().hex}"
    if "redis" in caches["default"]["BACKEND"].lower():
        caches["default"]["KEY_PREFIX"] = namespace
    else:
        caches["default"]["LOCATION"] = namespace
    settings.CACHES = caches


@pytest.fixture
def api() -> APIClient:
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def token_for(db) -> Callable[..., str]:
    """`token_for(user)`: the key of a new knox token of `user` (shown once, stored hashed)."""

    def _token(user, name: str = "integration") -> str:
        _instance, key = api_token_create(user=user, name=name)
        return key

    return _token


@pytest.fixture
def api_as(token_for) -> Callable[..., APIClient]:
    """`api_as(user)`: an API client sending a fresh token of `user`; `api_as(None)`: anonymous."""

    def _client(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    return _client


# --- facilities -----------------------------------------------------------------------


@pytest.fixture
def flanders_host(flanders):
    return OrganisationFactory(name="Flanders Make Lab", slug="flanders-make-lab", region=flanders)


@pytest.fixture
def skane_host(skane):
    return OrganisationFactory(name="Skane Research Park", slug="skane-research-park", region=skane)


@pytest.fixture
def flanders_draft(flanders, flanders_host) -> Facility:
    return FacilityFactory(
        name="Flanders Draft Lab", slug="flanders-draft-lab", region=flanders, host=flanders_host
    )


@pytest.fixture
def flanders_published(flanders, flanders_host) -> Facility:
    return FacilityFactory(
        name="Flanders Photonics Lab",
        slug="flanders-photonics-lab",
        region=flanders,
        host=flanders_host,
        technologies=["photonics"],
        published=True,
    )


@pytest.fixture
def skane_draft(skane, skane_host) -> Facility:
    return FacilityFactory(name="Skane Draft Lab", slug="skane-draft-lab", region=skane, host=skane_host)


@pytest.fixture
def skane_published(skane, skane_host) -> Facility:
    return FacilityFactory(
        name="Skane Materials Centre",
        slug="skane-materials-centre",
        region=skane,
        host=skane_host,
        technologies=["advanced-materials"],
        published=True,
    )
