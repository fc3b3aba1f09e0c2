"""Calendar arithmetic: working days (Monday to Friday) and calendar months.

Public holidays differ per region and are not counted: a reminder may come one day
early around a holiday, never late.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start`, at the same time of day.

    A start on a weekend counts from the Monday after it, at midnight.
    """
    moment = start
    if moment.weekday() >= 5:
        moment = (moment + timedelta(days=7 - moment.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


def subtract_working_days(end: datetime, days: int) -> datetime:
    """The latest start that is `days` working days old at `end`.

    `start <= subtract_working_days(end, n)` exactly when `add_working_days(start, n) <= end`,
    which turns "overdue" into one indexed `created_at <=` filter.
    """
    moment = end
    if moment.weekday() >= 5:  # nothing comes due at the weekend: the end of Friday counts
        moment = (moment - timedelta(days=moment.weekday() - 4)).replace(
            hour=23, minute=59, second=59, microsecond=999999
        )
    left = days
    while left > 0:
        moment -= timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from `start` to `end`, counted as `add_working_days` counts.

    That is: the largest n with `add_working_days(start, n) <= end` (a start at the
    weekend counts from the Monday after it, at midnight), computed without a loop over n.
    """
    if start.weekday() >= 5:
        start = (start + timedelta(days=7 - start.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    if end <= start:
        return 0
    first, last = start.date(), end.date()
    days = (last - first).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):  # the days after `first` that are not whole weeks
        if (first.weekday() + offset) % 7 < 5:
            count += 1
    # The last working day is only complete at the start's time of day.
    if last.weekday() < 5 and end.timetz() < start.timetz():
        count -= 1
    return max(count, 0)
