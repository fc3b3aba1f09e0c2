"""/api/v1/enquiries/: the inbox through the API (issue #7).

Never public: enquiries hold an SME's personal data. The region's editors, coordinators
and the project coordinators read and answer them; viewers, people without a role and
anonymous clients get nothing, another region's editor gets 404. Every request carries
a real knox token; enquiries are made by the public form's service.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import SimpleRateThrottle

from catalogue.enquiries import services
from catalogue.enquiries.services import EnquiryRequest, Requester
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread, Facility
from core.models import Membership, OutboxEmail
from tests.api.conftest import API
from tests.factories import FacilityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ENQUIRIES = f"{API}/enquiries/"
SHAPE = {"code", "message", "errors"}
SME_EMAIL = "ada@sme.example"
MONDAY = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def submit(*facilities: Facility, name: str = "Ada Lovelace", email: str = SME_EMAIL) -> Enquiry:
    return services.enquiry_submit(
        requester=Requester(
            name=name,
            email=email,
            organisation="Analytical Engines BV",
            organisation_type="sme",
            country="be",
        ),
        request=EnquiryRequest(
            type="testing",
            message="Can you test our composite panels?",
            wished_start=None,
            budget_band="5k-20k",
        ),
        facilities=list(facilities),
        consent_text="I agree to share this enquiry with the facilities.",
    )


def thread_of(enquiry: Enquiry, facility: Facility) -> EnquiryThread:
    return EnquiryThread.objects.get(enquiry=enquiry, facility=facility)


def url(thread: EnquiryThread, suffix: str = "") -> str:
    return f"{ENQUIRIES}{thread.pk}/{suffix}"


def refused(response, status: int = 400) -> dict:
    """The error body, after checking the status and the one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE
    return body


def mails_to_sme() -> int:
    return OutboxEmail.objects.filter(to=[SME_EMAIL]).count()


def state_of(thread: EnquiryThread) -> str:
    return EnquiryThread.objects.get(pk=thread.pk).state


@pytest.fixture
def flanders_thread(flanders_published) -> EnquiryThread:
    return thread_of(submit(flanders_published), flanders_published)


@pytest.fixture
def skane_thread(skane_published) -> EnquiryThread:
    return thread_of(submit(skane_published, name="Grace Hopper"), skane_published)


@pytest.fixture
def flanders_viewer(flanders):
    """A member of Flanders who reads internal records but edits nothing."""
    return MembershipFactory(
        user__username="viewer-flanders", region=flanders, role=Membership.Role.VIEWER
    ).user


@pytest.fixture
def editor_api(api_as, editor):
    return api_as(editor)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


# --- who may list -----------------------------------------------------------------------


def test_anonymous_client_must_authenticate_to_list(api, flanders_thread):
    body = refused(api.get(ENQUIRIES), 401)

    assert body["code"] == "not_authenticated"
    assert api.get(ENQUIRIES)["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("who", ["viewer", "flanders_viewer", "outsider"])
def test_members_who_do_not_answer_enquiries_may_not_list_them(api_as, request, flanders_thread, who):
    body = refused(api_as(request.getfixturevalue(who)).get(ENQUIRIES), 403)

    assert body["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("editor", {"flanders"}),
        ("coordinator", {"flanders"}),
        ("other_editor", {"skane"}),
        ("project_coordinator", {"flanders", "skane"}),
    ],
)
def test_list_holds_only_the_regions_the_user_answers_for(
    api_as, request, flanders_thread, skane_thread, who, sees
):
    response = api_as(request.getfixturevalue(who)).get(ENQUIRIES)

    assert response.status_code == 200
    assert {item["region"] for item in response.json()["results"]} == sees


# --- who may read one -------------------------------------------------------------------


