"""Fixtures of the import tests: a Flanders host and facility, uploads that run the dry run,
and a snapshot of the catalogue to prove that a refused file changed nothing.

Uploads are stored under a temporary MEDIA_ROOT, and progress under a cache key prefix of
this session (tests.imports.CACHE_PREFIX).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

# Registers the import admins until catalogue/admin.py imports them (before the URLconf loads).
import catalogue.imports.admin  # noqa: F401
from catalogue.imports import services
from catalogue.models import Facility, ImportJob
from core.models import Organisation, Region
from tests.factories import FacilityFactory, OrganisationFactory
from tests.imports import CACHE_PREFIX


@pytest.fixture(scope="session", autouse=True)
def _flushable_test_database(restore_seeded_rows: None) -> Iterator[None]:
    """The worker and outbox tests are transactional: their flushes empty the seeded rows,
    which `restore_seeded_rows` (tests/conftest.py) puts back after this session's progress
    keys are removed."""
    yield
    _forget_progress()


def _forget_progress() -> None:
    """Progress of failed jobs stays in the cache for an hour: remove this session's now."""
    if not django_settings.REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(django_settings.REDIS_URL, socket_connect_timeout=2)
    try:
        for key in client.scan_iter(match=f"{CACHE_PREFIX}:*"):
            client.delete(key)
    except redis.RedisError:
        pass  # unreachable Redis holds nothing of this session


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    caches = {alias: dict(config) for alias, config in django_settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = CACHE_PREFIX
    settings.CACHES = caches


@pytest.fixture
def host(flanders: Region) -> Organisation:
    return OrganisationFactory(name="Flanders Make", slug="flanders-make", region=flanders)


@pytest.fixture
def existing(flanders: Region, host: Organisation) -> Facility:
    """A facility already in the catalogue, which a refused file must leave alone."""
    return FacilityFactory(
        region=flanders,
        host=host,
        name="Existing Photonics Lab",
        name_en="Existing Photonics Lab",
        slug="existing-photonics-lab",
        technologies=["photonics"],
    )


@pytest.fixture
def check_file(editor: Any, flanders: Region) -> Callable[..., ImportJob]:
    """`check_file(content, name=...)`: upload a file as the Flanders editor and run the dry run."""

    def _check(
        content: bytes,
        name: str = "facilities.csv",
        *,
        preset: str = "",
        mapping: dict[str, str] | None = None,
        user: Any = None,
        region: Region | None = None,
    ) -> ImportJob:
        job = services.import_job_create(
            upload=SimpleUploadedFile(name, content),
            region=region or flanders,
            user=user or editor,
            preset=preset,
            mapping=mapping,
        )
        return services.import_job_check(job=job)

    return _check
