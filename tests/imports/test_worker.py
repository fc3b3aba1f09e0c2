"""Imports through a real Celery worker on Redis (ARCHITECTURE §7 and §10).

No eager mode here: without a reachable Redis these tests are skipped, visibly. The tests
are transactional, so that the worker (its own database connection) sees the job.

- A worker thread (`celery.contrib.testing.worker.start_worker`) of the project's app
  carries out a confirmed import.
- A worker process is killed (SIGKILL) while the import's transaction is open: nothing
  of the job is in the catalogue; a second worker process, given the task again, imports
  every row exactly once. (With acks_late Redis would redeliver the lost task itself, but
  only after the visibility timeout of an hour, so the test sends it again.)

Both use a queue of their own on the shared Redis, and the worker process a cache key
prefix of its own, so that other test runs' workers and progress never mix with these.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connection, connections, transaction

from catalogue.imports import services
from catalogue.models import Facility, ImportJob
from catalogue.tasks import run_import_task
from innoinfra.celery import app as celery_app
from tests.imports import CACHE_PREFIX, csv_bytes

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

POLL = 0.05
# Runs the project's Celery app as `celery -A innoinfra worker` would, on the test's queue
# and with the test's cache prefix (settings read neither from the environment).
WORKER_SCRIPT = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innoinfra.settings")
from django.conf import settings
settings.CACHES["default"]["KEY_PREFIX"] = os.environ["TEST_CACHE_PREFIX"]
from innoinfra.celery import app
if os.environ.get("TEST_PAUSE_AFTER_PROGRESS"):
    # Hold the import's transaction open after its first batch, for the test to kill it there.
    import time
    import django
    django.setup()
    from catalogue.imports import engine, services
    engine.BATCH_SIZE = int(os.environ.get("TEST_BATCH_SIZE") or engine.BATCH_SIZE)
    execute_plan = services.execute_plan
    def paused(*args, progress, **kwargs):
        def report(n):
            progress(n)
            time.sleep(float(os.environ["TEST_PAUSE_AFTER_PROGRESS"]))
        return execute_plan(*args, progress=report, **kwargs)
    services.execute_plan = paused
app.conf.task_default_queue = os.environ["TEST_QUEUE"]
app.conf.worker_enable_remote_control = False
app.worker_main(["worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO",
                 "--without-heartbeat", "--without-mingle", "--without-gossip",
                 "--queues", os.environ["TEST_QUEUE"], "--hostname", os.environ["TEST_QUEUE"] + "@%h"])
"""


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    if not url:
        pytest.skip("Redis not reachable at REDIS_URL: REDIS_URL is not set")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at REDIS_URL: {url}: {exc}")
    return url


@pytest.fixture
def queue(redis_url: str) -> Iterator[str]:
    """The project's Celery app, publishing to a queue of this test only."""
    name = f"innoinfra-test-imports-{uuid.uuid4().hex[:12]}"
    keys = (
        "broker_url",
        "task_always_eager",
        "task_default_queue",
        "worker_enable_remote_control",
        "worker_hijack_root_logger",
    )
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        broker_url=redis_url,
        task_always_eager=False,
        task_default_queue=name,
        worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
    )
    _forget_broker_state()
    try:
        yield name
    finally:
        celery_app.conf.update(saved)
        _forget_broker_state()
        _delete_queue(redis_url, name)


def _forget_broker_state() -> None:
    # Queues, routes and connections are cached from the configuration at first use.
    celery_app.__dict__.pop("amqp", None)
    celery_app._pool = None


def _delete_queue(url: str, name: str) -> None:
    """Remove the test's queue, exchange bindings and what a killed worker left unacknowledged."""
    client = redis.Redis.from_url(url)
    for tag, payload in client.hscan_iter("unacked"):
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == name:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    # The name is unique to this test: every key holding it is this test's.
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)


def _wait(predicate: Callable[[], Any], *, timeout: float, what: str, log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(POLL)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what}.\n{tail}")


def _job(job_id: int) -> ImportJob:
    return ImportJob.objects.get(pk=job_id)


def _confirm(job: ImportJob) -> None:
    with transaction.atomic():  # the task is published when this commits
        services.import_job_confirm(job=job)


def _facility_csv(rows: int) -> bytes:
    return csv_bytes(
        "name,host,technologies", *(f"Worker Lab {n:05d},flanders-make,photonics" for n in range(rows))
    )


# --- a worker thread --------------------------------------------------------------------


@pytest.fixture
def worker_thread(queue: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def close_connections(**kwargs: Any) -> None:
        connections.close_all()  # the worker thread's own; none left open for the flush

    task_postrun.connect(close_connections, weak=False)
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")  # the project's checks ran when pytest started
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_connections)


def test_a_confirmed_import_is_carried_out_by_a_worker(check_file, flanders, host, worker_thread):
    job = check_file(_facility_csv(3))
    started = time.monotonic()

    _confirm(job)
    job = _wait(
        lambda: (j := _job(job.pk)).is_finished and j, timeout=45, what="the worker to finish the job"
    )

    assert job.status == ImportJob.Status.DONE, job.message
    assert job.counts == {"new": 3, "updated": 0, "unchanged": 0, "errors": 0}
    assert Facility.objects.filter(region=flanders, name__startswith="Worker Lab").count() == 3
    print(f"worker thread: import of 3 rows done in {time.monotonic() - started:.1f}s")


# --- worker processes -------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
def worker_process(queue: str, tmp_path: Path) -> Iterator[Callable[[str], Worker]]:
    """`worker_process(name)`: start a worker process of the project's app; all are killed at the end."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "1",
        "INNOINFRA_TESTING": "1",
        "CELERY_SKIP_CHECKS": "1",
        "TEST_QUEUE": queue,
        "TEST_CACHE_PREFIX": CACHE_PREFIX,
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str, **extra_env: str) -> Worker:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as output:  # the child keeps its own descriptor
            process = subprocess.Popen(  # noqa: S603  (fixed argv: this interpreter and the script above)
                [sys.executable, "-c", WORKER_SCRIPT],
                cwd=settings.BASE_DIR,
                env={**env, **extra_env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return Worker(process=process, log=log)

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


def test_a_worker_killed_mid_import_leaves_nothing_and_the_next_one_imports_every_row_once(
    check_file, flanders, host, worker_process
):
    rows = 300
    job = check_file(_facility_csv(rows))
    before = Facility.objects.count()
    started = time.monotonic()

    # Rows are written in batches; the first worker pauses after its first batch, with the
    # import's transaction still open (a batch of 100 rows here: 3 batches).
    first = worker_process("first", TEST_PAUSE_AFTER_PROGRESS="60", TEST_BATCH_SIZE="100")
    _confirm(job)
    _wait(
        lambda: services.import_job_progress(_job(job.pk)) >= 100,
        timeout=45,
        what="the first rows",
        log=first.log,
    )
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    killed = time.monotonic()

    assert (_job(job.pk).status, Facility.objects.count()) == (ImportJob.Status.IMPORTING, before)

    second = worker_process("second")
    run_import_task.delay(job.pk)
    job = _wait(
        lambda: (j := _job(job.pk)).is_finished and j, timeout=55, what="the second worker", log=second.log
    )

    assert (job.status, job.counts["new"]) == (ImportJob.Status.DONE, rows)
    assert Facility.objects.filter(name__startswith="Worker Lab").values("slug").distinct().count() == rows
    assert Facility.objects.count() == before + rows
    print(
        f"worker processes: killed after {killed - started:.1f}s, "
        f"{rows} rows imported by the second in {time.monotonic() - killed:.1f}s"
    )