def test_anonymous_client_must_authenticate_to_read_one(api, flanders_thread):
    response = api.get(url(flanders_thread))

    assert refused(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("who", ["viewer", "flanders_viewer", "outsider"])
def test_members_who_do_not_answer_enquiries_may_not_read_one(api_as, request, flanders_thread, who):
    response = api_as(request.getfixturevalue(who)).get(url(flanders_thread))

    assert refused(response, 403)["code"] == "permission_denied"


def test_other_region_editor_gets_404_for_a_flanders_enquiry(api_as, other_editor, flanders_thread):
    response = api_as(other_editor).get(url(flanders_thread))

    body = refused(response, 404)
    assert "Ada" not in response.content.decode()
    assert body["code"] == "not_found"


@pytest.mark.parametrize("who", ["editor", "coordinator", "project_coordinator"])
def test_the_region_staff_read_a_flanders_enquiry(api_as, request, flanders_thread, who):
    response = api_as(request.getfixturevalue(who)).get(url(flanders_thread))

    assert response.status_code == 200
    assert response.json()["name"] == "Ada Lovelace"


def test_an_unknown_or_malformed_id_is_404(editor_api, flanders_thread):
    assert refused(editor_api.get(f"{ENQUIRIES}999999/"), 404)["code"] == "not_found"
    assert refused(editor_api.get(f"{ENQUIRIES}abc/"), 404)["code"] == "not_found"
    assert refused(editor_api.get(f"{ENQUIRIES}{2**70}/"), 404)["code"] == "not_found"


# --- who may change one -----------------------------------------------------------------


def test_anonymous_client_cannot_change_an_enquiry(api, flanders_thread):
    response = api.patch(url(flanders_thread), {"state": "acknowledged"}, format="json")

    assert refused(response, 401)["code"] == "not_authenticated"
    assert state_of(flanders_thread) == "new"


@pytest.mark.parametrize("who", ["viewer", "flanders_viewer", "outsider"])
def test_members_who_do_not_answer_enquiries_cannot_change_one(api_as, request, flanders_thread, who):
    response = api_as(request.getfixturevalue(who)).patch(
        url(flanders_thread), {"state": "acknowledged"}, format="json"
    )

    refused(response, 403)
    assert state_of(flanders_thread) == "new"


def test_other_region_editor_cannot_change_a_flanders_enquiry(api_as, other_editor, flanders_thread):
    response = api_as(other_editor).patch(url(flanders_thread), {"state": "acknowledged"}, format="json")

    refused(response, 404)
    assert state_of(flanders_thread) == "new"


@pytest.mark.parametrize("who", ["editor", "coordinator", "project_coordinator"])
def test_the_region_staff_change_a_flanders_enquiry(api_as, request, flanders_thread, who):
    response = api_as(request.getfixturevalue(who)).patch(
        url(flanders_thread), {"state": "acknowledged"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert state_of(flanders_thread) == "acknowledged"


# --- who may reply ----------------------------------------------------------------------


def test_anonymous_client_cannot_reply(api, flanders_thread):
    response = api.post(url(flanders_thread, "replies/"), {"body": "Hello"}, format="json")

    refused(response, 401)
    assert not EnquiryMessage.objects.filter(thread=flanders_thread).exists()


@pytest.mark.parametrize("who", ["viewer", "flanders_viewer", "outsider"])
def test_members_who_do_not_answer_enquiries_cannot_reply(api_as, request, flanders_thread, who):
    response = api_as(request.getfixturevalue(who)).post(
        url(flanders_thread, "replies/"), {"body": "Hello"}, format="json"
    )

    refused(response, 403)
    assert not EnquiryMessage.objects.filter(thread=flanders_thread).exists()


def test_other_region_editor_cannot_reply_to_a_flanders_enquiry(api_as, other_editor, flanders_thread):
    response = api_as(other_editor).post(url(flanders_thread, "replies/"), {"body": "Hello"}, format="json")

    refused(response, 404)
    assert not EnquiryMessage.objects.filter(thread=flanders_thread).exists()


@pytest.mark.parametrize("who", ["editor", "coordinator", "project_coordinator"])
def test_the_region_staff_reply_to_a_flanders_enquiry(api_as, request, flanders_thread, who):
    response = api_as(request.getfixturevalue(who)).post(
        url(flanders_thread, "replies/"), {"body": "Yes, we can."}, format="json"
    )

    assert response.status_code == 201, response.content
    assert EnquiryMessage.objects.get(thread=flanders_thread).body == "Yes, we can."


# --- what is not offered ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target"),
    [("post", "list"), ("put", "detail"), ("delete", "detail")],
    ids=["create", "replace", "delete"],
)
def test_create_replace_and_delete_are_not_allowed(editor_api, flanders_thread, method, target):
    path = ENQUIRIES if target == "list" else url(flanders_thread)

    response = getattr(editor_api, method)(path, {"state": "closed"}, format="json")

    assert refused(response, 405)["code"] == "method_not_allowed"
    assert EnquiryThread.objects.filter(pk=flanders_thread.pk, state="new").count() == 1


def test_answers_are_not_kept_in_any_cache(editor_api, flanders_thread):
    response = editor_api.get(url(flanders_thread))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# --- the detail -------------------------------------------------------------------------


def test_detail_has_the_requester_the_request_and_the_other_facilities(
    editor_api, flanders_published, skane_published
):
    enquiry = submit(flanders_published, skane_published)

    body = editor_api.get(url(thread_of(enquiry, flanders_published))).json()

    assert (body["name"], body["email"], body["organisation"], body["country"]) == (
        "Ada Lovelace",
        SME_EMAIL,
        "Analytical Engines BV",
        "BE",
    )
    assert (body["message"], body["type"], body["budget_band"]) == (
        "Can you test our composite panels?",
        "testing",
        "5k-20k",
    )
    assert body["other_facilities"] == [
        {"slug": "skane-materials-centre", "name": "Skane Materials Centre", "state": "new"}
    ]


def test_detail_lists_the_messages_with_their_staff_author(editor_api, editor, flanders_thread):
    editor_api.post(url(flanders_thread, "replies/"), {"body": "We can."}, format="json")

    messages = editor_api.get(url(flanders_thread)).json()["messages"]

    assert [(m["author"], m["body"]) for m in messages] == [("staff", "We can.")]
    assert messages[0]["author_user"] == {"id": editor.pk, "name": "editor-flanders"}
    assert set(messages[0]) == {"id", "author", "author_user", "body", "created_at"}


def test_first_response_time_is_given_in_seconds(api_as, editor, flanders_published):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        thread = thread_of(submit(flanders_published), flanders_published)
        traveller.shift(timedelta(hours=2))
        api_as(editor).post(url(thread, "replies/"), {"body": "We can."}, format="json")

        body = api_as(editor).get(url(thread)).json()

    assert body["first_response_at"] == "2025-03-10T11:00:00Z"
    assert body["first_response_seconds"] == 7200


def test_anonymised_enquiry_shows_no_person(editor_api, flanders_thread):
    services.enquiry_anonymise(enquiry=flanders_thread.enquiry)

    body = editor_api.get(url(flanders_thread)).json()

    assert body["anonymised"] is True
    assert [body[key] for key in ("name", "email", "organisation", "message")] == [None] * 4
    assert body["country"] == "BE"


def test_anonymised_enquiry_in_the_list_shows_no_person(editor_api, flanders_thread):
    services.enquiry_anonymise(enquiry=flanders_thread.enquiry)

    (item,) = editor_api.get(ENQUIRIES).json()["results"]

    assert (item["name"], item["organisation"], item["anonymised"]) == (None, None, True)


# --- changing ---------------------------------------------------------------------------


def test_a_change_of_state_is_saved_and_mailed_to_the_sme(editor_api, flanders_thread):
    before = mails_to_sme()

    response = editor_api.patch(url(flanders_thread), {"state": "acknowledged"}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert state_of(flanders_thread) == "acknowledged"
    assert mails_to_sme() == before + 1


def test_a_note_with_the_change_of_state_is_in_the_conversation(editor_api, flanders_thread):
    response = editor_api.patch(
        url(flanders_thread), {"state": "declined", "note": "Our rig is booked until June."}, format="json"
    )

    assert response.status_code == 200
    assert [m["body"] for m in response.json()["messages"]] == ["Our rig is booked until June."]
    assert OutboxEmail.objects.filter(to=[SME_EMAIL], body__contains="booked until June").exists()


def test_a_change_of_state_counts_as_the_first_response(editor_api, editor, flanders_thread):
    response = editor_api.patch(url(flanders_thread), {"state": "acknowledged"}, format="json")

    assert response.json()["first_response_at"] is not None
    assert response.json()["assigned_to"] == {"id": editor.pk, "name": "editor-flanders"}


def test_outcome_and_its_note_are_recorded_without_mail(editor_api, flanders_thread):
    before = mails_to_sme()

    response = editor_api.patch(
        url(flanders_thread), {"outcome": "agreement", "outcome_note": "Contract signed."}, format="json"
    )

    assert response.status_code == 200
    thread = EnquiryThread.objects.get(pk=flanders_thread.pk)
    assert (thread.outcome, thread.outcome_note) == ("agreement", "Contract signed.")
    assert mails_to_sme() == before


def test_assigning_a_colleague_of_the_region(editor_api, coordinator, flanders_thread):
    response = editor_api.patch(url(flanders_thread), {"assigned_to": coordinator.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["assigned_to"]["id"] == coordinator.pk
    assert EnquiryThread.objects.get(pk=flanders_thread.pk).assigned_to == coordinator


def test_null_unassigns(editor_api, coordinator, flanders_thread):
    services.thread_assign(thread=flanders_thread, assignee=coordinator)

    response = editor_api.patch(url(flanders_thread), {"assigned_to": None}, format="json")

    assert response.status_code == 200
    assert EnquiryThread.objects.get(pk=flanders_thread.pk).assigned_to is None


# --- bad changes ------------------------------------------------------------------------


def test_an_unknown_state_is_named(editor_api, flanders_thread):
    body = refused(editor_api.patch(url(flanders_thread), {"state": "frozen"}, format="json"))

    assert list(body["errors"]) == ["state"]
    assert state_of(flanders_thread) == "new"


def test_an_illegal_transition_is_a_field_error_and_nothing_is_mailed(editor_api, flanders_thread):
    before = mails_to_sme()

    body = refused(editor_api.patch(url(flanders_thread), {"state": "accepted"}, format="json"))

    assert list(body["errors"]) == ["state"]
    assert "cannot become" in body["errors"]["state"][0]
    assert (state_of(flanders_thread), mails_to_sme()) == ("new", before)


def test_only_the_requester_withdraws(editor_api, flanders_thread):
    body = refused(editor_api.patch(url(flanders_thread), {"state": "withdrawn"}, format="json"))

    assert list(body["errors"]) == ["state"]
    assert state_of(flanders_thread) == "new"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"state": 5}, "state"),
        ({"state": ["closed"]}, "state"),
        ({"outcome": "great"}, "outcome"),
        ({"outcome_note": {"text": "x"}}, "outcome_note"),
        ({"assigned_to": "someone"}, "assigned_to"),
        ({"assigned_to": 0}, "assigned_to"),
        ({"note": "x" * 5001, "state": "closed"}, "note"),
        ({"outcome_note": "x" * 5001}, "outcome_note"),
        ({"colour": "red"}, "colour"),
    ],
    ids=[
        "state-number",
        "state-list",
        "unknown-outcome",
        "note-object",
        "assignee-text",
        "assignee-zero",
        "note-too-long",
        "outcome-note-too-long",
        "unknown-field",
    ],
)
def test_a_bad_value_is_named_and_nothing_changes(editor_api, flanders_thread, payload, field):
    body = refused(editor_api.patch(url(flanders_thread), payload, format="json"))

    assert list(body["errors"]) == [field]
    assert EnquiryThread.objects.filter(pk=flanders_thread.pk, state="new", outcome="").exists()


def test_a_note_without_a_change_of_state_is_refused(editor_api, flanders_thread):
    body = refused(editor_api.patch(url(flanders_thread), {"note": "Just so you know."}, format="json"))

    assert list(body["errors"]) == ["note"]
    assert not EnquiryMessage.objects.filter(thread=flanders_thread).exists()


def test_an_unknown_assignee_is_named(editor_api, flanders_thread):
    body = refused(editor_api.patch(url(flanders_thread), {"assigned_to": 987654}, format="json"))

    assert list(body["errors"]) == ["assigned_to"]
    assert EnquiryThread.objects.get(pk=flanders_thread.pk).assigned_to is None


def test_another_regions_editor_cannot_be_assigned_and_looks_unknown(
    editor_api, other_editor, flanders_thread
):
    other = refused(editor_api.patch(url(flanders_thread), {"assigned_to": other_editor.pk}, format="json"))
    unknown = refused(editor_api.patch(url(flanders_thread), {"assigned_to": 987654}, format="json"))

    assert list(other["errors"]) == ["assigned_to"]
    # No way to learn from the answer whether an id belongs to someone.
    assert other["errors"] == unknown["errors"]
    assert EnquiryThread.objects.get(pk=flanders_thread.pk).assigned_to is None


def test_a_refused_assignee_undoes_the_change_of_state_in_the_same_request(
    editor_api, other_editor, flanders_thread
):
    before = mails_to_sme()

    response = editor_api.patch(
        url(flanders_thread), {"state": "acknowledged", "assigned_to": other_editor.pk}, format="json"
    )

    refused(response)
    assert (state_of(flanders_thread), mails_to_sme()) == ("new", before)


def test_a_body_that_is_not_an_object_is_refused(editor_api, flanders_thread):
    body = refused(editor_api.patch(url(flanders_thread), ["closed"], format="json"))

    assert list(body["errors"]) == ["non_field_errors"]
    assert state_of(flanders_thread) == "new"


def test_an_anonymised_enquiry_cannot_change(editor_api, flanders_thread):
    services.enquiry_anonymise(enquiry=flanders_thread.enquiry)
    before = state_of(flanders_thread)

    body = refused(editor_api.patch(url(flanders_thread), {"state": "declined"}, format="json"))

    assert list(body["errors"]) == ["non_field_errors"]
    assert state_of(flanders_thread) == before


def test_an_anonymised_enquiry_cannot_get_an_outcome(editor_api, flanders_thread):
    services.enquiry_anonymise(enquiry=flanders_thread.enquiry)

    refused(editor_api.patch(url(flanders_thread), {"outcome": "agreement"}, format="json"))

    assert EnquiryThread.objects.get(pk=flanders_thread.pk).outcome != "agreement"


def test_an_anonymised_enquiry_cannot_be_assigned(editor_api, coordinator, flanders_thread):
    services.enquiry_anonymise(enquiry=flanders_thread.enquiry)

    body = refused(editor_api.patch(url(flanders_thread), {"assigned_to": coordinator.pk}, format="json"))

    assert list(body["errors"]) == ["non_field_errors"]
    assert EnquiryThread.objects.get(pk=flanders_thread.pk).assigned_to is None


# --- replies ----------------------------------------------------------------------------


def test_a_reply_is_stored_mailed_and_answers_201_with_the_message(editor_api, editor, flanders_thread):
    before = mails_to_sme()

    response = editor_api.post(url(flanders_thread, "replies/"), {"body": "Yes, next week."}, format="json")

    assert response.status_code == 201
    assert (response.json()["author"], response.json()["body"]) == ("staff", "Yes, next week.")
    assert response.json()["author_user"]["id"] == editor.pk
    assert mails_to_sme() == before + 1


def test_the_first_reply_sets_the_first_response_and_moves_to_discussion(editor_api, flanders_thread):
    editor_api.post(url(flanders_thread, "replies/"), {"body": "Yes, next week."}, format="json")

    thread = EnquiryThread.objects.get(pk=flanders_thread.pk)
    assert thread.first_response_at is not None
    assert thread.state == "in-discussion"


def test_a_reply_can_move_the_state(editor_api, flanders_thread):
    response = editor_api.post(
        url(flanders_thread, "replies/"),
        {"body": "Our quote is attached.", "state": "quote-sent"},
        format="json",
    )

    assert response.status_code == 201
    assert state_of(flanders_thread) == "quote-sent"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": ["Hello"]}, "body"),
        ({"body": True}, "body"),
        ({"body": "Hello", "state": "frozen"}, "state"),
        ({"body": "Hello", "state": "accepted"}, "state"),
        ({"body": "Hello", "cc": "boss@example.org"}, "cc"),
    ],
    ids=[
        "empty",
        "blank",
        "missing",
        "too-long",
        "list",
        "boolean",
        "unknown-state",
        "illegal-transition",
        "unknown-field",
    ],
)
def test_a_bad_reply_is_named_and_nothing_is_stored(editor_api, flanders_thread, payload, field):
    before = mails_to_sme()

    body = refused(editor_api.post(url(flanders_thread, "replies/"), payload, format="json"))

    assert list(body["errors"]) == [field]
    assert not EnquiryMessage.objects.filter(thread=flanders_thread).exists()
    assert mails_to_sme() == before


