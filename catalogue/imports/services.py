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
from django.utils.translation import ngettext

from catalogue.imports.engine import Plan, build_plan, execute_plan
from catalogue.imports.parsing import MAX_BYTES, FileProblem, guess_format, read_table
from catalogue.models import ImportJob, ImportMapping
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
            else ngettext(
                "%(n)d row has problems. Fix it in the file and upload it again; nothing was changed.",
                "%(n)d rows have problems. Fix them in the file and upload it again; nothing was changed.",
                plan.counts["errors"],
            )
            % {"n": plan.counts["errors"]}
        )
    job.save()
    return job


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Queue a checked job; the worker carries it out after this transaction commits."""
    with transaction.atomic():
        # Locked, so that two confirms (a double click, two tabs) queue one run, not two.
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.CHECKED:
            raise FileProblem(_("Only a checked import without errors can be confirmed."))
        job.status = locked.status = ImportJob.Status.QUEUED
        locked.save(update_fields=["status", "updated_at"])
        job.updated_at = locked.updated_at
        job_id = job.pk

        def enqueue() -> None:
            from catalogue.tasks import run_import_task

            run_import_task.delay(job_id)

        transaction.on_commit(enqueue)
    return job


def _locked_job(job_id: int) -> ImportJob | None:
    """The job row, locked; None while another run holds it (or when it is gone)."""
    return (
        ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("region", "created_by")
        .filter(pk=job_id)
        .first()
    )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Carry out a confirmed job, all rows or none. Safe to run again after a crash.

    The job row is locked for the whole run (`skip_locked`): a second delivery of the task
    while the first runs leaves at once. The facilities and the job's DONE status commit
    in one transaction, so a crash leaves neither; the job then stays IMPORTING (set in a
    short transaction first, for the progress page) and the next delivery runs it again.
    """
    with transaction.atomic():
        job = _locked_job(job_id)
        if job is None:
            return ImportJob.objects.filter(pk=job_id).first()
        if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.IMPORTING):
            return job
        job.status = ImportJob.Status.IMPORTING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
    key = _progress_key(job_id)
    try:
        with transaction.atomic():
            job = _locked_job(job_id)
            if job is None or job.status != ImportJob.Status.IMPORTING:
                return job or ImportJob.objects.filter(pk=job_id).first()
            cache.set(key, 0, timeout=3600)
            _carry_out(job)
    except Exception as exc:
        logger.exception("Import job %s failed unexpectedly", job_id)
        _fail_unexpectedly(job_id, exc)
        raise
    finally:
        _forget_progress(key)
    if job.status == ImportJob.Status.DONE:
        from catalogue.services import search_words_rebuild

        search_words_rebuild()
    return job


def _carry_out(job: ImportJob) -> None:
    """Inside the run's transaction: write the rows and the job's ending together."""
    plan: Plan | None = None
    try:
        plan = _plan(job)
        if not plan.ok:
            # The catalogue changed since the dry run: the rows it now refuses are listed.
            raise FileProblem(_("The file has errors; fix them and upload it again."))
        counts = execute_plan(
            plan,
            region=job.region,
            reason=f"import job {job.pk}: {job.original_name}",
            index=term_index(),
            progress=lambda n: cache.set(_progress_key(job.pk), n, timeout=3600),
            user=job.created_by,
        )
    except FileProblem as problem:
        # execute_plan's own transaction (a savepoint here) has undone every row.
        job.status = ImportJob.Status.FAILED
        job.message = problem.message
        job.row_errors = plan.error_list()[:MAX_STORED_ERRORS] if plan is not None else []
        if plan is not None and plan.rows:
            job.counts = plan.counts
        job.finished_at = timezone.now()
        job.save()
        _notify(job)
        return
    job.status = ImportJob.Status.DONE
    job.counts = counts
    job.processed_rows = job.total_rows
    job.row_errors = []
    job.message = ""
    job.finished_at = timezone.now()
    job.save()
    _notify(job)


def _fail_unexpectedly(job_id: int, exc: BaseException) -> None:
    """After the run's transaction rolled back: nothing was imported; say so, and tell the uploader."""
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=job_id)
            )
            if job.status != ImportJob.Status.IMPORTING:
                return
            job.status = ImportJob.Status.FAILED
            job.message = _(
                "The import stopped because of an unexpected error (%(error)s); nothing was changed. "
                "Try again later or tell the portal team."
            ) % {"error": exc.__class__.__name__}
            job.finished_at = timezone.now()
            job.save()
            _notify(job)
    except Exception:  # the database itself may be what failed
        logger.exception("Import job %s could not be marked failed", job_id)


def _forget_progress(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # an unreachable cache: the key expires by itself
        logger.warning("Could not delete the progress key %s", key, exc_info=True)


def _notify(job: ImportJob) -> None:
    if job.created_by is None or not job.created_by.email:
        return
    email_queue_template(to=[job.created_by.email], template="import_finished", context={"job": job})


def import_mapping_save(*, region: Region, name: str, columns: dict[str, str]) -> ImportMapping:
    """Save (or replace) a region's named column mapping for later uploads."""
    mapping, _created = ImportMapping.objects.update_or_create(
        region=region, name=name.strip()[:100], defaults={"columns": columns}
    )
    return mapping


def import_job_remap(*, job: ImportJob, mapping: dict[str, str], save_as: str = "") -> ImportJob:
    """Check the file again with columns mapped by hand (and keep the mapping if named)."""
    with transaction.atomic():
        if save_as.strip():
            import_mapping_save(region=job.region, name=save_as, columns=mapping)
        # The mapping now names every column, so the preset no longer applies.
        job.mapping, job.preset = mapping, ""
        job.save(update_fields=["mapping", "preset", "updated_at"])
        return import_job_check(job=job)
