"""PLACEHOLDER: replaced by the inbox views (helper B)."""

from django.http import Http404, HttpRequest, HttpResponse


def inbox(request: HttpRequest) -> HttpResponse:
    raise Http404


def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    raise Http404