def test_no_reply_to_an_anonymised_enquiry(editor_api, flanders_thread):
    services.enquiry_anonymise(enquiry=flanders_thread.enquiry)

    body = refused(editor_api.post(url(flanders_thread, "replies/"), {"body": "Hello?"}, format="json"))

    assert list(body["errors"]) == ["non_field_errors"]
    assert not EnquiryMessage.objects.filter(thread=flanders_thread, author="staff").exists()


def test_no_reply_to_a_withdrawn_enquiry(editor_api, flanders_thread):
    services.enquiry_withdraw(enquiry=flanders_thread.enquiry)

    body = refused(editor_api.post(url(flanders_thread, "replies/"), {"body": "Hello?"}, format="json"))

    assert list(body["errors"]) == ["body"]
    assert not EnquiryMessage.objects.filter(thread=flanders_thread, author="staff").exists()


# --- boxes and filters ------------------------------------------------------------------


@pytest.fixture
def inbox(editor, coordinator, flanders_published, flanders, flanders_host):
    """Five Flanders threads, one per box, the overdue one from 2 weeks ago."""
    second = FacilityFactory(
        name="Flanders Robotics Lab",
        slug="flanders-robotics-lab",
        region=flanders,
        host=flanders_host,
        published=True,
    )
    with time_machine.travel(datetime.now(UTC) - timedelta(days=14), tick=False):
        overdue = thread_of(submit(flanders_published, email="old@sme.example"), flanders_published)
    fresh = thread_of(submit(second, email="new@sme.example"), second)
    mine = thread_of(submit(flanders_published, email="mine@sme.example"), flanders_published)
    services.thread_transition(thread=mine, user=editor, state="acknowledged")
    theirs = thread_of(submit(flanders_published, email="theirs@sme.example"), flanders_published)
    services.thread_transition(thread=theirs, user=coordinator, state="in-discussion")
    closed = thread_of(submit(flanders_published, email="done@sme.example"), flanders_published)
    services.thread_transition(thread=closed, user=editor, state="closed")
    return {"overdue": overdue, "fresh": fresh, "mine": mine, "theirs": theirs, "closed": closed}


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ("new", {"overdue", "fresh"}),
        ("mine", {"mine"}),
        ("overdue", {"overdue"}),
        ("open", {"overdue", "fresh", "mine", "theirs"}),
        ("closed", {"closed"}),
        ("all", {"overdue", "fresh", "mine", "theirs", "closed"}),
        (None, {"overdue", "fresh", "mine", "theirs", "closed"}),
    ],
)
def test_boxes_hold_the_inbox_threads(editor_api, inbox, box, expected):
    response = editor_api.get(ENQUIRIES, {"box": box} if box else {})

    assert ids(response) == {inbox[name].pk for name in expected}


