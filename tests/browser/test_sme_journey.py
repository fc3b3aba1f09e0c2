"""An SME finds, filters, opens and compares facilities with the keyboard alone, with and
without JavaScript (STYLE "Views and templates": htmx only enhances)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Catalogue, assert_page_healthy, browser_db, search_from_home, tab_to

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) is not installed").expect

pytestmark = [pytest.mark.browser, browser_db]


def test_skip_link_moves_focus_to_the_main_content(page: Page, live_server, catalogue: Catalogue) -> None:
    page.goto(f"{live_server.url}/")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()


def test_keyboard_journey_from_home_search_to_comparison(
    page: Page, live_server, catalogue: Catalogue
) -> None:
    search_from_home(page, live_server.url, "laser", found="3 facilities found")

    # A facet ticked with Space refreshes the results in place (htmx) and the URL.
    page.evaluate("window.sameDocument = true")
    tab_to(page, "#facet-region-flanders")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"[?&]region=flanders"))
    expect(page.locator("#results-status")).to_have_text("1 facility found")
    expect(page.locator("#results .result-card h3 a")).to_have_text([catalogue.laser_line.name])
    expect(page.locator("#facet-region-flanders")).to_be_focused()
    assert page.evaluate("window.sameDocument === true"), "the page was reloaded instead of updated"

    # Back restores the unfiltered results.
    page.go_back()
    page.wait_for_url(re.compile(r"/facilities/\?q=laser$"))
    expect(page.locator("#results-status")).to_have_text("3 facilities found")
    expect(page.locator("#facet-region-flanders")).not_to_be_checked()

    # Open a facility with Enter, and come back.
    tab_to(page, f"#card-{catalogue.laser_lab.slug} a")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(catalogue.laser_lab.name)
    page.go_back()
    expect(page.locator("h1")).to_have_text("Find research infrastructure")
    expect(page.locator("#results-status")).to_have_text("3 facilities found")

    # Tick two "Compare" boxes with Space and submit them.
    tab_to(page, f"#compare-{catalogue.laser_line.slug}")
    page.keyboard.press("Space")
    tab_to(page, f"#compare-{catalogue.laser_lab.slug}")
    page.keyboard.press("Space")
    tab_to(page, "button[form=compare-form]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/compare/\?"))
    headers = page.locator(".compare-table thead th[scope=col]")
    expect(headers).to_have_count(2)
    expect(headers.nth(0)).to_contain_text(catalogue.laser_line.name)
    expect(headers.nth(1)).to_contain_text(catalogue.laser_lab.name)
    assert_page_healthy(page)


def test_filtered_results_survive_leaving_and_coming_back(
    page: Page, live_server, catalogue: Catalogue
) -> None:
    """An htmx-pushed URL, revisited with Back after another page, shows the whole page."""
    page.goto(f"{live_server.url}/facilities/?q=laser")
    tab_to(page, "#facet-region-skane")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"[?&]region=skane"))
    expect(page.locator("#results-status")).to_have_text("1 facility found")

    tab_to(page, f"#card-{catalogue.laser_lab.slug} a")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(catalogue.laser_lab.name)
    page.go_back()

    expect(page.locator("h1")).to_have_text("Find research infrastructure")
    expect(page.locator("#facet-region-skane")).to_be_checked()
    expect(page.locator("#results-status")).to_have_text("1 facility found")


def test_compare_refuses_a_fifth_facility_politely(page: Page, live_server, catalogue: Catalogue) -> None:
    page.goto(f"{live_server.url}/facilities/")
    boxes = page.locator("input[data-compare]")
    expect(boxes).to_have_count(6)
    for n in range(5):
        boxes.nth(n).focus()
        page.keyboard.press("Space")

    expect(page.locator("input[data-compare]:checked")).to_have_count(4)
    expect(boxes.nth(4)).not_to_be_checked()
    expect(page.locator("#compare-status")).to_contain_text("up to 4")


def test_suggestions_are_reachable_with_arrow_keys(page: Page, live_server, catalogue: Catalogue) -> None:
    page.goto(f"{live_server.url}/")
    tab_to(page, "#home-q")
    page.keyboard.type("lase")
    suggestions = page.locator("#suggestions a")
    expect(suggestions).to_have_count(3)
    expect(page.locator("#suggest-status")).to_contain_text("3 suggestions")

    page.keyboard.press("ArrowDown")
    expect(suggestions.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(suggestions.nth(1)).to_be_focused()
    page.keyboard.press("Escape")

    expect(page.locator("#home-q")).to_be_focused()
    expect(suggestions).to_have_count(0)


def test_search_and_filters_work_without_javascript(
    new_page: Callable[..., Page], live_server, catalogue: Catalogue
) -> None:
    page = new_page(java_script_enabled=False)
    search_from_home(page, live_server.url, "laser", found="3 facilities found")

    tab_to(page, "#facet-region-chemnitz")
    page.keyboard.press("Space")
    tab_to(page, "text=Apply filters")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"[?&]region=chemnitz"))
    expect(page.locator("#results-status")).to_have_text("1 facility found")
    expect(page.locator(".chip")).to_contain_text("Region: Chemnitz")


def test_home_lists_every_region_when_scripts_and_tiles_fail(
    new_page: Callable[..., Page], live_server, catalogue: Catalogue
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/")

    expect(page.locator("#regions-map")).to_be_hidden()
    expect(page.locator("#regions-caption + thead + tbody tr")).to_have_count(8)
    expect(page.get_by_role("link", name="Flanders", exact=True)).to_have_attribute(
        "href", "/regions/flanders/"
    )


def test_home_map_is_drawn_without_tiles(page: Page, live_server, catalogue: Catalogue) -> None:
    """Tile requests are aborted (conftest): the map still shows the regions' circles."""
    page.goto(f"{live_server.url}/")

    expect(page.locator("#regions-map")).to_be_visible()
    expect(page.locator("#regions-map path.leaflet-interactive")).to_have_count(8)
    assert_page_healthy(page)


def test_map_view_swaps_in_a_map_and_keeps_a_list(page: Page, live_server, catalogue: Catalogue) -> None:
    page.goto(f"{live_server.url}/facilities/?q=laser")
    tab_to(page, "#view-list")  # a radio group is one tab stop; arrows choose
    page.keyboard.press("ArrowRight")

    page.wait_for_url(re.compile(r"[?&]view=map"))
    expect(page.locator("#results-map")).to_be_visible()
    expect(page.locator("#results-map .leaflet-marker-icon")).to_have_count(3)
    expect(page.locator(".map-list li")).to_have_count(3)
    assert_page_healthy(page)
