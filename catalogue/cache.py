"""The catalogue version and the cache of public search results (issue #6).

Every write that changes what a search can show (facilities, equipment, services, hosts,
regions, vocabulary) bumps one counter in the shared cache after its transaction
commits. Cached search fragments are keyed by that counter, so a change is visible to
the next request and nothing has to be deleted. Bumping after commit is what makes it
correct: a request that read the old version ran its queries before the commit, so
what it stores under the old key is never read again.

Writes reach the counter by model signals (every `save()`/`delete()`, in the admin,
the services and the API) and, for the bulk paths that send no signals (imports, the
demo loader, bulk refreshes), by calling `catalogue_changed()` themselves. Entries
also expire after `SEARCH_CACHE_SECONDS`, a bound on any write path missed.

With Redis (production) the counter is shared by every process. Without it, each
process has its own; that is only the zero-setup `make run`, one process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "catalogue:version"
CHANGED_KEY = "catalogue:changed"  # when the version last moved (seconds since the epoch)


_pinned = threading.local()


@contextmanager
def version_pinned() -> Iterator[int]:
    """Read the version once for a whole request: every `catalogue_version()` inside
    answers the same. A search page asked for it five times (its page and results keys,
    the facet index, the hits, the cards), a Redis round trip each. Reading it once is as
    correct as reading it five times: a write committed meanwhile gets a new version, and
    what this request computed under the old one is never read again."""
    outer = getattr(_pinned, "version", None)
    _pinned.version = outer if outer is not None else _read_version()
    try:
        yield _pinned.version
    finally:
        _pinned.version = outer


def catalogue_version() -> int:
    pinned = getattr(_pinned, "version", None)
    return pinned if pinned is not None else _read_version()


def _read_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A time-based start (microseconds), so a flushed cache never reuses an old
        # version's keys, nor a process its copy of an old version's facet index.
        cache.add(VERSION_KEY, time.time_ns() // 1_000, timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def catalogue_stamp() -> tuple[int, float]:
    """The version and when it last moved: the validators (ETag, Last-Modified) of public lists."""
    version = catalogue_version()
    changed = cache.get(CHANGED_KEY)
    if changed is None:
        # Unknown (a fresh cache): now is a safe upper bound of the last change.
        changed = time.time()
        cache.add(CHANGED_KEY, changed, timeout=None)
    return version, float(changed)


def _bump() -> None:
    cache.set(CHANGED_KEY, time.time(), timeout=None)
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next reader starts a fresh one
        cache.set(VERSION_KEY, time.time_ns() // 1_000, timeout=None)


def catalogue_changed() -> None:
    """Call after any write the model signals do not see; takes effect on commit."""
    transaction.on_commit(_bump, robust=True)


def _on_model_change(sender: Any, **kwargs: Any) -> None:
    catalogue_changed()


def connect_signals() -> None:
    """Bump on every save and delete of the models a search result shows."""
    from catalogue.models import Equipment, Facility, Service
    from core.models import Organisation, Region, Term

    for model in (Facility, Equipment, Service, Organisation, Region, Term):
        post_save.connect(
            _on_model_change, sender=model, dispatch_uid=f"catalogue-version-save-{model.__name__}"
        )
        post_delete.connect(
            _on_model_change, sender=model, dispatch_uid=f"catalogue-version-delete-{model.__name__}"
        )


def search_cache_key(*, kind: str, pairs: list[tuple[str, str]], language: str) -> str:
    """A key for one public search state: sorted parameters, language, catalogue version."""
    raw = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    digest = hashlib.sha256(f"{kind}|{language}|{raw}".encode()).hexdigest()[:40]
    return f"search:{catalogue_version()}:{digest}"


def search_caching() -> bool:
    """Whether search results (pages, API lists, suggestions) are kept per catalogue version."""
    return bool(settings.SEARCH_CACHE_SECONDS > 0)


def engine_memory() -> bool:
    """Whether the search engine keeps its facet index and hits per catalogue version."""
    return bool(settings.SEARCH_ENGINE_MEMORY)


# How long the shared copies of the engine's memory live (bounds Redis memory: entries
# are keyed by version, so an old one is never read, only left to expire).
ENGINE_MEMORY_SECONDS = 3600


def cached(key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per key while the catalogue does not change.

    No lock across processes (`computed_once`): what is cached here (pages, lists) is a
    few milliseconds over the engine's memory, less than the two more round trips to
    Redis a lock costs every miss; the costly parts (hits, facet index) take the lock.
    """
    seconds = settings.SEARCH_CACHE_SECONDS
    if not search_caching():
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=seconds)
    return value


# How long one computation may hold its key's lock: past it (a process killed while
# computing) another process computes the value itself.
COMPUTING_SECONDS = 30
_WAIT_STEP = 0.005


def computed_once(key: str, compute: Callable[[], Any], *, timeout: int) -> Any:
    """The value of `key` in the shared cache, computed by one process at a time.

    After a catalogue change the first requests of every process arrive together and
    ask for the same things: at 100,000 facilities both gunicorn processes built the
    facet index (0.6 s each, most of it in PostgreSQL) and ranked the same broad word at
    once, on a server with two cores. Whoever takes the lock (`cache.add`, atomic in
    Redis) computes; the others poll the cache every 5 ms until the value is there, or
    compute it themselves if the lock goes without one (the computation failed).
    `compute()` never returns None (the cache's "missing").
    """
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:computing"
    owner = cache.add(lock, 1, timeout=COMPUTING_SECONDS)
    if not owner:
        deadline = time.monotonic() + COMPUTING_SECONDS
        while time.monotonic() < deadline:
            time.sleep(_WAIT_STEP)
            value = cache.get(key)
            if value is not None:
                return value
            if cache.get(lock) is None:
                owner = cache.add(lock, 1, timeout=COMPUTING_SECONDS)
                break
    try:
        value = compute()
        cache.set(key, value, timeout=timeout)
    finally:
        if owner:  # never another process's lock
            cache.delete(lock)
    return value


# However long a catalogue version lasts, what a process keeps of it is computed again
# after this long: a bound on a write path that changes rows without moving the version
# (as SEARCH_CACHE_SECONDS bounds the shared cache's entries).
PROCESS_MEMORY_SECONDS = 600


class VersionMemory:
    """Values of one catalogue version in this process, by scope (a language, say) and
    id; the oldest go first past `size`. A new version forgets every value of the one
    before, and so does `PROCESS_MEMORY_SECONDS` of the same version. For what every
    request of a version would otherwise compute again: the search page's result cards,
    the API list's items."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._version: int | None = None
        self._since = 0.0
        self._values: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self._lock = threading.Lock()

    def _current(self, version: int) -> bool:
        return version == self._version and time.monotonic() - self._since < PROCESS_MEMORY_SECONDS

    def get_many(self, *, version: int, scope: str, ids: Iterable[int]) -> dict[int, Any]:
        with self._lock:
            if not self._current(version):
                return {}
            found = {}
            for pk in ids:
                value = self._values.get((scope, pk))
                if value is not None:
                    self._values.move_to_end((scope, pk))
                    found[pk] = value
            return found

    def put_many(self, *, version: int, scope: str, values: dict[int, Any]) -> None:
        with self._lock:
            if not self._current(version):
                if self._version is not None and version < self._version:
                    return  # computed under an older version than what is kept: dropped
                self._version = version
                self._since = time.monotonic()
                self._values.clear()
            for pk, value in values.items():
                self._values[(scope, pk)] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._version = None
            self._values.clear()
