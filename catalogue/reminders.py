"""The weekly digest that keeps regional catalogues current (ARCHITECTURE §7 "reminders").

A beat job runs it; whenever and however often it runs, each editor gets at most one
digest per region and ISO week (`core.mail.reminder_once`). Mails go through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalogue.models import Facility
from core.mail import email_queue_template, reminder_once
from core.models import Membership, Region

STALE_AFTER = timedelta(days=365)
DRAFT_OLDER_THAN = timedelta(days=30)
DIGEST_KIND = "catalogue-weekly-digest"
MAX_LISTED = 50


@dataclass
class RegionDigest:
    region: Region
    stale: list[Facility]
    stale_count: int
    drafts: list[Facility]
    drafts_count: int


def region_digest(*, region: Region, now: datetime) -> RegionDigest | None:
    """What a region's editors should look at this week, or None when nothing."""
    stale_qs = (
        Facility.objects.filter(region=region, state=Facility.State.PUBLISHED)
        .filter(Q(last_verified_at__lt=now - STALE_AFTER) | Q(last_verified_at__isnull=True))
        .order_by("last_verified_at", "name")
    )
    drafts_qs = Facility.objects.filter(
        region=region,
        state__in=[Facility.State.DRAFT, Facility.State.SUBMITTED],
        updated_at__lt=now - DRAFT_OLDER_THAN,
    ).order_by("updated_at", "name")
    stale_count, drafts_count = stale_qs.count(), drafts_qs.count()
    if not (stale_count or drafts_count):
        return None
    return RegionDigest(
        region=region,
        stale=list(stale_qs[:MAX_LISTED]),
        stale_count=stale_count,
        drafts=list(drafts_qs[:MAX_LISTED]),
        drafts_count=drafts_count,
    )


def weekly_digest_send(*, now: datetime | None = None) -> int:
    """Queue this week's digest for every editor and coordinator who has not had it yet."""
    now = now or timezone.now()
    year, week, _day = now.isocalendar()
    period = f"{year}-W{week:02d}"
    queued = 0
    for region in Region.objects.order_by("code"):
        digest = region_digest(region=region, now=now)
        if digest is None:
            continue
        recipients = (
            Membership.objects.filter(
                region=region,
                role__in=[Membership.Role.EDITOR, Membership.Role.COORDINATOR],
                user__is_active=True,
            )
            .exclude(user__email="")
            .select_related("user")
            .order_by("user_id")
        )
        for membership in recipients:
            with transaction.atomic():
                if not reminder_once(
                    kind=DIGEST_KIND, subject=f"user:{membership.user_id}:region:{region.pk}", period=period
                ):
                    continue
                email_queue_template(
                    to=[membership.user.email],
                    template="weekly_digest",
                    context={
                        "user": membership.user,
                        "digest": digest,
                        "period": period,
                        "site_url": settings.SITE_URL,
                    },
                )
                queued += 1
    return queued
