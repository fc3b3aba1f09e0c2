"""Enquiry tests read the mails their actions send, so Celery runs tasks in-process here
even when REDIS_URL is set (CI); the import tests start a real worker where it matters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from innoinfra.celery import app as celery_app


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved
