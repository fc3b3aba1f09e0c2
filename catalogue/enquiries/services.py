"""Every write to enquiries (STYLE "Shape"): pages, inbox, API and jobs call these.

Each service runs in one transaction and queues its mails in the outbox inside it, so
a failure leaves neither a half-written enquiry nor a mail about one. Permission is the
caller's question (`user.has_perm`); these functions check the state machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogue.enquiries.links import enquiry_url
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread, Facility
from core.dates import add_working_days, months_before
from core.mail import email_queue_template, outbox_erase, reminder_once
from core.models import Membership

State = EnquiryThread.State
Outcome = EnquiryThread.Outcome

MAX_MESSAGE_LENGTH = 5000
# The states a regional partner may move a thread to, from each state. `withdrawn` is
# the requester's alone; a reply to a new or acknowledged thread moves it to discussion.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.NEW: (State.ACKNOWLEDGED, State.IN_DISCUSSION, State.QUOTE_SENT, State.DECLINED, State.CLOSED),
    State.ACKNOWLEDGED: (State.IN_DISCUSSION, State.QUOTE_SENT, State.DECLINED, State.CLOSED),
    State.IN_DISCUSSION: (State.QUOTE_SENT, State.ACCEPTED, State.DECLINED, State.CLOSED),
    State.QUOTE_SENT: (State.IN_DISCUSSION, State.ACCEPTED, State.DECLINED, State.CLOSED),
    State.ACCEPTED: (State.CLOSED,),
    State.DECLINED: (State.IN_DISCUSSION, State.CLOSED),
    State.CLOSED: (State.IN_DISCUSSION,),
    State.WITHDRAWN: (),
}
FINISHED_STATES = (State.DECLINED, State.CLOSED, State.WITHDRAWN)
REMINDER_EDITORS_DAYS = 5
REMINDER_COORDINATOR_DAYS = 10
REMINDER_PERIOD = "first-response"


@dataclass(frozen=True)
class Requester:
    name: str
    email: str
    organisation: str
    organisation_type: str
    country: str


@dataclass(frozen=True)
class EnquiryRequest:
    type: str
    message: str
    wished_start: date | None
    budget_band: str


# --- Submitting -------------------------------------------------------------------------


def enquiry_submit(
    *,
    requester: Requester,
    request: EnquiryRequest,
    facilities: Sequence[Facility],
    consent_text: str,
    language: str = "en",
) -> Enquiry:
    """Record an enquiry to one or several published facilities; mail the SME and the regions."""
    if not facilities:
        raise ValidationError({"facilities": _("Choose at least one facility.")})
    if len(facilities) > settings.ENQUIRY_MAX_FACILITIES:
        raise ValidationError(
            {
                "facilities": _("Ask at most %(n)d facilities at once.")
                % {"n": settings.ENQUIRY_MAX_FACILITIES}
            }
        )
    unpublished = [f.name for f in facilities if f.state != Facility.State.PUBLISHED]
    if unpublished:
        raise ValidationError(
            {"facilities": _("Not open for enquiries: %(names)s.") % {"names": ", ".join(unpublished)}}
        )
    if len(request.message) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"message": _("Keep the message under %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    now = timezone.now()
    with transaction.atomic():
        enquiry = Enquiry(
            name=requester.name,
            email=requester.email,
            organisation=requester.organisation,
            organisation_type=requester.organisation_type,
            country=requester.country.upper(),
            language=language,
            type=request.type,
            message=request.message,
            wished_start=request.wished_start,
            budget_band=request.budget_band,
            consent_at=now,
            consent_text=consent_text,
            last_activity_at=now,
        )
        enquiry.full_clean()
        enquiry.save()
        threads = EnquiryThread.objects.bulk_create(
            [
                EnquiryThread(enquiry=enquiry, facility=f, region_id=f.region_id, last_message_at=now)
                for f in _unique(facilities)
            ]
        )
        with translation.override(language):
            email_queue_template(
                to=[enquiry.email],
                template="enquiry_received",
                context={"enquiry": enquiry, "threads": threads, "link": enquiry_url(enquiry)},
                topic=_topic(enquiry),
            )
        for thread in threads:
            _notify_staff(thread, template="enquiry_new", recipients=_region_staff(thread.region_id))
    return enquiry


def _unique(facilities: Sequence[Facility]) -> list[Facility]:
    seen: dict[int, Facility] = {}
    for facility in facilities:
        seen.setdefault(facility.pk, facility)
    return list(seen.values())


# --- The regional partner's side --------------------------------------------------------


def thread_reply(*, thread: EnquiryThread, user: User, body: str, state: str | None = None) -> EnquiryMessage:
    """A partner's answer: stored in the thread, mailed to the SME, counted as first response."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a reply first.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"body": _("Keep the reply under %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    with transaction.atomic():
        thread = _locked(thread)
        _check_live(thread)
        if thread.state == State.WITHDRAWN:
            raise ValidationError({"body": _("The requester withdrew this enquiry; it cannot be answered.")})
        now = timezone.now()
        message = EnquiryMessage.objects.create(
            thread=thread, author=EnquiryMessage.Author.STAFF, author_user=user, body=body, created_at=now
        )
        new_state = state or (
            State.IN_DISCUSSION if thread.state in (State.NEW, State.ACKNOWLEDGED) else None
        )
        if new_state and new_state != thread.state:
            _move(thread, new_state)
        _responded(thread, user, now)
        thread.last_message_at = now
        thread.save()
        Enquiry.objects.filter(pk=thread.enquiry_id).update(last_activity_at=now)
        _mail_requester(thread, template="enquiry_reply", extra={"message": message})
    return message


