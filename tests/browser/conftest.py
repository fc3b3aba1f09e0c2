"""Browser journeys: Playwright (Python) drives the system Chromium against Django's live
server (ARCHITECTURE §10, PITFALLS "Browser tests").

- No browser is downloaded: Chromium comes from `CHROMIUM_PATH` or /usr/bin/chromium;
  without it (or without Playwright) every test here is skipped, saying why.
- Only the live server is reachable: every other request (map tiles) is aborted, so
  the pages are tested as they behave when the tile server is down.
- Tests are transactional (the live server runs in another thread) with serialized
  rollback, because the flush between tests would otherwise also empty the regions and
  vocabularies that data migrations put in the test database: mark them `browser_db`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlparse

import pytest

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None  # type: ignore[assignment]

CHROMIUM_ARGS = [
    "--no-sandbox",  # Chromium as root (containers, CI) refuses to start without it
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000


def chromium_executable() -> str | None:
    path = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "Playwright (Python) is not installed: pip install -e '.[dev]'"
    if chromium_executable() is None:
        wanted = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
        return f"Chromium not found at {wanted} (install Debian's chromium or set CHROMIUM_PATH)"
    return None


# Transactional (the live server answers from another thread) with serialized rollback
# (the flush after each test would also empty the regions and vocabularies that data
# migrations put in the test database).
browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


# --- browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_session(django_db_setup: None) -> Iterator[Playwright]:
    from django.db import connections

    assert sync_playwright is not None
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections
    }
    # Playwright's sync API keeps an event loop running in the test thread, and Django
    # refuses ORM calls while one runs unless told it is fine: set for exactly as long
    # as Playwright runs, here only (PITFALLS "Browser tests").
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # Playwright switches greenlets, and Django keeps connections in context
            # variables: from here on tests get other connection objects. Without the
            # database snapshot on them, serialized rollback silently restores nothing.
            for alias, contents in serialized.items():
                if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                    connections[alias]._test_serialized_contents = contents
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=chromium_executable(), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@dataclass
class PageProblems:
    """Uncaught script errors of a page, on every document it showed."""

    errors: list[str] = field(default_factory=list)


@pytest.fixture
def new_page(browser: Browser, live_server: Any, transactional_db: None) -> Iterator[Callable[..., Page]]:
    """`new_page(**context_options)`: a page in a fresh context that reaches only the live server.

    Depends on `transactional_db` so that its contexts close (and their requests end)
    before the database is flushed.
    """
    allowed = urlparse(live_server.url).netloc
    contexts: list[BrowserContext] = []

    def only_live_server(route: Route) -> None:
        if urlparse(route.request.url).netloc == allowed:
            route.continue_()
        else:
            route.abort()

    def make(**options: Any) -> Page:
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.route("**/*", only_live_server)
        # Each document records the CSP violations it sees (init scripts are exempt from CSP).
        context.add_init_script(
            "window.cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
        )
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        page.on("pageerror", lambda error: problems.errors.append(str(error)))
        page.problems = problems  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def assert_page_healthy(page: Page) -> None:
    """The current document saw no CSP violation, and no page had an uncaught script error."""
    problems: PageProblems = page.problems  # type: ignore[attr-defined]
    assert page.evaluate("window.cspViolations") == []
    assert problems.errors == [], problems.errors


def tab_to(page: Page, selector: str, *, limit: int = 250) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    target = page.locator(selector)
    target.wait_for(state="attached")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def search_from_home(page: Page, base_url: str, words: str, *, found: str) -> None:
    """From the home page, keyboard only: type the words in its search box and press Enter;
    the results page announces `found` ("3 facilities found")."""
    page.goto(f"{base_url}/")
    tab_to(page, "#home-q")
    page.keyboard.type(words)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/facilities/\?q={re.escape(quote_plus(words))}$"))
    expect(page.locator("#results-status")).to_have_text(found)


# --- data -------------------------------------------------------------------------------


@dataclass
class Catalogue:
    laser_line: Any
    laser_lab: Any
    laser_centre: Any
    battery: Any
    biobank: Any
    cleanroom: Any
    draft: Any

    @property
    def laser_results(self) -> list[Any]:
        return [self.laser_line, self.laser_lab, self.laser_centre]


def build_catalogue() -> Catalogue:
    """A small published catalogue in four regions: three facilities about lasers.

    Built with the factories, which save through the catalogue services, so the search
    vectors, service types and completeness are what the portal itself would write.
    Vocabulary codes come from fixtures/vocabularies.json.
    """
    from catalogue.services import search_words_rebuild
    from tests.factories import EquipmentFactory, FacilityFactory, OrganisationFactory, ServiceFactory, region

    def facility(region_code: str, host: str, lat: str, lng: str, **fields: Any) -> Any:
        where = region(region_code)
        defaults: dict[str, Any] = {
            "published": True,
            "region": where,
            "host": OrganisationFactory(name=host, region=where),
            "latitude": Decimal(lat),
            "longitude": Decimal(lng),
            "access_types": ["physical"],
            "access_modes": ["fee-based"],
            "pricing": "on-quotation",
            "order_type": "request-required",
            "support_level": "assisted",
            "target_users": ["smes", "researchers"],
            "contact_name": "Ann Peeters",
            "contact_phone": "+32 56 00 00 00",
        }
        defaults.update(fields)
        return FacilityFactory(**defaults)

    laser_line = facility(
        "flanders",
        "Flanders Make Kortrijk",
        "50.82800",
        "3.26500",
        name="Laser Processing Pilot Line",
        acronym="LPPL",
        slug="laser-processing-pilot-line",
        tagline="Laser cutting, welding and surface texturing from trial to small series.",
        description="A pilot line where SMEs test laser welding and laser cutting of metals and composites.",
        facility_type="pilot-line",
        technologies=["photonics", "advanced-manufacturing"],
        trl_min=4,
        trl_max=7,
        city="Kortrijk",
        address="Graaf Karel de Goedelaan 5",
        postcode="8500",
        lead_time="2 to 4 weeks",
        price_indication="From 900 EUR per day",
        training_offered=True,
        contact_email="laserline@example.org",
        website="https://example.org/laser-line",
    )
    laser_lab = facility(
        "skane",
        "Lund University",
        "55.71200",
        "13.20300",
        name="Photonics Laser Laboratory",
        acronym="PLL",
        slug="photonics-laser-laboratory",
        tagline="Ultrafast lasers and optical metrology.",
        description="Femtosecond laser sources and spectroscopy for materials research and SME feasibility studies.",
        facility_type="research-lab",
        technologies=["photonics"],
        trl_min=2,
        trl_max=5,
        city="Lund",
        access_modes=["free-conditionally"],
        pricing="sme-subsidised",
        contact_email="pll@example.org",
    )
    laser_centre = facility(
        "chemnitz",
        "TU Chemnitz",
        "50.81300",
        "12.93000",
        name="Laser Additive Manufacturing Centre",
        acronym="LAMC",
        slug="laser-additive-manufacturing-centre",
        tagline="Metal 3D printing of prototypes and spare parts.",
        description="Powder-bed laser melting and directed energy deposition for prototypes.",
        facility_type="technology-centre",
        technologies=["advanced-manufacturing", "advanced-materials"],
        trl_min=3,
        trl_max=6,
        city="Chemnitz",
        contact_email="lamc@example.org",
    )
    battery = facility(
        "brainport",
        "Brainport Battery Consortium",
        "51.44100",
        "5.47000",
        name="Battery Testbed Eindhoven",
        slug="battery-testbed-eindhoven",
        tagline="Cycling, abuse and safety tests of cells and packs.",
        description="Climate chambers and cyclers for battery cells, modules and packs.",
        facility_type="testbed",
        technologies=["advanced-materials"],
        trl_min=5,
        trl_max=8,
        city="Eindhoven",
        contact_email="battery@example.org",
    )
    biobank = facility(
        "tartu",
        "University of Tartu",
        "58.37800",
        "26.72900",
        name="Tartu Biobank Core Facility",
        slug="tartu-biobank-core-facility",
        tagline="Sample storage and genotyping.",
        description="Biological sample storage, DNA extraction and genotyping services.",
        facility_type="collection-biobank",
        technologies=["life-science-technologies", "industrial-biotechnology"],
        trl_min=1,
        trl_max=4,
        city="Tartu",
        contact_email="biobank@example.org",
    )
    cleanroom = facility(
        "south-moravia",
        "Brno University of Technology",
        "49.22600",
        "16.59700",
        name="Brno Nanofabrication Cleanroom",
        slug="brno-nanofabrication-cleanroom",
        tagline="ISO 5 cleanroom for micro and nano devices.",
        description="Lithography, thin films and etching in an ISO 5 cleanroom.",
        facility_type="cleanroom",
        technologies=["micro-and-nanoelectronics", "nanotechnology"],
        trl_min=2,
        trl_max=6,
        city="Brno",
        contact_email="cleanroom@example.org",
    )
    draft = facility(
        "flanders",
        "Flanders Make Leuven",
        "50.87900",
        "4.70100",
        published=False,
        name="Laser Draft Facility",
        slug="laser-draft-facility",
        technologies=["photonics"],
        contact_email="draft@example.org",
    )

    cell = EquipmentFactory(
        facility=laser_line,
        name="Fibre laser welding cell",
        category="laser-processing",
        manufacturer="Trumpf",
        model_name="TruLaser Cell 3000",
        bookable=True,
        training_required=True,
    )
    ServiceFactory(
        facility=laser_line,
        name="Laser welding trials",
        service_type="prototyping",
        trl_min=4,
        trl_max=6,
        turnaround="2 weeks",
        pricing="Daily rate",
    )
    ServiceFactory(facility=laser_line, name="Weld seam inspection", service_type="testing-validation")
    ServiceFactory(facility=laser_lab, name="Laser spectroscopy", service_type="measurement-analysis")
    ServiceFactory(facility=laser_centre, name="Prototype printing", service_type="prototyping")
    ServiceFactory(facility=battery, name="Battery cycling", service_type="testing-validation")
    ServiceFactory(facility=biobank, name="Genotyping", service_type="measurement-analysis")
    ServiceFactory(facility=cleanroom, name="Lithography runs", service_type="prototyping")
    laser_line.services.get(name="Laser welding trials").equipment.add(cell)
    search_words_rebuild()
    return Catalogue(laser_line, laser_lab, laser_centre, battery, biobank, cleanroom, draft)


@pytest.fixture
def catalogue(transactional_db: None) -> Catalogue:
    from core.models import Region, Term

    if not (Region.objects.exists() and Term.objects.exists()):
        pytest.fail(
            "The test database has no regions or vocabularies (seeded by data migrations): "
            "run once with --create-db"
        )
    return build_catalogue()


@pytest.fixture(scope="session", autouse=True)
def _browser_database(restore_seeded_rows: None) -> None:
    """Browser tests are transactional: after the session the rows the data migrations
    seeded are put back (tests/conftest.py), for the next run with --reuse-db."""
