"""The search a team writes first, measured beside the portal's (bench only, never served).

`icontains` over the text columns OR-ed together, then one GROUP BY query per facet,
no search vector. Rendered with the portal's own template, so the comparison is of the
data access, not of the HTML.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalogue.filters import SORTS, FacilityFilterSet
from catalogue.models import Facility
from catalogue.selectors import FACETS, FacetResult, FacetValue, SearchParams, _facet_q, _filters_q
from core.selectors import term_index


def _text_q(q: str) -> Q:
    words = q.split()
    per_word = []
    for word in words:
        per_word.append(
            Q(name__icontains=word)
            | Q(acronym__icontains=word)
            | Q(tagline_en__icontains=word)
            | Q(description_en__icontains=word)
            | Q(services__name__icontains=word)
            | Q(equipment__name__icontains=word)
        )
    return functools.reduce(operator.and_, per_word) if per_word else Q()


def _facet_counts(qs: QuerySet[Facility], params: SearchParams, index: Any) -> list[FacetResult]:
    results = []
    ids_sql, ids_params = qs.values("pk").query.sql_with_params()
    for facet in FACETS:
        selected = set(params.filters.get(facet.param, []))
        if facet.param == "region":
            rows = dict(
                qs.values_list("region__code")
                .annotate(n=Count("pk", distinct=True))
                .values_list("region__code", "n")
            )
            labels = [(v, v) for v in rows]
        elif facet.param == "trl":
            rows = {}
            for level in range(1, 10):
                rows[str(level)] = qs.filter(_facet_q(facet, [str(level)])).count()
            labels = [(str(level), f"TRL {level}") for level in range(1, 10)]
        elif facet.column in ("technologies", "service_types", "access_modes", "target_users"):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT code, count(*) FROM catalogue_facility, unnest({facet.column}) AS code "
                    f"WHERE id IN ({ids_sql}) GROUP BY code",
                    ids_params,
                )
                rows = dict(cursor.fetchall())
            labels = [(t.code, str(t.label)) for t in index.terms(facet.vocabulary)]
        else:
            rows = dict(
                qs.values_list(facet.column)
                .annotate(n=Count("pk", distinct=True))
                .values_list(facet.column, "n")
            )
            labels = [(t.code, str(t.label)) for t in index.terms(facet.vocabulary)]
        results.append(
            FacetResult(
                facet=facet,
                values=[
                    FacetValue(value=v, label=lbl, count=rows.get(v, 0), selected=v in selected)
                    for v, lbl in labels
                ],
            )
        )
    return results


def search(request: HttpRequest) -> HttpResponse:
    index = term_index()
    filterset = FacilityFilterSet(request.GET, request=request, index=index)
    params = filterset.search_params()
    qs = Facility.objects.filter(state=Facility.State.PUBLISHED).filter(_filters_q(params.filters))
    if params.q:
        qs = qs.filter(_text_q(params.q)).distinct()
    qs = qs.order_by("name", "pk")
    page = Paginator(qs.select_related("region", "host"), 20).get_page(request.GET.get("page"))
    facilities = list(page.object_list)
    facets = _facet_counts(Facility.objects.filter(pk__in=qs.values("pk")), params, index)
    return render(
        request,
        "catalogue/search.html",
        {
            "filterset": filterset,
            "params": params,
            "page": page,
            "facilities": facilities,
            "results": [
                {
                    "facility": f,
                    "technologies": f.technologies,
                    "facility_type": f.facility_type,
                    "highlight": None,
                }
                for f in facilities
            ],
            "count": page.paginator.count,
            "facets": facets,
            "sorts": SORTS,
            "ignored": [],
            "highlights": {},
            "active_filters": [],
            "map_points": [],
            "map_tiles": {"url": "", "attribution": ""},
            "page_query": "",
            "view": "list",
            "terms": {},
        },
    )