def thread_transition(*, thread: EnquiryThread, user: User, state: str, note: str = "") -> EnquiryThread:
    """Move a thread to another state; the SME sees it on the private page and by mail."""
    note = note.strip()
    if len(note) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"note": _("Keep the note under %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    with transaction.atomic():
        thread = _locked(thread)
        _check_live(thread)
        if state == thread.state:
            return thread
        _move(thread, state)
        now = timezone.now()
        _responded(thread, user, now)
        EnquiryMessage.objects.create(
            thread=thread,
            author=EnquiryMessage.Author.STAFF if note else EnquiryMessage.Author.SYSTEM,
            author_user=user,
            body=note or _("Status changed to “%(state)s”.") % {"state": thread.get_state_display()},
            created_at=now,
        )
        thread.last_message_at = now
        thread.save()
        Enquiry.objects.filter(pk=thread.enquiry_id).update(last_activity_at=now)
        _mail_requester(thread, template="enquiry_state", extra={"note": note})
    return thread


def thread_set_outcome(*, thread: EnquiryThread, outcome: str, note: str = "") -> EnquiryThread:
    """Record how the enquiry ended (for the figures); the SME does not see the note."""
    if outcome and outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome from the list.")})
    if len(note.strip()) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"outcome_note": _("Keep the note under %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    with transaction.atomic():
        thread = _locked(thread)
        _check_live(thread)
        thread.outcome = outcome
        thread.outcome_note = note.strip()[:MAX_MESSAGE_LENGTH]
        thread.save(update_fields=["outcome", "outcome_note", "updated_at"])
    return thread


def thread_assign(*, thread: EnquiryThread, assignee: User | None) -> EnquiryThread:
    """Make someone of the region responsible (None: nobody in particular)."""
    if assignee is not None and not assignee.has_perm("catalogue.change_enquirythread", thread):
        raise ValidationError({"assigned_to": _("This person cannot answer this region's enquiries.")})
    with transaction.atomic():
        thread = _locked(thread)
        _check_live(thread)
        thread.assigned_to = assignee
        thread.save(update_fields=["assigned_to", "updated_at"])
    return thread


def thread_update(*, thread: EnquiryThread, user: User, data: dict[str, Any]) -> EnquiryThread:
    """The API's PATCH: state, outcome, outcome note, assignee, through the services above.

    All or nothing: a refused assignee undoes the state change and its mail.
    """
    with transaction.atomic():
        return _thread_update(thread=thread, user=user, data=data)


def _thread_update(*, thread: EnquiryThread, user: User, data: dict[str, Any]) -> EnquiryThread:
    if data.get("note") and data.get("state", thread.state) == thread.state:
        raise ValidationError({"note": _("A note goes with a change of state.")})
    if "state" in data and data["state"] != thread.state:
        thread = thread_transition(thread=thread, user=user, state=data["state"], note=data.get("note", ""))
    if "outcome" in data or "outcome_note" in data:
        thread = thread_set_outcome(
            thread=thread,
            outcome=data.get("outcome", thread.outcome),
            note=data.get("outcome_note", thread.outcome_note),
        )
    if "assigned_to" in data:
        thread = thread_assign(thread=thread, assignee=data["assigned_to"])
    return thread


def _locked(thread: EnquiryThread) -> EnquiryThread:
    return (
        EnquiryThread.objects.select_for_update(of=("self",))
        .select_related("enquiry", "facility")
        .get(pk=thread.pk)
    )


def _check_live(thread: EnquiryThread) -> None:
    if thread.enquiry.anonymised_at is not None:
        raise ValidationError(_("This enquiry was anonymised; it can no longer change."))


def _move(thread: EnquiryThread, state: str) -> None:
    if state not in TRANSITIONS.get(thread.state, ()):
        raise ValidationError(
            {
                "state": _("An enquiry that is “%(from)s” cannot become “%(to)s”.")
                % {
                    "from": thread.get_state_display(),
                    "to": State(state).label if state in State.values else state,
                }
            }
        )
    thread.state = state
    if state in FINISHED_STATES:
        thread.closed_at = timezone.now()
    else:
        thread.closed_at = None


def _responded(thread: EnquiryThread, user: User, now: datetime) -> None:
    if thread.first_response_at is None:
        thread.first_response_at = now
    if thread.assigned_to_id is None:
        thread.assigned_to = user


# --- The requester's side ---------------------------------------------------------------


def requester_may_reply(*, enquiry: Enquiry, thread: EnquiryThread) -> bool:
    """Open threads, and closed ones (writing again reopens them); not declined or withdrawn."""
    return enquiry.withdrawn_at is None and (thread.is_open or thread.state == State.CLOSED)


def enquiry_requester_reply(*, enquiry: Enquiry, thread: EnquiryThread, body: str) -> EnquiryMessage:
    """The SME writes back to one facility from the private page."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"body": _("Keep the message under %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    if thread.enquiry_id != enquiry.pk:
        raise ValidationError(_("This conversation belongs to another enquiry."))
    with transaction.atomic():
        thread = _locked(thread)
        _check_live(thread)
        if not requester_may_reply(enquiry=thread.enquiry, thread=thread):
            raise ValidationError(
                {"body": _("This conversation is finished; it cannot be answered any more.")}
            )
        now = timezone.now()
        message = EnquiryMessage.objects.create(
            thread=thread, author=EnquiryMessage.Author.REQUESTER, body=body, created_at=now
        )
        if thread.state == State.CLOSED:  # a reply reopens the conversation
            _move(thread, State.IN_DISCUSSION)
        thread.last_message_at = now
        thread.save()
        Enquiry.objects.filter(pk=enquiry.pk).update(last_activity_at=now)
        recipients = [thread.assigned_to.email] if thread.assigned_to and thread.assigned_to.email else []
        _notify_staff(
            thread,
            template="enquiry_requester_reply",
            recipients=recipients or _region_staff(thread.region_id),
            extra={"message": message},
        )
    return message


def enquiry_withdraw(*, enquiry: Enquiry) -> int:
    """The SME withdraws the enquiry from every facility still handling it."""
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update(of=("self",)).get(pk=enquiry.pk)
        if enquiry.anonymised_at is not None:
            raise ValidationError(_("This enquiry was anonymised; it can no longer change."))
        now = timezone.now()
        threads = list(
            EnquiryThread.objects.select_for_update(of=("self",))
            .select_related("facility", "assigned_to")
            .filter(enquiry=enquiry)
            .exclude(state__in=FINISHED_STATES)
        )
        for thread in threads:
            thread.state = State.WITHDRAWN
            thread.closed_at = now
            if not thread.outcome:
                thread.outcome = Outcome.WITHDRAWN
            thread.last_message_at = now
            thread.save()
            EnquiryMessage.objects.create(
                thread=thread,
                author=EnquiryMessage.Author.SYSTEM,
                body=_("The requester withdrew the enquiry."),
                created_at=now,
            )
            recipients = [thread.assigned_to.email] if thread.assigned_to and thread.assigned_to.email else []
            # No topic: the notice names the facility and the thread number, nothing of the
            # person, so "Delete my data" (which erases every mail about the enquiry in this
            # same transaction) must not erase the only word staff get of the withdrawal.
            _notify_staff(
                thread,
                template="enquiry_withdrawn",
                recipients=recipients or _region_staff(thread.region_id),
                topic="",
            )
        enquiry.withdrawn_at = enquiry.withdrawn_at or now
        enquiry.last_activity_at = now
        enquiry.save(update_fields=["withdrawn_at", "last_activity_at", "updated_at"])
    return len(threads)


def enquiry_request_deletion(*, enquiry: Enquiry) -> Enquiry:
    """The SME asks to be forgotten: withdraw what is open, then anonymise at once."""
    with transaction.atomic():
        enquiry_withdraw(enquiry=enquiry)
        Enquiry.objects.filter(pk=enquiry.pk).update(deletion_requested_at=timezone.now())
        return enquiry_anonymise(enquiry=enquiry)


# --- Privacy ----------------------------------------------------------------------------


def enquiry_anonymise(*, enquiry: Enquiry) -> Enquiry:
    """Drop the person and the words; keep what the figures count.

    Kept: facilities, regions, dates, states, first responses, outcomes, and the coarse
    fields (type, organisation type, country, budget band), so `enquiry_figures` reads
    exactly the same rows after it. Gone: name, email, organisation, every message and
    note. The private link stops working. A thread still open stays open: closing it
    here would invent an outcome nobody recorded.
    """
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update(of=("self",)).get(pk=enquiry.pk)
        if enquiry.anonymised_at is not None:
            return enquiry
        now = timezone.now()
        enquiry.name = ""
        enquiry.email = ""
        enquiry.organisation = ""
        enquiry.message = ""
        enquiry.link_nonce = ""  # no token matches an empty nonce and an anonymised enquiry
        enquiry.anonymised_at = now
        enquiry.save()
        EnquiryMessage.objects.filter(thread__enquiry=enquiry).update(body="")
        EnquiryThread.objects.filter(enquiry=enquiry).update(outcome_note="", updated_at=now)
        # The mails about it hold the same words and addresses, sent or still waiting.
        outbox_erase(topic=_topic(enquiry))
    return enquiry


def enquiries_anonymise_due(*, now: datetime | None = None) -> int:
    """The retention job: anonymise enquiries quiet for `ENQUIRY_RETENTION_MONTHS`."""
    now = now or timezone.now()
    cutoff = months_before(now, settings.ENQUIRY_RETENTION_MONTHS)
    due = Enquiry.objects.filter(anonymised_at__isnull=True, last_activity_at__lt=cutoff).values_list(
        "pk", flat=True
    )
    count = 0
    for pk in list(due.iterator()):
        enquiry_anonymise(enquiry=Enquiry(pk=pk))
        count += 1
    return count


# --- Reminders --------------------------------------------------------------------------


def enquiry_reminders_send(*, now: datetime | None = None) -> int:
    """Unanswered threads: the region's editors after 5 working days, its coordinators after 10.

    Each reminder goes once per thread (`core.mail.reminder_once`), whenever and however
    often the beat job runs.
    """
    now = now or timezone.now()
    candidates = (
        EnquiryThread.objects.filter(
            first_response_at__isnull=True,
            state=State.NEW,
            enquiry__anonymised_at__isnull=True,
            created_at__lte=now - timedelta(days=REMINDER_EDITORS_DAYS),
        )
        .select_related("enquiry", "facility", "region")
        .order_by("created_at")
    )
    queued = 0
    for thread in candidates:
        for days, kind, roles in (
            (REMINDER_EDITORS_DAYS, "enquiry-unanswered-editors", (Membership.Role.EDITOR,)),
            (REMINDER_COORDINATOR_DAYS, "enquiry-unanswered-coordinators", (Membership.Role.COORDINATOR,)),
        ):
            if add_working_days(thread.created_at, days) > now:
                continue
            with transaction.atomic():
                if not reminder_once(kind=kind, subject=f"thread:{thread.pk}", period=REMINDER_PERIOD):
                    continue
                recipients = _region_staff(thread.region_id, roles=roles)
                _notify_staff(
                    thread, template="enquiry_reminder", recipients=recipients, extra={"working_days": days}
                )
                queued += len(recipients)
    return queued


# --- Mail helpers -----------------------------------------------------------------------


def _region_staff(
    region_id: int, roles: Sequence[str] = (Membership.Role.EDITOR, Membership.Role.COORDINATOR)
) -> list[str]:
    """The addresses of a region's active editors and coordinators (each once)."""
    emails = (
        Membership.objects.filter(region_id=region_id, role__in=roles, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )
    return list(emails)


def _notify_staff(
    thread: EnquiryThread,
    *,
    template: str,
    recipients: list[str],
    extra: dict[str, Any] | None = None,
    topic: str | None = None,
) -> None:
    """Mail the region's staff; the mail is erased with the enquiry unless `topic=""`."""
    from django.urls import reverse

    inbox_url = settings.SITE_URL + reverse("enquiries:thread", kwargs={"thread_id": thread.pk})
    # In the portal's language, not the one the SME happened to browse in.
    with translation.override(settings.LANGUAGE_CODE):
        for email in recipients:  # one mail each: staff addresses are not shown to each other
            email_queue_template(
                to=[email],
                template=template,
                context={
                    "thread": thread,
                    "enquiry": thread.enquiry,
                    "inbox_url": inbox_url,
                    **(extra or {}),
                },
                topic=_topic(thread.enquiry) if topic is None else topic,
            )


def _mail_requester(thread: EnquiryThread, *, template: str, extra: dict[str, Any]) -> None:
    enquiry = thread.enquiry
    if not enquiry.email:
        return
    with translation.override(enquiry.language):
        email_queue_template(
            to=[enquiry.email],
            template=template,
            context={"thread": thread, "enquiry": enquiry, "link": enquiry_url(enquiry), **extra},
            topic=_topic(enquiry),
        )


def _topic(enquiry: Enquiry) -> str:
    return f"enquiry:{enquiry.pk}"
