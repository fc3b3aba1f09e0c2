"""`{% enquiry_form facility %}`: the enquiry form on the facility page.

The facility page's view knows nothing about enquiries; this tag gives the shared form
partial an empty form for that one facility (no database query).
"""

from __future__ import annotations

from typing import Any

from django import template

from catalogue.enquiries.forms import EnquiryForm
from catalogue.models import Facility

register = template.Library()


@register.inclusion_tag("catalogue/enquiries/partials/enquiry_form.html")
def enquiry_form(facility: Facility) -> dict[str, Any]:
    # Inclusion tags pass the page's csrf_token on to the partial by themselves.
    return {"form": EnquiryForm(facilities=[facility])}
