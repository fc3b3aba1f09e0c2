"""The regional partners' inbox (`/manage/enquiries/`) and the figures on "my region".

Every side of the permission matrix, each box, each form on the thread page (through
the services), the escaping of an SME's text, a query-count guard, and the figures
under frozen time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.enquiries import selectors, services
from catalogue.enquiries.inbox import human_duration
from catalogue.enquiries.links import enquiry_path
from catalogue.models import EnquiryThread
from core.dates import add_working_days, working_days_between
from core.models import OutboxEmail
from tests.factories import FacilityFactory

INBOX = reverse("enquiries:inbox")
# Session, user, memberships, box counts, facility choices, page count, page of threads.
INBOX_CEILING = 7
# A Monday: the working-day arithmetic below reads easily from it.
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _enquire(facilities, *, name: str = "Ada Lovelace", message: str = "Can you test our sensor?", **extra):
    return services.enquiry_submit(
        requester=services.Requester(
            name=name,
            email=extra.get("email", f"{name.split()[0].lower()}@sme.example"),
            organisation=extra.get("organisation", "Sensors BV"),
            organisation_type="sme",
            country="BE",
        ),
        request=services.EnquiryRequest(
            type="testing", message=message, wished_start=date(2025, 6, 1), budget_band="5k-20k"
        ),
        facilities=facilities,
        consent_text="I agree that the facilities see my enquiry.",
    )


def _thread(enquiry, facility=None) -> EnquiryThread:
    threads = EnquiryThread.objects.filter(enquiry=enquiry)
    if facility is not None:
        threads = threads.filter(facility=facility)
    return threads.get()


def _url(thread: EnquiryThread) -> str:
    return reverse("enquiries:thread", kwargs={"thread_id": thread.pk})


@pytest.fixture
def lab(flanders):
    return FacilityFactory(published=True, region=flanders, name="Flemish Photonics Lab")


@pytest.fixture
def skane_lab(skane):
    return FacilityFactory(published=True, region=skane, name="Scanian Materials Lab")


@pytest.fixture
def thread(lab) -> EnquiryThread:
    return _thread(_enquire([lab]))


# --- who may see the inbox ------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["outsider", "viewer"])
def test_people_who_answer_no_region_get_403_on_the_inbox(client_for, request, who):
    response = client_for(request.getfixturevalue(who)).get(INBOX)
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["editor", "coordinator", "project_coordinator"])
def test_the_regions_partners_see_its_enquiries(client_for, request, thread, who):
    response = client_for(request.getfixturevalue(who)).get(INBOX)
    assert response.status_code == 200
    assert "Ada Lovelace" in response.content.decode()
    assert _url(thread) in response.content.decode()


def test_other_regions_editor_sees_none_of_flanders_threads_in_any_box(
    client_for, other_editor, thread, skane_lab
):
    _enquire([skane_lab], name="Greta Svensson")
    client = client_for(other_editor)
    for box in selectors.BOXES:
        body = client.get(INBOX, {"box": box}).content.decode()
        assert "Ada Lovelace" not in body, box
        assert _url(thread) not in body, box
    assert "Greta Svensson" in client.get(INBOX, {"box": "all"}).content.decode()


def test_other_regions_editor_counts_only_their_own_threads(client_for, other_editor, thread, skane_lab):
    _enquire([skane_lab], name="Greta Svensson")
    response = client_for(other_editor).get(INBOX, {"box": "all"})
    assert [(t["box"], t["count"]) for t in response.context["tabs"] if t["box"] in ("new", "all")] == [
        ("new", 1),
        ("all", 1),
    ]


# --- who may see and change a thread --------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_from_a_thread(client, thread):
    response = client.get(_url(thread))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["other_editor", "viewer", "outsider"])
def test_a_thread_outside_ones_regions_is_404(client_for, request, thread, who):
    response = client_for(request.getfixturevalue(who)).get(_url(thread))
    assert response.status_code == 404
    assert "Ada Lovelace" not in response.content.decode()


POSTS = [
    {"action": "reply", "reply-body": "We can do it."},
    {"action": "state", "state-state": "acknowledged", "state-note": ""},
    {"action": "outcome", "outcome-outcome": "agreement", "outcome-note": "Signed."},
    {"action": "assign", "assign-assign": "me"},
]


@pytest.mark.parametrize("who", ["other_editor", "viewer", "outsider"])
@pytest.mark.parametrize("data", POSTS, ids=[p["action"] for p in POSTS])
def test_every_post_from_outside_the_region_is_404_and_changes_nothing(
    client_for, request, thread, who, data
):
    mails = OutboxEmail.objects.count()
    response = client_for(request.getfixturevalue(who)).post(_url(thread), data)
    assert response.status_code == 404
    thread.refresh_from_db()
    assert (thread.state, thread.outcome, thread.assigned_to_id) == (EnquiryThread.State.NEW, "", None)
    assert (thread.messages.count(), OutboxEmail.objects.count()) == (0, mails)


@pytest.mark.parametrize("who", ["editor", "coordinator", "project_coordinator"])
def test_the_regions_partners_can_reply(client_for, request, thread, who):
    response = client_for(request.getfixturevalue(who)).post(_url(thread), POSTS[0])
    assert response.status_code == 302
    assert response["Location"] == _url(thread)
    assert thread.messages.get().body == "We can do it."


def test_a_post_needs_the_csrf_token(editor, thread):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    response = csrf_client.post(_url(thread), POSTS[0])
    assert response.status_code == 403
    assert thread.messages.count() == 0


# --- the boxes ------------------------------------------------------------------------


@pytest.fixture
def inbox_of_every_kind(editor, coordinator, lab):
    """Five threads, each in one situation, at Tuesday 11 March 2025 10:00 (frozen)."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        overdue = _thread(_enquire([lab], name="Olga Overdue"))  # Monday 3 March, never answered
        traveller.move_to(MONDAY + timedelta(days=3))  # Thursday: 3 working days before "now"
        fresh = _thread(_enquire([lab], name="Nina New"))
        mine = _thread(_enquire([lab], name="Mia Mine"))
        services.thread_reply(thread=mine, user=editor, body="Hello")  # assigns the editor
        others = _thread(_enquire([lab], name="Oscar Other"))
        services.thread_reply(thread=others, user=coordinator, body="Hello")
        closed = _thread(_enquire([lab], name="Clara Closed"))
        services.thread_transition(thread=closed, user=editor, state=EnquiryThread.State.CLOSED)
        traveller.move_to(datetime(2025, 3, 11, 10, 0, tzinfo=UTC))
        yield {"overdue": overdue, "fresh": fresh, "mine": mine, "others": others, "closed": closed}


