from __future__ import annotations

from celery import shared_task

from catalogue.services import search_words_rebuild


@shared_task(name="catalogue.rebuild_search_words", soft_time_limit=600, time_limit=660)
def rebuild_search_words_task() -> int:
    return search_words_rebuild()


@shared_task(
    name="catalogue.run_import",
    # Idempotent (all-or-nothing, matched by id or slug): a task lost with its worker is run again.
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=45 * 60,
    time_limit=50 * 60,
)
def run_import_task(job_id: int) -> str:
    from catalogue.imports.services import import_job_run
    from core.memory import release_free_memory

    try:
        job = import_job_run(job_id=job_id)
    finally:
        release_free_memory()  # the worker runs the next job at one file's peak, not the sum
    return job.status if job else "missing"


@shared_task(name="catalogue.send_weekly_digest", soft_time_limit=600, time_limit=660)
def send_weekly_digest_task() -> int:
    from catalogue.reminders import weekly_digest_send

    return weekly_digest_send()


@shared_task(name="catalogue.send_enquiry_reminders", soft_time_limit=600, time_limit=660)
def send_enquiry_reminders_task() -> int:
    from catalogue.enquiries.services import enquiry_reminders_send

    return enquiry_reminders_send()


@shared_task(name="catalogue.apply_retention", soft_time_limit=1800, time_limit=1900)
def apply_retention_task() -> dict[str, int]:
    from catalogue.enquiries.services import enquiries_anonymise_due
    from core.mail import outbox_purge

    return {"enquiries_anonymised": enquiries_anonymise_due(), "mails_deleted": outbox_purge()}
