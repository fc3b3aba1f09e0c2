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
