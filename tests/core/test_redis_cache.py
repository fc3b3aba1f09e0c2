"""The Redis cache backend that reuses its client (core/redis_cache.py)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings

from core.redis_cache import RedisCache


@pytest.fixture
def redis_cache():
    if not settings.REDIS_URL:
        pytest.skip("Redis not reachable at REDIS_URL: REDIS_URL is not set")
    backend = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    yield backend
    backend.delete_many([f"k{i}" for i in range(40)] + ["shared"])


def test_every_operation_uses_the_same_client(redis_cache):
    first = redis_cache._cache.get_client()
    redis_cache.set("shared", {"page": "<p>cached</p>"})
    assert redis_cache.get("shared") == {"page": "<p>cached</p>"}
    assert redis_cache._cache.get_client(write=True) is first


def test_threads_share_the_client_and_keep_their_values_apart(redis_cache):
    errors: list[str] = []

    def work(n: int) -> None:
        for i in range(n, 40, 4):
            redis_cache.set(f"k{i}", i)
            if redis_cache.get(f"k{i}") != i:
                errors.append(f"k{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert redis_cache.get_many([f"k{i}" for i in range(40)]) == {f"k{i}": i for i in range(40)}
