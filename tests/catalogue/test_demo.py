"""The generated demo catalogue (catalogue.demo) and the demo accounts.

The generator is deterministic and covers every vocabulary an SME filters on; the
loader is idempotent and fills the search columns; the accounts are those of
ARCHITECTURE §8 and never appear on a portal running without DEBUG or DEMO_MODE.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import override_settings
from django.urls import resolve
from django.utils import timezone

from catalogue import selectors
from catalogue.demo.enquiries import enquiry_specs
from catalogue.demo.generator import FacilitySpec, generate
from catalogue.demo.loader import load, load_bulk
from catalogue.enquiries import selectors as enquiry_selectors
from catalogue.enquiries.services import FINISHED_STATES
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread, Equipment, Facility, Service
from catalogue.selectors import SearchParams
from catalogue.services import VOCABULARY_FIELDS
from core.models import Membership, OutboxEmail, Region, Term
from core.selectors import TermIndex, term_index

NOW = datetime(2026, 6, 1, tzinfo=UTC)
REGION_LANGUAGES = {
    "flanders": "nl",
    "south-moravia": "cs",
    "tartu": "et",
    "chemnitz": "de",
    "emilia-romagna": "it",
    "vidzeme": "lv",
    "brainport": "nl",
    "skane": "sv",
}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def index(db) -> TermIndex:
    return term_index()


@pytest.fixture
def specs(index) -> list[FacilitySpec]:
    return list(generate(240, seed=2026, index=index, now=NOW))


def values_of(specs: list[FacilitySpec], field: str) -> list[str]:
    values = [getattr(s, field) for s in specs]
    return [v for value in values for v in value] if isinstance(values[0], tuple) else values


# --- the generator ------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_specs_and_another_seed_others(index):
    first = list(generate(40, seed=11, index=index, now=NOW))
    assert first == list(generate(40, seed=11, index=index, now=NOW))
    assert first != list(generate(40, seed=12, index=index, now=NOW))
    # Streaming: a shorter run is a prefix of a longer one.
    assert list(generate(10, seed=11, index=index, now=NOW)) == first[:10]


def test_facilities_are_spread_evenly_over_the_regions(specs):
    counts = Counter(s.region for s in specs)
    assert counts == dict.fromkeys(REGION_LANGUAGES, 30)
    assert set(Region.objects.values_list("code", flat=True)) == set(REGION_LANGUAGES)


def test_every_code_is_known_to_its_vocabulary(specs, index):
    for field, (vocabulary, _many) in VOCABULARY_FIELDS.items():
        assert index.unknown(vocabulary, values_of(specs, field)) == [], field
    categories = [e.category for s in specs for e in s.equipment]
    service_types = [x.service_type for s in specs for x in s.services]
    assert index.unknown(Term.Vocabulary.EQUIPMENT_CATEGORY, categories) == []
    assert index.unknown(Term.Vocabulary.SERVICE_TYPE, service_types) == []


def test_240_facilities_cover_every_filter_value(specs, index):
    assert set(values_of(specs, "technologies")) == set(index.codes(Term.Vocabulary.KET))
    assert set(values_of(specs, "facility_type")) == set(index.codes(Term.Vocabulary.FACILITY_TYPE))
    assert set(values_of(specs, "access_modes")) == set(index.codes(Term.Vocabulary.ACCESS_MODE))
    service_types = {x.service_type for s in specs for x in s.services}
    assert service_types == set(index.codes(Term.Vocabulary.SERVICE_TYPE))
    levels = {level for s in specs for level in range(s.trl_min, s.trl_max + 1)}
    assert levels == set(range(1, 10))


def test_trl_ranges_are_valid(specs):
    for s in specs:
        assert 1 <= s.trl_min <= s.trl_max <= 9
        for service in s.services:
            assert s.trl_min <= service.trl_min <= service.trl_max <= s.trl_max


def test_records_are_complete_plausible_and_fictional(specs):
    assert len({s.slug for s in specs}) == len(specs)
    assert len({s.name_en for s in specs}) > 0.9 * len(specs)
    for s in specs:
        assert s.slug.endswith(f"-{s.number}")
        assert s.description_en.count(". ") >= 2
        assert 1 <= len(s.technologies) <= 3
        assert 2 <= len(s.equipment) <= 6
        assert 1 <= len(s.services) <= 4
        assert all(0 <= i < len(s.equipment) for x in s.services for i in x.equipment)
        assert s.contact_email.endswith("@example.org")
        assert s.website.startswith("https://example.org/")
        assert s.host.name.split()[0] in {"Demo", "Sample", "Example", "Fictional"}
        assert s.host.region == s.region
        assert s.source == "demo"
    assert sum("smes" in s.target_users for s in specs) > 0.8 * len(specs)
    assert 0.85 <= sum(s.state == "published" for s in specs) / len(specs) <= 0.95
    stale = sum(s.last_verified_at < NOW - timedelta(days=365) for s in specs) / len(specs)
    assert 0.1 <= stale <= 0.3
    assert all(NOW - timedelta(days=731) < s.last_verified_at <= NOW for s in specs)


def test_every_third_facility_speaks_its_region_language(specs):
    for s in specs:
        if (s.number - 1) % 3 == 0:
            assert s.language == REGION_LANGUAGES[s.region]
            assert s.name_local
            assert s.tagline_local
            assert s.description_local
        else:
            assert (s.language, s.name_local, s.description_local) == ("", "", "")
    local_text = " ".join(s.description_local for s in specs)
    for word in ("Diensten:", "Služby:", "Teenused:", "Leistungen:", "Servizi:", "Pakalpojumi:", "Tjänster:"):
        assert word in local_text


# --- the loaders --------------------------------------------------------------------------------


def test_load_twice_creates_once_then_changes_nothing(index):
    specs = list(generate(16, seed=2026, index=index, now=NOW))
    first = load(specs, index=index)
    assert (first.created, first.updated, first.unchanged) == (16, 0, 0)
    assert Facility.objects.count() == 16
    assert Equipment.objects.count() == sum(len(s.equipment) for s in specs)
    assert Service.objects.count() == sum(len(s.services) for s in specs)
    stamps = dict(Facility.objects.values_list("slug", "updated_at"))

    again = load(list(generate(16, seed=2026, index=index, now=NOW + timedelta(days=3))), index=index)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16)
    assert dict(Facility.objects.values_list("slug", "updated_at")) == stamps

    facility = Facility.objects.get(slug=specs[0].slug)
    assert facility.name == specs[0].name_en
    assert facility.service_types == sorted({x.service_type for x in specs[0].services})
    assert getattr(facility, f"name_{specs[0].language}") == specs[0].name_local
    Equipment.objects.filter(facility=facility).order_by("pk").first().delete()  # type: ignore[union-attr]
    Facility.objects.filter(pk=facility.pk).update(tagline_en="Edited")
    repaired = load(specs, index=index)
    assert (repaired.created, repaired.updated, repaired.unchanged) == (0, 1, 15)
    facility.refresh_from_db()
    assert facility.tagline_en == specs[0].tagline_en
    assert facility.equipment.count() == len(specs[0].equipment)


def test_load_bulk_fills_the_search_vector(index):
    specs = list(generate(50, seed=5, index=index, now=NOW))
    assert load_bulk(specs, index=index, batch_size=20) == 50
    assert load_bulk(specs, index=index, batch_size=20) == 0
    assert Facility.objects.count() == 50
    for spec in specs:
        word = max(spec.name_en.split(), key=len)
        hits = Facility.objects.filter(search_vector=SearchQuery(word, config="innoinfra_simple"))
        assert hits.filter(slug=spec.slug).exists(), word
    facility = Facility.objects.get(slug=specs[0].slug)
    assert facility.name == specs[0].name_en
    assert facility.search_text_b
    assert facility.completeness == 100
    assert facility.services.first().equipment.exists()  # type: ignore[union-attr]


# Query -> topics (or facility types) a fitting top hit has.
SME_SEARCHES = {
    "laser cutting of composites": {"laser", "composites"},
    "EMC testing": {"emc"},
    "cleanroom ISO 6": {"microfab", "cleanroom"},
    "bioreactor pilot scale": {"bioprocess"},
    "3D printing metal": {"additive"},
    "electron microscopy": {"characterisation"},
    "battery testing": {"battery"},
    "AI edge computing": {"edge-ai"},
    "vibration testing": {"environmental"},
    "mass spectrometry": {"analytical"},
}


def test_what_smes_search_for_finds_fitting_facilities(index):
    specs = list(generate(96, seed=2026, index=index, now=NOW))
    load_bulk(specs, index=index)
    by_slug = {s.slug: s for s in specs}
    for q, expected in SME_SEARCHES.items():
        hits = selectors.facility_search_queryset(user=None, params=SearchParams(q=q))
        top = [by_slug[slug] for slug in hits.values_list("slug", flat=True)[:3]]
        assert top, q
        assert {top[0].topic, top[0].facility_type} & expected, (q, [(s.topic, s.facility_type) for s in top])


@override_settings(DEMO_MODE=True)
def test_seed_demo_catalogue_refuses_without_demo_mode(db):
    with override_settings(DEBUG=False, DEMO_MODE=False), pytest.raises(CommandError):
        call_command("seed_demo_catalogue", count=2, stdout=io.StringIO())
    assert not Facility.objects.filter(source="demo").exists()


@override_settings(DEMO_MODE=True)
def test_seed_demo_catalogue_is_idempotent(db):
    out = io.StringIO()
    call_command("seed_demo_catalogue", count=8, no_enquiries=True, stdout=out)
    call_command("seed_demo_catalogue", count=8, no_enquiries=True, stdout=out)
    first, second = out.getvalue().strip().splitlines()
    assert "8 created, 0 updated, 0 unchanged" in first
    assert "0 created, 0 updated, 8 unchanged" in second
    assert Facility.objects.filter(source="demo").count() == 8


# --- demo accounts ------------------------------------------------------------------------------


@override_settings(DEBUG=False, DEMO_MODE=True, PASSWORD_HASHERS=FAST_HASHER)
def test_seed_demo_accounts_creates_the_documented_accounts(db):
    call_command("seed_demo_accounts", stdout=io.StringIO())
    call_command("seed_demo_accounts", stdout=io.StringIO())
    users = get_user_model().objects.all()
    assert users.count() == 18
    expected = {
        ("coordinator", Membership.Role.PROJECT_COORDINATOR, None),
        ("viewer", Membership.Role.VIEWER, None),
    }
    for code in REGION_LANGUAGES:
        expected |= {
            (f"editor-{code}", Membership.Role.EDITOR, code),
            (f"coordinator-{code}", Membership.Role.COORDINATOR, code),
        }
    assert set(Membership.objects.values_list("user__username", "role", "region__code")) == expected
    for user in users:
        assert user.email == f"{user.username}@demo.innoinfra.example"
        assert user.check_password("innoinfra-demo")


@override_settings(DEBUG=False, DEMO_MODE=False)
def test_seed_demo_accounts_refuses_outside_debug_and_demo_mode(db):
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("seed_demo_accounts", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


# --- demo enquiries -----------------------------------------------------------------------------

PLAN_FACILITIES = {code: [f"{code}-lab-{i}" for i in range(1, 5)] for code in REGION_LANGUAGES}


def test_the_enquiry_plan_is_deterministic_per_seed():
    plan = enquiry_specs(PLAN_FACILITIES, seed=2026)
    assert plan == enquiry_specs(PLAN_FACILITIES, seed=2026)
    assert plan != enquiry_specs(PLAN_FACILITIES, seed=2027)
    assert len({s.public_id for s in plan}) == len(plan)
    assert {s.public_id for s in plan}.isdisjoint(
        s.public_id for s in enquiry_specs(PLAN_FACILITIES, seed=2027)
    )


def test_the_enquiry_plan_asks_3_to_6_per_region_over_six_months_from_fictional_smes():
    plan = enquiry_specs(PLAN_FACILITIES, seed=2026)
    per_region = Counter(s.region_code for s in plan)
    assert set(per_region) == set(REGION_LANGUAGES)
    assert all(3 <= n <= 6 for n in per_region.values())
    assert all(0 < s.days_ago <= 183 for s in plan)
    assert max(s.days_ago for s in plan) - min(s.days_ago for s in plan) > 120
    assert all(s.requester.email.endswith(("@example.com", "@example.org")) for s in plan)
    assert sum(len(s.facility_slugs) > 1 for s in plan) >= 3
    assert all(slug in PLAN_FACILITIES[s.region_code] for s in plan for slug in s.facility_slugs[:1])
    assert all(len(s.stories) == len(s.facility_slugs) for s in plan)


def test_every_planned_step_lies_in_the_past():
    for seed in range(20):
        for spec in enquiry_specs(PLAN_FACILITIES, seed=seed):
            assert all(step.hours < spec.days_ago * 24 for story in spec.stories for step in story), spec.key


@pytest.fixture
def seeded(db) -> str:
    """The demo accounts and a small demo catalogue with its enquiries; the command's output."""
    out = io.StringIO()
    with override_settings(DEMO_MODE=True):
        call_command("seed_demo_accounts", stdout=io.StringIO())
        call_command("seed_demo_catalogue", count=24, stdout=out)
    return out.getvalue()


