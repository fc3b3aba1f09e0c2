"""The in-memory public search engine against the SQL search it replaces (issue #6).

`PublicSearch` answers a public search from two things the database computes once per
catalogue version: the ordered hits of the words (`public_hits`) and bitsets of the
facilities carrying each facet value (`facet_index`). The SQL paths stay the oracle:
`facility_search_queryset` (hits and their order, filters applied) and
`_facet_counts_sql` (disjunctive facet counts and the total).

A random but fixed catalogue (seeded) is searched with random parameters built the way
a request builds them (`FacilityFilterSet`). Every test runs with the search cache and
the engine's memory off (the suite's default) and on (SEARCH_CACHE_SECONDS and
SEARCH_ENGINE_MEMORY: the facet index and hits memoised per catalogue version, shared
through a fresh local cache), and the invalidation tests run the on-commit hooks that
bump the catalogue version, as `test_search_cache.py` does.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from catalogue import selectors, services
from catalogue.cache import catalogue_version
from catalogue.filters import FacilityFilterSet
from catalogue.models import Facility
from catalogue.selectors import (
    FACETS,
    FacetResult,
    HitList,
    PublicSearch,
    SearchParams,
    _facet_counts_sql,
    facet_counts_and_total,
    facet_index,
    facility_most_restrictive_filter,
    facility_search_queryset,
    public_hits,
    public_search,
)
from core.models import Term
from core.selectors import TermIndex, term_index
from tests.factories import FacilityFactory, OrganisationFactory, ServiceFactory, region

pytestmark = pytest.mark.django_db

SEED = 20250612
N_FACILITIES = 42
N_SEARCHES = 60
PAGE = 20

# Regions the random facilities are in; NON_PUBLIC_REGION only holds unpublished ones.
REGIONS = ("flanders", "skane", "tartu")
NON_PUBLIC_REGION = "chemnitz"
PUBLISHED = Facility.State.PUBLISHED
STATES = [PUBLISHED] * 7 + [Facility.State.DRAFT, Facility.State.SUBMITTED, Facility.State.ARCHIVED]
NAME_WORDS = ("Laser", "Vibration", "Microscopy", "Optics", "Materials", "Battery")
NAME_KINDS = ("lab", "centre", "hall", "platform")
PHRASES = (
    "laser",
    "vibration testing",
    "microscopy",
    "laser welding",
    "electron microscopy",
    "battery cycling",
    "cleanroom lithography",
    "additive manufacturing",
)
# Plain words, exclusions, OR, phrases, near misses of names only ("vibrasion",
# "mikroscopy": the name-match path), a German vocabulary word, words only unpublished
# facilities hold ("xylophone"), and none at all (more often: the default page).
QUERIES = (
    "",
    "",
    "",
    "",
    "laser",
    "vibration",
    "testing",
    "microscopy",
    "electron microscopy",
    "laser -welding",
    "-laser",
    "laser OR battery",
    '"vibration testing"',
    "vibrasion",
    "mikroscopy",
    "Reinraum",
    "cleanroom",
    "research",
    "xylophone",
)
SORTS = ("relevance", "relevance", "name", "verified")
SECRET_WORD = "xylophone"


# --- the catalogue ----------------------------------------------------------------------


@dataclass
class Catalogue:
    index: TermIndex
    values: dict[str, list[str]]  # filter values the random searches pick from, per parameter
    published: set[int]
    unpublished: set[int]
    secret_ket: str  # a technology only unpublished facilities have


def _codes(index: TermIndex, vocabulary: str) -> list[str]:
    return sorted(t.code for t in index.terms(vocabulary) if not t.deprecated)


def _build_catalogue() -> Catalogue:
    rng = random.Random(SEED)
    index = term_index()
    all_kets = _codes(index, Term.Vocabulary.KET)
    kets, secret_ket = all_kets[:6], all_kets[-1]
    types = _codes(index, Term.Vocabulary.FACILITY_TYPE)[:6]
    service_types = _codes(index, Term.Vocabulary.SERVICE_TYPE)[:6]
    access = _codes(index, Term.Vocabulary.ACCESS_MODE)
    targets = _codes(index, Term.Vocabulary.TARGET_USER)[:6]
    hosts = {code: OrganisationFactory(region=region(code)) for code in (*REGIONS, NON_PUBLIC_REGION)}
    now = timezone.now()
    # Few distinct dates (and no date): the "verified" order has ties the ids break.
    verified = [None, now - timedelta(days=3), now - timedelta(days=40), now - timedelta(days=400)]
    published: set[int] = set()
    unpublished: set[int] = set()
    for n in range(N_FACILITIES):
        state = rng.choice(STATES)
        host = hosts[rng.choice(REGIONS)]
        low = rng.randint(1, 9)
        trl = None if rng.random() < 0.2 else (low, rng.randint(low, 9))
        facility = FacilityFactory(
            name=f"{rng.choice(NAME_WORDS)} {rng.choice(NAME_KINDS)} {n}",
            slug=f"engine-{n}",
            region=host.region,
            host=host,
            state=state,
            published_at=now if state == PUBLISHED else None,
            last_verified_at=rng.choice(verified),
            technologies=rng.sample(kets, rng.randint(0, 3)),
            facility_type=rng.choice(["", *types]),
            access_modes=rng.sample(access, rng.randint(0, 2)),
            target_users=rng.sample(targets, rng.randint(0, 2)),
            trl_min=trl[0] if trl else None,
            trl_max=trl[1] if trl else None,
            description_en=" ".join(rng.sample(PHRASES, rng.randint(0, 2))),
        )
        # Service types are derived from the services (services.facility_derive).
        for service_type in rng.sample(service_types, rng.randint(0, 2)):
            ServiceFactory(facility=facility, service_type=service_type)
        (published if state == PUBLISHED else unpublished).add(facility.pk)
    # Unpublished facilities holding a word, a technology and a region no published one has.
    for n, state in enumerate((Facility.State.DRAFT, Facility.State.SUBMITTED, Facility.State.ARCHIVED)):
        host = hosts[NON_PUBLIC_REGION]
        facility = FacilityFactory(
            name=f"Xylophone foundry {n}",
            slug=f"engine-secret-{n}",
            region=host.region,
            host=host,
            state=state,
            technologies=[secret_ket, kets[0]],
            facility_type=types[0],
            access_modes=access[:1],
            target_users=targets[:1],
            trl_min=1,
            trl_max=9,
            description_en=f"{SECRET_WORD} laser microscopy",
        )
        ServiceFactory(facility=facility, service_type=service_types[0])
        unpublished.add(facility.pk)
    assert published
    assert unpublished
    return Catalogue(
        index=index,
        values={
            "region": [*REGIONS, NON_PUBLIC_REGION],
            "ket": [*kets, secret_ket],
            "type": types,
            "service": service_types,
            "access": access,
            "trl": [str(level) for level in range(1, 10)],
            "target": targets,
        },
        published=published,
        unpublished=unpublished,
        secret_ket=secret_ket,
    )


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker) -> Iterator[Catalogue]:
    """Built once for the module (about a second), rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_catalogue()
        transaction.set_rollback(True)


