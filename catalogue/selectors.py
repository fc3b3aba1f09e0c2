"""Every catalogue read that pages, API and exports share (ARCHITECTURE §4, §6).

`facility_search` is the search engine: full text in every language configuration,
prefix and typo tolerance, disjunctive facets, ranking and highlighted snippets. The
browser view and the API both reach it through `catalogue.filters.FacilityFilterSet`,
so the same parameters give the same hits.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, overload

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, FloatField, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname
from modeltranslation.utils import get_language as translated_language

from catalogue.models import Equipment, Facility, SearchDocument, Service, trl_label
from core.models import Organisation, Region, Term
from core.scoping import public_or_viewable, scope_editable, scope_viewable
from core.selectors import TermIndex, term_index

PUBLIC = Q(state=Facility.State.PUBLISHED)
# Configurations a query is parsed in (cs, et and lv share the unaccented `simple` one).
QUERY_CONFIGS = (
    "innoinfra_en",
    "innoinfra_nl",
    "innoinfra_de",
    "innoinfra_it",
    "innoinfra_sv",
    "innoinfra_simple",
)
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 12
TRL_LEVELS = list(range(1, 10))
_MARK_START, _MARK_STOP = "\x02", "\x03"
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Facet:
    """One facet: URL parameter, facility column, and the vocabulary that labels it."""

    param: str
    column: str
    vocabulary: str | None
    label: Any


FACETS: tuple[Facet, ...] = (
    Facet("region", "region__code", None, _("Region")),
    Facet("ket", "technologies", Term.Vocabulary.KET, _("Technology")),
    Facet("type", "facility_type", Term.Vocabulary.FACILITY_TYPE, _("Facility type")),
    Facet("service", "service_types", Term.Vocabulary.SERVICE_TYPE, _("Service type")),
    Facet("access", "access_modes", Term.Vocabulary.ACCESS_MODE, _("Access mode")),
    Facet("trl", "trl", None, _("Technology readiness level")),
    Facet("target", "target_users", Term.Vocabulary.TARGET_USER, _("Target users")),
)
FACETS_BY_PARAM = {f.param: f for f in FACETS}
ARRAY_COLUMNS = {"technologies", "service_types", "access_modes", "target_users"}


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    # Whether near-miss names join the hits: only when the words match nothing, so that
    # look-alike names ("coating" ~ "computing") never crowd out real matches. Decided
    # once per request (`_use_name_matches`) and shared by the hits and the facets.
    name_matches: bool | None = None
    # The words with vocabulary terms of other languages replaced by their English labels
    # ("Reinraum" -> "Cleanroom"): rows carry English labels only. "" when nothing changed.
    rewritten: str | None = None
    # The words as one tsquery, each configuration's reading once ("'test' | 'testing'",
    # not the same lexeme six times): ranking cost grows with the query's size.
    compiled: str | None = None


@dataclass
class FacetValue:
    value: str
    label: Any
    count: int
    selected: bool


@dataclass
class FacetResult:
    facet: Facet
    values: list[FacetValue]


# --- query parsing ----------------------------------------------------------------------


def normalise_query(q: str) -> str:
    """Trim user text to a size the database parses quickly; never raises."""
    q = (q or "").replace("\x00", " ").strip()
    if len(q) > MAX_QUERY_LENGTH:
        q = q[:MAX_QUERY_LENGTH]
    words = q.split()
    return " ".join(words[:MAX_QUERY_TERMS])


def text_query(q: str) -> SearchQuery:
    """`websearch` parsing (quotes, OR, -exclusion) in every configuration, OR-ed."""
    combined: SearchQuery | None = None
    for config in QUERY_CONFIGS:
        part = SearchQuery(q, config=config, search_type="websearch")
        combined = part if combined is None else combined | part  # type: ignore[assignment]
    assert combined is not None
    return combined


def prefix_tokens(q: str) -> list[str]:
    """Word tokens safe for `to_tsquery` (letters and digits only)."""
    return [t.lower() for t in _TOKEN.findall(q)][:MAX_QUERY_TERMS]


def prefix_query(q: str) -> SearchQuery | None:
    """All words, the last as a prefix (`laser & cutt:*`), for search-as-you-type."""
    tokens = prefix_tokens(q)
    if not tokens:
        return None
    raw = " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])
    return SearchQuery(raw, config="innoinfra_simple", search_type="raw")


# --- filters --------------------------------------------------------------------------


def _facet_q(facet: Facet, values: list[str]) -> Q:
    """Values within one facet are OR-ed; facets are AND-ed by the caller."""
    if facet.param == "trl":
        levels = [int(v) for v in values]
        q = Q()
        for level in levels:
            q |= Q(trl_min__lte=level, trl_max__gte=level)
        return q
    if facet.column in ARRAY_COLUMNS:
        return Q(**{f"{facet.column}__overlap": values})
    return Q(**{f"{facet.column}__in": values})


def _filters_q(filters: dict[str, list[str]], *, skip: str | None = None) -> Q:
    q = Q()
    for param, values in filters.items():
        if values and param != skip and param in FACETS_BY_PARAM:
            q &= _facet_q(FACETS_BY_PARAM[param], values)
    return q


_EXCLUSION = re.compile(r'(?:^|\s)-("[^"]*"|[^\s"]+)')


def split_exclusions(q: str) -> tuple[str, str]:
    """(`websearch` text without exclusions, the excluded words/phrases).

    Each configuration parses a query its own way, so OR-ing whole queries would let
    "laser -composites" through on a configuration that does not know the stem. The
    positive part is OR-ed over configurations; an excluded word is excluded in all.
    """
    excluded = [m.group(1).strip('"') for m in _EXCLUSION.finditer(q)]
    positive = _EXCLUSION.sub(" ", q).strip()
    return positive, " OR ".join(f'"{e}"' if " " in e else e for e in excluded if e.strip())


def _use_name_matches(params: SearchParams, positive: str) -> bool:
    _compiled(params, positive)
    return bool(params.name_matches)


def rewrite_with_english_labels(q: str, index: TermIndex) -> str:
    """The plain words of `q` with foreign vocabulary words replaced by English labels.

    Queries with phrases or OR keep their own syntax and are not rewritten.
    """
    if '"' in q or re.search(r"\bOR\b", q):
        return ""
    changed = False
    words = []
    for word in q.split():
        equivalents = index.english_equivalents(word)
        if equivalents:
            words.append(equivalents[0])
            changed = True
        else:
            words.append(word)
    return " ".join(words) if changed else ""


def _rewritten(params: SearchParams, positive: str) -> str:
    if params.rewritten is None:
        params.rewritten = rewrite_with_english_labels(positive, vocabulary())
    return params.rewritten


def vocabulary() -> TermIndex:
    """The term index for a read: checked against the database once per catalogue version
    (every committed term change moves it) when the engine's memory is on."""
    from catalogue.cache import catalogue_version, engine_memory

    return term_index(version=catalogue_version() if engine_memory() else None)


