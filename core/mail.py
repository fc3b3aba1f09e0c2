"""The email outbox: queueing in the caller's transaction, sending with retries.

Every mail of the portal goes through `email_queue` (ARCHITECTURE §7).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import OutboxEmail, ReminderLog

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def email_queue(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    reply_to: str = "",
    topic: str = "",
) -> OutboxEmail:
    """Write a mail to the outbox; it is sent after the surrounding transaction commits."""
    email = OutboxEmail.objects.create(
        to=to,
        subject=subject.replace("\n", " ").strip()[:255],
        body=body,
        html_body=html_body,
        reply_to=reply_to,
        topic=topic,
    )
    transaction.on_commit(lambda: _enqueue(email.pk), robust=True)
    return email


def email_queue_template(
    *, to: list[str], template: str, context: dict[str, Any], reply_to: str = "", topic: str = ""
) -> OutboxEmail:
    """`templates/emails/<template>_subject.txt`, `.txt` and (if present) `.html`."""
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    body = render_to_string(f"emails/{template}.txt", context)
    html: str = ""
    with contextlib.suppress(TemplateDoesNotExist):  # a text-only mail
        html = render_to_string(f"emails/{template}.html", context)
    return email_queue(to=to, subject=subject, body=body, html_body=html, reply_to=reply_to, topic=topic)


def _enqueue(email_id: int) -> None:
    # A broker outage must not fail the request: the beat job picks the mail up later.
    from core.tasks import send_email_task

    send_email_task.delay(email_id)


def outbox_send(*, email_id: int) -> bool:
    """Send one pending mail. Idempotent: a sent or locked mail is left alone."""
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboxEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return False
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=email.to,
            reply_to=[email.reply_to] if email.reply_to else None,
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        email.attempts += 1
        try:
            message.send()
        except OSError as exc:  # SMTP errors and refused connections: retry later, never lose the mail
            email.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboxEmail.Status.FAILED
                logger.error("Giving up on outbox mail %s after %s attempts", email.pk, email.attempts)
            else:
                email.next_attempt_at = timezone.now() + timedelta(minutes=2**email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "updated_at"])
            return False
        email.status = OutboxEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error", "updated_at"])
        return True


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    """Pending mails whose next attempt is due (or that were never tried)."""
    now = timezone.now()
    return list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_flush(*, limit: int = 500) -> tuple[int, int]:
    """Send every due mail now: (sent, still pending or failed)."""
    sent = failed = 0
    for email_id in outbox_due_ids(limit=limit):
        if outbox_send(email_id=email_id):
            sent += 1
        else:
            failed += 1
    return sent, failed


def reminder_once(*, kind: str, subject: str, period: str) -> bool:
    """Record a reminder; False when this one was already sent for this period."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(kind=kind, subject=subject[:200], period=period)
    except IntegrityError:
        return False
    return True


def outbox_erase(*, topic: str) -> int:
    """Delete every mail about one record, sent or not: what erasing the record asks."""
    deleted, _by_model = OutboxEmail.objects.filter(topic=topic).delete()
    return deleted


def outbox_purge(*, now: datetime | None = None) -> int:
    """Delete sent and failed mails older than `OUTBOX_KEEP_DAYS`: they hold addresses and words."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _by_model = (
        OutboxEmail.objects.exclude(status=OutboxEmail.Status.PENDING).filter(updated_at__lt=cutoff).delete()
    )
    return deleted
