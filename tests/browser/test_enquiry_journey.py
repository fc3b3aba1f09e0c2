"""Enquiries in a real browser (issue #7): an SME finds a facility and asks it with the
keyboard, follows the private link from the confirmation mail, and talks with the region's
editor, who answers from the inbox in another browser; the form's errors; "ask all of
them" from the compare page; axe on every enquiry page; a wrong private link is a 404."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import Catalogue, assert_page_healthy, browser_db, search_from_home, tab_to

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) is not installed").expect

pytestmark = [pytest.mark.browser, browser_db]

SME_NAME = "Marie Dubois"
SME_EMAIL = "marie.dubois@example.com"
SME_ORGANISATION = "Dubois Precision Parts"
SME_MESSAGE = "We would like to test laser welding of thin stainless steel housings, about 40 parts."
EDITOR_REPLY = "Thank you, Marie. We can run welding trials in week 12; please send two sample parts."
SME_ANSWER = "Great, the two sample parts leave our workshop on Monday."
PRIVATE_PATH = re.compile(r"/enquiries/[0-9a-f-]{36}/[0-9a-f]+/")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(local_cache) -> None:
    """The per-IP and per-email limits count in the process's cache, which the live
    server shares with every test of the session: each test starts from zero."""
    return


@pytest.fixture
def flanders_editor(transactional_db: None) -> Any:
    """An editor of Flanders (the laser line's region) with a known password."""
    from core.models import Membership
    from tests.factories import MembershipFactory, region

    return MembershipFactory(
        user__username="editor-flanders", region=region("flanders"), role=Membership.Role.EDITOR
    ).user


def sign_in(page: Page, base_url: str, path: str, user: Any) -> None:
    """Open `path` signed out, sign in through the login form it sends us to, land on `path`."""
    from tests.factories import PASSWORD

    page.goto(base_url + path)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))


def private_path_from_mail(email: str) -> str:
    """The private link's path, from the confirmation mail in the outbox."""
    from core.models import OutboxEmail

    mails = list(OutboxEmail.objects.filter(to=[email], subject__startswith="InnoInfra: your enquiry"))
    assert len(mails) == 1, [m.subject for m in mails]
    match = re.search(r"https?://\S+", mails[0].body)
    assert match, mails[0].body
    path = urlparse(match.group(0)).path
    assert PRIVATE_PATH.fullmatch(path), path
    return path


def fill_enquiry(page: Page, *, message: str = SME_MESSAGE) -> None:
    """Fill the visible enquiry form quickly (the keyboard journey is its own test)."""
    page.locator("#enquiry-name").fill(SME_NAME)
    page.locator("#enquiry-email").fill(SME_EMAIL)
    page.locator("#enquiry-organisation").fill(SME_ORGANISATION)
    page.locator("#enquiry-organisation_type_0").check()
    page.locator("#enquiry-country").select_option("BE")
    page.locator("#enquiry-type_1").check()
    page.locator("#enquiry-message").fill(message)
    page.locator("#enquiry-consent").check()


def submit_enquiry(page: Page) -> None:
    page.get_by_role("button", name="Send the enquiry").click()
    page.wait_for_url(re.compile(r"/enquiries/sent/$"))


