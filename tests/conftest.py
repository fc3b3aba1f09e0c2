"""The shared cast (STYLE "Tests"): one user per role, and the regions they act in.

- `editor`: edits Flanders; `other_editor`: edits Skåne (the "other region" of every
  permission test); `coordinator`: coordinates Flanders; `viewer`: reads all regions;
  `project_coordinator`: everything; `outsider`: signed in, no role.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings

from core.models import Membership, Region
from tests.factories import MembershipFactory, UserFactory, region


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Full PBKDF2 costs ~0.5 s per user on a busy 2-core machine; hashing strength is not
    # what these tests are about (login and reset still run the real auth code).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def restore_seeded_rows(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Put back, after the session, the rows that data migrations seeded (regions, vocabularies).

    Transactional tests flush the test database after each test, and with it these rows.
    With --reuse-db the database outlives the run: without them the next run (of any
    suite) would find no regions and vocabularies. Session fixtures of suites with
    transactional tests (browser, imports) depend on this one.
    """
    from django.db import connection

    yield
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def flanders(db) -> Region:
    return region("flanders")


@pytest.fixture
def skane(db) -> Region:
    return region("skane")


@pytest.fixture
def editor(flanders):
    return MembershipFactory(
        user__username="editor-flanders", region=flanders, role=Membership.Role.EDITOR
    ).user


@pytest.fixture
def other_editor(skane):
    return MembershipFactory(user__username="editor-skane", region=skane, role=Membership.Role.EDITOR).user


@pytest.fixture
def coordinator(flanders):
    return MembershipFactory(
        user__username="coordinator-flanders", region=flanders, role=Membership.Role.COORDINATOR
    ).user


@pytest.fixture
def viewer(db):
    return MembershipFactory(user__username="viewer", region=None, role=Membership.Role.VIEWER).user


@pytest.fixture
def project_coordinator(db):
    return MembershipFactory(
        user__username="project-coordinator", region=None, role=Membership.Role.PROJECT_COORDINATOR
    ).user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the portal's default language. A request activates its
    visitor's language in the thread and leaves it active: a German search as the last
    step of one test made the next test's factories write `name` into `name_de`."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def as_plain_role(db):
    """`with as_plain_role(): ...` runs as a database role with no superuser right and no
    ownership (created and dropped with the test's transaction)."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def run() -> Iterator[None]:
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE innoinfra_test_plain NOSUPERUSER")
            cursor.execute("SET LOCAL ROLE innoinfra_test_plain")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    return run


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client signed in as `user` (None: anonymous)."""

    def _client(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _client


@pytest.fixture
def local_cache(settings):
    """An empty cache for this test alone: the real backend under a key prefix of its own.

    With REDIS_URL set (CI) the default cache is Redis, shared by the xdist workers and
    by the Celery broker in the same database: `cache.clear()` there is FLUSHDB, which
    wiped another worker's queued import task. A fresh prefix empties the cache for this
    test without touching anyone else's keys. Without Redis, a fresh in-process cache.
    """
    import uuid

    from django.core.cache import cache

    from catalogue import selectors

    # This process's copies of the facet index and hits belong to the cache they came from.
    selectors.reset_search_memory()
    default = dict(settings.CACHES["default"])
    if default["BACKEND"].endswith("RedisCache"):
        default["KEY_PREFIX"] = f"test-{uuid.uuid4()}"
        settings.CACHES = {**settings.CACHES, "default": default}
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"test-{uuid.uuid4()}",
            }
        }
    yield cache
    keys = cache_keys()
    if keys and default["BACKEND"].endswith("RedisCache"):
        cache._cache.get_client(write=True).delete(*keys)  # type: ignore[attr-defined]


def cache_keys() -> list[str]:
    """The keys the current cache holds, as stored (prefix and version included)."""
    from django.core.cache import cache

    backend = cache._cache  # type: ignore[attr-defined]
    if hasattr(backend, "get_client"):  # Redis: this test's prefix only
        client = backend.get_client()
        return [k.decode() for k in client.scan_iter(match=f"{cache.key_prefix}:*")]
    return [str(key) for key in backend]