def _demo_threads() -> list[EnquiryThread]:
    return list(EnquiryThread.objects.select_related("enquiry", "region"))


def test_demo_enquiries_are_a_realistic_mix_that_sent_no_mail(seeded):
    enquiries = Enquiry.objects.all()
    assert 3 * 8 <= enquiries.count() <= 6 * 8
    assert all(e.email.endswith(("@example.com", "@example.org")) for e in enquiries)
    assert Enquiry.objects.annotate(n=Count("threads")).filter(n__gt=1).exists()
    threads = _demo_threads()
    assert {t.region.code for t in threads} == set(REGION_LANGUAGES)
    assert len({(t.created_at.year, t.created_at.month) for t in threads}) >= 4
    responses = [t.first_response_time for t in threads if t.first_response_time is not None]
    assert any(r < timedelta(days=1) for r in responses)  # answered quickly
    assert any(r > timedelta(days=6) for r in responses)  # answered slowly
    overdue = EnquiryThread.objects.filter(
        first_response_at__isnull=True,
        state=EnquiryThread.State.NEW,
        created_at__lte=enquiry_selectors.overdue_before(),
    )
    assert overdue.exists()
    assert len({t.outcome for t in threads if t.outcome}) >= 3
    assert len({t.state for t in threads}) >= 4
    assert not OutboxEmail.objects.exists()