@pytest.fixture(params=["cache-off", "cache-on"])
def cache_mode(request, settings) -> Iterator[str]:
    """The search cache and the engine's memory off (the suite's default), or on with a
    fresh local cache: the facet index and hits memoised per catalogue version."""
    if request.param == "cache-on":
        request.getfixturevalue("search_memory_on")
    else:
        settings.SEARCH_CACHE_SECONDS = 0
        settings.SEARCH_ENGINE_MEMORY = False
    yield request.param
    selectors.reset_search_memory()


# --- searches ---------------------------------------------------------------------------


def random_searches(
    catalogue: Catalogue, *, seed: int, n: int = N_SEARCHES, min_filters: int = 0
) -> list[str]:
    """Query strings as a browser sends them (`q`, facet parameters, `sort`)."""
    rng = random.Random(seed)
    out = []
    for _n in range(n):
        data = QueryDict(mutable=True)
        q = rng.choice(QUERIES)
        if q:
            data["q"] = q
        for param in rng.sample(list(catalogue.values), rng.randint(min_filters, 3)):
            data.setlist(param, rng.sample(catalogue.values[param], rng.randint(1, 2)))
        data["sort"] = rng.choice(SORTS)
        out.append(data.urlencode())
    return out


def params_of(query: str, index: TermIndex) -> SearchParams:
    """Fresh parameters for each side: what one decides is never handed to the other."""
    return FacilityFilterSet(QueryDict(query), index=index).search_params()


