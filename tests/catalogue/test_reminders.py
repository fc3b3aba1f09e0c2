"""The weekly digest of stale entries and old drafts: fires once per editor, region and week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from catalogue.models import Facility
from catalogue.reminders import weekly_digest_send
from core.mail import outbox_flush
from core.models import OutboxEmail
from tests.factories import FacilityFactory

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def stale_lab(flanders):
    facility = FacilityFactory(region=flanders, name="Old Vibration Lab", published=True)
    Facility.objects.filter(pk=facility.pk).update(last_verified_at=NOW - timedelta(days=400))
    return facility


@pytest.fixture
def old_draft(flanders):
    with time_machine.travel(NOW - timedelta(days=45), tick=False):
        return FacilityFactory(region=flanders, name="Forgotten Draft Lab")


def test_digest_lists_stale_entries_and_old_drafts_to_the_regions_editors(
    editor, coordinator, stale_lab, old_draft
):
    with time_machine.travel(NOW, tick=False):
        queued = weekly_digest_send()
    assert queued == 2
    assert outbox_flush() == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([editor.email, coordinator.email])
    assert "Old Vibration Lab" in mail.outbox[0].body
    assert "Forgotten Draft Lab" in mail.outbox[0].body


def test_digest_fires_once_per_week_however_often_beat_runs(editor, stale_lab):
    with time_machine.travel(NOW, tick=False):
        first = weekly_digest_send()
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        again = weekly_digest_send()
    assert (first, again) == (1, 0)
    assert OutboxEmail.objects.count() == 1


def test_digest_fires_again_the_next_week(editor, stale_lab):
    with time_machine.travel(NOW, tick=False):
        weekly_digest_send()
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        assert weekly_digest_send() == 1
    assert OutboxEmail.objects.count() == 2


def test_other_regions_editors_and_viewers_get_no_digest(other_editor, viewer, stale_lab):
    with time_machine.travel(NOW, tick=False):
        assert weekly_digest_send() == 0
    assert not OutboxEmail.objects.exists()


def test_recently_verified_entries_and_fresh_drafts_make_no_digest(editor, flanders):
    FacilityFactory(region=flanders, name="Fresh Draft Lab")
    fresh = FacilityFactory(region=flanders, name="Checked Lab", published=True)
    Facility.objects.filter(pk=fresh.pk).update(last_verified_at=NOW - timedelta(days=10))
    with time_machine.travel(NOW, tick=False):
        assert weekly_digest_send() == 0
