"""The planner hint for text search (catalogue/dbtuning.py) is in place after migrate."""

from __future__ import annotations

import pytest
from django.db import connection

from catalogue.dbtuning import _FUNCTION, MATCH_COST, match_cost, tune_text_search

pytestmark = pytest.mark.django_db


def test_migrate_raised_the_cost_of_the_text_match():
    assert match_cost() >= MATCH_COST


def test_tuning_raises_a_cost_found_at_the_default():
    # The test's transaction rolls this back (DDL is transactional in PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER FUNCTION {_FUNCTION} COST 1")
    assert match_cost() == 1
    assert tune_text_search() is True
    assert match_cost() == MATCH_COST


def test_without_a_superuser_it_says_so_and_changes_nothing(caplog, as_plain_role):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER FUNCTION {_FUNCTION} COST 1")
    with as_plain_role():
        assert tune_text_search() is False
    assert match_cost() == 1
    assert "needs a superuser" in caplog.text


def test_what_every_search_reads_is_kept_in_the_row():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'catalogue_facility'::regclass"
            " AND attname IN ('search_vector', 'search_names', 'name_en', 'technologies')"
        )
        storage = dict(cursor.fetchall())
    assert storage == {"search_vector": "m", "search_names": "m", "name_en": "m", "technologies": "m"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'catalogue_searchdocument'::regclass"
            " AND attnum > 0 AND NOT attisdropped AND attname <> 'facility_id'"
        )
        documents = dict(cursor.fetchall())
    # Every column of the search documents is read for every hit (the vector to rank,
    # the names to break ties): all in the row.
    assert set(documents.values()) == {"m"}, documents


def test_a_search_without_words_reads_its_order_from_the_browse_index(db):
    from catalogue import selectors

    sql, args = selectors.hits_sql(selectors.SearchParams())
    with connection.cursor() as cursor:
        # Tiny test tables are cheaper to sort than to read by index: take sorting away, so
        # that the plan shows whether the index holds the order the search asks for.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", args)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "facility_browse_order" in plan
    assert "Sort" not in plan


def test_the_portals_connections_run_no_parallel_query_by_default():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
