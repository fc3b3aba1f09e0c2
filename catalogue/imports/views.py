"""Import pages: upload, dry-run preview, column mapping, confirm, progress; exports (ARCHITECTURE §7).

Thin interfaces (STYLE "Views and templates"): they parse input, ask the permission layer
(`core.scoping` for lists, `has_perm` for objects) and call `catalogue.imports.services`.
Import jobs belong to the regions a user may edit: any other job is a 404. Every page
works without JavaScript; with htmx the progress bar refreshes itself.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue import exports
from catalogue.imports import services
from catalogue.imports.engine import resolve_mapping
from catalogue.imports.forms import PRESET_CHOICES, MappingForm, UploadForm, field_label
from catalogue.imports.parsing import FileProblem, read_table
from catalogue.models import Facility, ImportJob, ImportMapping
from core.memory import release_free_memory
from core.models import Region
from core.scoping import editable_regions, scope_editable, scope_viewable

RECENT_JOBS = 20
# The page lists this many row errors; the CSV download has them all.
SHOWN_ERRORS = 200
RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.IMPORTING)
ACTION_LABELS = {
    "new": gettext_lazy("New"),
    "updated": gettext_lazy("Updated"),
    "unchanged": gettext_lazy("Unchanged"),
    "error": gettext_lazy("Error"),
}


def _job_for(request: HttpRequest, job_id: int) -> ImportJob:
    """A job of a region the user may edit; any other is a 404."""
    jobs = scope_editable(ImportJob.objects.select_related("region", "created_by"), request.user)
    return get_object_or_404(jobs, pk=job_id)


def _may_import(user: Any, region: Region) -> bool:
    # Importing creates and changes the region's facilities: the same question as adding one.
    return bool(user.has_perm("catalogue.add_facility", Facility(region=region)))


# --- upload ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    regions = editable_regions(request.user)
    if not regions.exists():
        raise PermissionDenied
    bound = request.method == "POST"
    form = UploadForm(request.POST if bound else None, request.FILES if bound else None, user=request.user)
    if bound and form.is_valid():
        job = _upload(request, form)
        if job is not None:
            return redirect("imports:job", job_id=job.pk)
    jobs = scope_editable(ImportJob.objects.select_related("region", "created_by"), request.user).order_by(
        "-created_at"
    )[:RECENT_JOBS]
    return render(
        request,
        "catalogue/imports/upload.html",
        {
            "form": form,
            "jobs": list(jobs),
            "export_regions": list(regions.order_by("name")),
            "export_formats": list(exports.FORMATS),
        },
    )


def _upload(request: HttpRequest, form: UploadForm) -> ImportJob | None:
    region: Region = form.cleaned_data["region"]
    if not _may_import(request.user, region):
        form.add_error("region", _("You may not import facilities into %(r)s.") % {"r": region.name})
        return None
    saved: ImportMapping | None = form.cleaned_data.get("mapping")
    try:
        job = _create_and_check(
            upload=form.cleaned_data["file"],
            region=region,
            user=request.user,
            preset=form.cleaned_data.get("preset") or "",
            mapping=dict(saved.columns) if saved is not None else None,
        )
    except FileProblem as problem:
        form.add_error("file", problem.message)
        return None
    if job.status == ImportJob.Status.CHECKED:
        messages.success(
            request, _("The file was checked. Review the changes below, then confirm the import.")
        )
    else:
        messages.warning(request, _("The file was checked and has problems; nothing was changed."))
    return job


def _create_and_check(
    *, upload: UploadedFile, region: Region, user: Any, preset: str, mapping: dict[str, str] | None
) -> ImportJob:
    """Upload and dry run. A file that cannot be read at all leaves nothing behind."""
    with transaction.atomic():
        job = services.import_job_create(
            upload=upload, region=region, user=user, preset=preset, mapping=mapping
        )
        try:
            services.import_job_check(job=job)
            # A rejection without counts is the file itself (encoding, size, format), not its rows.
            if job.status == ImportJob.Status.REJECTED and not job.counts:
                raise FileProblem(job.message)
        except Exception:
            job.file.delete(save=False)
            raise
        finally:
            release_free_memory()  # the dry run's plan: give its pages back (core/memory.py)
    return job


# --- one job --------------------------------------------------------------------------


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    return render(request, "catalogue/imports/job.html", _job_context(request, job))


def _job_context(
    request: HttpRequest, job: ImportJob, mapping_form: MappingForm | None = None
) -> dict[str, Any]:
    errors = job.row_errors or []
    if mapping_form is None and _mapping_editable(job):
        mapping_form = _mapping_form(job)
    return {
        "job": job,
        "preset_label": dict(PRESET_CHOICES).get(job.preset, job.preset),
        "counts": job.counts or {},
        "preview": [
            {
                "row": row.get("row"),
                "action": row.get("action", ""),
                "action_label": ACTION_LABELS.get(row.get("action", ""), row.get("action", "")),
                "name": row.get("name", ""),
                "changed": [field_label(key) for key in row.get("changed", [])],
                "new_host": row.get("new_host", ""),
            }
            for row in job.preview or []
        ],
        "preview_capped": len(job.preview or []) < job.total_rows,
        "errors": errors[:SHOWN_ERRORS],
        "errors_total": len(errors),
        "mapping_problems": _mapping_problems(job),
        "mapping_form": mapping_form,
        "can_confirm": job.status == ImportJob.Status.CHECKED,
        **_progress_context(request, job),
    }


def _mapping_problems(job: ImportJob) -> bool:
    """Rejected before any row was read: the columns do not give what the portal needs."""
    errors = job.row_errors or []
    return (
        job.status == ImportJob.Status.REJECTED and bool(errors) and all(e.get("row") is None for e in errors)
    )


def _mapping_editable(job: ImportJob) -> bool:
    # A plan was built (counts are set), so the file is readable and has columns.
    return job.status in (ImportJob.Status.CHECKED, ImportJob.Status.REJECTED) and bool(job.counts)


def _mapping_form(job: ImportJob, data: Any = None) -> MappingForm | None:
    try:
        with job.file.open("rb") as handle:
            table = read_table(handle.read(), job.format)
    except (FileProblem, OSError):
        return None
    columns, _problems = resolve_mapping(table, preset=job.preset, mapping=job.mapping or {})
    return MappingForm(data, columns=table.columns, initial_mapping=columns)


@login_required
@require_POST
def job_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    """Check the file again with the columns mapped by hand; optionally save the mapping."""
    job = _job_for(request, job_id)
    form = _mapping_form(job, request.POST) if _mapping_editable(job) else None
    if form is None:
        messages.error(request, _("The columns of this import can no longer be changed."))
        return redirect("imports:job", job_id=job.pk)
    if not form.is_valid():
        return render(request, "catalogue/imports/job.html", _job_context(request, job, form))
    mapping = form.mapping()
    name = form.cleaned_data["save_as"].strip()
    job = services.import_job_remap(job=job, mapping=mapping, save_as=name)
    if name:
        messages.info(request, _("The mapping was saved as '%(n)s'.") % {"n": name})
    if job.status == ImportJob.Status.CHECKED:
        messages.success(request, _("The file was checked again with your mapping: ready to confirm."))
    else:
        messages.warning(request, _("The file was checked again with your mapping and still has problems."))
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_POST
def job_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    if not _may_import(request.user, job.region):
        raise PermissionDenied
    try:
        with transaction.atomic():
            # Locked, so that a double click queues one run, not two.
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            services.import_job_confirm(job=locked)
    except FileProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Import confirmed. It runs in the background; you will get an email."))
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The status block alone, polled by htmx while the job waits or runs."""
    job = _job_for(request, job_id)
    return render(request, "catalogue/imports/partials/progress.html", _progress_context(request, job))