EXPECTED_BOXES = {
    "new": {"Olga Overdue", "Nina New"},
    "mine": {"Mia Mine"},
    "overdue": {"Olga Overdue"},
    "open": {"Olga Overdue", "Nina New", "Mia Mine", "Oscar Other"},
    "closed": {"Clara Closed"},
    "all": {"Olga Overdue", "Nina New", "Mia Mine", "Oscar Other", "Clara Closed"},
}


@pytest.mark.parametrize("box", selectors.BOXES)
def test_each_box_lists_its_threads(client_for, editor, inbox_of_every_kind, box):
    response = client_for(editor).get(INBOX, {"box": box})
    shown = {row["thread"].enquiry.name for row in response.context["rows"]}
    assert response.status_code == 200
    assert shown == EXPECTED_BOXES[box]


def test_tab_counts_match_the_boxes_and_mark_the_current_one(client_for, editor, inbox_of_every_kind):
    response = client_for(editor).get(INBOX, {"box": "overdue"})
    tabs = response.context["tabs"]
    assert {t["box"]: t["count"] for t in tabs} == {box: len(names) for box, names in EXPECTED_BOXES.items()}
    assert re.search(r'<a href="\?box=overdue"\s+aria-current="page">', response.content.decode())


def test_overdue_rows_say_how_many_working_days_without_answer(client_for, editor, inbox_of_every_kind):
    response = client_for(editor).get(INBOX, {"box": "new"})
    body = response.content.decode()
    assert "6 working days without answer" in body  # Monday 3 March 09:00 to Tuesday 11 March 10:00
    assert body.count("working days without answer") == 1  # Nina New (3 days) is not overdue


