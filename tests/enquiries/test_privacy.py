"""Retention and figures: anonymisation drops the person and keeps what the figures count.

`enquiries_anonymise_due` (the retention job), `enquiry_anonymise`, `outbox_purge`,
`apply_retention_task`, and `selectors.enquiry_figures` checked against a brute-force count.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.db.models import CharField, Q, TextField

from catalogue.enquiries import selectors, services
from catalogue.enquiries.links import enquiry_token
from catalogue.enquiries.services import EnquiryRequest, Requester
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread, Facility
from catalogue.tasks import apply_retention_task
from core.dates import months_before
from core.mail import email_queue, outbox_purge
from core.models import OutboxEmail, Region
from tests.factories import FacilityFactory, MembershipFactory, region

State = EnquiryThread.State
Outcome = EnquiryThread.Outcome
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
SME_EMAIL = "karin.lindqvist@example.com"
SME_NAME = "Karin Lindqvist"
SME_ORGANISATION = "Lindqvist Sensorteknik AB"


def submit_at(
    moment: datetime, facilities: list[Facility], email: str = SME_EMAIL, name: str = SME_NAME
) -> Enquiry:
    with time_machine.travel(moment, tick=False):
        return services.enquiry_submit(
            requester=Requester(
                name=name,
                email=email,
                organisation=SME_ORGANISATION,
                organisation_type=Enquiry.OrganisationType.START_UP,
                country="SE",
            ),
            request=EnquiryRequest(
                type=Enquiry.Type.QUOTE,
                message=f"Please quote a humidity test. Write to {email} or call +46 70 123 45 67.",
                wished_start=date(2026, 9, 1),
                budget_band=Enquiry.BudgetBand.UNDER_5K,
            ),
            facilities=facilities,
            consent_text="I agree that my enquiry is shared with the facilities I chose.",
        )


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def facilities(flanders, skane) -> list[Facility]:
    return [
        FacilityFactory(published=True, region=flanders, name="Leuven Climate Chamber"),
        FacilityFactory(published=True, region=skane, name="Malmö Sensor Lab"),
    ]


# --- The retention job --------------------------------------------------------------------


def test_an_enquiry_quiet_for_24_months_and_a_day_is_anonymised(facilities):
    due = submit_at(months_before(NOW, 24) - timedelta(days=1), facilities[:1])
    assert services.enquiries_anonymise_due(now=NOW) == 1
    due.refresh_from_db()
    assert due.anonymised_at is not None
    assert (due.name, due.email) == ("", "")


def test_an_enquiry_quiet_for_23_months_is_kept(facilities):
    kept = submit_at(months_before(NOW, 23), facilities[:1])
    with at(NOW):
        assert services.enquiries_anonymise_due() == 0
    kept.refresh_from_db()
    assert (kept.anonymised_at, kept.email) == (None, SME_EMAIL)


def test_activity_counts_from_the_last_message_not_the_submission(facilities, editor):
    enquiry = submit_at(months_before(NOW, 30), facilities[:1])
    with at(months_before(NOW, 20)):
        services.thread_reply(thread=enquiry.threads.get(), user=editor, body="Still interested?")
    assert services.enquiries_anonymise_due(now=NOW) == 0
    enquiry.refresh_from_db()
    assert enquiry.anonymised_at is None


def test_the_retention_period_is_configurable(facilities, settings):
    settings.ENQUIRY_RETENTION_MONTHS = 12
    due = submit_at(months_before(NOW, 12) - timedelta(days=1), facilities[:1])
    kept = submit_at(months_before(NOW, 11), facilities[:1], email="other.person@example.com")
    assert services.enquiries_anonymise_due(now=NOW) == 1
    due.refresh_from_db()
    kept.refresh_from_db()
    assert (due.anonymised_at is not None, kept.anonymised_at is None) == (True, True)


def test_the_retention_job_is_idempotent(facilities):
    submit_at(months_before(NOW, 25), facilities[:1])
    assert services.enquiries_anonymise_due(now=NOW) == 1
    assert services.enquiries_anonymise_due(now=NOW) == 0


# --- What anonymisation drops and keeps ---------------------------------------------------


@pytest.fixture
def lived_enquiry(facilities, editor, other_editor) -> Enquiry:
    """Two years ago: one facility answered, quoted and closed it; the other never answered."""
    start = months_before(NOW, 25)
    enquiry = submit_at(start, facilities)
    answered = enquiry.threads.get(facility=facilities[0])
    with at(start + timedelta(hours=5)):
        services.thread_reply(
            thread=answered, user=editor, body=f"Dear {SME_NAME}, yes: we mail {SME_EMAIL}."
        )
    with at(start + timedelta(days=2)):
        services.enquiry_requester_reply(
            enquiry=enquiry, thread=answered, body=f"Great, {SME_ORGANISATION} agrees. {SME_EMAIL}"
        )
        services.thread_transition(
            thread=answered, user=editor, state=State.QUOTE_SENT, note=f"Quote for {SME_NAME}"
        )
        services.thread_transition(thread=answered, user=editor, state=State.CLOSED)
        services.thread_set_outcome(
            thread=answered, outcome=Outcome.SERVICE_DELIVERED, note=f"Invoice to {SME_EMAIL}"
        )
    return enquiry


def test_anonymisation_drops_the_person_and_every_word(lived_enquiry):
    services.enquiry_anonymise(enquiry=lived_enquiry)
    lived_enquiry.refresh_from_db()
    assert (lived_enquiry.name, lived_enquiry.email, lived_enquiry.organisation, lived_enquiry.message) == (
        "",
        "",
        "",
        "",
    )
    assert set(
        EnquiryMessage.objects.filter(thread__enquiry=lived_enquiry).values_list("body", flat=True)
    ) == {""}
    assert set(lived_enquiry.threads.values_list("outcome_note", flat=True)) == {""}


def test_anonymisation_keeps_what_the_figures_and_statistics_need(lived_enquiry, facilities):
    before = Enquiry.objects.values("type", "organisation_type", "country", "budget_band", "created_at").get(
        pk=lived_enquiry.pk
    )
    threads_before = list(
        lived_enquiry.threads.order_by("pk").values("facility", "region", "created_at", "first_response_at")
    )
    services.enquiry_anonymise(enquiry=lived_enquiry)
    after = Enquiry.objects.values("type", "organisation_type", "country", "budget_band", "created_at").get(
        pk=lived_enquiry.pk
    )
    assert after == before
    assert (
        list(
            lived_enquiry.threads.order_by("pk").values(
                "facility", "region", "created_at", "first_response_at"
            )
        )
        == threads_before
    )
    assert EnquiryMessage.objects.filter(thread__enquiry=lived_enquiry).count() == 4


def test_anonymisation_keeps_states_and_outcomes_as_they_were(lived_enquiry):
    def states():
        return {
            t.pk: (t.state, t.outcome, t.closed_at, t.first_response_at) for t in lived_enquiry.threads.all()
        }

    before = states()
    with at(NOW):
        services.enquiry_anonymise(enquiry=lived_enquiry)
    assert states() == before
    assert any(state in EnquiryThread.OPEN_STATES for state, *_rest in before.values())


def test_anonymisation_revokes_the_private_link(lived_enquiry):
    public_id, token = str(lived_enquiry.public_id), enquiry_token(lived_enquiry)
    assert selectors.enquiry_by_link(public_id=public_id, token=token) == lived_enquiry
    services.enquiry_anonymise(enquiry=lived_enquiry)
    assert selectors.enquiry_by_link(public_id=public_id, token=token) is None


def _rows_mentioning(*needles: str) -> dict[str, int]:
    """Every table's rows whose text columns contain any needle, outbox aside."""
    found = {}
    for model in apps.get_models():
        if model is OutboxEmail or model._meta.proxy or not model._meta.managed:
            continue
        text_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, CharField | TextField)]
        if not text_fields:
            continue
        condition = Q()
        for field in text_fields:
            for needle in needles:
                condition |= Q(**{f"{field}__icontains": needle})
        count = model._default_manager.filter(condition).count()
        if count:
            found[model._meta.label] = count
    return found