def _progress_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    running = job.status in RUNNING
    processed = services.import_job_progress(job) if running else job.processed_rows
    total = job.total_rows
    percent = min(100, round(100 * processed / total)) if total else (100 if job.status == "done" else 0)
    return {
        "job": job,
        "running": running,
        "processed": processed,
        "total": total,
        "percent": percent,
        "result": job.counts or {},
        "facilities_url": reverse("admin:catalogue_facility_changelist")
        + "?"
        + urlencode({"region__id__exact": job.region_id}),
        # Announced once, in the page's live region, when a polled job ends.
        "announce": bool(request.headers.get("HX-Request")) and job.is_finished,
    }


@login_required
@require_GET
def job_errors_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    """Every row error as a spreadsheet; cells are neutralised like every export."""
    job = _job_for(request, job_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Column"), _("Message")])
    for error in job.row_errors or []:
        row = error.get("row")
        writer.writerow(
            [
                "" if row is None else int(row),
                exports.neutralise(str(error.get("column") or "")),
                exports.neutralise(str(error.get("message") or "")),
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


# --- export ---------------------------------------------------------------------------


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """A region's catalogue in the portal's import format (`?region=<code>&format=csv|xlsx|json`)."""
    region = get_object_or_404(Region, code=request.GET.get("region", ""))
    if not request.user.has_perm("catalogue.view_facility", Facility(region=region)):
        raise PermissionDenied
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        return HttpResponseBadRequest(_("Choose CSV, XLSX or JSON."))
    facilities = scope_viewable(Facility.objects.filter(region=region), request.user)
    response = HttpResponse(exports.export(facilities, fmt), content_type=exports.FORMATS[fmt])
    filename = f"innoinfra-{region.code}-{timezone.now():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