def test_search_finds_the_requesters_organisation(client_for, editor, lab):
    _enquire([lab], name="Ada Lovelace", organisation="Analytical Engines Ltd")
    _enquire([lab], name="Bob Builder", organisation="Bricks NV")
    response = client_for(editor).get(INBOX, {"box": "all", "q": "analytical"})
    assert [row["thread"].enquiry.name for row in response.context["rows"]] == ["Ada Lovelace"]


def test_facility_filter_keeps_one_facilitys_threads(client_for, editor, lab, flanders):
    other_lab = FacilityFactory(published=True, region=flanders, name="Flemish Robotics Hall")
    _enquire([lab], name="Ada Lovelace")
    _enquire([other_lab], name="Bob Builder")
    response = client_for(editor).get(INBOX, {"box": "all", "facility": other_lab.pk})
    assert [row["thread"].enquiry.name for row in response.context["rows"]] == ["Bob Builder"]
    assert f'<option value="{other_lab.pk}" selected>' in response.content.decode()


def test_region_filter_is_offered_to_people_with_several_regions(
    client_for, project_coordinator, lab, skane_lab
):
    _enquire([lab], name="Ada Lovelace")
    _enquire([skane_lab], name="Greta Svensson")
    response = client_for(project_coordinator).get(INBOX, {"box": "all", "region": "skane"})
    assert 'id="inbox-region"' in response.content.decode()
    assert [row["thread"].enquiry.name for row in response.context["rows"]] == ["Greta Svensson"]


def test_editor_of_one_region_gets_no_region_filter(client_for, editor, thread):
    response = client_for(editor).get(INBOX)
    assert 'id="inbox-region"' not in response.content.decode()


