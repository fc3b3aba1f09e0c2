from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

# The portal's sections, in navigation order. A section appears once its app serves its
# URL, so the menu never points at a page that does not exist yet.
SECTIONS = [
    ("catalogue:search", _("Catalogue")),
    ("goodpractices:list", _("Good practices")),
    ("stakeholders:events", _("Events")),
    ("actionplans:list", _("Action plans")),
    ("actionplans:dashboards", _("Dashboards")),
    ("api-docs", _("API")),
]


def _navigation() -> list[dict[str, Any]]:
    items = []
    for name, label in SECTIONS:
        try:
            items.append({"url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return items


# The work pages of regional partners: each shown to whoever the page itself lets in
# (the same permission the view checks).
STAFF_LINKS = [
    ("catalogue:my-region", _("My region"), "catalogue.view_worklist"),
    ("enquiries:inbox", _("Enquiries"), "catalogue.view_enquirythread"),
]


def _staff_links(request: HttpRequest) -> list[dict[str, Any]]:
    """The work pages the signed-in user may open, for the account menu."""
    items = []
    for name, label, perm in STAFF_LINKS:
        if not request.user.has_perm(perm):
            continue
        try:
            items.append({"url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return items


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        # Evaluated only by the account menu of a signed-in user (one membership query).
        "staff_links": SimpleLazyObject(lambda: _staff_links(request))
        if user is not None and user.is_authenticated
        else [],
        "navigation": _navigation(),
        "demo_mode": settings.DEMO_MODE,
        "api_docs": reverse("api-docs"),
    }