def test_no_table_and_no_mail_holds_the_person_after_anonymisation(lived_enquiry):
    mentions = _rows_mentioning(SME_EMAIL, SME_NAME, SME_ORGANISATION)
    assert {"catalogue.Enquiry", "catalogue.EnquiryMessage", "catalogue.EnquiryThread"} <= set(mentions)
    # Before: the mails about it exist, to the SME and naming them to the partners.
    about = OutboxEmail.objects.filter(topic=f"enquiry:{lived_enquiry.pk}")
    assert about.filter(to=[SME_EMAIL]).exists()
    assert about.exclude(to=[SME_EMAIL]).filter(body__icontains=SME_NAME).exists()
    services.enquiry_anonymise(enquiry=lived_enquiry)
    assert _rows_mentioning(SME_EMAIL, SME_NAME, SME_ORGANISATION) == {}
    # The mails about it go too: the SME's copies and the partners' notices.
    assert not OutboxEmail.objects.filter(topic=f"enquiry:{lived_enquiry.pk}").exists()
    assert not OutboxEmail.objects.filter(
        Q(to=[SME_EMAIL]) | Q(body__icontains=SME_NAME) | Q(body__icontains=SME_ORGANISATION)
    ).exists()


def test_anonymisation_keeps_the_figures_exactly(facilities, editor, other_editor):
    """Finished conversations (answered, declined, withdrawn) count the same after anonymisation."""
    start = months_before(NOW, 26)
    quick = submit_at(start, facilities)
    for n, thread in enumerate(quick.threads.order_by("pk")):
        user = editor if thread.region.code == "flanders" else other_editor
        with at(start + timedelta(hours=3 + 20 * n)):
            services.thread_reply(thread=thread, user=user, body="Answer")
            services.thread_transition(thread=thread, user=user, state=State.DECLINED)
            services.thread_set_outcome(thread=thread, outcome=Outcome.NOT_FEASIBLE, note="Too big")
    withdrawn = submit_at(start + timedelta(days=40), facilities[:1], email="withdrawer@example.com")
    with at(start + timedelta(days=41)):
        services.enquiry_withdraw(enquiry=withdrawn)
    closed = submit_at(start + timedelta(days=45), facilities[1:], email="closer@example.com")
    with at(start + timedelta(days=46, hours=1)):
        services.thread_transition(thread=closed.threads.get(), user=other_editor, state=State.CLOSED)
        services.thread_set_outcome(thread=closed.threads.get(), outcome=Outcome.REFERRED)

    before = selectors.enquiry_figures()
    assert services.enquiries_anonymise_due(now=NOW) == 3
    assert Enquiry.objects.filter(anonymised_at__isnull=True).count() == 0
    assert selectors.enquiry_figures() == before
    assert sum(row.enquiries for row in before) == 4