def facet_table(results: list[FacetResult]) -> dict[tuple[str, str], tuple[str, int, bool]]:
    return {
        (result.facet.param, value.value): (str(value.label), value.count, value.selected)
        for result in results
        for value in result.values
    }


def facet_order(results: list[FacetResult]) -> list[tuple[str, list[str]]]:
    return [(result.facet.param, [value.value for value in result.values]) for result in results]


@dataclass
class Answer:
    ids: list[int]  # every hit, in order
    total: int
    facets: dict[tuple[str, str], tuple[str, int, bool]]
    order: list[tuple[str, list[str]]]
    without: dict[str, int]  # the number of hits without each chosen filter


def sql_answer(query: str, index: TermIndex) -> Answer:
    ids = list(
        facility_search_queryset(user=None, params=params_of(query, index)).values_list("pk", flat=True)
    )
    facets, total = _facet_counts_sql(user=None, params=params_of(query, index), index=index)
    without = {}
    for param in params_of(query, index).filters:
        rest = QueryDict(query, mutable=True)
        rest.pop(param)
        without[param] = facility_search_queryset(
            user=None, params=params_of(rest.urlencode(), index)
        ).count()
    return Answer(
        ids=ids, total=total, facets=facet_table(facets), order=facet_order(facets), without=without
    )


def compare(query: str, search: PublicSearch, expected: Answer, index: TermIndex) -> list[str]:
    """Every way the engine's answer differs from SQL's, described."""
    problems: list[str] = []

    def check(what: str, engine: Any, sql: Any) -> None:
        if engine != sql:
            problems.append(f"{query!r}: {what}: engine={engine!r} sql={sql!r}")

    total = len(expected.ids)
    check("SQL total vs SQL hits (oracle self-check)", expected.total, total)
    check("total", search.total, expected.total)
    facets = search.facets(index)
    check("facet values and their order", facet_order(facets), expected.order)
    table = facet_table(facets)
    for key in sorted(set(table) | set(expected.facets)):
        check(f"facet {key}", table.get(key), expected.facets.get(key))
    check("page(0, 20)", search.page(0, PAGE), expected.ids[:PAGE])
    check("page(20, 20)", search.page(PAGE, PAGE), expected.ids[PAGE : 2 * PAGE])
    check("page(0, total)", search.page(0, max(total, 1)), expected.ids)
    check("page(3, 5)", search.page(3, 5), expected.ids[3:8])
    check("page(total - 1, 5)", search.page(max(total - 1, 0), 5), expected.ids[max(total - 1, 0) :])
    check("page(total, 5)", search.page(total, 5), [])
    check("chosen filters", sorted(search.chosen), sorted(expected.without))
    for param, n in expected.without.items():
        check(f"without({param})", search.without(param), n)

    hits = HitList(search)
    check("len(HitList)", len(hits), total)
    check("HitList[0:20]", hits[0:PAGE], expected.ids[:PAGE])
    check("HitList[20:40]", hits[PAGE : 2 * PAGE], expected.ids[PAGE : 2 * PAGE])
    check("HitList[:]", hits[:], expected.ids)
    check("HitList[i]", [hits[i] for i in range(total)], expected.ids)
    try:
        hits[total]
        problems.append(f"{query!r}: HitList[{total}] did not raise IndexError")
    except IndexError:
        pass
    paginator = Paginator(hits, PAGE)
    check("Paginator.count", paginator.count, total)
    for number in paginator.page_range:
        start = (number - 1) * PAGE
        check(
            f"Paginator page {number}",
            list(paginator.page(number).object_list),
            expected.ids[start : start + PAGE],
        )

    # The entry point the views and the API call.
    facets_again, total_again = facet_counts_and_total(
        user=None, params=params_of(query, index), index=index, public_only=True
    )
    check("facet_counts_and_total: total", total_again, expected.total)
    check("facet_counts_and_total: facets", facet_table(facets_again), expected.facets)
    return problems


# --- 1. the engine equals SQL -------------------------------------------------------------


