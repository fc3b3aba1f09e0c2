"""The planner hint for text search (catalogue/dbtuning.py) is in place after migrate."""

from __future__ import annotations

import pytest

from catalogue.dbtuning import MATCH_COST, match_cost, tune_text_search

pytestmark = pytest.mark.django_db


def test_migrate_raised_the_cost_of_the_text_match():
    assert match_cost() >= MATCH_COST
    assert tune_text_search() is True  # idempotent