def test_the_list_is_paginated_by_25(client_for, editor, lab):
    for n in range(27):
        _enquire([lab], name=f"Requester {n:02d}")
    response = client_for(editor).get(INBOX, {"box": "all", "page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["rows"]) == 2


def test_inbox_queries_do_not_grow_with_the_threads(client_for, editor, lab, django_assert_max_num_queries):
    client = client_for(editor)

    def queries() -> int:
        client.get(INBOX, {"box": "all"})  # warm-up: nothing cached per process is counted
        with CaptureQueriesContext(connection) as captured:
            response = client.get(INBOX, {"box": "all"})
        assert response.status_code == 200
        return len(captured.captured_queries)

    labs = [lab, *(FacilityFactory(published=True, region=lab.region) for _n in range(3))]
    for n in range(5):
        _enquire([labs[n % 4]], name=f"Small {n}")
    small = queries()
    for n in range(25):
        thread = _thread(_enquire([labs[n % 4]], name=f"Large {n}"))
        if n % 3 == 0:
            services.thread_reply(thread=thread, user=editor, body="On it.")
    with django_assert_max_num_queries(INBOX_CEILING):
        client.get(INBOX, {"box": "all"})
    assert queries() == small


# --- the thread page ------------------------------------------------------------------


def test_thread_page_shows_the_requester_and_the_conversation(
    client_for, editor, coordinator, lab, skane_lab
):
    enquiry = _enquire([lab, skane_lab], message="First line\nSecond line")
    thread = _thread(enquiry, lab)
    services.thread_reply(thread=thread, user=coordinator, body="We can help.")
    body = client_for(editor).get(_url(thread)).content.decode()
    assert "ada@sme.example" in body
    assert 'href="mailto:' not in body
    assert "First line<br>Second line" in body
    assert body.index("First line") < body.index("We can help.")
    assert "Scanian Materials Lab" in body  # the sibling: its name and state, nothing more


def test_siblings_show_no_other_regions_conversation(client_for, editor, other_editor, lab, skane_lab):
    enquiry = _enquire([lab, skane_lab])
    services.thread_reply(thread=_thread(enquiry, skane_lab), user=other_editor, body="Swedish answer")
    body = client_for(editor).get(_url(_thread(enquiry, lab))).content.decode()
    assert "Scanian Materials Lab" in body
    assert "Swedish answer" not in body


def test_links_and_scripts_in_messages_are_shown_escaped_and_not_linked(client_for, editor, lab):
    evil = "See https://evil.example/x <script>alert(1)</script>"
    enquiry = _enquire([lab], message=evil)
    thread = _thread(enquiry)
    services.enquiry_requester_reply(enquiry=enquiry, thread=thread, body=evil)
    body = client_for(editor).get(_url(thread)).content.decode()
    assert 'href="https://evil.example' not in body
    assert "<script>alert(1)</script>" not in body
    assert body.count("See https://evil.example/x &lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_script_in_the_requesters_name_is_escaped_in_the_list(client_for, editor, lab):
    _enquire([lab], name="Eve <script>alert(1)</script>", email="eve@sme.example")
    body = client_for(editor).get(INBOX).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_reply_mails_the_requester_with_the_private_link(client_for, editor, lab):
    enquiry = _enquire([lab])
    thread = _thread(enquiry)
    response = client_for(editor).post(_url(thread), {"action": "reply", "reply-body": "Yes, in May."})
    mail = OutboxEmail.objects.filter(to=["ada@sme.example"]).order_by("-pk").first()
    assert response.status_code == 302
    assert "Yes, in May." in mail.body
    assert enquiry_path(enquiry) in mail.body


def test_reply_counts_as_first_response_and_moves_new_to_in_discussion(client_for, editor, thread):
    with time_machine.travel(thread.created_at + timedelta(hours=3), tick=False):
        client_for(editor).post(_url(thread), {"action": "reply", "reply-body": "Yes."})
    thread.refresh_from_db()
    assert thread.first_response_time == timedelta(hours=3)
    assert thread.state == EnquiryThread.State.IN_DISCUSSION
    assert thread.assigned_to == editor


def test_reply_can_set_another_state(client_for, editor, thread):
    client_for(editor).post(
        _url(thread), {"action": "reply", "reply-body": "Quote attached.", "reply-state": "quote-sent"}
    )
    thread.refresh_from_db()
    assert thread.state == EnquiryThread.State.QUOTE_SENT


def test_success_message_follows_the_redirect(client_for, editor, thread):
    response = client_for(editor).post(_url(thread), POSTS[0], follow=True)
    assert response.status_code == 200
    assert re.search(
        r'role="status">\s*<p class="message message-success">Your reply was sent', response.content.decode()
    )


def test_first_response_time_is_shown(client_for, editor, thread):
    with time_machine.travel(thread.created_at + timedelta(hours=5), tick=False):
        services.thread_reply(thread=thread, user=editor, body="Yes.")
    body = client_for(editor).get(_url(thread)).content.decode()
    assert "after 5 hours" in body


def test_empty_reply_is_a_form_error_and_sends_nothing(client_for, editor, thread):
    mails = OutboxEmail.objects.count()
    response = client_for(editor).post(_url(thread), {"action": "reply", "reply-body": "   "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert (thread.messages.count(), OutboxEmail.objects.count()) == (0, mails)


def test_state_change_moves_the_thread_and_tells_the_requester(client_for, editor, thread):
    mails = OutboxEmail.objects.filter(to=["ada@sme.example"]).count()
    response = client_for(editor).post(
        _url(thread), {"action": "state", "state-state": "acknowledged", "state-note": "We look into it."}
    )
    thread.refresh_from_db()
    assert response.status_code == 302
    assert thread.state == EnquiryThread.State.ACKNOWLEDGED
    assert OutboxEmail.objects.filter(to=["ada@sme.example"]).count() == mails + 1


def test_illegal_transition_is_400_with_the_services_message_and_changes_nothing(client_for, editor, thread):
    mails = OutboxEmail.objects.count()
    response = client_for(editor).post(_url(thread), {"action": "state", "state-state": "accepted"})
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()
    thread.refresh_from_db()
    assert (thread.state, thread.first_response_at, thread.messages.count()) == ("new", None, 0)
    assert OutboxEmail.objects.count() == mails


def test_state_select_offers_only_the_allowed_next_states(client_for, editor, thread):
    body = client_for(editor).get(_url(thread)).content.decode()
    select = re.search(r'<select name="state-state".*?</select>', body, re.S).group(0)
    offered = set(re.findall(r'<option value="([^"]+)"', select))
    assert offered == set(services.TRANSITIONS[EnquiryThread.State.NEW])


def test_outcome_is_recorded(client_for, editor, thread):
    response = client_for(editor).post(
        _url(thread),
        {"action": "outcome", "outcome-outcome": "agreement", "outcome-note": "Contract signed."},
    )
    thread.refresh_from_db()
    assert response.status_code == 302
    assert (thread.outcome, thread.outcome_note) == ("agreement", "Contract signed.")


def test_unknown_outcome_is_400(client_for, editor, thread):
    response = client_for(editor).post(_url(thread), {"action": "outcome", "outcome-outcome": "bribed"})
    thread.refresh_from_db()
    assert response.status_code == 400
    assert thread.outcome == ""


def test_assign_to_me_then_unassign(client_for, coordinator, thread):
    client = client_for(coordinator)
    client.post(_url(thread), {"action": "assign", "assign-assign": "me"})
    thread.refresh_from_db()
    assert thread.assigned_to == coordinator
    client.post(_url(thread), {"action": "assign", "assign-assign": "nobody"})
    thread.refresh_from_db()
    assert thread.assigned_to is None


def test_unknown_action_is_400(client_for, editor, thread):
    response = client_for(editor).post(_url(thread), {"action": "delete"})
    assert response.status_code == 400


def test_withdrawn_thread_offers_no_reply(client_for, editor, thread):
    services.enquiry_withdraw(enquiry=thread.enquiry)
    body = client_for(editor).get(_url(thread)).content.decode()
    assert 'name="reply-body"' not in body
    assert "withdrew this enquiry" in body


def test_anonymised_enquiry_shows_anonymised_and_no_forms(client_for, editor, thread):
    services.enquiry_anonymise(enquiry=thread.enquiry)
    body = client_for(editor).get(_url(thread)).content.decode()
    assert "anonymised" in body
    assert "Ada Lovelace" not in body
    assert 'name="action"' not in body


def test_anonymised_enquiry_refuses_every_post(client_for, editor, thread):
    services.enquiry_anonymise(enquiry=thread.enquiry)
    response = client_for(editor).post(_url(thread), {"action": "assign", "assign-assign": "me"})
    thread.refresh_from_db()
    assert response.status_code == 400
    assert thread.assigned_to is None


# --- the figures on "my region" -------------------------------------------------------


@pytest.fixture
def figures(editor, lab, skane_lab, other_editor):
    """March 2025 in Flanders: three enquiries, two answered after 2 and 4 hours; one in Skåne."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        fast, slow, waiting = (_thread(_enquire([lab], name=f"SME {n}")) for n in range(3))
        swede = _thread(_enquire([skane_lab], name="Greta Svensson"))
        traveller.shift(timedelta(hours=2))
        services.thread_reply(thread=fast, user=editor, body="Yes")
        services.thread_set_outcome(thread=fast, outcome="agreement")
        traveller.shift(timedelta(hours=2))
        services.thread_reply(thread=slow, user=editor, body="Yes")
        services.thread_reply(thread=swede, user=other_editor, body="Ja")
        traveller.move_to(datetime(2025, 3, 20, 12, 0, tzinfo=UTC))
        yield {"fast": fast, "slow": slow, "waiting": waiting}


def _figures_table(body: str) -> str:
    return re.search(
        r'<table class="data-table">\s*<caption id="enquiries-caption">.*?</table>', body, re.S
    ).group(0)


def test_my_region_shows_the_enquiry_figures(client_for, editor, figures):
    response = client_for(editor).get(reverse("catalogue:my-region"))
    table = _figures_table(response.content.decode())
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table, re.S)
    ][7:]
    assert cells == ["Flanders", "March 2025", "3", "2", "3", "3 hours", "Agreement or contract signed: 1"]


def test_my_region_figures_leave_out_other_regions(client_for, other_editor, figures):
    response = client_for(other_editor).get(reverse("catalogue:my-region"))
    table = _figures_table(response.content.decode())
    assert "Skåne" in table
    assert "Flanders" not in table


def test_my_region_figures_stop_after_twelve_months(client_for, editor, figures):
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), tick=False):
        response = client_for(editor).get(reverse("catalogue:my-region"))
    assert "No enquiries in the last 12 months." in response.content.decode()


def test_viewer_sees_no_enquiry_figures_on_my_region(client_for, viewer, figures):
    response = client_for(viewer).get(reverse("catalogue:my-region"))
    assert response.status_code == 200
    assert 'id="enquiries-title"' not in response.content.decode()


def test_my_region_links_to_the_inbox(client_for, editor, db):
    response = client_for(editor).get(reverse("catalogue:my-region"))
    assert f'href="{INBOX}"' in response.content.decode()


# --- the arithmetic behind the page ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=42), "42 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=47, minutes=20), "47 hours"),
        (timedelta(days=3), "3 days"),
        (timedelta(days=2, hours=12), "2.5 days"),
    ],
)
def test_human_duration_reads_like_people_talk(value, text):
    assert human_duration(value) == text


@pytest.mark.parametrize("start_hours", [0, 9, 30, 100, 130, 140, 150])  # weekdays and weekends
def test_working_days_between_agrees_with_add_working_days(start_hours):
    start = MONDAY.replace(hour=0) + timedelta(hours=start_hours)
    for end_hours in range(0, 24 * 30, 5):
        end = start + timedelta(hours=end_hours)
        n = working_days_between(start, end)
        # The largest n that has come due (add_working_days(weekend, 0) is the Monday after).
        assert n == 0 or add_working_days(start, n) <= end, (start, end)
        assert end < add_working_days(start, n + 1), (start, end)


def test_the_account_menu_links_partners_to_their_inbox(client_for, editor, viewer):
    page = client_for(editor).get("/").content.decode()
    assert 'href="/manage/enquiries/"' in page
    assert 'href="/manage/region/"' in page
    page = client_for(viewer).get("/").content.decode()
    assert 'href="/manage/enquiries/"' not in page


@pytest.mark.parametrize(
    ("who", "links"),
    [("editor", {"My region", "Enquiries"}), ("viewer", {"My region"}), ("outsider", set())],
)
def test_the_account_menu_links_the_work_pages_each_user_may_open(
    client_for, editor, viewer, outsider, db, who, links
):
    """The menu asks the pages' own permissions: each link it shows opens, none it hides would."""
    client = client_for({"editor": editor, "viewer": viewer, "outsider": outsider}[who])
    html = client.get("/").content.decode()
    shown = {label for label in ("My region", "Enquiries") if f">{label}</a>" in html}
    assert shown == links
    for url, label in ((reverse("catalogue:my-region"), "My region"), (INBOX, "Enquiries")):
        assert (client.get(url).status_code == 200) == (label in links)
