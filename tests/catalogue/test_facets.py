"""Facet counts and hit counts against a brute-force count in Python (ARCHITECTURE §6).

A random but fixed catalogue (seeded) of published, draft, submitted and archived
facilities, and random filter combinations with and without words. Counts are
disjunctive: a facet's counts apply every *other* active filter; values within one
facet are OR-ed; TRL level v matches a facility with trl_min <= v <= trl_max. Words are
codewords placed in descriptions, so which facility they match is known in Python.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import pytest
from django.db import transaction

from catalogue import selectors
from catalogue.models import Facility
from catalogue.selectors import FACETS, SearchParams
from core.models import Region, Term
from core.reference_data import VOCABULARIES_FILE
from core.selectors import term_index
from tests.factories import FacilityFactory, OrganisationFactory, ServiceFactory

SEED = 20250611
N_FACILITIES = 48
N_COMBOS = 30
CODEWORDS = ("zircon", "quartz", "basalt", "garnet")
STATES = [Facility.State.PUBLISHED] * 6 + [
    Facility.State.DRAFT,
    Facility.State.SUBMITTED,
    Facility.State.ARCHIVED,
]


def _codes(vocabulary: str) -> list[str]:
    """The vocabulary's codes as the data migration loads them (fixtures/vocabularies.json)."""
    data = json.loads(VOCABULARIES_FILE.read_text(encoding="utf-8"))
    return [entry["code"] for entry in data["vocabularies"][vocabulary]]


REGIONS = [
    "flanders",
    "south-moravia",
    "tartu",
    "chemnitz",
    "emilia-romagna",
    "vidzeme",
    "brainport",
    "skane",
]
KETS = _codes(Term.Vocabulary.KET)
TYPES = _codes(Term.Vocabulary.FACILITY_TYPE)
SERVICES = _codes(Term.Vocabulary.SERVICE_TYPE)
ACCESS = _codes(Term.Vocabulary.ACCESS_MODE)
TARGETS = _codes(Term.Vocabulary.TARGET_USER)
VALUES = {
    "region": REGIONS,
    "ket": KETS,
    "type": TYPES,
    "service": SERVICES,
    "access": ACCESS,
    "trl": [str(level) for level in range(1, 10)],
    "target": TARGETS,
}


@dataclass
class Spec:
    """What a facility is, in Python: the oracle of every count."""

    slug: str
    state: str
    region: str
    ket: list[str]
    type: str
    service: list[str]
    access: list[str]
    target: list[str]
    trl: tuple[int, int] | None
    words: set[str] = field(default_factory=set)

    def matches(self, param: str, values: list[str]) -> bool:
        if param == "trl":
            return self.trl is not None and any(self.trl[0] <= int(v) <= self.trl[1] for v in values)
        own = getattr(self, param)
        return bool(set(own) & set(values)) if isinstance(own, list) else own in values


def _specs() -> list[Spec]:
    rng = random.Random(SEED)
    specs = []
    for n in range(N_FACILITIES):
        low = rng.randint(1, 9)
        specs.append(
            Spec(
                slug=f"facet-facility-{n}",
                state=rng.choice(STATES),
                region=rng.choice(REGIONS),
                ket=rng.sample(KETS, rng.randint(0, 3)),
                type=rng.choice(["", *TYPES[:6]]),
                service=rng.sample(SERVICES[:6], rng.randint(0, 2)),
                access=rng.sample(ACCESS, rng.randint(0, 2)),
                target=rng.sample(TARGETS, rng.randint(0, 2)),
                trl=None if rng.random() < 0.2 else (low, rng.randint(low, 9)),
                words=set(rng.sample(CODEWORDS, rng.randint(0, 2))),
            )
        )
    return specs


SPECS = _specs()


@dataclass(frozen=True)
class Combo:
    q: str
    filters: dict[str, list[str]]

    def words_match(self, spec: Spec) -> bool:
        """The codeword queries used here: one word, "a OR b", or "a -b"."""
        if not self.q:
            return True
        if " OR " in self.q:
            return bool(set(self.q.split(" OR ")) & spec.words)
        if " -" in self.q:
            wanted, unwanted = self.q.split(" -")
            return wanted in spec.words and unwanted not in spec.words
        return self.q in spec.words


def _combos() -> list[Combo]:
    rng = random.Random(SEED + 1)
    combos = []
    for _n in range(N_COMBOS):
        q = ""
        if rng.random() < 0.5:
            a, b = rng.sample(CODEWORDS, 2)
            q = rng.choice([a, f"{a} OR {b}", f"{a} -{b}"])
        filters: dict[str, list[str]] = {}
        for param in rng.sample(list(VALUES), rng.randint(0, 3)):
            # Values that occur in the data, mostly, so that counts are not all zero.
            pool = VALUES[param][:6] if param not in {"trl", "region"} else VALUES[param]
            filters[param] = rng.sample(pool, rng.randint(1, 2))
        combos.append(Combo(q=q, filters=filters))
    return combos