_regions: tuple[int | None, float, list[tuple[str, str]]] = (None, 0.0, [])


def region_choices() -> list[tuple[str, str]]:
    """(code, name) of every region by name, kept per catalogue version like `vocabulary`."""
    global _regions
    from catalogue.cache import PROCESS_MEMORY_SECONDS, catalogue_version, engine_memory

    version = catalogue_version() if engine_memory() else None
    kept_version, since, rows = _regions
    if version is not None and kept_version == version and time.monotonic() - since < PROCESS_MEMORY_SECONDS:
        return list(rows)
    rows = list(Region.objects.order_by("name").values_list("code", "name"))
    _regions = (version, time.monotonic(), rows)
    return list(rows)


def _text_match(qs: QuerySet[Facility], params: SearchParams) -> QuerySet[Facility]:
    """Rows matching the words in any language; else rows whose name is a near miss of them."""
    positive, excluded = split_exclusions(params.q)
    if excluded:
        qs = qs.exclude(search_vector=text_query(excluded))
    if not positive:
        return qs.annotate(
            rank=Value(0.0, output_field=FloatField()), name_similarity=Value(0.0, output_field=FloatField())
        )
    query = CompiledQuery(_compiled(params, positive))
    if not _use_name_matches(params, positive):
        # The words match: rank by them alone. Scoring every hit's name by trigram
        # similarity as well cost ~90 of 150 ms for a broad word at 10,000 facilities.
        return qs.annotate(
            rank=relevance("search_vector", query),
            name_similarity=Value(0.0, output_field=FloatField()),
        ).filter(search_vector=query)
    folded = _fold(positive)
    return qs.annotate(
        rank=relevance("search_vector", query),
        name_similarity=RawSQL("word_similarity(%s, search_names)", (folded,), output_field=FloatField()),
    ).filter(Q(search_vector=query) | Q(search_names__trigram_word_similar=folded))


def relevance(vector: str, query: SearchQuery) -> SearchRank:
    """How well a vector column matches the words: the one rank of every word search
    (facility rows and search documents alike)."""
    return SearchRank(F(vector), query, cover_density=False)


