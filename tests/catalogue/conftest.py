"""Fixtures of the tests that run the search cache and the engine's memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from catalogue import fragments, selectors
from catalogue.apis import list_items
from tests.factories import FacilityFactory


@pytest.fixture
def search_memory_on(settings, local_cache) -> Iterator[None]:
    """The results cache and the engine's memory on (the suite's default is off: test
    transactions never commit, so no catalogue version moves), on a fresh local cache."""
    settings.SEARCH_CACHE_SECONDS = 600
    settings.SEARCH_ENGINE_MEMORY = True
    yield
    selectors.reset_search_memory()
    fragments.search_cards.clear()
    list_items.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks) -> Callable[[Callable[[], Any]], Any]:
    """Run a write as if its transaction committed (the version bump is an on-commit hook)."""

    def run(write: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


@pytest.fixture
def lab(commit, flanders):
    """A published facility, committed (its version bump ran), for the cache tests."""
    return commit(
        lambda: FacilityFactory(
            published=True,
            region=flanders,
            name="Vibration lab",
            slug="vibration-lab",
            technologies=["photonics"],
            description_en="Shaker tables for vibration testing.",
        )
    )
