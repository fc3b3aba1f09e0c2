"""Reading enquiries: the inbox, the private page, and the figures the dashboards use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Extract, TruncMonth
from django.utils import timezone

from catalogue.enquiries.links import enquiry_token_valid, parse_public_id
from catalogue.models import Enquiry, EnquiryThread
from core.dates import subtract_working_days
from core.scoping import AnyUser, scope_editable

State = EnquiryThread.State
OVERDUE_WORKING_DAYS = 5
BOXES = ("new", "mine", "overdue", "open", "closed", "all")


# --- The private page -------------------------------------------------------------------


def enquiry_by_link(*, public_id: str, token: str) -> Enquiry | None:
    """The enquiry a private link opens, or None (unknown, wrong token, anonymised)."""
    parsed = parse_public_id(public_id)
    if parsed is None:
        return None
    enquiry = Enquiry.objects.filter(public_id=parsed, anonymised_at__isnull=True).first()
    if enquiry is None or not enquiry_token_valid(enquiry, token):
        return None
    return enquiry


def enquiry_threads_for_requester(*, enquiry: Enquiry) -> list[EnquiryThread]:
    """Every facility's conversation, messages in order; staff names are not shown."""
    return list(
        EnquiryThread.objects.filter(enquiry=enquiry)
        .select_related("facility", "region")
        .prefetch_related("messages")
        .order_by("pk")
    )


# --- The inbox --------------------------------------------------------------------------


def overdue_before(now: datetime | None = None) -> datetime:
    """Threads created at or before this moment are 5 working days without an answer."""
    return subtract_working_days(now or timezone.now(), OVERDUE_WORKING_DAYS)


def _box_filter(box: str, user: AnyUser, now: datetime) -> Q:
    if box == "new":
        return Q(state=State.NEW)
    if box == "mine":
        return Q(assigned_to_id=user.pk, state__in=EnquiryThread.OPEN_STATES)
    if box == "overdue":
        return Q(first_response_at__isnull=True, state=State.NEW, created_at__lte=overdue_before(now))
    if box == "open":
        return Q(state__in=EnquiryThread.OPEN_STATES)
    if box == "closed":
        return ~Q(state__in=EnquiryThread.OPEN_STATES)
    return Q()


def inbox_threads(
    *,
    user: AnyUser,
    box: str = "open",
    region_id: int | None = None,
    facility_id: int | None = None,
    query: str = "",
    now: datetime | None = None,
) -> QuerySet[EnquiryThread]:
    """The threads of the regions the user answers for, in one box, newest first."""
    now = now or timezone.now()
    qs = scope_editable(EnquiryThread.objects.all(), user).filter(_box_filter(box, user, now))
    if region_id:
        qs = qs.filter(region_id=region_id)
    if facility_id:
        qs = qs.filter(facility_id=facility_id)
    query = query.strip()[:100]
    if query:
        qs = qs.filter(
            Q(enquiry__name__icontains=query)
            | Q(enquiry__email__icontains=query)
            | Q(enquiry__organisation__icontains=query)
            | Q(facility__name__icontains=query)
        )
    return qs.select_related("enquiry", "facility", "region", "assigned_to").order_by("-created_at", "-pk")


def inbox_counts(*, user: AnyUser, now: datetime | None = None) -> dict[str, int]:
    """How many threads each box holds, in one query (the tabs' badges)."""
    now = now or timezone.now()
    qs = scope_editable(EnquiryThread.objects.all(), user)
    return qs.aggregate(**{box: Count("pk", filter=_box_filter(box, user, now)) for box in BOXES})


def inbox_thread(*, user: AnyUser, thread_id: int) -> EnquiryThread | None:
    """One thread for the inbox page, or None when it is not the user's to answer."""
    return (
        scope_editable(EnquiryThread.objects.all(), user)
        .select_related("enquiry", "facility", "region", "assigned_to")
        .prefetch_related("messages__author_user")
        .filter(pk=thread_id)
        .first()
    )


MAX_FACILITY_CHOICES = 300


def inbox_facilities(*, user: AnyUser) -> list[tuple[int, str]]:
    """The facilities with enquiries in the user's regions, by name: the inbox's filter (one query)."""
    rows = (
        scope_editable(EnquiryThread.objects.all(), user)
        .order_by("facility__name", "facility_id")
        .values_list("facility_id", "facility__name")
        .distinct()[:MAX_FACILITY_CHOICES]
    )
    return list(rows)


def sibling_threads(*, thread: EnquiryThread) -> list[EnquiryThread]:
    """The other facilities asked in the same enquiry (names and states, for context)."""
    return list(
        EnquiryThread.objects.filter(enquiry_id=thread.enquiry_id)
        .exclude(pk=thread.pk)
        .select_related("facility", "region")
        .order_by("pk")
    )


# --- Figures ----------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class Median(Aggregate):
    """PostgreSQL's `percentile_cont(0.5)`: the median of a number."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


@dataclass
class MonthFigures:
    region_id: int
    region_name: str
    month: date
    enquiries: int
    answered: int
    open: int
    median_first_response: timedelta | None
    outcomes: dict[str, int] = field(default_factory=dict)


def enquiry_figures(
    *, region_ids: Iterable[int] | None = None, since: date | None = None, until: date | None = None
) -> list[MonthFigures]:
    """Enquiries per region and month: how many, how many answered, median first response, outcomes.

    Counted per facility asked (a thread), by the month it arrived. Anonymised enquiries
    count like the others: anonymisation keeps every field read here. Two queries.
    """
    qs = EnquiryThread.objects.all()
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    # Timestamp bounds (midnight in the current time zone), so the index on created_at serves them.
    if since:
        qs = qs.filter(created_at__gte=_midnight(since))
    if until:
        qs = qs.filter(created_at__lt=_midnight(until + timedelta(days=1)))
    qs = qs.annotate(month=TruncMonth("created_at"))
    response_seconds = Extract(F("first_response_at") - F("created_at"), "epoch")
    rows = (
        qs.values("region_id", "region__name", "month")
        .annotate(
            enquiries=Count("pk"),
            answered=Count("pk", filter=Q(first_response_at__isnull=False)),
            open=Count("pk", filter=Q(state__in=EnquiryThread.OPEN_STATES)),
            median_seconds=Median(response_seconds, filter=Q(first_response_at__isnull=False)),
        )
        .order_by("region__name", "month")
    )
    outcomes: dict[tuple[int, Any], dict[str, int]] = defaultdict(dict)
    for row in (
        qs.exclude(outcome="").values("region_id", "month", "outcome").annotate(n=Count("pk")).order_by()
    ):
        outcomes[(row["region_id"], row["month"])][row["outcome"]] = row["n"]
    result = []
    for row in rows:
        seconds = row["median_seconds"]
        month = row["month"]
        result.append(
            MonthFigures(
                region_id=row["region_id"],
                region_name=row["region__name"],
                month=month.date() if isinstance(month, datetime) else month,
                enquiries=row["enquiries"],
                answered=row["answered"],
                open=row["open"],
                median_first_response=timedelta(seconds=seconds) if seconds is not None else None,
                outcomes=outcomes.get((row["region_id"], month), {}),
            )
        )
    return result
