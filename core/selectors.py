"""Reads of the shared kernel shared by pages, admin and API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import QuerySet

from core.models import Membership, Region, Term


def region_list() -> QuerySet[Region]:
    return Region.objects.order_by("name")


def region_get(*, code: str) -> Region:
    return Region.objects.get(code=code)


def membership_list_for_user(*, user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("region").order_by("region__name", "role")


def term_list(*, vocabulary: str, include_deprecated: bool = False) -> QuerySet[Term]:
    qs = Term.objects.filter(vocabulary=vocabulary)
    if not include_deprecated:
        qs = qs.filter(deprecated=False)
    return qs.order_by("order", "code")


def health_status() -> dict[str, str]:
    """The state of each dependency: "ok", "down: <reason>" or "not configured"."""
    status: dict[str, str] = {}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status["database"] = "ok"
    except DatabaseError as exc:
        status["database"] = f"down: {exc.__class__.__name__}"
        connections["default"].close_if_unusable_or_obsolete()
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            client.ping()
            status["broker"] = "ok"
        except redis.RedisError as exc:
            status["broker"] = f"down: {exc.__class__.__name__}"
    else:
        status["broker"] = "not configured (tasks run in-process)"
    return status
