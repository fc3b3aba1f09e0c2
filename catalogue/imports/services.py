"""Import jobs: upload, dry run, confirm, run (ARCHITECTURE §7).

The dry run and the run both parse the stored file and build the plan afresh, so a
confirm acts on the catalogue as it is when the worker runs, never on a stale preview.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.imports.engine import Plan, build_plan, execute_plan
from catalogue.imports.parsing import MAX_BYTES, FileProblem, guess_format, read_table
from catalogue.models import ImportJob
from core.mail import email_queue_template
from core.models import Region
from core.selectors import term_index

logger = logging.getLogger(__name__)
PREVIEW_ROWS = 200
MAX_STORED_ERRORS = 5_000


def _progress_key(job_id: int) -> str:
    return f"importjob-progress:{job_id}"


def import_job_progress(job: ImportJob) -> int:
    """Rows processed: the running transaction reports through the cache."""
    cached = cache.get(_progress_key(job.pk))
    return int(cached) if cached is not None else job.processed_rows


def import_job_create(
    *,
    upload: UploadedFile,
    region: Region,
    user: Any,
    preset: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportJob:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": MAX_BYTES // 2**20}
        )
    fmt = guess_format(upload.name or "")
    job = ImportJob(
        region=region,
        created_by=user,
        original_name=(upload.name or "upload")[:255],
        format=fmt,
        preset=preset,
        mapping=mapping or {},
    )
    job.file.save(upload.name or f"upload.{fmt}", upload, save=False)
    job.save()
    return job


def _plan(job: ImportJob) -> Plan:
    with job.file.open("rb") as handle:
        data = handle.read()
    table = read_table(data, job.format)
    job.total_rows = len(table.rows)
    return build_plan(
        table,
        region=job.region,
        user=job.created_by,
        preset=job.preset,
        mapping=job.mapping,
        index=term_index(),
    )


def import_job_check(*, job: ImportJob) -> ImportJob:
    """The dry run: what the file would change, and every problem with its row and column."""
    job.status = ImportJob.Status.CHECKING
    try:
        plan = _plan(job)
    except FileProblem as problem:
        job.status = ImportJob.Status.REJECTED
        job.message = problem.message
        job.row_errors = []
        job.counts = {}
        job.save()
        return job
    job.counts = plan.counts
    job.row_errors = plan.error_list()[:MAX_STORED_ERRORS]
    job.preview = [
        {
            "row": r.row,
            "action": r.action,
            "slug": r.slug,
            "name": r.name,
            "changed": r.changed,
            "new_host": r.new_host,
        }
        for r in plan.rows[:PREVIEW_ROWS]
    ]
    if plan.ok:
        job.status = ImportJob.Status.CHECKED
        job.message = ""
    else:
        job.status = ImportJob.Status.REJECTED
        job.message = (
            " ".join(plan.problems)
            if plan.problems
            else _("%(n)d rows have problems. Fix them in the file and upload it again; nothing was changed.")
            % {"n": plan.counts["errors"]}
        )
    job.save()
    return job


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Queue a checked job; the worker carries it out after this transaction commits."""
    if job.status != ImportJob.Status.CHECKED:
        raise FileProblem(_("Only a checked import without errors can be confirmed."))
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status", "updated_at"])
    job_id = job.pk

    def enqueue() -> None:
        from catalogue.tasks import run_import_task

        run_import_task.delay(job_id)

    transaction.on_commit(enqueue)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Carry out a confirmed job, all rows or none. Safe to run again after a crash."""
    job = ImportJob.objects.select_related("region", "created_by").filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.IMPORTING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, started_at=timezone.now())
    cache.set(_progress_key(job.pk), 0, timeout=3600)
    try:
        plan = _plan(job)
        counts = execute_plan(
            plan,
            region=job.region,
            reason=f"import job {job.pk}: {job.original_name}",
            index=term_index(),
            progress=lambda n: cache.set(_progress_key(job_id), n, timeout=3600),
        )
    except FileProblem as problem:
        job.status = ImportJob.Status.FAILED
        job.message = problem.message
        job.finished_at = timezone.now()
        job.save()
        _notify(job)
        return job
    job.status = ImportJob.Status.DONE
    job.counts = counts
    job.processed_rows = job.total_rows
    job.row_errors = []
    job.message = ""
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save()
        _notify(job)
    cache.delete(_progress_key(job.pk))
    from catalogue.services import search_words_rebuild

    search_words_rebuild()
    return job


def _notify(job: ImportJob) -> None:
    if job.created_by is None or not job.created_by.email:
        return
    email_queue_template(to=[job.created_by.email], template="import_finished", context={"job": job})
