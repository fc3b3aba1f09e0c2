"""Catalogue pages: thin interfaces over the selectors (STYLE "Views and templates")."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import slug_re
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalogue import exports, selectors, services
from catalogue.cache import cached, catalogue_version, engine_memory, search_cache_key, version_pinned
from catalogue.enquiries import selectors as enquiry_selectors
from catalogue.enquiries.inbox import human_duration
from catalogue.filters import SORTS, FacilityFilterSet
from catalogue.fragments import card, facets_html, search_cards, search_page
from catalogue.models import EnquiryThread, Facility
from core.models import Region, Term
from core.pagecache import CSRF_SLOT, release, shareable, with_visitor_token
from core.scoping import Access, access_for
from core.selectors import term_index

PAGE_SIZE = 20
MAX_PAGE = 500
MAX_COMPARE = 4
STALE_AFTER_DAYS = 365
FIGURES_MONTHS = 12


def home(request: HttpRequest) -> HttpResponse:
    index = term_index()
    regions = selectors.facility_counts_by_region()
    return render(
        request,
        "catalogue/home.html",
        {
            "ket_counts": selectors.facility_counts_by_ket(index=index),
            "region_counts": regions,
            "total": sum(n for _region, n in regions),
            "map_regions": [
                {
                    "code": r.code,
                    "name": r.name,
                    "lat": float(r.latitude),
                    "lng": float(r.longitude),
                    "count": n,
                    "url": reverse("catalogue:region", args=[r.code]),
                }
                for r, n in regions
            ],
            "map_tiles": _map_tiles(),
        },
    )


def _map_tiles() -> dict[str, str]:
    return {"url": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION}


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    with version_pinned():
        return _search(request)


def _search(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    htmx = bool(request.headers.get("HX-Request"))
    if shareable(request):
        # The whole page is the same for every anonymous visitor of a URL (public records
        # only) but for the CSRF token of its language form: rendered once per URL,
        # language and catalogue version, and served with each visitor's own token.
        key = search_cache_key(
            kind="search-page-anonymous-htmx" if htmx else "search-page-anonymous",
            pairs=[("path", request.get_full_path()), ("release", release())],
            language=language,
        )
        html = cached(
            key,
            lambda: _render_search(
                request, language=language, htmx=htmx, csrf_token=CSRF_SLOT
            ).content.decode(),
        )
        response = HttpResponse(with_visitor_token(request, html))
    else:
        response = _render_search(request, language=language, htmx=htmx)
    # The fragment and the full page share a URL: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _render_search(
    request: HttpRequest, *, language: str, htmx: bool, csrf_token: str | None = None
) -> HttpResponse:
    index = selectors.vocabulary()
    filterset = FacilityFilterSet(request.GET, request=request, index=index)
    params = filterset.search_params()
    # The results part (facets, hits, pagination) is the same for every visitor of a
    # URL: public records only, nothing per user. It is cached per catalogue version.
    key = search_cache_key(
        kind="search-page", pairs=[(k, v) for k, vs in request.GET.lists() for v in vs], language=language
    )
    part = cached(key, lambda: _search_results(request, filterset, params, index, language))
    count_html = render_to_string("catalogue/partials/result_count.html", {"count": part["count"]})
    context = {
        "params": params,
        "count": part["count"],
        "count_html": count_html,
        "sorts": SORTS,
        "view": "map" if request.GET.get("view") == "map" else "list",
        "results_html": mark_safe(part["html"]),  # noqa: S308  (rendered by our template, autoescaped)
    }
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
        if not htmx:
            # The page every anonymous visitor of the URL gets: filled into its shape.
            return HttpResponse(
                search_page(request, context=context, results_html=part["html"], count_html=count_html)
            )
    template = "catalogue/partials/results_htmx.html" if htmx else "catalogue/search.html"
    return render(request, template, context)


def _search_results(
    request: HttpRequest,
    filterset: FacilityFilterSet,
    params: selectors.SearchParams,
    index: Any,
    language: str,
) -> dict[str, Any]:
    """Render the results part of the search page: its HTML and the hit count."""
    # Public records only (drafts are never in the public search): hits, pages and facet
    # counts come from the search engine's memory (selectors.PublicSearch).
    search = selectors.public_search(params)
    facets = search.facets(index)
    paginator = Paginator(selectors.HitList(search), PAGE_SIZE)
    try:
        page = paginator.page(_page_number(request.GET.get("page")))
    except (EmptyPage, PageNotAnInteger):
        page = paginator.page(paginator.num_pages)
    ids = list(page.object_list)
    view = "map" if request.GET.get("view") == "map" else "list"
    correction = None
    relaxed: dict[str, Any] | None = None
    if paginator.count == 0:
        if params.q:
            correction = selectors.suggest_correction(params.q)
        relaxed = _relax_suggestion(request, search)
    cards: list[SafeString] = []
    facilities: list[Facility] = []
    if view == "map":
        facilities = selectors.facility_page(ids)
    else:
        cards = _cards(ids, params=params, index=index, language=language)
    context = {
        "filterset": filterset,
        "params": params,
        "page": page,
        "facilities": facilities,  # the map view's rows
        "hit_ids": ids,
        "count": paginator.count,
        "facets": facets,
        "facets_html": facets_html(facets, language=language),
        "sorts": SORTS,
        "ignored": filterset.ignored(),
        "correction": correction,
        "correction_url": _url_with(request, q=correction) if correction else None,
        "relaxed": relaxed,
        "active_filters": _active_filters(request, facets),
        "cards": cards,
        "map_points": _map_points(facilities) if view == "map" else [],
        "map_tiles": _map_tiles(),
        "page_query": _query_without(request, "page"),
        "view": view,
        "terms": {facet.facet.param: {v.value: v.label for v in facet.values} for facet in facets},
    }
    html = render_to_string("catalogue/partials/results.html", context, request=request)
    return {"html": html, "count": paginator.count}


def _cards(ids: list[int], *, params: selectors.SearchParams, index: Any, language: str) -> list[SafeString]:
    """The page's result cards: the rows read only for those that no earlier search of
    this catalogue version rendered in this process."""
    version = catalogue_version() if engine_memory() else None
    known = {} if version is None else search_cards.get_many(version=version, scope=language, ids=ids)
    rendered = {
        data.pk: card(data, badges=_badges(index, data.technologies))
        for data in selectors.facility_cards([pk for pk in ids if pk not in known])
    }
    if version is not None and rendered:
        search_cards.put_many(version=version, scope=language, values=rendered)
    known.update(rendered)
    shown = [pk for pk in ids if pk in known]  # a row deleted since the hits were read is left out
    snippets = selectors.highlights(facility_ids=shown, q=params.q, language=language)
    return [known[pk].html(snippets.get(pk)) for pk in shown]


def _badges(index: Any, codes: list[str]) -> list[str]:
    """The labels of a facility's technologies in the vocabulary's order (as in the facets)."""
    return [label for code, label in index.facet_values(Term.Vocabulary.KET) if code in codes]


def _query_without(request: HttpRequest, *keys: str) -> str:
    return urlencode(
        [(key, value) for key, values in request.GET.lists() if key not in keys for value in values]
    )


def _url_with(request: HttpRequest, **changes: str | None) -> str:
    pairs = [(k, v) for k, values in request.GET.lists() if k not in changes and k != "page" for v in values]
    pairs += [(k, v) for k, v in changes.items() if v]
    return f"{reverse('catalogue:search')}?{urlencode(pairs)}"


def _active_filters(request: HttpRequest, facets: list[selectors.FacetResult]) -> list[dict[str, str]]:
    """Each selected value with a link that removes it."""
    chips = []
    for facet in facets:
        for value in facet.values:
            if value.selected:
                pairs = [
                    (k, v)
                    for k, values in request.GET.lists()
                    if k != "page"
                    for v in values
                    if not (k == facet.facet.param and v == value.value)
                ]
                chips.append(
                    {
                        "facet": facet.facet.label,
                        "label": value.label,
                        "remove_url": f"{reverse('catalogue:search')}?{urlencode(pairs)}",
                    }
                )
    return chips


def _relax_suggestion(request: HttpRequest, search: selectors.PublicSearch) -> dict[str, Any] | None:
    """With no hits, the one filter whose removal brings back the most results."""
    best = selectors.facility_most_restrictive_filter(search=search)
    if best is None:
        return None
    param, count = best
    return {
        "param": param,
        "label": selectors.FACETS_BY_PARAM[param].label,
        "count": count,
        "url": _url_with(request, **{param: None}),
    }


def _map_points(facilities: list[Facility]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "url": reverse("catalogue:facility", args=[f.slug]),
            "lat": float(f.latitude),
            "lng": float(f.longitude),
            "region": f.region.name,
        }
        for f in facilities
        if f.latitude is not None and f.longitude is not None
    ]


@require_GET
def search_export(request: HttpRequest) -> HttpResponse:
    """The current search's hits as CSV, XLSX or JSON (the portal's import format)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        return HttpResponse(
            _("Unknown format: use csv, xlsx or json."), status=400, content_type="text/plain"
        )
    filterset = FacilityFilterSet(request.GET, request=request)
    hits = Facility.objects.filter(pk__in=filterset.qs.order_by().values("pk"))
    response = HttpResponse(exports.export(hits, fmt), content_type=exports.FORMATS[fmt])
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="innoinfra-facilities-{stamp}.{fmt}"'
    return response


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type: an HTML fragment for htmx, or JSON for scripts.

    Public names only, the same for every visitor: cached per catalogue version like the
    search results (a few hundred prefixes are most key presses).
    """
    q = selectors.normalise_query(request.GET.get("q", ""))
    key = search_cache_key(kind="suggest", pairs=[("q", q)], language=get_language() or "en")
    hits = cached(key, lambda: selectors.facility_suggest(q=q))
    if request.headers.get("HX-Request"):
        response: HttpResponse = render(request, "catalogue/partials/suggestions.html", {"suggestions": hits})
    else:
        response = JsonResponse({"suggestions": hits})
    patch_vary_headers(response, ["HX-Request"])
    return response


def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        facility = selectors.facility_get(user=request.user, slug=slug)
    except Facility.DoesNotExist:
        raise Http404(_("No facility found.")) from None
    index = term_index()
    labels = _labels(facility, index)
    return render(
        request,
        "catalogue/facility_detail.html",
        {
            "facility": facility,
            "labels": labels,
            "service_rows": [(s, labels["service_type_of"][s.pk]) for s in facility.services.all()],
            "equipment_rows": [(e, labels["equipment_category_of"][e.pk]) for e in facility.equipment.all()],
            "json_ld_text": _json_ld_text(_json_ld(request, facility, index)),
            "similar": selectors.facility_similar(facility=facility),
            "can_edit": request.user.has_perm("catalogue.change_facility", facility),
            "map_points": _map_points([facility]),
            "map_tiles": _map_tiles(),
            "completeness": services.facility_completeness(
                facility, service_count=len(facility.services.all())
            ),
        },
    )


def _one_label(index: Any, vocabulary: str, code: str) -> str:
    term = index.get(vocabulary, code) if code else None
    return str(term.label) if term else ""


def _labels(facility: Facility, index: Any) -> dict[str, Any]:
    """Vocabulary labels of a facility's codes, in the visitor's language."""

    def many(vocabulary: str, codes: list[str]) -> list[str]:
        return [str(t.label) for c in codes if (t := index.get(vocabulary, c)) is not None]

    def one(vocabulary: str, code: str) -> str:
        term = index.get(vocabulary, code) if code else None
        return str(term.label) if term else ""

    return {
        "technologies": many(Term.Vocabulary.KET, facility.technologies),
        "facility_type": one(Term.Vocabulary.FACILITY_TYPE, facility.facility_type),
        "service_types": many(Term.Vocabulary.SERVICE_TYPE, facility.service_types),
        "access_types": many(Term.Vocabulary.ACCESS_TYPE, facility.access_types),
        "access_modes": many(Term.Vocabulary.ACCESS_MODE, facility.access_modes),
        "target_users": many(Term.Vocabulary.TARGET_USER, facility.target_users),
        "scientific_domains": many(Term.Vocabulary.SCIENTIFIC_DOMAIN, facility.scientific_domains),
        "application_sectors": many(Term.Vocabulary.NACE_SECTION, facility.application_sectors),
        "order_type": one(Term.Vocabulary.ORDER_TYPE, facility.order_type),
        "pricing": one(Term.Vocabulary.PRICING, facility.pricing),
        "support_level": one(Term.Vocabulary.SUPPORT_LEVEL, facility.support_level),
        "service_type_of": {
            s.pk: one(Term.Vocabulary.SERVICE_TYPE, s.service_type) for s in facility.services.all()
        },
        "equipment_category_of": {
            e.pk: one(Term.Vocabulary.EQUIPMENT_CATEGORY, e.category) for e in facility.equipment.all()
        },
    }


def _json_ld(request: HttpRequest, facility: Facility, index: Any) -> dict[str, Any]:
    """schema.org description of the facility for search engines and aggregators."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": facility.name,
        "url": request.build_absolute_uri(reverse("catalogue:facility", args=[facility.slug])),
        "description": facility.tagline or (facility.description or "")[:300],
        "containedInPlace": {"@type": "AdministrativeArea", "name": facility.region.name},
        "address": {
            "@type": "PostalAddress",
            "streetAddress": facility.address,
            "postalCode": facility.postcode,
            "addressLocality": facility.city,
            "addressCountry": facility.region.country,
        },
        "publicAccess": facility.state == Facility.State.PUBLISHED,
        "keywords": ", ".join(
            [str(t.label) for c in facility.technologies if (t := index.get(Term.Vocabulary.KET, c))]
            + list(facility.keywords)
        ),
        "maintainer": {"@type": "Organization", "name": facility.host.name},
    }
    if facility.latitude is not None and facility.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(facility.latitude),
            "longitude": float(facility.longitude),
        }
    if facility.contact_email:
        data["email"] = facility.contact_email
    if facility.website:
        data["sameAs"] = facility.website
    return data