def test_anonymising_open_threads_keeps_the_figures_exactly(lived_enquiry):
    before = selectors.enquiry_figures()
    services.enquiry_anonymise(enquiry=lived_enquiry)
    assert selectors.enquiry_figures() == before
    assert sum(row.open for row in before) >= 1


# --- The outbox and the retention task ----------------------------------------------------


def _mail(status: str, age: timedelta, now: datetime) -> OutboxEmail:
    email = email_queue(to=["someone@example.org"], subject=f"{status} {age.days}", body="words")
    OutboxEmail.objects.filter(pk=email.pk).update(status=status, updated_at=now - age)
    return email


def test_outbox_purge_deletes_old_sent_and_failed_mail_and_keeps_pending(settings, db):
    settings.OUTBOX_KEEP_DAYS = 30
    old_sent = _mail(OutboxEmail.Status.SENT, timedelta(days=31), NOW)
    old_failed = _mail(OutboxEmail.Status.FAILED, timedelta(days=60), NOW)
    old_pending = _mail(OutboxEmail.Status.PENDING, timedelta(days=400), NOW)
    recent_sent = _mail(OutboxEmail.Status.SENT, timedelta(days=29), NOW)
    assert outbox_purge(now=NOW) == 2
    remaining = set(OutboxEmail.objects.values_list("pk", flat=True))
    assert remaining == {old_pending.pk, recent_sent.pk}
    assert not remaining & {old_sent.pk, old_failed.pk}


