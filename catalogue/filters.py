"""The one FilterSet of the facility search, shared by the browser view and the API.

It parses and validates the URL parameters (`q`, `region`, `ket`, `type`, `service`,
`access`, `trl`, `target`, `sort`) and hands them to `catalogue.selectors`. The API
answers invalid values with a 400 naming them; the browser page drops them and says
which were ignored. Valid parameters give the same hits in both.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalogue.models import Facility
from catalogue.selectors import (
    FACETS,
    MAX_QUERY_LENGTH,
    TRL_LEVELS,
    SearchParams,
    facility_search_queryset,
    normalise_query,
    region_choices,
    rewrite_with_english_labels,
    split_exclusions,
    vocabulary,
)
from core.selectors import TermIndex

SORTS = [
    ("relevance", _("Relevance")),
    ("name", _("Name")),
    ("verified", _("Recently verified")),
]
MAX_VALUES_PER_FACET = 20


class FacilityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="_ignore", max_length=10_000)
    region = django_filters.MultipleChoiceFilter(label=_("Region"), method="_ignore")
    ket = django_filters.MultipleChoiceFilter(label=_("Technology"), method="_ignore")
    type = django_filters.MultipleChoiceFilter(label=_("Facility type"), method="_ignore")
    service = django_filters.MultipleChoiceFilter(label=_("Service type"), method="_ignore")
    access = django_filters.MultipleChoiceFilter(label=_("Access mode"), method="_ignore")
    trl = django_filters.MultipleChoiceFilter(label=_("TRL"), method="_ignore")
    target = django_filters.MultipleChoiceFilter(label=_("Target users"), method="_ignore")
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORTS, method="_ignore", empty_label=None)

    class Meta:
        model = Facility
        fields: list[str] = []

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Facility] | None = None,
        *,
        request: Any = None,
        index: TermIndex | None = None,
        public_only: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            data, queryset if queryset is not None else Facility.objects.all(), request=request, **kwargs
        )
        self.index = index or vocabulary()
        self.public_only = public_only
        regions = region_choices()
        for facet in FACETS:
            filt = self.filters[facet.param]
            if facet.param == "region":
                filt.extra["choices"] = regions
            elif facet.param == "trl":
                filt.extra["choices"] = [(str(level), f"TRL {level}") for level in TRL_LEVELS]
            else:
                assert facet.vocabulary is not None
                filt.extra["choices"] = list(self.index.labels(facet.vocabulary).items())

    def _ignore(self, queryset: QuerySet[Facility], name: str, value: Any) -> QuerySet[Facility]:
        # Filtering happens in one place, `filter_queryset`, through the selector.
        return queryset

    # -- parameters ----------------------------------------------------------------------

    def search_params(self) -> SearchParams:
        """The valid part of the request: unknown values dropped (see `ignored`).

        One object per FilterSet, so that what the selectors decide once per request
        (SearchParams.name_matches) is shared by the hits and the facet counts.
        """
        if getattr(self, "_params", None) is None:
            self._params = self._build_params()
        return self._params

    def _build_params(self) -> SearchParams:
        data = self.data or {}
        q = normalise_query(str(data.get("q", "") or ""))
        filters: dict[str, list[str]] = {}
        for facet in FACETS:
            allowed = {str(value) for value, _label in self.filters[facet.param].extra["choices"]}
            values = _getlist(data, facet.param)
            kept = [v for v in dict.fromkeys(values) if v in allowed][:MAX_VALUES_PER_FACET]
            if kept:
                filters[facet.param] = kept
        sort = str(data.get("sort") or "relevance")
        if sort not in dict(SORTS):
            sort = "relevance"
        positive, _excluded = split_exclusions(q)
        return SearchParams(
            q=q,
            filters=filters,
            sort=sort,
            rewritten=rewrite_with_english_labels(positive, self.index) if q else "",
        )

    def errors_by_field(self) -> dict[str, list[str]]:
        """Plain messages per parameter about values that cannot be used."""
        data = self.data or {}
        errors: dict[str, list[str]] = {}
        raw_q = str(data.get("q", "") or "")
        if len(raw_q) > MAX_QUERY_LENGTH:
            errors["q"] = [
                str(_("Your search was shortened to its first %(n)d characters.") % {"n": MAX_QUERY_LENGTH})
            ]
        for facet in FACETS:
            allowed = {str(value) for value, _label in self.filters[facet.param].extra["choices"]}
            unknown = list(dict.fromkeys(v for v in _getlist(data, facet.param) if v not in allowed))
            if unknown:
                errors[facet.param] = [
                    str(
                        _("Unknown %(filter)s: %(values)s.")
                        % {
                            "filter": str(self.filters[facet.param].label).lower(),
                            "values": ", ".join(unknown[:5]),
                        }
                    )
                ]
        sort = data.get("sort")
        if sort and sort not in dict(SORTS):
            errors["sort"] = [str(_("Unknown sort order; use relevance, name or verified."))]
        return errors

    def ignored(self) -> list[str]:
        """The same messages as one list, for the browser page (which ignores the values)."""
        return [message for messages in self.errors_by_field().values() for message in messages]

    # -- django-filter -------------------------------------------------------------------

    def filter_queryset(self, queryset: QuerySet[Facility]) -> QuerySet[Facility]:
        return facility_search_queryset(
            user=getattr(self.request, "user", None),
            params=self.search_params(),
            public_only=self.public_only,
        )

    @property
    def qs(self) -> QuerySet[Facility]:
        # Lenient for the browser; the API checks `is_valid()` first and answers 400.
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs


def _getlist(data: Any, key: str) -> list[str]:
    if hasattr(data, "getlist"):
        values = data.getlist(key)
    else:
        raw = data.get(key, [])
        values = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for value in values:
        # `ket=photonics,lasers` and `ket=photonics&ket=lasers` mean the same.
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return out
