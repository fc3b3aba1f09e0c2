"""axe-core finds no serious or critical accessibility violation on the SME's pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Catalogue, assert_page_healthy, browser_db

if TYPE_CHECKING:
    from playwright.sync_api import Page

axe_sync = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)

pytestmark = [pytest.mark.browser, browser_db]

SERIOUS = {"serious", "critical"}

PAGES: dict[str, Callable[[Catalogue], str]] = {
    "home": lambda c: "/",
    "search with results": lambda c: "/facilities/?q=laser",
    "search on a map": lambda c: "/facilities/?q=laser&view=map",
    "search without results": lambda c: "/facilities/?q=lasr&region=tartu&ket=unknown",
    "facility": lambda c: f"/facilities/{c.laser_line.slug}/",
    "compare": lambda c: f"/compare/?ids={c.laser_line.slug}&ids={c.laser_lab.slug}&ids={c.battery.slug}",
    "region": lambda c: "/regions/flanders/",
}


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(
    page: Page, live_server, catalogue: Catalogue, name: str
) -> None:
    page.goto(live_server.url + PAGES[name](catalogue))
    page.wait_for_load_state("networkidle")

    result = axe_sync.Axe().run(page)

    serious = [v for v in result.response["violations"] if v["impact"] in SERIOUS]
    if serious:
        print(_describe(serious))
    assert serious == [], _describe(serious)
    assert_page_healthy(page)