def test_an_unknown_box_is_named(editor_api, inbox):
    body = refused(editor_api.get(ENQUIRIES, {"box": "spam"}))

    assert list(body["errors"]) == ["box"]


def test_facility_filter_takes_a_slug(editor_api, inbox):
    response = editor_api.get(ENQUIRIES, {"facility": "flanders-robotics-lab"})

    assert ids(response) == {inbox["fresh"].pk}


def test_state_filter(editor_api, inbox):
    response = editor_api.get(ENQUIRIES, {"state": "in-discussion"})

    assert ids(response) == {inbox["theirs"].pk}
    assert list(refused(editor_api.get(ENQUIRIES, {"state": "frozen"}))["errors"]) == ["state"]


def test_region_filter_takes_a_code(api_as, project_coordinator, flanders_thread, skane_thread):
    client = api_as(project_coordinator)

    assert ids(client.get(ENQUIRIES, {"region": "skane"})) == {skane_thread.pk}
    assert list(refused(client.get(ENQUIRIES, {"region": "atlantis"}))["errors"]) == ["region"]


def test_region_filter_does_not_widen_the_scope(editor_api, flanders_thread, skane_thread):
    response = editor_api.get(ENQUIRIES, {"region": "skane"})

    assert ids(response) == set()


def test_updated_since_returns_what_changed(api_as, editor, flanders_published):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        old = thread_of(submit(flanders_published, email="a@sme.example"), flanders_published)
        traveller.shift(timedelta(days=2))
        new = thread_of(submit(flanders_published, email="b@sme.example"), flanders_published)
        client = api_as(editor)

        assert ids(client.get(ENQUIRIES, {"updated_since": "2025-03-11T00:00:00Z"})) == {new.pk}
        assert ids(client.get(ENQUIRIES, {"updated_since": "2025-03-10"})) == {old.pk, new.pk}


