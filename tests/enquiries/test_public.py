"""The SME's side of enquiries: the form, the confirmation, the private page (issue #7).

No account: the SME holds a private link. A link that does not open an enquiry is the
site's plain 404. Abuse is refused quietly (honeypot) or loudly (rate limits, sizes), and
whatever an SME types is shown as text, never as markup. Mails leave through the outbox;
they are sent at commit, so tests that read `mail.outbox` run the on-commit callbacks.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogue.enquiries import services
from catalogue.enquiries.links import enquiry_path, enquiry_token
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread
from core.models import OutboxEmail
from tests.factories import FacilityFactory

NEW = "/enquiries/new/"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Quoted local parts may hold markup and still be valid addresses (RFC 5321).
HOSTILE_EMAIL = '"<script>alert(1)</script>"@example.org'


@pytest.fixture(autouse=True)
def _fresh_rate_limits(local_cache):
    return


@pytest.fixture
def lab(flanders):
    return FacilityFactory(published=True, name="Laser Pilot Line", slug="laser-pilot-line", region=flanders)


@pytest.fixture
def other_lab(skane):
    return FacilityFactory(published=True, name="Battery Test Bench", slug="battery-test-bench", region=skane)


@pytest.fixture
def draft_lab(flanders):
    return FacilityFactory(name="Draft Cleanroom", slug="draft-cleanroom", region=flanders)


def _data(*facilities, **overrides):
    data = {
        "facilities": [f.slug for f in facilities],
        "name": "Ada Example",
        "email": "ada@sme.example",
        "organisation": "Example Optics BV",
        "organisation_type": Enquiry.OrganisationType.SME,
        "country": "BE",
        "type": Enquiry.Type.TESTING,
        "message": "We would like to test laser welding of thin copper foils for batteries.",
        "wished_start": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "budget_band": Enquiry.BudgetBand.FROM_5K,
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def _submit(*facilities, **fields) -> Enquiry:
    return services.enquiry_submit(
        requester=services.Requester(
            name=fields.get("name", "Ada Example"),
            email=fields.get("email", "ada@sme.example"),
            organisation=fields.get("organisation", "Example Optics BV"),
            organisation_type=Enquiry.OrganisationType.SME,
            country="BE",
        ),
        request=services.EnquiryRequest(
            type=Enquiry.Type.TESTING,
            message=fields.get("message", "We would like to test laser welding of copper foils."),
            wished_start=None,
            budget_band=Enquiry.BudgetBand.UNKNOWN,
        ),
        facilities=list(facilities),
        consent_text="I agree.",
    )


@pytest.fixture
def enquiry(lab, other_lab):
    return _submit(lab, other_lab)


def _thread(enquiry: Enquiry, facility) -> EnquiryThread:
    return EnquiryThread.objects.get(enquiry=enquiry, facility=facility)


# --- The form ---------------------------------------------------------------------------


def test_form_for_one_facility_names_it_and_carries_its_slug(client, lab):
    response = client.get(NEW, {"facility": lab.slug})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Laser Pilot Line" in body
    assert f'type="hidden" name="facilities" value="{lab.slug}"' in body


def test_form_for_several_facilities_offers_each_ticked(client, lab, other_lab):
    response = client.get(NEW, {"facility": [lab.slug, other_lab.slug]})

    assert response.status_code == 200
    form = response.context["form"]
    assert form["facilities"].value() == [lab.slug, other_lab.slug]
    assert response.content.decode().count('type="checkbox" name="facilities"') == 2


@pytest.mark.parametrize("slug", ["no-such-lab", "draft-cleanroom", "bad\x00slug", ""])
def test_form_for_an_unknown_or_unpublished_facility_is_404(client, draft_lab, slug):
    response = client.get(NEW, {"facility": slug})

    assert response.status_code == 404


def test_form_leaves_out_unpublished_facilities_among_several(client, lab, draft_lab):
    response = client.get(NEW, {"facility": [draft_lab.slug, lab.slug]})

    assert response.context["facilities"] == [lab]
    assert response.context["notices"]


def test_form_keeps_at_most_the_maximum_of_facilities(client, flanders):
    labs = [FacilityFactory(published=True, region=flanders) for _n in range(5)]

    response = client.get(NEW, {"facility": ",".join(f.slug for f in labs)})

    assert response.context["facilities"] == labs[: django_settings.ENQUIRY_MAX_FACILITIES]
    assert response.context["notices"]


def test_signed_in_editor_cannot_enquire_to_a_draft_of_their_region(client_for, editor, draft_lab):
    response = client_for(editor).get(NEW, {"facility": draft_lab.slug})

    assert response.status_code == 404


def test_every_field_has_a_label_and_required_ones_say_so(client, lab):
    response = client.get(NEW, {"facility": lab.slug})

    body = response.content.decode()
    for name in (
        "name",
        "email",
        "organisation",
        "country",
        "message",
        "wished_start",
        "budget_band",
        "consent",
    ):
        assert f'for="enquiry-{name}"' in body, name
    assert body.count("(required)") >= 6
    assert "<legend>What do you need?" in body


def test_honeypot_is_out_of_sight_and_out_of_the_tab_order(client, lab):
    body = client.get(NEW, {"facility": lab.slug}).content.decode()

    assert '<div class="enquiry-hp" aria-hidden="true">' in body
    assert 'name="website"' in body
    assert 'tabindex="-1"' in body
    assert 'autocomplete="off"' in body


def test_form_renders_in_german_from_the_language_cookie(client, lab):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get(NEW, {"facility": lab.slug})

    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


def test_enquiry_sent_in_german_is_recorded_in_german(client, lab, django_capture_on_commit_callbacks):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "de"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, _data(lab))

    assert response.status_code == 302
    assert Enquiry.objects.get().language == "de"


# --- Submitting -------------------------------------------------------------------------


def test_valid_enquiry_stores_one_thread_per_facility(client, lab, other_lab):
    response = client.post(NEW, _data(lab, other_lab))

    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:sent")
    enquiry = Enquiry.objects.get()
    assert sorted(t.facility_id for t in enquiry.threads.all()) == sorted([lab.pk, other_lab.pk])
    assert enquiry.consent_text.startswith("I agree that InnoInfra passes my enquiry")


def test_valid_enquiry_mails_the_private_link(client, lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, _data(lab))

    enquiry = Enquiry.objects.get()
    link = django_settings.SITE_URL + enquiry_path(enquiry)
    queued = OutboxEmail.objects.get(to=["ada@sme.example"])
    assert link in queued.body
    sent = [m for m in mail.outbox if m.to == ["ada@sme.example"]]
    assert len(sent) == 1
    assert link in sent[0].body


def test_mails_about_the_enquiry_are_plain_text_only(client, lab, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, _data(lab, name=SCRIPT, message=f"{IMG} {SCRIPT} and more words here"))

    assert mail.outbox, "the SME and the region's editor are mailed"
    assert all(m.alternatives == [] for m in mail.outbox)
    assert not OutboxEmail.objects.exclude(html_body="").exists()
    assert all(m.content_subtype == "plain" for m in mail.outbox)


def test_sent_page_names_the_address_from_the_session_not_the_url(client, lab):
    client.post(NEW, _data(lab))

    response = client.get(reverse("enquiries:sent"), {"email": "someone-else@example.org"})

    body = response.content.decode()
    assert "ada@sme.example" in body
    assert "someone-else@example.org" not in body


def test_enquiry_posted_to_an_unpublished_facility_is_refused(client, draft_lab):
    response = client.post(NEW, _data(draft_lab))

    assert response.status_code == 200
    assert response.context["form"].errors["facilities"]
    assert not Enquiry.objects.exists()


def test_oversized_message_gets_a_clear_error_and_nothing_is_stored(client, lab):
    response = client.post(NEW, _data(lab, message="x" * 5001))

    assert response.status_code == 200
    assert "at most 5000 characters" in response.context["form"].errors["message"][0]
    assert 'id="enquiry-errors"' in response.content.decode()
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "x" * 121), ("organisation", "x" * 201), ("email", "a" * 250 + "@example.org")],
)
def test_oversized_fields_are_refused(client, lab, field, value):
    response = client.post(NEW, _data(lab, **{field: value}))

    assert field in response.context["form"].errors
    assert not Enquiry.objects.exists()


def test_too_short_message_is_refused(client, lab):
    response = client.post(NEW, _data(lab, message="Hi"))

    assert "message" in response.context["form"].errors
    assert not Enquiry.objects.exists()


def test_wished_start_in_the_past_is_refused(client, lab):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client.post(NEW, _data(lab, wished_start=yesterday))

    assert "wished_start" in response.context["form"].errors
    assert not Enquiry.objects.exists()


def test_consent_is_required(client, lab):
    data = _data(lab)
    del data["consent"]

    response = client.post(NEW, data)

    assert "consent" in response.context["form"].errors
    assert not Enquiry.objects.exists()


def test_field_errors_are_tied_to_their_inputs(client, lab):
    response = client.post(NEW, _data(lab, name=""))

    body = response.content.decode()
    assert 'aria-describedby="enquiry-name_error"' in body
    assert 'id="enquiry-name_error"' in body
    assert 'href="#enquiry-name"' in body


# --- Abuse ------------------------------------------------------------------------------


def test_honeypot_stores_and_mails_nothing_but_looks_like_success(
    client, lab, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, _data(lab, website="http://spam.example"), follow=True)

    assert response.redirect_chain == [(reverse("enquiries:sent"), 302)]
    assert "ada@sme.example" in response.content.decode()
    assert not Enquiry.objects.exists()
    assert (OutboxEmail.objects.count(), len(mail.outbox)) == (0, 0)


def test_per_ip_limit_answers_429_and_stores_nothing(client, settings, lab):
    settings.ENQUIRY_RATE_PER_IP = "2/h"
    client.post(NEW, _data(lab, email="one@sme.example"))
    client.post(NEW, _data(lab, message="too short"))  # invalid posts count too

    response = client.post(NEW, _data(lab, email="three@sme.example"))

    assert response.status_code == 429
    assert "too many enquiries" in response.content.decode()
    assert list(Enquiry.objects.values_list("email", flat=True)) == ["one@sme.example"]


def test_per_email_limit_ignores_case_and_stores_nothing(client, settings, lab):
    settings.ENQUIRY_RATE_PER_EMAIL = "1/h"
    client.post(NEW, _data(lab, email="ada@sme.example"))

    response = client.post(NEW, _data(lab, email="ADA@sme.example"))

    assert response.status_code == 429
    assert response.context["form"].non_field_errors()
    assert Enquiry.objects.count() == 1


def test_invalid_posts_do_not_count_against_the_email_limit(client, settings, lab):
    settings.ENQUIRY_RATE_PER_EMAIL = "1/h"
    client.post(NEW, _data(lab, message="too short"))

    response = client.post(NEW, _data(lab))

    assert response.status_code == 302
    assert Enquiry.objects.count() == 1


def test_csrf_is_enforced_on_the_form(lab):
    response = Client(enforce_csrf_checks=True).post(NEW, _data(lab))

    assert response.status_code == 403
    assert not Enquiry.objects.exists()


def test_csrf_is_enforced_on_the_private_reply(enquiry, lab):
    thread = _thread(enquiry, lab)

    response = Client(enforce_csrf_checks=True).post(
        enquiry_path(enquiry), {"thread": thread.pk, "body": "Forged reply from elsewhere"}
    )

    assert response.status_code == 403
    assert not EnquiryMessage.objects.filter(thread=thread).exists()


# --- Markup typed by the SME stays text -------------------------------------------------


def _hostile_post(lab):
    return _data(
        lab,
        name=f"{SCRIPT}{IMG}",
        email=HOSTILE_EMAIL,
        organisation=f"{IMG}{SCRIPT}",
        message=f"{SCRIPT}\n{IMG}\nWe need a test of copper welding.",
    )


def _assert_inert(body: str) -> None:
    assert SCRIPT not in body
    assert "<img src=x" not in body
    assert SCRIPT_ESCAPED in body


def test_markup_in_every_field_is_escaped_when_the_form_is_shown_again(client, lab):
    response = client.post(NEW, _data(lab, **{**_hostile_post(lab), "consent": ""}))

    assert response.status_code == 200
    _assert_inert(response.content.decode())


def test_markup_in_the_address_is_escaped_on_the_sent_page(client, lab):
    response = client.post(NEW, _hostile_post(lab), follow=True)

    assert Enquiry.objects.get().email == HOSTILE_EMAIL
    _assert_inert(response.content.decode())


def test_markup_in_every_field_is_escaped_on_the_private_page(client, lab, editor):
    client.post(NEW, _hostile_post(lab))
    enquiry = Enquiry.objects.get()
    services.thread_reply(thread=_thread(enquiry, lab), user=editor, body=f"{IMG} staff {SCRIPT}")

    body = client.get(enquiry_path(enquiry)).content.decode()

    _assert_inert(body)
    assert body.count(SCRIPT_ESCAPED) >= 4  # name, email, organisation, message, the reply
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body


def test_links_in_messages_are_not_made_clickable(client, enquiry, lab, editor):
    services.thread_reply(thread=_thread(enquiry, lab), user=editor, body="See https://evil.example/x")

    body = client.get(enquiry_path(enquiry)).content.decode()

    assert "https://evil.example/x" in body
    assert 'href="https://evil.example' not in body


# --- The private page -------------------------------------------------------------------


def test_private_page_shows_every_facility_and_its_state(client, enquiry, lab, other_lab):
    response = client.get(enquiry_path(enquiry))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Laser Pilot Line" in body
    assert "Battery Test Bench" in body
    assert body.count(">New</span>") == 2


def test_staff_reply_is_shown_as_from_the_facility_without_the_staff_member(client, enquiry, lab, editor):
    services.thread_reply(thread=_thread(enquiry, lab), user=editor, body="We can test this in May.")

    body = client.get(enquiry_path(enquiry)).content.decode()

    assert "We can test this in May." in body
    assert "<strong>Laser Pilot Line</strong>" in body
    assert editor.username not in body
    assert editor.email not in body
    assert "In discussion" in body


def test_requester_reply_is_stored_and_leads_back_to_the_thread(client, enquiry, lab):
    thread = _thread(enquiry, lab)

    response = client.post(enquiry_path(enquiry), {"thread": thread.pk, "body": "Samples ship next week."})

    assert response.status_code == 302
    assert response["Location"] == enquiry_path(enquiry) + f"#thread-{thread.pk}"
    message = EnquiryMessage.objects.get(thread=thread)
    assert (message.author, message.body) == (EnquiryMessage.Author.REQUESTER, "Samples ship next week.")


def test_requester_reply_over_the_limit_is_refused(client, enquiry, lab):
    thread = _thread(enquiry, lab)

    response = client.post(enquiry_path(enquiry), {"thread": thread.pk, "body": "x" * 5001})

    assert response.status_code == 400
    assert "at most 5000 characters" in response.content.decode()
    assert not EnquiryMessage.objects.filter(thread=thread).exists()


def test_requester_cannot_reply_in_another_enquirys_thread(client, enquiry, lab):
    stranger = _submit(lab, email="bob@other.example", name="Bob")
    foreign = _thread(stranger, lab)

    response = client.post(enquiry_path(enquiry), {"thread": foreign.pk, "body": "Hijacking your thread"})

    assert response.status_code == 404
    assert not EnquiryMessage.objects.filter(thread=foreign).exists()


@pytest.mark.parametrize(("value", "status"), [("²", 400), ("abc", 400), ("9" * 20, 404)])
def test_tampered_thread_ids_are_refused_without_error(client, enquiry, value, status):
    response = client.post(enquiry_path(enquiry), {"thread": value, "body": "A message for nobody."})

    assert response.status_code == status
    assert not EnquiryMessage.objects.filter(author=EnquiryMessage.Author.REQUESTER).exists()


def test_withdraw_asks_for_confirmation_first(client, enquiry):
    response = client.post(reverse("enquiries:withdraw", kwargs=_kwargs(enquiry)))

    assert response.status_code == 200
    assert "Withdraw your enquiry?" in response.content.decode()
    assert not EnquiryThread.objects.filter(state=EnquiryThread.State.WITHDRAWN).exists()


def test_withdraw_after_confirmation_withdraws_every_thread(client, enquiry):
    response = client.post(reverse("enquiries:withdraw", kwargs=_kwargs(enquiry)), {"confirm": "yes"})

    assert response.status_code == 302
    assert set(enquiry.threads.values_list("state", flat=True)) == {EnquiryThread.State.WITHDRAWN}
    enquiry.refresh_from_db()
    assert enquiry.withdrawn_at is not None


def test_withdrawn_enquiry_offers_no_reply_forms(client, enquiry):
    services.enquiry_withdraw(enquiry=enquiry)

    response = client.get(enquiry_path(enquiry))

    assert all(c["form"] is None for c in response.context["conversations"])
    assert response.context["can_withdraw"] is False


def test_withdraw_is_post_only(client, enquiry):
    response = client.get(reverse("enquiries:withdraw", kwargs=_kwargs(enquiry)))

    assert response.status_code == 405


def test_delete_page_asks_before_deleting(client, enquiry):
    response = client.get(reverse("enquiries:delete", kwargs=_kwargs(enquiry)))

    assert response.status_code == 200
    assert "Yes, delete my data" in response.content.decode()
    assert Enquiry.objects.get().anonymised_at is None


def test_delete_anonymises_and_the_link_then_404s(client, enquiry):
    path = enquiry_path(enquiry)

    response = client.post(reverse("enquiries:delete", kwargs=_kwargs(enquiry)))

    assert "Your data was deleted" in response.content.decode()
    enquiry.refresh_from_db()
    assert (enquiry.name, enquiry.email, enquiry.anonymised_at is not None) == ("", "", True)
    assert client.get(path).status_code == 404


def _kwargs(enquiry: Enquiry) -> dict[str, str]:
    return {"public_id": str(enquiry.public_id), "token": enquiry_token(enquiry)}


def _wrong_token(enquiry, other):
    return f"/enquiries/{enquiry.public_id}/{'0' * 64}/"


def _malformed_uuid(enquiry, other):
    return f"/enquiries/not-a-uuid/{enquiry_token(enquiry)}/"


def _unknown_uuid(enquiry, other):
    return f"/enquiries/{uuid.uuid4()}/{enquiry_token(enquiry)}/"


def _token_of_another(enquiry, other):
    return f"/enquiries/{enquiry.public_id}/{enquiry_token(other)}/"


def _anonymised(enquiry, other):
    path = enquiry_path(enquiry)
    services.enquiry_anonymise(enquiry=enquiry)
    return path


@pytest.mark.parametrize(
    "make_path", [_wrong_token, _malformed_uuid, _unknown_uuid, _token_of_another, _anonymised]
)
@pytest.mark.parametrize("suffix", ["", "withdraw/", "delete/"])
def test_a_link_that_opens_nothing_is_a_plain_404(client, lab, make_path, suffix):
    enquiry = _submit(lab, name="Secret Person", message="Secret plans for a graphene battery.")
    other = _submit(lab, name="Other Person", email="other@sme.example")
    path = make_path(enquiry, other) + suffix

    response = client.post(path) if suffix == "withdraw/" else client.get(path)

    assert response.status_code == 404
    body = response.content.decode()
    assert "Secret" not in body
    assert "ada@sme.example" not in body
    assert "Laser Pilot Line" not in body
    assert response["Cache-Control"] == "private, no-store"


def test_private_page_sends_privacy_headers(client, enquiry):
    response = client.get(enquiry_path(enquiry))

    assert response["Referrer-Policy"] == "strict-origin"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("page", ["delete", "withdraw"])
def test_pages_under_the_private_link_send_privacy_headers(client, enquiry, page):
    path = reverse(f"enquiries:{page}", kwargs=_kwargs(enquiry))

    response = client.post(path) if page == "withdraw" else client.get(path)

    assert (response["Referrer-Policy"], response["X-Robots-Tag"]) == ("strict-origin", "noindex")
    assert response["Cache-Control"] == "private, no-store"


def test_a_wrong_link_is_not_logged_with_its_token(client, enquiry, caplog):
    path = f"/enquiries/{enquiry.public_id}/{'1' * 64}/"

    with caplog.at_level("WARNING", logger="django.request"):
        client.get(path)

    assert "1" * 64 not in caplog.text


# --- The facility and compare pages -----------------------------------------------------


def test_facility_page_offers_the_enquiry_form(client, lab):
    response = client.get(reverse("catalogue:facility", args=[lab.slug]))

    body = response.content.decode()
    assert 'href="#enquire"' in body
    assert 'id="enquire"' in body
    assert f'action="{NEW}"' in body
    assert "mailto:lab@example.org?subject" not in body


def test_facility_page_form_posts_an_enquiry(client, lab):
    response = client.post(NEW, _data(lab))

    assert response.status_code == 302
    assert Enquiry.objects.get().threads.get().facility == lab


def test_draft_facility_page_has_no_enquiry_form(client_for, editor, draft_lab):
    response = client_for(editor).get(reverse("catalogue:facility", args=[draft_lab.slug]))

    assert response.status_code == 200
    assert 'id="enquire"' not in response.content.decode()


def test_compare_page_asks_all_of_them_at_once(client, lab, other_lab):
    response = client.get("/compare/", {"ids": f"{lab.slug},{other_lab.slug}"})

    body = response.content.decode()
    assert "Ask all of them" in body
    assert f"{NEW}?facility={lab.slug}&amp;facility={other_lab.slug}" in body