def test_sme_enquires_with_the_keyboard_and_talks_with_the_editor(
    new_page: Callable[..., Page], live_server, catalogue: Catalogue, flanders_editor: Any
) -> None:
    from catalogue.models import Enquiry

    facility = catalogue.laser_line
    sme = new_page()

    # Search from the home page and open the facility, keyboard only.
    search_from_home(sme, live_server.url, "laser", found="3 facilities found")
    tab_to(sme, f"#card-{facility.slug} a")
    sme.keyboard.press("Enter")
    sme.wait_for_url(re.compile(rf"/facilities/{facility.slug}/$"))
    expect(sme.locator("h1")).to_contain_text(facility.name)
    expect(sme.get_by_role("heading", name="Ask this facility")).to_be_visible()

    # The form under "Ask this facility", with Tab, typing, arrows and Space.
    tab_to(sme, "#enquiry-name")
    sme.keyboard.type(SME_NAME)
    tab_to(sme, "#enquiry-email")
    sme.keyboard.type(SME_EMAIL)
    tab_to(sme, "#enquiry-organisation")
    sme.keyboard.type(SME_ORGANISATION)
    tab_to(sme, "#enquiry-organisation_type_0")  # a radio group is one tab stop
    sme.keyboard.press("Space")
    expect(sme.locator("#enquiry-organisation_type_0")).to_be_checked()
    tab_to(sme, "#enquiry-country")
    sme.keyboard.type("Belgium")  # a closed select chooses by typing
    expect(sme.locator("#enquiry-country")).to_have_value("BE")
    tab_to(sme, "#enquiry-type_0")
    sme.keyboard.press("Space")
    sme.keyboard.press("ArrowDown")  # arrows move the choice within the group
    expect(sme.locator("#enquiry-type_1")).to_be_checked()
    tab_to(sme, "#enquiry-message")
    sme.keyboard.type(SME_MESSAGE)
    tab_to(sme, "#enquiry-consent")
    sme.keyboard.press("Space")
    expect(sme.locator("#enquiry-consent")).to_be_checked()
    tab_to(sme, ".enquiry-form button[type=submit]")  # the honeypot is skipped on the way
    sme.keyboard.press("Enter")

    sme.wait_for_url(re.compile(r"/enquiries/sent/$"))
    expect(sme.locator("h1")).to_have_text("Thank you: your enquiry was sent")
    expect(sme.locator(".enquiry-address")).to_have_text(SME_EMAIL)
    assert_page_healthy(sme)

    enquiry = Enquiry.objects.get()
    assert (enquiry.name, enquiry.email, enquiry.country, enquiry.type) == (
        SME_NAME,
        SME_EMAIL,
        "BE",
        Enquiry.Type.QUOTE,
    )
    assert [t.facility_id for t in enquiry.threads.all()] == [facility.pk]

    # The confirmation mail carries the private link; the SME follows it.
    private_path = private_path_from_mail(SME_EMAIL)
    response = sme.goto(live_server.url + private_path)
    assert response is not None
    assert response.status == 200
    assert response.headers.get("referrer-policy") == "strict-origin"
    expect(sme.locator("h1")).to_have_text("Your enquiry")
    expect(sme.locator(".enquiry-asked .message-body")).to_contain_text(SME_MESSAGE)
    thread_section = sme.locator("section.thread")
    expect(thread_section.locator("h2")).to_have_text(facility.name)
    expect(thread_section).to_contain_text("No answer yet")

    # The Flanders editor, in another browser context, answers from the inbox.
    editor = new_page()
    sign_in(editor, live_server.url, "/manage/enquiries/", flanders_editor)
    expect(editor.locator("#inbox-caption")).to_contain_text("1 enquiry")
    row = editor.locator(".inbox-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(SME_NAME)
    row.get_by_role("link").click()
    editor.wait_for_url(re.compile(r"/manage/enquiries/\d+/$"))
    expect(editor.locator("h1")).to_have_text(f"Enquiry to {facility.name}")
    expect(editor.locator(".inbox-messages")).to_contain_text(SME_MESSAGE)
    editor.get_by_label("Your reply").fill(EDITOR_REPLY)
    editor.get_by_role("button", name="Send the reply").click()
    expect(editor.locator(".messages")).to_contain_text("Your reply was sent to the requester.")
    expect(editor.locator(".inbox-messages")).to_contain_text(EDITOR_REPLY)
    assert_page_healthy(editor)

    # The SME reloads the private page: the reply is there, signed by the facility.
    sme.reload()
    messages = thread_section.locator(".thread-messages li")
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text(facility.name)
    expect(messages.first).to_contain_text(EDITOR_REPLY)
    expect(thread_section).not_to_contain_text(flanders_editor.get_username())

    # ... and writes back from the private page.
    thread_section.get_by_label(f"Write to {facility.name}").fill(SME_ANSWER)
    thread_section.get_by_role("button", name="Send").click()
    expect(sme.locator(".messages")).to_contain_text(f"Your message was sent to {facility.name}.")
    expect(messages).to_have_count(2)
    expect(messages.nth(1)).to_contain_text(SME_ANSWER)
    assert_page_healthy(sme)

    # The editor sees the SME's message in the thread.
    editor.reload()
    conversation = editor.locator(".inbox-messages > li")
    expect(conversation).to_have_count(3)  # the enquiry, the reply, the SME's answer
    expect(conversation.nth(2)).to_contain_text(SME_ANSWER)


def test_an_empty_enquiry_shows_the_error_summary_and_stores_nothing(
    page: Page, live_server, catalogue: Catalogue
) -> None:
    from catalogue.models import Enquiry
    from core.models import OutboxEmail

    page.goto(f"{live_server.url}/enquiries/new/?facility={catalogue.laser_line.slug}")
    expect(page.locator("h1")).to_have_text(f"Ask {catalogue.laser_line.name}")

    # The browser's own validation stops the empty form first, at the first field.
    page.get_by_role("button", name="Send the enquiry").click()
    expect(page.locator("#enquiry-name")).to_be_focused()
    assert page.url.endswith(f"?facility={catalogue.laser_line.slug}")

    # A browser without constraint validation posts it: the server's summary answers.
    page.evaluate("document.querySelector('.enquiry-form').noValidate = true")
    page.get_by_role("button", name="Send the enquiry").click()
    page.wait_for_url(re.compile(r"/enquiries/new/$"))
    summary = page.locator("#enquiry-errors")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(page).to_have_title(re.compile(r"^Error:"))
    links = summary.locator("li a")
    expect(links).to_have_count(7)
    expected_targets = [
        "#enquiry-name",
        "#enquiry-email",
        "#enquiry-organisation_type_0",
        "#enquiry-country",
        "#enquiry-type_0",
        "#enquiry-message",
        "#enquiry-consent",
    ]
    assert [links.nth(n).get_attribute("href") for n in range(7)] == expected_targets
    for target in expected_targets:
        expect(page.locator(target)).to_have_count(1)
        expect(page.locator(target)).to_have_attribute("aria-invalid", "true")

    # A link of the summary leads to its field.
    summary.get_by_role("link", name=re.compile(r"^Your message")).click()
    expect(page.locator("#enquiry-message")).to_be_focused()
    assert_page_healthy(page)

    assert Enquiry.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_ask_all_of_them_from_the_compare_page(page: Page, live_server, catalogue: Catalogue) -> None:
    from catalogue.models import Enquiry

    first, second = catalogue.laser_line, catalogue.laser_lab
    page.goto(f"{live_server.url}/compare/?ids={first.slug}&ids={second.slug}")
    page.get_by_role("link", name="Ask all of them").click()
    page.wait_for_url(re.compile(r"/enquiries/new/\?"))
    expect(page.locator("h1")).to_have_text("Ask 2 facilities at once")
    boxes = page.locator("input[name=facilities]")
    expect(boxes).to_have_count(2)
    for n in range(2):
        expect(boxes.nth(n)).to_be_checked()

    fill_enquiry(page)
    submit_enquiry(page)

    enquiry = Enquiry.objects.get()
    assert sorted(t.facility_id for t in enquiry.threads.all()) == sorted([first.pk, second.pk])

    page.goto(live_server.url + private_path_from_mail(SME_EMAIL))
    expect(page.locator("section.thread h2")).to_have_text([first.name, second.name])


def test_enquiry_pages_have_no_serious_accessibility_violations(
    new_page: Callable[..., Page], live_server, catalogue: Catalogue, flanders_editor: Any
) -> None:
    pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
    )
    from tests.browser.test_accessibility import SERIOUS, _describe, axe_sync

    failures: dict[str, str] = {}

    def scan(page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        result = axe_sync.Axe().run(page)
        serious = [v for v in result.response["violations"] if v["impact"] in SERIOUS]
        if serious:
            failures[name] = _describe(serious)
        assert_page_healthy(page)

    sme = new_page()
    sme.goto(f"{live_server.url}/enquiries/new/?facility={catalogue.laser_line.slug}")
    scan(sme, "enquiry form")
    fill_enquiry(sme)
    submit_enquiry(sme)
    scan(sme, "sent")
    private_path = private_path_from_mail(SME_EMAIL)

    editor = new_page()
    sign_in(editor, live_server.url, "/manage/enquiries/", flanders_editor)
    scan(editor, "inbox")
    editor.locator(".inbox-table tbody tr").get_by_role("link").click()
    editor.wait_for_url(re.compile(r"/manage/enquiries/\d+/$"))
    editor.get_by_label("Your reply").fill(EDITOR_REPLY)
    editor.get_by_role("button", name="Send the reply").click()
    expect(editor.locator(".inbox-messages")).to_contain_text(EDITOR_REPLY)
    scan(editor, "thread")

    sme.goto(live_server.url + private_path)
    expect(sme.locator(".thread-messages")).to_contain_text(EDITOR_REPLY)
    scan(sme, "private page")

    for name, description in failures.items():
        print(f"--- {name}\n{description}")
    assert failures == {}, "\n".join(f"{name}:\n{text}" for name, text in failures.items())


def test_a_wrong_token_gets_the_404_page_and_nothing_of_the_enquiry(
    page: Page, live_server, catalogue: Catalogue
) -> None:
    page.goto(f"{live_server.url}/enquiries/new/?facility={catalogue.laser_line.slug}")
    fill_enquiry(page)
    submit_enquiry(page)
    private_path = private_path_from_mail(SME_EMAIL)
    _, _enquiries, public_id, token, _ = private_path.split("/")
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")

    for path in (
        f"/enquiries/{public_id}/{wrong}/",
        f"/enquiries/{public_id}/{wrong}/delete/",
        f"/enquiries/00000000-0000-4000-8000-000000000000/{token}/",
    ):
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == 404, path
        assert response.headers.get("referrer-policy") == "strict-origin"
        expect(page.locator("h1")).to_have_text("Not Found")
        body = page.content()
        for secret in (SME_NAME, SME_EMAIL, SME_ORGANISATION, SME_MESSAGE, catalogue.laser_line.name):
            assert secret not in body, (path, secret)

    # The right link still opens it.
    response = page.goto(live_server.url + private_path)
    assert response is not None
    assert response.status == 200
    expect(page.locator(".enquiry-asked")).to_contain_text(SME_MESSAGE)