def test_the_engine_answers_every_search_as_sql_does(catalogue, cache_mode, django_assert_num_queries):
    index = catalogue.index
    problems: list[str] = []
    seen: dict[str, int] = {"empty": 0, "second page": 0, "name matches": 0, "three filters": 0}
    for query in random_searches(catalogue, seed=SEED + 1):
        expected = sql_answer(query, index)
        params = params_of(query, index)
        search = public_search(params)
        problems += compare(query, search, expected, index)
        if cache_mode == "cache-on":
            # Again from the shared cache (this process's copies forgotten), then from
            # this process's copies: the memoised paths give the same answer.
            selectors.reset_search_memory()
            problems += compare(query, public_search(params_of(query, index)), expected, index)
            problems += compare(query, public_search(params_of(query, index)), expected, index)
            again = params_of(query, index)
            with django_assert_num_queries(0):  # memoised: no query at all
                public_search(again).page(0, PAGE)
        seen["empty"] += expected.total == 0
        seen["second page"] += expected.total > PAGE
        seen["name matches"] += bool(params.name_matches) and expected.total > 0
        seen["three filters"] += len(params.filters) == 3
    assert not problems, "\n".join(problems[:40])
    # The random searches reach what they are meant to.
    assert all(seen.values()), seen


def test_every_sort_order_of_the_unfiltered_catalogue_equals_sql(catalogue, cache_mode):
    index = catalogue.index
    problems: list[str] = []
    for q in ("", "laser", "microscopy", "vibrasion", "-laser", "research"):
        for sort in ("relevance", "name", "verified"):
            query = QueryDict(mutable=True)
            query.update({"q": q, "sort": sort})
            problems += compare(
                query.urlencode(),
                public_search(params_of(query.urlencode(), index)),
                sql_answer(query.urlencode(), index),
                index,
            )
    assert not problems, "\n".join(problems[:40])


def test_public_hits_are_every_published_match_in_the_sql_order(catalogue, cache_mode):
    index = catalogue.index
    for q in ("", "laser", "vibration testing", "mikroscopy", SECRET_WORD):
        for sort in ("relevance", "name", "verified"):
            query = QueryDict(mutable=True)
            query.update({"q": q, "sort": sort})
            expected = list(
                facility_search_queryset(user=None, params=params_of(query.urlencode(), index)).values_list(
                    "pk", flat=True
                )
            )
            hits = public_hits(params_of(query.urlencode(), index))
            assert list(hits.ids) == expected, query.urlencode()
            assert hits.bits == sum(1 << pk for pk in expected), query.urlencode()


# --- 2. writes show in the next search (cache on, version bumped on commit) -------------


class Probe:
    """One search state, asked of the engine and checked against SQL every time."""

    def __init__(self, index: TermIndex, **data: Any) -> None:
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        self.query = query.urlencode()
        self.index = index

    def run(self) -> tuple[list[int], dict[tuple[str, str], int]]:
        search = public_search(params_of(self.query, self.index))
        problems = compare(self.query, search, sql_answer(self.query, self.index), self.index)
        assert not problems, "\n".join(problems)
        counts = {
            key: count for key, (_label, count, _selected) in facet_table(search.facets(self.index)).items()
        }
        return search.page(0, search.total), counts


