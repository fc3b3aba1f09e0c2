"""A planner hint the search needs, applied after every `migrate` (issue #6).

PostgreSQL rates `tsvector @@ tsquery` as cheap as an integer comparison, so for a
broad word matching most rows it plans a sequential scan that reads (de-TOASTs) every
facility's 3.6 KB vector. A GIN bitmap scan answers the same match from the index
without reading a vector: at 10,000 facilities the facet counts of "prototyping" took
70 ms with the scan and 29 ms with the bitmap, the ranked ids 57 and 24 ms
(`bench/`). Raising the operator function's cost lets the planner see that.

`ALTER FUNCTION` on a built-in needs a superuser (the docker-compose and embedded
databases have one). The setting lives in the database's catalog and is not in a
pg_dump, so it is re-applied after every `migrate` rather than once in a migration;
without the privilege the portal works, slower, and says so in the log.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

MATCH_COST = 100
_FUNCTION = "pg_catalog.ts_match_vq(tsvector, tsquery)"


def match_cost(using: str = DEFAULT_DB_ALIAS) -> float:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT procost FROM pg_proc WHERE oid = %s::regprocedure", [_FUNCTION])
        return float(cursor.fetchone()[0])


def tune_text_search(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Set the cost; False (and a warning) when the database role may not."""
    connection = connections[using]
    if connection.vendor != "postgresql" or match_cost(using) >= MATCH_COST:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            logger.warning(
                "Cannot raise the planner cost of %s (needs a superuser): broad searches will be "
                "slower. Run as a superuser: ALTER FUNCTION %s COST %s;",
                _FUNCTION,
                _FUNCTION,
                MATCH_COST,
            )
            return False
        cursor.execute(f"ALTER FUNCTION {_FUNCTION} COST {MATCH_COST}")  # constants only
    return True


def on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    tune_text_search(using)
