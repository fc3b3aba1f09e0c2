"""Unanswered enquiries: the editors after 5 working days, the coordinators after 10, once each (frozen time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from catalogue.enquiries import services
from catalogue.enquiries.services import EnquiryRequest, Requester
from catalogue.models import Enquiry, EnquiryThread, Facility
from catalogue.tasks import send_enquiry_reminders_task
from core.models import Membership, OutboxEmail, ReminderLog
from tests.factories import FacilityFactory, MembershipFactory

WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
NEXT_WEDNESDAY = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # +5 working days
WEDNESDAY_AFTER = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)  # +10 working days
SATURDAY = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def submit_at(moment: datetime, facilities: list[Facility]) -> EnquiryThread:
    with time_machine.travel(moment, tick=False):
        enquiry = services.enquiry_submit(
            requester=Requester(
                name="Jonas Peeters",
                email="jonas.peeters@example.com",
                organisation="Peeters Robotics BV",
                organisation_type=Enquiry.OrganisationType.SME,
                country="BE",
            ),
            request=EnquiryRequest(
                type=Enquiry.Type.ACCESS,
                message="Could we use your cleanroom for two days?",
                wished_start=None,
                budget_band=Enquiry.BudgetBand.UNKNOWN,
            ),
            facilities=facilities,
            consent_text="I agree.",
        )
    return enquiry.threads.order_by("pk").first()  # type: ignore[return-value]


def run_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return services.enquiry_reminders_send()


def reminders() -> list[tuple[str, str]]:
    """(recipient, subject) of every reminder mail queued so far."""
    return sorted(
        (m.to[0], m.subject) for m in OutboxEmail.objects.filter(subject__startswith="Unanswered for")
    )


@pytest.fixture
def facility(flanders) -> Facility:
    return FacilityFactory(published=True, region=flanders, name="Ghent Cleanroom")


@pytest.fixture
def staff(editor, coordinator, other_editor, viewer, project_coordinator, flanders):
    second_editor = MembershipFactory(
        user__username="editor2-flanders", region=flanders, role=Membership.Role.EDITOR
    ).user
    return {"editors": sorted([editor.email, second_editor.email]), "coordinators": [coordinator.email]}


EDITORS_SUBJECT = "Unanswered for 5 working days: enquiry for Ghent Cleanroom"
COORDINATORS_SUBJECT = "Unanswered for 10 working days: enquiry for Ghent Cleanroom"


def test_no_reminder_before_five_working_days(facility, staff):
    submit_at(WEDNESDAY, [facility])
    assert run_at(WEDNESDAY + timedelta(days=1)) == 0
    assert run_at(NEXT_WEDNESDAY - timedelta(minutes=1)) == 0
    assert reminders() == []


def test_the_region_editors_are_reminded_at_five_working_days(facility, staff):
    submit_at(WEDNESDAY, [facility])
    assert run_at(NEXT_WEDNESDAY) == 2
    assert reminders() == [(email, EDITORS_SUBJECT) for email in staff["editors"]]


def test_running_the_job_again_sends_nothing_more(facility, staff):
    submit_at(WEDNESDAY, [facility])
    run_at(NEXT_WEDNESDAY)
    assert run_at(NEXT_WEDNESDAY + SECOND) == 0
    assert run_at(NEXT_WEDNESDAY + timedelta(days=2)) == 0
    assert len(reminders()) == 2


def test_the_coordinators_are_reminded_once_at_ten_working_days(facility, staff):
    submit_at(WEDNESDAY, [facility])
    run_at(NEXT_WEDNESDAY)
    assert run_at(WEDNESDAY_AFTER - SECOND) == 0
    assert run_at(WEDNESDAY_AFTER) == 1
    assert run_at(WEDNESDAY_AFTER + timedelta(days=30)) == 0
    assert reminders() == sorted(
        [(email, EDITORS_SUBJECT) for email in staff["editors"]]
        + [(staff["coordinators"][0], COORDINATORS_SUBJECT)]
    )


def test_a_job_that_missed_both_moments_sends_both_reminders_once(facility, staff):
    submit_at(WEDNESDAY, [facility])
    assert run_at(WEDNESDAY_AFTER + timedelta(days=3)) == 3
    assert run_at(WEDNESDAY_AFTER + timedelta(days=4)) == 0
    assert ReminderLog.objects.count() == 2


def test_other_regions_and_viewers_are_never_reminded(
    facility, staff, other_editor, viewer, project_coordinator
):
    submit_at(WEDNESDAY, [facility])
    run_at(WEDNESDAY_AFTER)
    recipients = {to for to, _subject in reminders()}
    assert recipients == {*staff["editors"], *staff["coordinators"]}
    assert not recipients & {other_editor.email, viewer.email, project_coordinator.email}


def test_each_facility_asked_is_reminded_in_its_own_region(facility, staff, skane, other_editor):
    swedish = FacilityFactory(published=True, region=skane, name="Lund Lab")
    submit_at(WEDNESDAY, [facility, swedish])
    run_at(NEXT_WEDNESDAY)
    assert (other_editor.email, "Unanswered for 5 working days: enquiry for Lund Lab") in reminders()
    assert len(reminders()) == 3


def test_a_thread_answered_before_day_five_never_reminds(facility, staff, editor):
    thread = submit_at(WEDNESDAY, [facility])
    with time_machine.travel(NEXT_WEDNESDAY - timedelta(hours=1), tick=False):
        services.thread_reply(thread=thread, user=editor, body="Yes, next month works.")
    assert run_at(NEXT_WEDNESDAY) == 0
    assert run_at(WEDNESDAY_AFTER + timedelta(days=10)) == 0
    assert reminders() == []


def test_an_acknowledged_thread_never_reminds(facility, staff, editor):
    thread = submit_at(WEDNESDAY, [facility])
    with time_machine.travel(WEDNESDAY + timedelta(days=1), tick=False):
        services.thread_transition(thread=thread, user=editor, state=EnquiryThread.State.ACKNOWLEDGED)
    assert run_at(WEDNESDAY_AFTER) == 0


def test_a_withdrawn_enquiry_never_reminds(facility, staff):
    thread = submit_at(WEDNESDAY, [facility])
    with time_machine.travel(WEDNESDAY + timedelta(days=1), tick=False):
        services.enquiry_withdraw(enquiry=thread.enquiry)
    assert run_at(WEDNESDAY_AFTER) == 0


def test_an_answer_between_the_two_reminders_stops_the_second(facility, staff, editor):
    thread = submit_at(WEDNESDAY, [facility])
    run_at(NEXT_WEDNESDAY)
    with time_machine.travel(NEXT_WEDNESDAY + timedelta(days=1), tick=False):
        services.thread_reply(thread=thread, user=editor, body="Sorry for the delay.")
    assert run_at(WEDNESDAY_AFTER) == 0
    assert len(reminders()) == 2


def test_a_saturday_enquiry_counts_from_monday(facility, staff):
    submit_at(SATURDAY, [facility])
    # Monday 9 March 00:00 + 5 working days = Monday 16 March 00:00.
    assert run_at(datetime(2026, 3, 15, 23, 59, 59, tzinfo=UTC)) == 0
    assert run_at(datetime(2026, 3, 16, 0, 0, tzinfo=UTC)) == 2
    assert run_at(datetime(2026, 3, 22, 23, 59, 59, tzinfo=UTC)) == 0
    assert run_at(datetime(2026, 3, 23, 0, 0, tzinfo=UTC)) == 1


def test_the_celery_task_gives_the_same_result(facility, staff):
    submit_at(WEDNESDAY, [facility])
    with time_machine.travel(NEXT_WEDNESDAY - SECOND, tick=False):
        assert send_enquiry_reminders_task.apply().get() == 0
    with time_machine.travel(NEXT_WEDNESDAY, tick=False):
        assert send_enquiry_reminders_task.apply().get() == 2
        assert send_enquiry_reminders_task.apply().get() == 0
    with time_machine.travel(WEDNESDAY_AFTER, tick=False):
        assert send_enquiry_reminders_task.delay().get() == 1
    assert reminders() == sorted(
        [(email, EDITORS_SUBJECT) for email in staff["editors"]]
        + [(staff["coordinators"][0], COORDINATORS_SUBJECT)]
    )