class CompiledQuery(SearchQuery):
    """A tsquery given as its text (`_compiled`), used as is: no configuration re-parses it."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, function: str | None = None, template: str | None = None
    ) -> tuple[str, list[Any]]:
        return "%s::tsquery", [self.text]


def _compiled(params: SearchParams, positive: str) -> str:
    """The words (and their English rewrite) in every configuration, as one tsquery text.

    One query, which also answers whether the words match any public facility (whether
    near-miss names may join), both kept on `params` for the hits and the facets.
    """
    if params.compiled is not None:
        return params.compiled
    texts = [positive]
    rewritten = _rewritten(params, positive)
    if rewritten:
        texts.append(rewritten)
    parts = [f"websearch_to_tsquery('{config}', %s)::text" for _text in texts for config in QUERY_CONFIGS]
    args: list[Any] = [text for text in texts for _config in QUERY_CONFIGS]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", args)
        row = cursor.fetchone()
        distinct = list(dict.fromkeys(text for text in row if text))
        params.compiled = " | ".join(f"( {text} )" for text in distinct)
        if params.name_matches is None:
            # Asked with the compiled query, not the six configurations' readings OR-ed:
            # PostgreSQL estimates `'word' | 'word' | ...` six times as common as 'word',
            # and for a word that matches nothing it then scanned every row instead of
            # asking the index (26 ms at 10,000 facilities, for every typo).
            matched = False
            if params.compiled:
                cursor.execute(
                    # The search documents are the published facilities' vectors.
                    "SELECT EXISTS (SELECT 1 FROM catalogue_searchdocument WHERE vector @@ %s::tsquery)",
                    [params.compiled],
                )
                matched = cursor.fetchone()[0]
            params.name_matches = len(positive) >= 4 and not matched
    return params.compiled


def _fold(text: str) -> str:
    from core.selectors import _fold as fold

    return fold(text)


def visible_facilities(user: Any) -> QuerySet[Facility]:
    """Published facilities for everyone; every state for the region's readers."""
    return public_or_viewable(Facility.objects.all(), user, public=PUBLIC)


def facility_search_queryset(
    *, user: Any, params: SearchParams, public_only: bool = True
) -> QuerySet[Facility]:
    """The hits (unsorted facets aside), ordered as asked. Used by pages, API and exports."""
    base = Facility.objects.filter(PUBLIC) if public_only else visible_facilities(user)
    qs = _apply(base, params)
    return _order(qs, params)


def _apply(qs: QuerySet[Facility], params: SearchParams) -> QuerySet[Facility]:
    if params.q:
        qs = _text_match(qs, params)
    return qs.filter(_filters_q(params.filters))


def _order(qs: QuerySet[Facility], params: SearchParams) -> QuerySet[Facility]:
    if params.sort == "name":
        return qs.order_by("name", "pk")
    if params.sort == "verified":
        return qs.order_by(F("last_verified_at").desc(nulls_last=True), "pk")
    if params.q:
        return qs.annotate(score=Greatest(F("rank"), F("name_similarity") * Value(0.5))).order_by(
            "-score", "name", "pk"
        )
    # No words: the most complete and recently checked records first.
    return qs.order_by("-completeness", F("last_verified_at").desc(nulls_last=True), "pk")


def facility_most_restrictive_filter(*, search: PublicSearch) -> tuple[str, int] | None:
    """With no hits: the one active filter whose removal brings back the most results."""
    best: tuple[str, int] | None = None
    for param in search.chosen:
        n = search.without(param)
        if n and (best is None or n > best[1]):
            best = (param, n)
    return best


def facility_page(ids: list[int]) -> list[Facility]:
    """The rows of one page of hits, in the order of `ids`, with their card data.

    Without the long texts no card shows (descriptions in every language, the search
    vector and its sources): they are most of a row's bytes.
    """
    rows = with_card_data(Facility.objects.filter(pk__in=ids)).defer(*_NOT_ON_CARDS).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


_NOT_ON_CARDS = (
    *(
        f.name
        for f in Facility._meta.concrete_fields
        if f.name.startswith(("description", "search_")) or f.name in ("pricing", "certifications")
    ),
    # A card names its host and region, nothing more of them.
    *(f"host__{f.name}" for f in Organisation._meta.concrete_fields if f.name not in ("id", "name", "slug")),
    *(f"region__{f.name}" for f in Region._meta.concrete_fields if f.name not in ("id", "name", "code")),
)


@dataclass(frozen=True)
class CardData:
    """What a search result card shows of a facility (`fragments.card`)."""

    pk: int
    slug: str
    name: str
    acronym: str
    city: str
    tagline: str
    technologies: list[str]
    host_name: str
    region_name: str
    trl_label: str


_CARD_COLUMNS = (
    "pk",
    "slug",
    "name",
    "acronym",
    "city",
    "tagline",
    "technologies",
    "host__name",
    "region__name",
    "trl_min",
    "trl_max",
)


def facility_cards(ids: list[int]) -> list[CardData]:
    """The card data of the facilities `ids`, in that order: one query of the card's own
    columns (names and taglines in the page's language, falling back as the model's
    fields do), without model instances (for ten cards: 0.2 ms of CPU instead of 1.7)."""
    rows = Facility.objects.filter(pk__in=ids).values_list(*_CARD_COLUMNS)
    found = {}
    for pk, slug, name, acronym, city, tagline, technologies, host, region, trl_min, trl_max in rows:
        found[pk] = CardData(
            pk=pk,
            slug=slug,
            name=name,
            acronym=acronym,
            city=city,
            tagline=tagline,
            technologies=technologies,
            host_name=host,
            region_name=region,
            trl_label=trl_label(trl_min, trl_max),
        )
    return [found[pk] for pk in ids if pk in found]


def with_card_data(qs: QuerySet[Facility]) -> QuerySet[Facility]:
    """What a result card shows: region and host in the same query."""
    return qs.select_related("region", "host")


