"""PLACEHOLDER: replaced by the public enquiry views (helper A)."""

from django.http import Http404, HttpRequest, HttpResponse


def enquiry_new(request: HttpRequest) -> HttpResponse:
    raise Http404


def enquiry_sent(request: HttpRequest) -> HttpResponse:
    raise Http404


def enquiry_private(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    raise Http404


def enquiry_withdraw(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    raise Http404


def enquiry_delete(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    raise Http404