@pytest.mark.parametrize("value", ["yesterday", "2025-02-30", "2025-03-10T25:00"])
def test_a_bad_updated_since_is_named(editor_api, flanders_thread, value):
    body = refused(editor_api.get(ENQUIRIES, {"updated_since": value}))

    assert list(body["errors"]) == ["updated_since"]


def test_a_null_character_in_a_filter_is_refused(editor_api, flanders_thread):
    body = refused(editor_api.get(ENQUIRIES, {"facility": "lab\x00"}))

    assert list(body["errors"]) == ["facility"]


def test_the_cursor_walks_every_thread_once(editor_api, inbox):
    first = editor_api.get(ENQUIRIES, {"page_size": 3}).json()
    second = editor_api.get(first["next"]).json()

    seen = [item["id"] for item in first["results"] + second["results"]]
    assert sorted(seen) == sorted(thread.pk for thread in inbox.values())
    assert second["next"] is None


# --- queries and throttling -------------------------------------------------------------


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(ENQUIRIES, {"page_size": 100})
    assert response.status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_the_threads(api_as, editor, coordinator, flanders_published):
    client = api_as(editor)
    client.get(ENQUIRIES)  # the token's first use records it (one UPDATE)
    for _ in range(2):
        services.thread_assign(
            thread=thread_of(submit(flanders_published), flanders_published), assignee=editor
        )
    few = list_queries(client)
    for n in range(10):
        thread = thread_of(submit(flanders_published, email=f"sme{n}@sme.example"), flanders_published)
        services.thread_assign(thread=thread, assignee=coordinator if n % 2 else editor)

    many = list_queries(client)

    assert few == many
    # the token, the owner's other tokens (knox expiry sweep), roles, the page
    assert many <= 4


def test_detail_queries_do_not_grow_with_the_messages(api_as, editor, flanders_published, skane_published):
    client = api_as(editor)
    short = thread_of(submit(flanders_published, skane_published), flanders_published)
    long = thread_of(submit(flanders_published, skane_published), flanders_published)
    services.thread_reply(thread=short, user=editor, body="Reply")
    for n in range(8):
        services.thread_reply(thread=long, user=editor, body=f"Reply {n}")
    client.get(url(short))

    with CaptureQueriesContext(connection) as few:
        client.get(url(short))
    with CaptureQueriesContext(connection) as many:
        client.get(url(long))

    assert len(few) == len(many)


@pytest.fixture
def low_rates(monkeypatch):
    """DRF copies the rates into the throttle classes at import: set them there."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"})


def test_changes_are_throttled_like_the_other_writes(editor_api, flanders_thread, low_rates):
    statuses = [
        editor_api.patch(url(flanders_thread), {"outcome_note": f"n{n}"}, format="json").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
    assert EnquiryThread.objects.get(pk=flanders_thread.pk).outcome_note == "n2"
