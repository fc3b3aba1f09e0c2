"""Placeholder module replaced by the imports UI (see catalogue/imports/services.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from catalogue.models import ImportJob
from core.scoping import scope_editable


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    jobs = scope_editable(ImportJob.objects.all(), request.user)[:20]
    return render(request, "catalogue/imports/upload.html", {"jobs": jobs})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(scope_editable(ImportJob.objects.all(), request.user), pk=job_id)
    return render(request, "catalogue/imports/job.html", {"job": job})
