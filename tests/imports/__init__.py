"""Tests of the spreadsheet imports and exports (ARCHITECTURE §7), and their shared helpers."""

from __future__ import annotations

import uuid
from typing import Any

# Progress lives in the cache (Redis when REDIS_URL is set). Parallel test processes number
# their import jobs alike, so each session reads and writes under a prefix of its own.
CACHE_PREFIX = f"innoinfra-test-{uuid.uuid4().hex[:10]}"


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    """A CSV file of these lines (the first is the header)."""
    return ("\n".join(rows) + "\n").encode(encoding)


def catalogue_state() -> list[tuple[int, Any]]:
    """Every facility and when it last changed: equal before and after means nothing changed."""
    from catalogue.models import Facility

    return list(Facility.objects.order_by("pk").values_list("pk", "updated_at"))
