"""The email outbox behind the import mails (ARCHITECTURE §7): written in the business
transaction, never lost when Redis or the mail server is down, retried by `send_outbox`.

The broker outage is real: the Celery app publishes to a closed port (127.0.0.1:1), and
the failing mail server is a real SMTP connection to the same closed port. Nothing is
mocked; Django's locmem mail backend is the test mailbox.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction

from core import mail as outbox
from core.models import OutboxEmail, ReminderLog
from innoinfra.celery import app as celery_app

CLOSED = "redis://127.0.0.1:1/0"


class Rollback(Exception):
    pass


@pytest.fixture
def broker_down() -> Iterator[None]:
    """The project's Celery app publishing to a port where nothing listens."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=CLOSED, task_always_eager=False)
    _drop_connections()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _drop_connections()


def _drop_connections() -> None:
    # The producer pool keeps connections to the broker it first used.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _queue_one() -> OutboxEmail:
    return outbox.email_queue(to=["editor@example.org"], subject="Import finished", body="Done.")


def _queue_and_roll_back() -> None:
    with transaction.atomic():
        _queue_one()
        raise Rollback


@pytest.mark.django_db
def test_a_mail_queued_in_a_transaction_that_rolls_back_is_not_written(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Rollback):
        _queue_and_roll_back()

    assert not OutboxEmail.objects.exists()
    assert callbacks == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_the_transaction_commits_and_the_mail_waits(broker_down, caplog):
    with transaction.atomic():
        email = _queue_one()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING
    assert email.attempts == 0
    assert "in on_commit()" in caplog.text
    assert "Connection refused" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_outbox_sends_what_the_broker_could_not_take(broker_down):
    with transaction.atomic():
        email = _queue_one()

    call_command("send_outbox")

    email.refresh_from_db()
    assert [m.subject for m in mail.outbox] == ["Import finished"]
    assert email.status == OutboxEmail.Status.SENT


@pytest.mark.django_db
def test_a_failing_mail_server_keeps_the_mail_for_a_later_attempt(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    email = _queue_one()

    assert outbox.outbox_send(email_id=email.pk) is False

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 1)
    assert email.next_attempt_at is not None
    assert "ConnectionRefusedError" in email.last_error


@pytest.mark.django_db
def test_a_sent_mail_is_not_sent_again():
    email = _queue_one()

    first, second = outbox.outbox_send(email_id=email.pk), outbox.outbox_send(email_id=email.pk)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_reminder_fires_once_per_subject_and_period():
    first = outbox.reminder_once(kind="stale-entry", subject="facility:7", period="2026-W48")
    second = outbox.reminder_once(kind="stale-entry", subject="facility:7", period="2026-W48")
    next_week = outbox.reminder_once(kind="stale-entry", subject="facility:7", period="2026-W49")

    assert (first, second, next_week) == (True, False, True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reminder_called_concurrently_fires_once():
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def remind() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(outbox.reminder_once(kind="report-due", subject="plan:3", period="2026-Q4"))
        finally:
            connection.close()

    threads = [threading.Thread(target=remind) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(results) == [False, False, False, True]
    assert ReminderLog.objects.filter(kind="report-due").count() == 1