def _json_ld_text(data: dict[str, Any]) -> SafeString:
    """JSON for a <script type="application/ld+json"> block, safe against </script>."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308  (<, >, & escaped)


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    raw = [s.strip() for value in request.GET.getlist("ids") for s in value.split(",")]
    # Only slug-shaped values reach the database (NUL bytes and the like are dropped).
    slugs = [s[:220] for s in raw if slug_re.match(s)][: MAX_COMPARE * 3]
    facilities = selectors.facility_list_by_slugs(user=request.user, slugs=slugs)
    notice = None
    if len(facilities) > MAX_COMPARE:
        facilities = facilities[:MAX_COMPARE]
        notice = _("Up to %(n)d facilities can be compared; the first %(n)d are shown.") % {"n": MAX_COMPARE}
    index = term_index()
    labels = [_labels(f, index) for f in facilities]
    return render(
        request,
        "catalogue/compare.html",
        {
            "facilities": facilities,
            "labels": labels,
            "rows": list(zip(facilities, labels, strict=True)),
            "notice": notice,
            "missing": len(slugs) - len(facilities) if len(slugs) <= MAX_COMPARE else 0,
            "max_compare": MAX_COMPARE,
        },
    )


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    params = selectors.SearchParams(filters={"region": [region.code]}, sort="name")
    facilities = selectors.with_card_data(
        selectors.facility_search_queryset(user=request.user, params=params)
    )
    index = term_index()
    ket_counts = [(term, n) for term, n in _region_ket_counts(region, index) if n]
    return render(
        request,
        "catalogue/region_detail.html",
        {
            "region": region,
            "facilities": list(facilities[:60]),
            "count": facilities.count(),
            "ket_counts": ket_counts,
            "search_url": f"{reverse('catalogue:search')}?{urlencode({'region': region.code})}",
            "map_points": _map_points(list(facilities[:500])),
            "map_tiles": _map_tiles(),
        },
    )


def _region_ket_counts(region: Region, index: Any) -> list[tuple[Term, int]]:
    terms = index.terms(Term.Vocabulary.KET)
    counts = Facility.objects.filter(state=Facility.State.PUBLISHED, region=region).aggregate(
        **{f"k{n}": Count("pk", filter=Q(technologies__contains=[t.code])) for n, t in enumerate(terms)}
    )
    return [(term, counts[f"k{n}"]) for n, term in enumerate(terms)]


# --- staff pages ----------------------------------------------------------------------


@login_required
def my_region(request: HttpRequest) -> HttpResponse:
    """An editor's worklist: drafts, stale entries and incomplete records of their regions."""
    if not request.user.has_perm("catalogue.view_worklist"):
        raise PermissionDenied
    stale_before = timezone.now() - timedelta(days=STALE_AFTER_DAYS)
    internal = selectors.facility_list_internal(user=request.user)
    counts = internal.aggregate(
        drafts=Count("pk", filter=Q(state__in=[Facility.State.DRAFT, Facility.State.SUBMITTED])),
        stale=Count(
            "pk",
            filter=Q(state=Facility.State.PUBLISHED)
            & (Q(last_verified_at__lt=stale_before) | Q(last_verified_at__isnull=True)),
        ),
        incomplete=Count("pk", filter=Q(completeness__lt=100) & ~Q(state=Facility.State.ARCHIVED)),
        published=Count("pk", filter=Q(state=Facility.State.PUBLISHED)),
    )
    # The inbox's own permission: the region's editors and coordinators answer enquiries.
    can_answer = bool(request.user.has_perm("catalogue.view_enquirythread"))
    access = access_for(request.user)
    return render(
        request,
        "catalogue/my_region.html",
        {
            "enquiry_figures": _enquiry_figures(access) if can_answer else [],
            "can_answer_enquiries": can_answer,
            "counts": counts,
            "drafts": list(
                internal.filter(state__in=[Facility.State.DRAFT, Facility.State.SUBMITTED]).order_by(
                    "-updated_at"
                )[:50]
            ),
            "stale": list(
                internal.filter(state=Facility.State.PUBLISHED)
                .filter(Q(last_verified_at__lt=stale_before) | Q(last_verified_at__isnull=True))
                .order_by(F("last_verified_at").asc(nulls_first=True))[:50]
            ),
            "incomplete": list(
                internal.filter(completeness__lt=100)
                .exclude(state=Facility.State.ARCHIVED)
                .order_by("completeness", "name")[:50]
            ),
            "can_edit": can_answer,
        },
    )


def _enquiry_figures(access: Access) -> list[dict[str, Any]]:
    """The last 12 months (this one included) of the regions the user answers enquiries for."""
    today = timezone.localdate()
    month_index = today.year * 12 + today.month - 1 - (FIGURES_MONTHS - 1)
    since = date(month_index // 12, month_index % 12 + 1, 1)
    figures = enquiry_selectors.enquiry_figures(
        region_ids=None if access.all_regions_change else sorted(access.edit_regions), since=since
    )
    outcome_labels = dict(EnquiryThread.Outcome.choices)
    return [
        {
            "figures": row,
            "median": human_duration(row.median_first_response),
            "outcomes": [
                (outcome_labels.get(code, code), n)
                for code, n in sorted(row.outcomes.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
        for row in figures
    ]


@require_POST
@login_required
def facility_verify(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        facility = selectors.facility_get(user=request.user, slug=slug)
    except Facility.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("catalogue.verify_facility", facility):
        raise PermissionDenied
    try:
        services.facility_verify(facility=facility)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as verified today."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("catalogue:my-region")
    return redirect(target)