# --- facets ---------------------------------------------------------------------------


def facet_counts(
    *, user: Any, params: SearchParams, index: TermIndex, public_only: bool = True
) -> list[FacetResult]:
    """Disjunctive counts: each facet's counts apply every *other* active filter."""
    return facet_counts_and_total(user=user, params=params, index=index, public_only=public_only)[0]


def facet_counts_and_total(
    *, user: Any, params: SearchParams, index: TermIndex, public_only: bool = True
) -> tuple[list[FacetResult], int]:
    """The facet counts and the number of hits (every filter applied).

    Public searches count in memory (`PublicSearch`); searches that include drafts (an
    editor's API list) count in SQL (`_facet_counts_sql`).
    """
    if not public_only:
        return _facet_counts_sql(user=user, params=params, index=index)
    search = public_search(params)
    return search.facets(index), search.total


# --- the public search engine -----------------------------------------------------------
#
# What a public search costs is finding and ranking what the words match; the filters,
# the facet counts and the pages are then set operations. So the database answers the
# words once per catalogue version (`public_hits`, every match in the asked order), and
# which facilities carry each facet value is kept as bitsets (`facet_index`). A search
# state (words, filters, page) is then computed in memory from those two. At 10,000
# facilities the 67 conditional counts over a broad word's 7,300 hits took 45 ms in SQL
# and its ranked page 18 ms; each search state paid them again (issue #6).


@dataclass(frozen=True)
class FacetIndex:
    """Which published facilities carry each facet value, as bitsets over facility ids.

    Bit `id` of `public` is set for every published facility, and bit `id` of
    `values[(param, value)]` for those with that value ("trl" values are the levels
    between the facility's minimum and maximum, as `_facet_q` reads them).
    """

    version: int | None
    public: int
    values: dict[tuple[str, str], int]
    regions: tuple[tuple[str, str], ...]  # (code, name) by name: the region facet's values


@dataclass(frozen=True)
class Hits:
    """Every published facility the words match (all of them, without words), in order."""

    ids: array
    bits: int


