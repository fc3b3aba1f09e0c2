"""Fixed-window rate limits in the shared cache (Redis in production), for public forms.

`rate_limit_hit("enquiry-ip", ip, "5/h")` counts one attempt and says whether the
caller is over the limit. Keys are hashed, so no address or email sits in the cache.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/h' -> (5, 3600); '20/10m' -> (20, 600)."""
    count, _slash, period = rate.partition("/")
    unit = period[-1:]
    multiple = period[:-1] or "1"
    if not count.isdigit() or unit not in _PERIODS or not multiple.isdigit():
        raise ValueError(f"Not a rate like '5/h' or '20/10m': {rate!r}")
    return int(count), int(multiple) * _PERIODS[unit]


def rate_limit_hit(scope: str, identity: str, rate: str, *, now: float | None = None) -> bool:
    """Count one attempt of `identity` in `scope`; True when it is over the limit."""
    limit, period = parse_rate(rate)
    window = int((time.time() if now is None else now) // period)
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 5)
        count = 1
    return count > limit


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind `PROXY_COUNT` proxies, read from X-Forwarded-For.

    Without a proxy the header is the client's to forge, so it is ignored (PITFALLS).
    """
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