def test_outbox_purge_uses_the_default_keep_days(settings, db):
    assert settings.OUTBOX_KEEP_DAYS == 90
    _mail(OutboxEmail.Status.SENT, timedelta(days=91), NOW)
    kept = _mail(OutboxEmail.Status.SENT, timedelta(days=89), NOW)
    assert outbox_purge(now=NOW) == 1
    assert list(OutboxEmail.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_retention_task_anonymises_and_purges(facilities):
    due = submit_at(months_before(NOW, 24) - timedelta(days=1), facilities[:1])
    kept = submit_at(months_before(NOW, 23), facilities[:1], email="recent.sme@example.com")
    # The confirmations went out when the enquiries came in; the recent one is still kept.
    OutboxEmail.objects.update(status=OutboxEmail.Status.SENT, updated_at=NOW - timedelta(days=300))
    OutboxEmail.objects.filter(to=["recent.sme@example.com"]).update(updated_at=NOW - timedelta(days=10))
    old_unrelated = email_queue(to=["partner@example.org"], subject="Old news", body="words")
    OutboxEmail.objects.filter(pk=old_unrelated.pk).update(
        status="sent", updated_at=NOW - timedelta(days=300)
    )
    with at(NOW):
        result = apply_retention_task.apply().get()
    # The due enquiry's own mails went with it; the purge took the old unrelated one.
    assert result == {"enquiries_anonymised": 1, "mails_deleted": 1}
    assert not OutboxEmail.objects.filter(pk=old_unrelated.pk).exists()
    due.refresh_from_db()
    kept.refresh_from_db()
    assert (due.email, kept.email) == ("", "recent.sme@example.com")
    assert not OutboxEmail.objects.filter(to=[SME_EMAIL]).exists()


# --- Figures against a brute-force count --------------------------------------------------


@dataclass
class Made:
    region_id: int
    created_at: datetime
    first_response_at: datetime | None
    state: str
    outcome: str


def _brute_force(made: list[Made], region_ids: set[int] | None = None) -> list[tuple]:
    names = dict(Region.objects.values_list("pk", "name"))
    groups: dict[tuple[int, date], list[Made]] = defaultdict(list)
    for m in made:
        if region_ids is None or m.region_id in region_ids:
            groups[(m.region_id, m.created_at.date().replace(day=1))].append(m)
    rows = []
    for (region_id, month), items in groups.items():
        responses = [
            (m.first_response_at - m.created_at).total_seconds() for m in items if m.first_response_at
        ]
        rows.append(
            (
                names[region_id],
                month,
                region_id,
                len(items),
                len(responses),
                sum(m.state in EnquiryThread.OPEN_STATES for m in items),
                timedelta(seconds=statistics.median(responses)) if responses else None,
                dict(Counter(m.outcome for m in items if m.outcome)),
            )
        )
    return sorted(rows, key=lambda row: (row[0], row[1]))


def _as_rows(figures: list[selectors.MonthFigures]) -> list[tuple]:
    return [
        (
            f.region_name,
            f.month,
            f.region_id,
            f.enquiries,
            f.answered,
            f.open,
            f.median_first_response,
            f.outcomes,
        )
        for f in figures
    ]


@pytest.fixture
def random_threads(db) -> list[Made]:
    """About 30 threads over three regions and three months, answered (or not) at random."""
    rng = random.Random(20260615)
    regions = [region("flanders"), region("skane"), region("tartu")]
    pool = {r.pk: [FacilityFactory(published=True, region=r) for _ in range(2)] for r in regions}
    staff = {r.pk: MembershipFactory(user__username=f"editor-{r.code}", region=r).user for r in regions}
    made: list[Made] = []
    for n in range(22):
        arrived = datetime(
            2026, 1 + rng.randrange(3), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), tzinfo=UTC
        )
        chosen_regions = rng.sample(regions, 2) if rng.random() < 0.3 else [rng.choice(regions)]
        facilities = [rng.choice(pool[r.pk]) for r in chosen_regions]
        enquiry = submit_at(arrived, facilities, email=f"sme{n}@example.com", name=f"SME {n}")
        for thread in enquiry.threads.order_by("pk"):
            thread.refresh_from_db()
            if thread.state == State.WITHDRAWN:  # the SME withdrew while another facility was asked
                continue
            first_response = None
            fate = rng.choice(["silent", "reply", "reply", "acknowledge", "decline", "withdraw"])
            user = staff[thread.region_id]
            if fate in ("reply", "acknowledge", "decline"):
                first_response = arrived + timedelta(seconds=rng.randint(60, 20 * 86400))
                with at(first_response):
                    if fate == "reply":
                        services.thread_reply(thread=thread, user=user, body="Yes")
                    elif fate == "acknowledge":
                        services.thread_transition(thread=thread, user=user, state=State.ACKNOWLEDGED)
                    else:
                        services.thread_transition(thread=thread, user=user, state=State.DECLINED)
                if rng.random() < 0.6:
                    with at(first_response + timedelta(days=rng.randint(1, 30))):
                        if fate != "decline" and rng.random() < 0.5:
                            services.thread_transition(thread=thread, user=user, state=State.CLOSED)
                        services.thread_set_outcome(thread=thread, outcome=rng.choice(Outcome.values))
            elif fate == "withdraw" and rng.random() < 0.5:
                with at(arrived + timedelta(days=1)):
                    thread.refresh_from_db()
                    if thread.state == State.NEW:
                        services.enquiry_withdraw(enquiry=enquiry)
        for thread in enquiry.threads.order_by("pk"):
            made.append(
                Made(thread.region_id, arrived, thread.first_response_at, thread.state, thread.outcome)
            )
    return made