class PublicSearch:
    """One public search state computed from the hits of its words and the facet index."""

    def __init__(self, params: SearchParams) -> None:
        self.params = params
        self.index = facet_index()
        self.hits = public_hits(params)
        self.chosen = {
            param: _union(self.index.values.get((param, value), 0) for value in values)
            for param, values in params.filters.items()
            if values and param in FACETS_BY_PARAM
        }
        self.mask = self._mask()
        self.total = self.mask.bit_count()

    def _mask(self, skip: str | None = None) -> int:
        mask = self.hits.bits & self.index.public
        for param, values_mask in self.chosen.items():
            if param != skip:
                mask &= values_mask
        return mask

    def page(self, start: int, size: int) -> list[int]:
        """The ids of hits `start` to `start + size` (every filter applied), in order."""
        if start >= self.total:
            return []
        flags = self.mask.to_bytes((self.mask.bit_length() + 7) // 8, "little")
        out: list[int] = []
        seen = 0
        for pk in self.hits.ids:
            if (pk >> 3) < len(flags) and flags[pk >> 3] >> (pk & 7) & 1:
                if seen >= start:
                    out.append(pk)
                    if len(out) == size:
                        break
                seen += 1
        return out

    def facets(self, terms: TermIndex) -> list[FacetResult]:
        """Disjunctive counts: each facet's counts apply every *other* active filter."""
        results: list[FacetResult] = []
        for facet in FACETS:
            base = self._mask(skip=facet.param)
            selected = set(self.params.filters.get(facet.param, []))
            results.append(
                FacetResult(
                    facet=facet,
                    values=[
                        FacetValue(
                            value=value,
                            label=label,
                            count=(base & self.index.values.get((facet.param, value), 0)).bit_count(),
                            selected=value in selected,
                        )
                        for value, label in _facet_values(facet, terms, list(self.index.regions))
                    ],
                )
            )
        return results

    def without(self, param: str) -> int:
        """The number of hits with every filter but `param`'s."""
        return self._mask(skip=param).bit_count()


class HitList(Sequence[int]):
    """The hits of a `PublicSearch` as a sequence of ids, for `Paginator`."""

    def __init__(self, search: PublicSearch) -> None:
        self.search = search

    def __len__(self) -> int:
        return self.search.total

    def count(self, value: Any = None) -> int:  # type: ignore[override]  # Paginator's count()
        return self.search.total

    @overload
    def __getitem__(self, key: int) -> int: ...

    @overload
    def __getitem__(self, key: slice) -> list[int]: ...

    def __getitem__(self, key: int | slice) -> int | list[int]:
        if isinstance(key, int):
            found = self.search.page(key, 1)
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop = key.start or 0, key.stop if key.stop is not None else self.search.total
        return self.search.page(start, max(0, stop - start))


def public_search(params: SearchParams) -> PublicSearch:
    return PublicSearch(params)


def _union(masks: Iterable[int]) -> int:
    out = 0
    for mask in masks:
        out |= mask
    return out


_facet_index: FacetIndex | None = None
_facet_index_lock = threading.Lock()
_hits: OrderedDict[str, Hits] = OrderedDict()
HITS_KEPT = 64  # per process; a broad word's hits at 100,000 facilities take ~0.6 MB


class _KeyLocks:
    """A lock per key, for the keys being computed now (gunicorn runs threads)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


_hits_locks = _KeyLocks()


def reset_search_memory() -> None:
    """Forget this process's copies (tests that swap the cache for an empty one)."""
    global _facet_index, _regions
    _facet_index = None
    _regions = (None, 0.0, [])
    _hits.clear()


def facet_index() -> FacetIndex:
    """The index of the current catalogue version: this process's copy, else the shared
    cache's, else built (one query over the published rows) and shared.

    Versions change after every committed write (catalogue/cache.py), so a copy is never
    used after the change it misses. With the memory off (SEARCH_ENGINE_MEMORY, off in
    tests: their transactions never commit, so no version moves) it is built every call.
    """
    global _facet_index
    from catalogue.cache import ENGINE_MEMORY_SECONDS, catalogue_version, computed_once, engine_memory

    if not engine_memory():
        return _build_facet_index(None)
    version = catalogue_version()
    current = _facet_index
    if current is not None and current.version == version:
        return current
    # One build per process: the threads of a process that all find a new version wait
    # for the first (at 100,000 facilities a build is ~1 s of CPU, and the first requests
    # after a change arrive together).
    with _facet_index_lock:
        current = _facet_index
        if current is not None and current.version == version:
            return current
        shared = computed_once(
            f"facet-index:{version}", lambda: _build_facet_index(version), timeout=ENGINE_MEMORY_SECONDS
        )
        _facet_index = shared
    return shared


def _build_facet_index(version: int | None) -> FacetIndex:
    """One query: the published facilities of each facet value, as lists of ids.

    The database groups them (an index-only scan of the published rows' facet columns,
    `facility_facet_columns`, then one aggregate per facet): reading every row's arrays
    into Python took 1.5 s at 100,000 facilities, this 0.9 s (0.1 s at 10,000). It runs
    once per catalogue version; the processes share the result through the cache.
    """
    parts = ["SELECT 'public', '', string_agg(int8send(id), ''::bytea) FROM p"]
    parts.append(
        "SELECT 'region', r.code, string_agg(int8send(p.id), ''::bytea) FROM p JOIN core_region r ON r.id = p.region_id GROUP BY r.code"
    )
    parts.append(
        "SELECT 'trl', l::text, string_agg(int8send(p.id), ''::bytea) FROM p, "  # noqa: S608  (constants)
        "generate_series(p.trl_min::int, p.trl_max::int) l "
        f"WHERE l BETWEEN {TRL_LEVELS[0]} AND {TRL_LEVELS[-1]} GROUP BY l"
    )
    for facet in FACETS:  # columns and parameter names are constants of this module
        if facet.param in ("region", "trl"):
            continue
        if facet.column in ARRAY_COLUMNS:
            parts.append(
                f"SELECT '{facet.param}', v, string_agg(int8send(p.id), ''::bytea) "  # noqa: S608
                f"FROM p, unnest(p.{facet.column}) v GROUP BY v"
            )
        else:
            parts.append(
                f"SELECT '{facet.param}', p.{facet.column}, string_agg(int8send(p.id), ''::bytea) FROM p "  # noqa: S608
                f"WHERE p.{facet.column} <> '' GROUP BY p.{facet.column}"
            )
    columns = sorted(
        {"id", "region_id", "trl_min", "trl_max", *(f.column for f in FACETS if f.column in _FACET_SOURCE)}
    )
    sql = (
        f"WITH p AS MATERIALIZED (SELECT {', '.join(columns)} FROM catalogue_facility WHERE state = %s) "  # noqa: S608  (constants)
        + " UNION ALL ".join(parts)
    )
    regions = tuple(Region.objects.order_by("name").values_list("code", "name"))
    values: dict[tuple[str, str], int] = {}
    public = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, [Facility.State.PUBLISHED])
        for param, value, ids in cursor.fetchall():
            bits = bitset(_ids_of(ids)) if ids else 0
            if param == "public":
                public = bits
            else:
                values[(param, value)] = bits
    return FacetIndex(version=version, public=public, values=values, regions=regions)


def _ids_of(packed: bytes | memoryview) -> array:
    """Ids sent as 8-byte big-endian integers (`int8send`): read by C, not parsed as text
    (the text form cost the facet index's build 40% more SQL and a parse per id)."""
    ids = array("q")
    ids.frombytes(bytes(packed))
    if sys.byteorder == "little":
        ids.byteswap()
    return ids


