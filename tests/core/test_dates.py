"""Working days and calendar months (`core.dates`): the arithmetic behind reminders, overdue and retention."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from core.dates import add_working_days, months_before, subtract_working_days

WED = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday
FRI = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
SAT = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
SUN = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
MON = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)


# --- add_working_days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, WED),
        (1, datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),  # Thursday
        (2, datetime(2026, 3, 6, 10, 0, tzinfo=UTC)),  # Friday
        (3, datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),  # over the weekend: Monday
        (5, datetime(2026, 3, 11, 10, 0, tzinfo=UTC)),  # next Wednesday
        (10, datetime(2026, 3, 18, 10, 0, tzinfo=UTC)),
    ],
)
def test_add_working_days_from_a_wednesday_skips_the_weekend(days, expected):
    assert add_working_days(WED, days) == expected


def test_add_working_days_keeps_the_time_of_day_from_a_friday():
    assert add_working_days(FRI, 1) == datetime(2026, 3, 9, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize("start", [SAT, SUN])
def test_a_weekend_start_counts_from_monday_midnight(start):
    assert add_working_days(start, 0) == MON
    assert add_working_days(start, 1) == datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    assert add_working_days(start, 5) == datetime(2026, 3, 16, 0, 0, tzinfo=UTC)


def test_add_working_days_never_lands_on_a_weekend():
    rng = random.Random(20260304)
    for _ in range(2000):
        start = WED + timedelta(minutes=rng.randint(-20000, 20000))
        assert add_working_days(start, rng.randint(1, 15)).weekday() < 5


# --- subtract_working_days --------------------------------------------------------------


def test_subtract_working_days_from_a_wednesday_goes_back_over_the_weekend():
    assert subtract_working_days(datetime(2026, 3, 11, 10, 0, tzinfo=UTC), 5) == WED
    assert subtract_working_days(datetime(2026, 3, 9, 8, 0, tzinfo=UTC), 1) == datetime(
        2026, 3, 6, 8, 0, tzinfo=UTC
    )


def test_subtract_working_days_from_a_weekend_counts_from_the_end_of_friday():
    end_of_friday = datetime(2026, 3, 6, 23, 59, 59, 999999, tzinfo=UTC)
    assert subtract_working_days(SAT, 0) == end_of_friday
    assert subtract_working_days(SUN, 1) == end_of_friday - timedelta(days=1)


def test_subtract_is_the_inverse_of_add_over_random_pairs():
    """`start <= subtract_working_days(end, n)` exactly when `add_working_days(start, n) <= end`."""
    rng = random.Random(7)
    base = datetime(2025, 12, 1, tzinfo=UTC)
    checked = {True: 0, False: 0}
    for _ in range(20000):
        start = base + timedelta(seconds=rng.randint(0, 90 * 86400), microseconds=rng.randint(0, 999999))
        end = start + timedelta(seconds=rng.randint(-3 * 86400, 25 * 86400))
        if rng.random() < 0.2:  # the edges of a day, where off-by-one errors live
            start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        if rng.random() < 0.2:
            end = end.replace(hour=23, minute=59, second=59, microsecond=999999)
        n = rng.randint(0, 12)
        due = add_working_days(start, n) <= end
        assert (start <= subtract_working_days(end, n)) is due, (start, end, n)
        checked[due] += 1
    assert min(checked.values()) > 2000  # both sides of the boundary were exercised


def test_subtract_agrees_with_add_at_the_exact_boundary():
    for start in (WED, FRI, SAT, SUN, MON):
        for n in range(0, 11):
            end = add_working_days(start, n)
            assert start <= subtract_working_days(end, n)
            assert not start <= subtract_working_days(end - timedelta(microseconds=1), n)


# --- months_before ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2024, 3, 31, 12, 0, tzinfo=UTC), 1, datetime(2024, 2, 29, 12, 0, tzinfo=UTC)),  # leap year
        (datetime(2025, 3, 31, 12, 0, tzinfo=UTC), 1, datetime(2025, 2, 28, 12, 0, tzinfo=UTC)),
        (datetime(2026, 5, 31, 8, 0, tzinfo=UTC), 1, datetime(2026, 4, 30, 8, 0, tzinfo=UTC)),
        (datetime(2026, 7, 31, 0, 0, tzinfo=UTC), 5, datetime(2026, 2, 28, 0, 0, tzinfo=UTC)),
        (datetime(2026, 1, 15, 9, 30, tzinfo=UTC), 1, datetime(2025, 12, 15, 9, 30, tzinfo=UTC)),
        (datetime(2026, 1, 31, 9, 30, tzinfo=UTC), 2, datetime(2025, 11, 30, 9, 30, tzinfo=UTC)),
        (datetime(2026, 6, 1, 0, 0, tzinfo=UTC), 24, datetime(2024, 6, 1, 0, 0, tzinfo=UTC)),
        (datetime(2026, 2, 28, 0, 0, tzinfo=UTC), 24, datetime(2024, 2, 28, 0, 0, tzinfo=UTC)),
        (datetime(2028, 2, 29, 0, 0, tzinfo=UTC), 12, datetime(2027, 2, 28, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), 12, datetime(2025, 12, 31, 23, 59, tzinfo=UTC)),
        (datetime(2026, 4, 10, 0, 0, tzinfo=UTC), 0, datetime(2026, 4, 10, 0, 0, tzinfo=UTC)),
    ],
)
def test_months_before_stays_on_the_same_day_or_the_months_last(moment, months, expected):
    assert months_before(moment, months) == expected


def test_months_before_keeps_the_timezone():
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 25).tzinfo is UTC