def test_writes_show_in_the_next_search_through_the_catalogue_version(
    search_memory_on, commit, flanders, skane, django_assert_num_queries
):
    index = term_index()
    kets = _codes(index, Term.Vocabulary.KET)
    old_ket, new_ket = kets[0], kets[1]
    service_type = _codes(index, Term.Vocabulary.SERVICE_TYPE)[0]
    host = commit(lambda: OrganisationFactory(region=flanders))
    lab = commit(
        lambda: FacilityFactory(
            published=True,
            region=flanders,
            host=host,
            name="Zircon shaker lab",
            technologies=[old_ket],
            description_en="Zirconium vibration testing.",
        )
    )
    hall = commit(
        lambda: FacilityFactory(
            region=skane,
            host=OrganisationFactory(region=skane),
            name="Zircon hall",
            technologies=[new_ket],
            description_en="Zirconium vibration testing.",
        )
    )
    words = Probe(index, q="zirconium")
    everything = Probe(index)
    by_new_ket = Probe(index, q="zirconium", ket=new_ket)

    ids, counts = words.run()
    all_ids, all_counts = everything.run()
    assert ids == [lab.pk]
    assert (counts[("ket", old_ket)], counts[("ket", new_ket)]) == (1, 0)
    assert by_new_ket.run()[0] == []
    # Searched again, the engine answers from memory: without the version bump below,
    # the next searches would not see the writes.
    params = params_of(words.query, index)
    with django_assert_num_queries(0):
        search = public_search(params)
        assert search.page(0, 10) == [lab.pk]
        search.facets(index)

    # A draft published.
    version = catalogue_version()
    commit(lambda: services.facility_publish(facility=hall))
    assert catalogue_version() > version
    ids, counts = words.run()
    assert sorted(ids) == sorted([lab.pk, hall.pk])
    assert (counts[("ket", old_ket)], counts[("ket", new_ket)]) == (1, 1)
    assert (counts[("region", "flanders")], counts[("region", "skane")]) == (1, 1)
    assert by_new_ket.run()[0] == [hall.pk]
    more_ids, more_counts = everything.run()
    assert sorted(more_ids) == sorted([*all_ids, hall.pk])
    assert more_counts[("region", "skane")] == all_counts[("region", "skane")] + 1

    # A published facility archived.
    version = catalogue_version()
    commit(lambda: services.facility_archive(facility=lab))
    assert catalogue_version() > version
    ids, counts = words.run()
    assert ids == [hall.pk]
    assert (counts[("ket", old_ket)], counts[("ket", new_ket)]) == (0, 1)
    assert lab.pk not in everything.run()[0]

    # A technology changed: the facility moves from one count to the other.
    version = catalogue_version()
    hall.technologies = [old_ket]
    commit(lambda: services.facility_save(facility=hall))
    assert catalogue_version() > version
    ids, counts = words.run()
    assert ids == [hall.pk]
    assert (counts[("ket", old_ket)], counts[("ket", new_ket)]) == (1, 0)
    assert by_new_ket.run()[0] == []
    assert Probe(index, q="zirconium", ket=old_ket).run()[0] == [hall.pk]

    # A service added: its type is derived onto the facility and counted.
    assert counts[("service", service_type)] == 0
    commit(lambda: ServiceFactory(facility=hall, service_type=service_type))
    ids, counts = words.run()
    assert counts[("service", service_type)] == 1
    assert Probe(index, q="zirconium", service=service_type).run()[0] == [hall.pk]

    # Unpublished by a plain save of the state.
    version = catalogue_version()
    hall.state = Facility.State.DRAFT
    commit(lambda: services.facility_save(facility=hall))
    assert catalogue_version() > version
    ids, counts = words.run()
    assert ids == []
    assert all(count == 0 for count in counts.values())
    assert sorted(everything.run()[0]) == sorted(set(all_ids) - {lab.pk})


def test_a_published_facility_changed_by_a_model_save_and_deleted_leaves_the_search(
    search_memory_on, commit, flanders
):
    index = term_index()
    words = Probe(index, q="zirconium")
    assert words.run()[0] == []
    lab = commit(
        lambda: FacilityFactory(
            published=True, region=flanders, name="Zircon lab", description_en="zirconium"
        )
    )
    assert words.run()[0] == [lab.pk]
    lab.state = Facility.State.ARCHIVED
    commit(lambda: lab.save())  # a plain model save (the admin's path) sends the signal too
    assert words.run()[0] == []
    lab.state = PUBLISHED
    commit(lambda: lab.save())
    assert words.run()[0] == [lab.pk]
    commit(lambda: lab.delete())
    assert words.run()[0] == []


# --- 3. the most restrictive filter -------------------------------------------------------


def test_the_most_restrictive_filter_brings_back_the_most_hits(catalogue, cache_mode):
    index = catalogue.index
    problems: list[str] = []
    seen_zero_hits = 0
    for query in random_searches(catalogue, seed=SEED + 2, n=40, min_filters=1):
        search = public_search(params_of(query, index))
        counts = {}
        for param in search.chosen:
            without = QueryDict(query, mutable=True)
            without.pop(param)
            counts[param] = facility_search_queryset(
                user=None, params=params_of(without.urlencode(), index)
            ).count()
        best = max(counts.values())
        found = facility_most_restrictive_filter(search=search)
        if best == 0:
            if found is not None:
                problems.append(f"{query!r}: expected None, got {found!r} ({counts})")
        elif found is None or found[1] != best or counts.get(found[0]) != best:
            problems.append(f"{query!r}: expected a filter bringing back {best}, got {found!r} ({counts})")
        seen_zero_hits += search.total == 0 and best > 0
    assert not problems, "\n".join(problems)
    assert seen_zero_hits >= 3  # the case the page uses it for: no hits, one filter to drop