def public_hits(params: SearchParams) -> Hits:
    """What the words match among published facilities, in the asked order (no filters).

    One query per words, sort order and language (names sort per language) and
    catalogue version, kept in this process and shared through the cache.
    """
    from catalogue.cache import catalogue_version, engine_memory

    language = get_language() or settings.LANGUAGE_CODE
    if not engine_memory():
        return _query_hits(params)
    raw = f"{language}|{params.sort}|{params.q}"
    key = f"hits:{catalogue_version()}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"
    hits = _hits.get(key)
    if hits is not None:
        with suppress(KeyError):  # another thread may have just dropped it
            _hits.move_to_end(key)
        return hits
    with _hits_locks.lock(key):  # the same words asked by two threads at once: one query
        hits = _hits.get(key)
        if hits is not None:
            return hits
        return _load_or_query_hits(key, params)


def _load_or_query_hits(key: str, params: SearchParams) -> Hits:
    from catalogue.cache import ENGINE_MEMORY_SECONDS, computed_once

    computed: list[Hits] = []

    def query() -> tuple[bool | None, bytes]:
        computed.append(_query_hits(params))
        return params.name_matches, computed[0].ids.tobytes()

    params.name_matches, ids_bytes = computed_once(key, query, timeout=ENGINE_MEMORY_SECONDS)
    if computed:
        hits = computed[0]
    else:
        ids = array("q")
        ids.frombytes(ids_bytes)
        hits = Hits(ids=ids, bits=bitset(ids))
    _hits[key] = hits
    while len(_hits) > HITS_KEPT:
        _hits.popitem(last=False)
    return hits


def hits_sql(params: SearchParams) -> tuple[str, list[Any]]:
    """The query of `public_hits`: every match of the words, in order, as one string of ids.

    Decides (on `params`) whether near-miss names join the hits, as the page does. Words
    ranked by relevance, the bulk of the searches, are answered from the search documents
    (`SearchDocument`); the other orders and the near-miss names from the facility rows,
    in the same order (`tests/catalogue/test_search_documents.py`).
    """
    unfiltered = SearchParams(
        q=params.q,
        sort=params.sort,
        name_matches=params.name_matches,
        rewritten=params.rewritten,
        compiled=params.compiled,
    )
    qs = _document_hits(unfiltered)
    if qs is None:
        qs = facility_search_queryset(user=None, params=unfiltered).values("pk")
    sql, args = qs.query.sql_with_params()
    params.name_matches, params.rewritten, params.compiled = (
        unfiltered.name_matches,
        unfiltered.rewritten,
        unfiltered.compiled,
    )
    return f"SELECT array_to_string(ARRAY({sql}), ',')", list(args)


def _document_hits(params: SearchParams) -> QuerySet[Any] | None:
    """The ids the words match, by relevance, from the search documents; None where those
    cannot answer: another order, no words but exclusions, or near-miss names."""
    if not params.q or params.sort not in ("", "relevance"):
        return None
    positive, excluded = split_exclusions(params.q)
    if not positive or _use_name_matches(params, positive):
        return None
    query = CompiledQuery(_compiled(params, positive))
    qs = SearchDocument.objects.filter(vector=query)
    if excluded:
        qs = qs.exclude(vector=text_query(excluded))
    # Equal ranks by name in the page's language, as modeltranslation orders `name`.
    name = build_localized_fieldname("name", translated_language())
    return qs.annotate(rank=relevance("vector", query)).order_by("-rank", name, "pk").values("pk")


def _query_hits(params: SearchParams) -> Hits:
    sql, args = hits_sql(params)
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        text = cursor.fetchone()[0]
    ids = array("q", map(int, text.split(","))) if text else array("q")
    return Hits(ids=ids, bits=bitset(ids))


def bitset(ids: Iterable[int]) -> int:
    """An int with bit `id` set for each id (built as bytes: shifting big ints is quadratic)."""
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray((max(ids) >> 3) + 1)
    for pk in ids:
        buffer[pk >> 3] |= 1 << (pk & 7)
    return int.from_bytes(buffer, "little")


def _facet_counts_sql(*, user: Any, params: SearchParams, index: TermIndex) -> tuple[list[FacetResult], int]:
    """`facet_counts_and_total` in one SQL statement, over every row the user may see.

    One conditional count per value over the matching rows, written as SQL here: built
    with the ORM, the 67 `Count(filter=...)` expressions cost about as much to compile
    as to run.
    """
    base = visible_facilities(user)
    if params.q:
        base = _text_match(base, params)
    hits_sql, hits_args = base.order_by().values(*_FACET_SOURCE).query.sql_with_params()
    region_rows = list(Region.objects.order_by("name").values_list("pk", "code", "name"))
    region_ids = {code: pk for pk, code, _name in region_rows}
    regions = [(code, name) for _pk, code, name in region_rows]
    columns: list[str] = []
    args: list[Any] = []

    def count(conditions: list[tuple[str, list[Any]]]) -> None:
        columns.append(f"count(*) FILTER (WHERE {' AND '.join(c for c, _a in conditions) or 'TRUE'})")
        for _condition, condition_args in conditions:
            args.extend(condition_args)

    def others(skip: str | None) -> list[tuple[str, list[Any]]]:
        return [
            _facet_sql_condition(FACETS_BY_PARAM[param], values, region_ids)
            for param, values in params.filters.items()
            if values and param != skip and param in FACETS_BY_PARAM
        ]

    count(others(None))  # the total
    keys: list[tuple[str, str]] = []
    for facet in FACETS:
        rest = others(facet.param)
        for value, _label in _facet_values(facet, index, regions):
            keys.append((facet.param, value))
            count([*rest, _facet_sql_condition(facet, [value], region_ids)])
    sql = f"SELECT {', '.join(columns)} FROM ({hits_sql}) h"  # noqa: S608  (fragments are constants)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, *hits_args])  # the select list's parameters come first
        row = cursor.fetchone()
    total, values_counts = row[0], dict(zip(keys, row[1:], strict=True))
    results: list[FacetResult] = []
    for facet in FACETS:
        selected = set(params.filters.get(facet.param, []))
        values = [
            FacetValue(
                value=value,
                label=label,
                count=values_counts[(facet.param, value)],
                selected=value in selected,
            )
            for value, label in _facet_values(facet, index, regions)
        ]
        results.append(FacetResult(facet=facet, values=values))
    return results, total


