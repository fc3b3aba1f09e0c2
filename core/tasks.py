from __future__ import annotations

from celery import shared_task

from core.mail import outbox_due_ids, outbox_send


@shared_task(
    name="core.send_email",
    acks_late=True,  # idempotent: a sent mail is skipped
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def send_email_task(email_id: int) -> bool:
    return outbox_send(email_id=email_id)


@shared_task(name="core.send_outbox", soft_time_limit=300, time_limit=360)
def send_outbox_task() -> int:
    """Beat job: hand every due outbox mail to a worker (mail that missed its task)."""
    ids = outbox_due_ids()
    for email_id in ids:
        send_email_task.delay(email_id)
    return len(ids)
