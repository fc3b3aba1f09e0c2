"""Every catalogue read that pages, API and exports share (ARCHITECTURE §4, §6).

`facility_search` is the search engine: full text in every language configuration,
prefix and typo tolerance, disjunctive facets, ranking and highlighted snippets. The
browser view and the API both reach it through `catalogue.filters.FacilityFilterSet`,
so the same parameters give the same hits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, FloatField, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from catalogue.models import Equipment, Facility, Service
from core.models import Region, Term
from core.scoping import public_or_viewable, scope_editable, scope_viewable
from core.selectors import TermIndex

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
        from core.selectors import term_index

        params.rewritten = rewrite_with_english_labels(positive, term_index())
    return params.rewritten


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
            rank=SearchRank(F("search_vector"), query, cover_density=False),
            name_similarity=Value(0.0, output_field=FloatField()),
        ).filter(search_vector=query)
    folded = _fold(positive)
    return qs.annotate(
        rank=SearchRank(F("search_vector"), query, cover_density=False),
        name_similarity=RawSQL("word_similarity(%s, search_names)", (folded,), output_field=FloatField()),
    ).filter(Q(search_vector=query) | Q(search_names__trigram_word_similar=folded))


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
    parts = [f"websearch_to_tsquery('{config}', %s)" for _text in texts for config in QUERY_CONFIGS]
    args: list[Any] = [text for text in texts for _config in QUERY_CONFIGS]
    columns = [f"{part}::text" for part in parts]
    decide = params.name_matches is None
    if decide:
        combined = " || ".join(parts)
        columns.append(
            f"EXISTS (SELECT 1 FROM catalogue_facility WHERE state = 'published' AND search_vector @@ ({combined}))"  # noqa: S608
        )
        args += args
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", args)
        row = cursor.fetchone()
    if decide:
        params.name_matches = len(positive) >= 4 and not row[-1]
        row = row[:-1]
    distinct = list(dict.fromkeys(text for text in row if text))
    params.compiled = " | ".join(f"( {text} )" for text in distinct)
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


def facility_most_restrictive_filter(*, user: Any, params: SearchParams) -> tuple[str, int] | None:
    """With no hits: the one active filter whose removal brings back the most results."""
    best: tuple[str, int] | None = None
    for param, values in params.filters.items():
        if not values:
            continue
        trial = SearchParams(
            q=params.q,
            filters={k: v for k, v in params.filters.items() if k != param},
            sort=params.sort,
            name_matches=params.name_matches,
            rewritten=params.rewritten,
            compiled=params.compiled,
        )
        n = facility_search_queryset(user=user, params=trial).count()
        if n and (best is None or n > best[1]):
            best = (param, n)
    return best


def facility_page(qs: QuerySet[Facility], ids: list[int]) -> list[Facility]:
    """The rows of one page of hits, in the order of `ids`, with their card data.

    Ranking sorts narrow rows (ids) and only this page's wide rows are read: sorting
    every hit's full row cost about half the time of a broad search.
    """
    rows = with_card_data(Facility.objects.filter(pk__in=ids)).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def with_card_data(qs: QuerySet[Facility]) -> QuerySet[Facility]:
    """What a result card shows: region and host in the same query."""
    return qs.select_related("region", "host")


# --- facets ---------------------------------------------------------------------------


def facet_counts(
    *, user: Any, params: SearchParams, index: TermIndex, public_only: bool = True
) -> list[FacetResult]:
    """Disjunctive counts: each facet's counts apply every *other* active filter.

    One query: conditional counts over the text-matched rows (small vocabularies).
    """
    return facet_counts_and_total(user=user, params=params, index=index, public_only=public_only)[0]


def facet_counts_and_total(
    *, user: Any, params: SearchParams, index: TermIndex, public_only: bool = True
) -> tuple[list[FacetResult], int]:
    """The facet counts and, in the same statement, the number of hits (every filter applied).

    One conditional count per value over the matching rows, written as SQL here: built
    with the ORM, the 67 `Count(filter=...)` expressions cost about as much to compile
    as to run.
    """
    base = Facility.objects.filter(PUBLIC) if public_only else visible_facilities(user)
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
    return [
        (t.code, str(t.label))
        for t in sorted(index.terms(facet.vocabulary), key=lambda t: (t.order, t.code))
        if not t.deprecated
    ]


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
    candidates = Facility.objects.filter(PUBLIC, search_names__contains=folded).values("pk")[
        :SUGGEST_CANDIDATES
    ]
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