def test_the_random_threads_cover_three_regions_months_and_every_kind_of_answer(random_threads):
    assert 25 <= len(random_threads) <= 40
    assert len({m.region_id for m in random_threads}) == 3
    assert len({m.created_at.month for m in random_threads}) == 3
    assert {m.first_response_at is None for m in random_threads} == {True, False}
    assert {m.state in EnquiryThread.OPEN_STATES for m in random_threads} == {True, False}
    assert len({m.outcome for m in random_threads}) >= 4


def test_the_figures_match_a_brute_force_count(random_threads):
    assert _as_rows(selectors.enquiry_figures()) == _brute_force(random_threads)


def test_the_figures_of_some_regions(random_threads):
    flanders, tartu = region("flanders"), region("tartu")
    figures = selectors.enquiry_figures(region_ids=[flanders.pk, tartu.pk])
    assert _as_rows(figures) == _brute_force(random_threads, {flanders.pk, tartu.pk})
    assert {f.region_id for f in figures} == {flanders.pk, tartu.pk}


def test_the_figures_between_two_dates(random_threads):
    figures = selectors.enquiry_figures(since=date(2026, 2, 1), until=date(2026, 2, 28))
    expected = [row for row in _brute_force(random_threads) if row[1] == date(2026, 2, 1)]
    assert _as_rows(figures) == expected
    assert figures


def test_the_figures_of_no_enquiries_are_empty(db):
    assert selectors.enquiry_figures() == []