def test_demo_enquiry_timestamps_tell_a_consistent_story(seeded):
    now = timezone.now()
    for thread in _demo_threads():
        times = list(thread.messages.values_list("created_at", flat=True))
        assert all(thread.created_at < t <= now for t in times), thread
        assert thread.last_message_at == max(times, default=thread.created_at)
        assert (thread.closed_at is not None) is (thread.state in FINISHED_STATES)
        if thread.first_response_at:
            assert thread.first_response_at in times
        assert thread.enquiry.created_at == thread.created_at
    for enquiry in Enquiry.objects.all():
        latest = max(t.last_message_at for t in enquiry.threads.all())
        assert enquiry.last_activity_at == latest
        assert enquiry.consent_at == enquiry.created_at


def test_the_demo_prints_a_working_private_link(seeded):
    (line,) = [line for line in seeded.splitlines() if line.startswith("Follow a demo enquiry as the SME: ")]
    assert line.startswith("Follow a demo enquiry as the SME: http://localhost:8000/enquiries/")
    path = urlparse(line.split(": ", 1)[1]).path
    enquiry = enquiry_selectors.enquiry_by_link(**resolve(path).kwargs)
    assert enquiry is not None
    assert enquiry.threads.filter(
        state__in=EnquiryThread.OPEN_STATES, first_response_at__isnull=False
    ).exists()


def test_seeding_the_demo_again_creates_no_enquiry(seeded):
    before = sorted(Enquiry.objects.values_list("public_id", "updated_at"))
    messages = EnquiryMessage.objects.count()
    out = io.StringIO()
    with override_settings(DEMO_MODE=True):
        call_command("seed_demo_catalogue", count=24, stdout=out)
    assert f"Demo enquiries: 0 created, {len(before)} already present, 0 skipped" in out.getvalue()
    assert sorted(Enquiry.objects.values_list("public_id", "updated_at")) == before
    assert EnquiryMessage.objects.count() == messages


@override_settings(DEMO_MODE=True)
def test_without_demo_accounts_the_enquiries_wait_for_them(db):
    out = io.StringIO()
    call_command("seed_demo_catalogue", count=8, stdout=out)
    assert not Enquiry.objects.exists()
    assert "0 created, 0 already present" in out.getvalue()
    assert "run seed_demo_accounts first" in out.getvalue()
    assert "Follow a demo enquiry" not in out.getvalue()