COMBOS = _combos()


def _build() -> None:
    hosts = {code: OrganisationFactory(region=Region.objects.get(code=code)) for code in REGIONS}
    for spec in SPECS:
        host = hosts[spec.region]
        facility = FacilityFactory(
            slug=spec.slug,
            name=f"Site {spec.slug.rsplit('-', 1)[1]}",
            region=host.region,
            host=host,
            state=spec.state,
            technologies=spec.ket,
            facility_type=spec.type,
            access_modes=spec.access,
            target_users=spec.target,
            trl_min=spec.trl[0] if spec.trl else None,
            trl_max=spec.trl[1] if spec.trl else None,
            description_en=" ".join(sorted(spec.words)),
        )
        for service_type in spec.service:
            ServiceFactory(facility=facility, service_type=service_type)


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        _build()
        yield
        transaction.set_rollback(True)


def brute_force_counts(combo: Combo) -> dict[str, dict[str, int]]:
    published = [s for s in SPECS if s.state == Facility.State.PUBLISHED and combo.words_match(s)]
    counts: dict[str, dict[str, int]] = {}
    for param, values in VALUES.items():
        others = [
            s for s in published if all(s.matches(p, v) for p, v in combo.filters.items() if p != param and v)
        ]
        counts[param] = {value: sum(s.matches(param, [value]) for s in others) for value in values}
    return counts


def brute_force_hits(combo: Combo) -> set[str]:
    return {
        s.slug
        for s in SPECS
        if s.state == Facility.State.PUBLISHED
        and combo.words_match(s)
        and all(s.matches(p, v) for p, v in combo.filters.items())
    }


def engine_counts(params: SearchParams) -> dict[str, dict[str, int]]:
    results = selectors.facet_counts(user=None, params=params, index=term_index())
    return {r.facet.param: {v.value: v.count for v in r.values} for r in results}


def _combo_id(combo: Combo) -> str:
    filters = ";".join(f"{k}={','.join(v)}" for k, v in combo.filters.items())
    return f"q={combo.q or '-'}|{filters or 'none'}"


def test_the_random_data_covers_every_state_and_the_combos_both_with_and_without_words():
    assert {s.state for s in SPECS} == set(Facility.State.values)
    assert {bool(c.q) for c in COMBOS} == {True, False}
    assert sum(len(c.filters) >= 2 for c in COMBOS) >= 5


@pytest.mark.django_db
@pytest.mark.parametrize("combo", COMBOS, ids=_combo_id)
def test_facet_counts_equal_a_brute_force_disjunctive_count(catalogue, combo):
    params = SearchParams(q=combo.q, filters=combo.filters)
    assert engine_counts(params) == brute_force_counts(combo)


@pytest.mark.django_db
@pytest.mark.parametrize("combo", COMBOS, ids=_combo_id)
def test_hits_equal_the_brute_force_hits(catalogue, combo):
    params = SearchParams(q=combo.q, filters=combo.filters)
    hits = selectors.facility_search_queryset(user=None, params=params)
    assert hits.count() == len(brute_force_hits(combo))
    assert set(hits.values_list("slug", flat=True)) == brute_force_hits(combo)


@pytest.mark.django_db
def test_selected_values_are_flagged_and_only_they(catalogue):
    params = SearchParams(filters={"region": ["tartu"], "trl": ["4", "5"]})
    flagged = {
        (r.facet.param, v.value)
        for r in selectors.facet_counts(user=None, params=params, index=term_index())
        for v in r.values
        if v.selected
    }
    assert flagged == {("region", "tartu"), ("trl", "4"), ("trl", "5")}


@pytest.mark.django_db
def test_unpublished_facilities_are_never_counted_for_anonymous(catalogue):
    published = sum(s.state == Facility.State.PUBLISHED for s in SPECS)
    counts = engine_counts(SearchParams())
    assert published < len(SPECS)
    # Every facility has exactly one region: the region counts add up to the catalogue.
    assert sum(counts["region"].values()) == published
    assert selectors.facility_search_queryset(user=None, params=SearchParams()).count() == published


@pytest.mark.django_db
def test_every_facet_of_the_search_is_counted(catalogue):
    assert [f.param for f in FACETS] == list(VALUES)
    assert set(engine_counts(SearchParams())) == set(VALUES)