def test_the_most_restrictive_filter_of_a_fixed_case(catalogue, cache_mode):
    """Two filters that exclude each other: dropping the narrower one brings back more."""
    index = catalogue.index
    ket = catalogue.values["ket"][0]
    with_ket = set(
        facility_search_queryset(user=None, params=params_of(f"ket={ket}", index)).values_list(
            "pk", flat=True
        )
    )
    assert with_ket
    # Only unpublished facilities are in NON_PUBLIC_REGION: with it, nothing is found.
    query = f"ket={ket}&region={NON_PUBLIC_REGION}"
    search = public_search(params_of(query, index))
    assert search.total == 0
    assert facility_most_restrictive_filter(search=search) == ("region", len(with_ket))


# --- 4. unpublished facilities never show ------------------------------------------------


def test_unpublished_facilities_are_never_hits_nor_counted(catalogue, cache_mode, viewer):
    index = catalogue.index
    public = facet_index().public
    assert {
        pk for pk in catalogue.published | catalogue.unpublished if public >> pk & 1
    } == catalogue.published
    problems: list[str] = []
    queries = random_searches(catalogue, seed=SEED + 3, n=30)
    queries += [
        f"q={SECRET_WORD}",
        "q=xylofone",  # a near miss of the unpublished names only
        f"ket={catalogue.secret_ket}",
        f"region={NON_PUBLIC_REGION}",
        "",
    ]
    for query in queries:
        search = public_search(params_of(query, index))
        ids = search.page(0, search.total)
        if set(ids) - catalogue.published:
            problems.append(f"{query!r}: unpublished hits {sorted(set(ids) & catalogue.unpublished)}")
        counts = facet_table(search.facets(index))
        for key in (("ket", catalogue.secret_ket), ("region", NON_PUBLIC_REGION)):
            if counts[key][1]:
                problems.append(
                    f"{query!r}: {key} counted {counts[key][1]}, only unpublished facilities have it"
                )
        if "region" not in search.chosen:
            # Each facility is in one region: the region counts add up to the hits.
            region_total = sum(count for (param, _v), (_l, count, _s) in counts.items() if param == "region")
            if region_total != search.total:
                problems.append(f"{query!r}: region counts add up to {region_total}, total {search.total}")
    assert not problems, "\n".join(problems)
    # Only unpublished facilities match these: nothing is found, nothing counted (but the
    # chosen facet's own values, which the disjunctive counts give without its filter).
    for query, own in (
        (f"q={SECRET_WORD}", None),
        ("q=xylofone", None),
        (f"ket={catalogue.secret_ket}", "ket"),
        (f"region={NON_PUBLIC_REGION}", "region"),
    ):
        # They do match for a reader of every state: the engine leaves them out.
        assert facility_search_queryset(
            user=viewer, params=params_of(query, index), public_only=False
        ).exists()
        search = public_search(params_of(query, index))
        assert search.total == 0, query
        assert search.page(0, PAGE) == [], query
        counted = {(r.facet.param, v.value) for r in search.facets(index) for v in r.values if v.count}
        assert {param for param, _value in counted} <= {own}, (query, counted)
    everything = public_search(params_of("", index))
    assert everything.total == len(catalogue.published)
    assert set(everything.page(0, everything.total)) == catalogue.published


def test_the_facet_index_holds_published_facilities_only(catalogue, cache_mode):
    index = facet_index()
    published_bits = sum(1 << pk for pk in catalogue.published)
    assert index.public == published_bits
    for key, bits in index.values.items():
        assert bits & ~published_bits == 0, key
    assert ("ket", catalogue.secret_ket) not in index.values
    assert ("region", NON_PUBLIC_REGION) not in index.values
    assert [facet.param for facet in FACETS] == list(catalogue.values)
