"""The issue's promise, strictly: "anonymisation keeps the figures and drops the person".

A thread still open when the retention job anonymises its enquiry stays open, so the
month's `open` count and `outcomes` do not move.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from catalogue.enquiries import selectors, services
from catalogue.enquiries.services import EnquiryRequest, Requester
from catalogue.models import Enquiry
from core.dates import months_before
from tests.factories import FacilityFactory

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def test_figures_are_exactly_the_same_after_anonymising_an_enquiry_with_an_open_thread(flanders, editor):
    facility = FacilityFactory(published=True, region=flanders)
    start = months_before(NOW, 25)
    with time_machine.travel(start, tick=False):
        enquiry = services.enquiry_submit(
            requester=Requester(
                name="Open Thread",
                email="open.thread@example.com",
                organisation="",
                organisation_type="sme",
                country="BE",
            ),
            request=EnquiryRequest(type="quote", message="Price?", wished_start=None, budget_band="unknown"),
            facilities=[facility],
            consent_text="I agree.",
        )
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        services.thread_reply(thread=enquiry.threads.get(), user=editor, body="Which size?")
    before = selectors.enquiry_figures()
    assert services.enquiries_anonymise_due(now=NOW) == 1
    assert Enquiry.objects.get(pk=enquiry.pk).anonymised_at is not None
    assert selectors.enquiry_figures() == before