# The columns the facet counts read from the matching rows.
_FACET_SOURCE = (
    "region_id",
    "technologies",
    "facility_type",
    "service_types",
    "access_modes",
    "trl_min",
    "trl_max",
    "target_users",
)


def _facet_sql_condition(
    facet: Facet, values: list[str], region_ids: dict[str, int]
) -> tuple[str, list[Any]]:
    """`_facet_q` in SQL over the `hits` CTE (values are validated codes, passed as parameters)."""
    if facet.param == "region":
        return "h.region_id = ANY(%s)", [[region_ids[v] for v in values if v in region_ids]]
    if facet.param == "trl":
        levels = [int(v) for v in values]
        sql = " OR ".join("(h.trl_min <= %s AND h.trl_max >= %s)" for _level in levels)
        return f"({sql})", [n for level in levels for n in (level, level)]
    if facet.column in ARRAY_COLUMNS:
        return f"h.{facet.column} && %s::varchar[]", [list(values)]
    return f"h.{facet.column} = ANY(%s)", [list(values)]


def _facet_values(facet: Facet, index: TermIndex, regions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if facet.param == "region":
        return regions
    if facet.param == "trl":
        return [(str(level), f"TRL {level}") for level in TRL_LEVELS]
    assert facet.vocabulary is not None
    return index.facet_values(facet.vocabulary)


# --- highlights -----------------------------------------------------------------------


def highlights(*, facility_ids: list[int], q: str, language: str) -> dict[int, SafeString]:
    """Snippets of the description in the visitor's language with the hits marked.

    Computed for one page of ids in one query; the database marks hits with control
    characters, and the text is HTML-escaped before they become <mark> (no markup from a
    record or a query is ever reflected).
    """
    if not facility_ids or not q:
        return {}
    column = f"description_{language}" if language in dict(settings.LANGUAGES) else "description_en"
    options = f"StartSel={_MARK_START}, StopSel={_MARK_STOP}, MaxWords=35, MinWords=15, MaxFragments=2"
    query_sql = " || ".join(f"websearch_to_tsquery('{c}', %s)" for c in QUERY_CONFIGS)
    sql = f"""
        SELECT id, ts_headline('innoinfra_simple',
                   COALESCE(NULLIF({column}, ''), NULLIF(description_en, ''), description),
                   ({query_sql}), %s)
        FROM catalogue_facility WHERE id = ANY(%s)
    """  # noqa: S608  (column comes from settings.LANGUAGES, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*([q] * len(QUERY_CONFIGS)), options, facility_ids])
        rows = cursor.fetchall()
    result: dict[int, SafeString] = {}
    for pk, text in rows:
        if not text or _MARK_START not in text:
            continue
        safe = escape(text).replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>")
        result[pk] = mark_safe(safe)  # noqa: S308  (escaped above)
    return result


# --- suggestions and corrections ------------------------------------------------------


SUGGEST_CANDIDATES = 300


def facility_suggest(*, q: str, limit: int = 8) -> list[dict[str, Any]]:
    """Search-as-you-type, cheapest first (it runs on every key press).

    1. names and acronyms containing the typed text (trigram index), most alike first;
    2. then facilities whose other words start with it (the search vector, unranked:
       ranking every match of a two-letter prefix is what made this slow);
    3. then near-miss names, for typos.
    """
    q = normalise_query(q)
    query = prefix_query(q)
    if query is None:
        return []
    folded = _fold(q)
    similarity = RawSQL("word_similarity(%s, search_names)", (folded,), output_field=FloatField())
    # Most alike among the first few hundred names holding the text: ranking every one
    # of a short prefix's matches ("las": thousands of laser labs) took 200 ms at 100,000.
    # Unsorted (`order_by()`): the model's name ordering made the database sort every match
    # (5,300 rows, one heap page each) before taking the first 300: 110 ms at 100,000.
    candidates = (
        Facility.objects.filter(PUBLIC, search_names__contains=folded)
        .order_by()
        .values("pk")[:SUGGEST_CANDIDATES]
    )
    hits: list[dict[str, Any]] = list(
        Facility.objects.filter(pk__in=candidates)
        .annotate(similarity=similarity)
        .order_by("-similarity", "name")
        .values("slug", "name", "acronym")[:limit]
    )
    if len(hits) < limit:
        seen = [h["slug"] for h in hits]
        hits.extend(
            dict(row)
            for row in Facility.objects.filter(PUBLIC, search_vector=query)
            .exclude(slug__in=seen)
            .order_by()  # unranked and unsorted: the model's name ordering sorted every match
            .values("slug", "name", "acronym")[: limit - len(hits)]
        )
    if len(hits) < limit and len(q) >= 3:
        seen = [h["slug"] for h in hits]
        hits.extend(
            dict(row)
            for row in Facility.objects.filter(PUBLIC, search_names__trigram_word_similar=folded)
            .exclude(slug__in=seen)
            .annotate(similarity=similarity)
            .order_by("-similarity", "name")
            .values("slug", "name", "acronym")[: limit - len(hits)]
        )
    return hits


def suggest_correction(q: str) -> str | None:
    """The query with each unknown word replaced by its closest indexed word, if any changed."""
    tokens = prefix_tokens(q)
    if not tokens:
        return None
    sql = """
        SELECT t.token, (
            SELECT w.word FROM catalogue_searchword w
            WHERE w.word %% t.token
            ORDER BY similarity(w.word, t.token) DESC, w.frequency DESC LIMIT 1
        ), EXISTS (SELECT 1 FROM catalogue_searchword w WHERE w.word = t.token)
        FROM unnest(%s::text[]) WITH ORDINALITY AS t(token, n) ORDER BY t.n
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.3")
        cursor.execute(sql, [[_fold(t) for t in tokens]])
        rows = cursor.fetchall()
    # Words under 3 letters and numbers are never in the dictionary: keep them as typed.
    corrected = [
        token if known or not best or len(token) < 3 or token.isdigit() else best
        for token, best, known in rows
    ]
    if corrected == [_fold(t) for t in tokens]:
        return None
    return " ".join(corrected)


# --- single records -------------------------------------------------------------------


def facility_get(*, user: Any, slug: str) -> Facility:
    """One facility with everything its page shows; raises DoesNotExist when not visible."""
    return (
        visible_facilities(user)
        .select_related("region", "host")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name").prefetch_related("equipment")),
            Prefetch("equipment", queryset=Equipment.objects.order_by("name")),
        )
        .get(slug=slug)
    )


def facility_list_by_slugs(*, user: Any, slugs: Iterable[str]) -> list[Facility]:
    """Facilities to compare, in the order asked, invisible ones dropped."""
    wanted = list(dict.fromkeys(slugs))
    found = {
        f.slug: f
        for f in visible_facilities(user)
        .filter(slug__in=wanted)
        .select_related("region", "host")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name")),
            Prefetch("equipment", queryset=Equipment.objects.order_by("name")),
        )
    }
    return [found[s] for s in wanted if s in found]


def facility_similar(*, facility: Facility, limit: int = 4) -> list[Facility]:
    """Published facilities sharing technologies and service types, nearest in TRL."""
    if not (facility.technologies or facility.service_types):
        return []
    return list(
        Facility.objects.filter(PUBLIC)
        .exclude(pk=facility.pk)
        .filter(
            Q(technologies__overlap=facility.technologies) | Q(service_types__overlap=facility.service_types)
        )
        .annotate(
            shared=RawSQL(
                "cardinality(ARRAY(SELECT unnest(technologies) INTERSECT SELECT unnest(%s::varchar[])))"
                " + cardinality(ARRAY(SELECT unnest(service_types) INTERSECT SELECT unnest(%s::varchar[])))",
                (facility.technologies, facility.service_types),
            )
        )
        .select_related("region", "host")
        .order_by("-shared", "-completeness", "pk")[:limit]
    )


def facility_counts_by_ket(*, index: TermIndex) -> list[tuple[Term, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, count(*) FROM catalogue_facility, unnest(technologies) AS code "
            "WHERE state = %s GROUP BY code",
            [Facility.State.PUBLISHED],
        )
        counts = dict(cursor.fetchall())
    return [
        (term, counts.get(term.code, 0)) for term in index.terms(Term.Vocabulary.KET) if not term.deprecated
    ]


def facility_counts_by_region() -> list[tuple[Region, int]]:
    return [
        (region, region.n)  # type: ignore[attr-defined]
        for region in Region.objects.annotate(
            n=Count("facilities", filter=Q(facilities__state=Facility.State.PUBLISHED))
        ).order_by("name")
    ]


def facility_list_for_editor(*, user: Any) -> QuerySet[Facility]:
    """The facilities a user may edit, for the "my region" page."""
    return scope_editable(Facility.objects.all(), user).select_related("region", "host")


def facility_list_internal(*, user: Any) -> QuerySet[Facility]:
    return scope_viewable(Facility.objects.all(), user).select_related("region", "host")
