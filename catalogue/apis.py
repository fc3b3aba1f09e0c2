"""/api/v1/facilities/ and their equipment and services.

Reads of published records are public; drafts and writes follow the token owner's
regional roles through the same scoping and rules as the pages and the admin. The list
takes the browser search's parameters through the same FilterSet, so both give the
same hits.
"""

from __future__ import annotations

import builtins
import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, QuerySet
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue import selectors, services
from catalogue.cache import (
    VersionMemory,
    cached,
    catalogue_stamp,
    catalogue_version,
    engine_memory,
    search_cache_key,
    search_caching,
    version_pinned,
)
from catalogue.filters import SORTS, FacilityFilterSet
from catalogue.models import Equipment, Facility, Service
from catalogue.serializers import (
    EquipmentSerializer,
    EquipmentWriteSerializer,
    FacilityDetailSerializer,
    FacilityListSerializer,
    FacilityWriteSerializer,
    ServiceSerializer,
    ServiceWriteSerializer,
)
from core.api import (
    CSVRenderer,
    PortalPagination,
    RulesPermission,
    add_validators,
    conditional_response,
    query_param,
)
from core.scoping import scope_editable

EXPORT_LIMIT = 10_000
FACET_PARAMS = [f.param for f in selectors.FACETS]

_LIST_PARAMETERS = [
    OpenApiParameter(
        "search", str, description="Full text (also `q`): quotes, OR, -exclude; any portal language."
    ),
    OpenApiParameter(
        "region", str, many=True, description="Region codes (`region=tartu&region=skane` or comma-separated)."
    ),
    OpenApiParameter(
        "ket", str, many=True, description="Technology (KET) codes, see /api/v1/terms/?vocabulary=ket."
    ),
    OpenApiParameter("type", str, many=True, description="Facility type codes."),
    OpenApiParameter("service", str, many=True, description="Service type codes."),
    OpenApiParameter("access", str, many=True, description="Access mode codes."),
    OpenApiParameter(
        "trl", int, many=True, description="TRL levels 1-9 the facility's range must include (any of)."
    ),
    OpenApiParameter("target", str, many=True, description="Target user codes."),
    OpenApiParameter(
        "ordering",
        str,
        enum=[value for value, _label in SORTS],
        description="Order of page mode (also `sort`).",
    ),
    OpenApiParameter(
        "facets", str, description=f"Comma-separated facets to count: {', '.join(FACET_PARAMS)}; or `all`."
    ),
    OpenApiParameter(
        "include", str, enum=["drafts"], description="With a token: also the drafts you may read."
    ),
    OpenApiParameter(
        "format", str, enum=["json", "csv"], description="`csv` exports every hit (up to 10,000)."
    ),
]


def _escape_cell(value: Any) -> str:
    """Neutralise spreadsheet formulas (= + - @ tab CR) in exported text."""
    text = "" if value is None else (", ".join(map(str, value)) if isinstance(value, list) else str(value))
    text = text.replace("\x00", "")
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


# The public list's serialized items (`FacilityViewSet._list_items`): ~1 KB each.
list_items = VersionMemory(size=5_000)


def _card_rows(ids: list[int]) -> list[Facility]:
    """The rows of a page of hits, in the order of `ids`, with what the list shows."""
    rows = selectors.with_card_data(Facility.objects.filter(pk__in=ids)).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def _latest(*stamps: datetime | None) -> datetime | None:
    """The newest of the given times (Last-Modified), None when there is none."""
    present = [stamp for stamp in stamps if stamp is not None]
    return max(present) if present else None


CSV_COLUMNS = [
    "slug",
    "name",
    "acronym",
    "tagline",
    "region",
    "host",
    "facility_type",
    "technologies",
    "service_types",
    "access_modes",
    "target_users",
    "trl_min",
    "trl_max",
    "city",
    "latitude",
    "longitude",
    "state",
    "last_verified_at",
    "url",
]


@extend_schema_view(
    list=extend_schema(
        summary="Search facilities",
        description=(
            "Cursor mode by default (`next` links walk every row in id order, safe while "
            "data changes); `page=N` switches to page mode with a total `count` and the "
            "requested ordering (relevance when `search` is given)."
        ),
        parameters=_LIST_PARAMETERS,
        tags=["facilities"],
    ),
    retrieve=extend_schema(summary="One facility with its equipment and services", tags=["facilities"]),
    create=extend_schema(
        summary="Create a facility (draft) in a region you edit",
        tags=["facilities"],
        request=FacilityWriteSerializer,
        responses={201: FacilityDetailSerializer},
        examples=[
            OpenApiExample(
                "A new draft",
                value={
                    "names": {"en": "Composite Testing Lab", "de": "Verbundwerkstoff-Prüflabor"},
                    "region": "chemnitz",
                    "host": "demo-institute-of-lightweight-structures",
                    "facility_type": "research-lab",
                    "technologies": ["advanced-materials"],
                    "trl_min": 3,
                    "trl_max": 6,
                    "contact_email": "lab@example.org",
                },
                request_only=True,
            )
        ],
    ),
    update=extend_schema(
        summary="Replace a facility's fields",
        tags=["facilities"],
        request=FacilityWriteSerializer,
        responses={200: FacilityDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some fields",
        tags=["facilities"],
        request=FacilityWriteSerializer,
        responses={200: FacilityDetailSerializer},
    ),
    destroy=extend_schema(
        summary="Archive a facility (records are archived, never deleted)",
        tags=["facilities"],
        responses={204: OpenApiResponse(description="Archived.")},
    ),
)
class FacilityViewSet(viewsets.ModelViewSet[Facility]):
    lookup_field = "slug"
    permission_classes = [RulesPermission]
    perm_model = Facility
    pagination_class = PortalPagination
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_renderers(self) -> list[Any]:
        """CSV for the list (the export) only; nothing else answers text/csv."""
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            renderers.append(CSVRenderer())
        return renderers

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return FacilityListSerializer
        if self.action in ("create", "update", "partial_update"):
            return FacilityWriteSerializer
        return FacilityDetailSerializer

    def _filterset(self) -> FacilityFilterSet:
        data = self.request.query_params.copy()
        if "search" in data and "q" not in data:
            data.setlist("q", data.getlist("search"))
        if "ordering" in data and "sort" not in data:
            data.setlist("sort", data.getlist("ordering"))
        return FacilityFilterSet(data, request=self.request, public_only=self._public(self.request))

    def get_queryset(self) -> QuerySet[Facility]:
        if self.action == "list":
            return self._filterset().qs
        qs = selectors.visible_facilities(self.request.user).select_related("region", "host")
        if self.action == "retrieve":
            return qs.prefetch_related("equipment", "services__equipment")
        if self.action in ("update", "partial_update", "destroy", "publish", "submit", "verify"):
            # 404 for what the user may not see; 403 (rules) for what they may see but not change.
            return qs
        return qs

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        with version_pinned():  # one read of the catalogue version (catalogue/cache.py)
            return self._list(request)

    def _list(self, request: Request) -> HttpResponse:
        key = self._shared_list_key(request)
        if key is not None and (stored := cache.get(key)) is not None:
            # Only a valid request's answer is ever stored under its URL, and the key holds
            # the catalogue version (vocabulary included): it is valid still, and the
            # FilterSet need not be built again (nearly half of a cached request's time).
            return self._list_response(request, stored, public=True)
        filterset = self._filterset()
        errors = {k: v for k, v in filterset.errors_by_field().items() if k != "q"}
        if errors:
            # Named as the client sent them: `search` is the FilterSet's `q`, `ordering` its `sort`.
            sent_ordering = "ordering" in request.query_params and "sort" not in request.query_params
            renamed = {"q": "search", "sort": "ordering" if sent_ordering else "sort"}
            raise exceptions.ValidationError({renamed.get(k, k): v for k, v in errors.items()})
        if request.query_params.get("include") not in (None, "drafts"):
            raise exceptions.ValidationError({"include": [_("Only 'drafts' is allowed.")]})
        if request.query_params.get("format") == "csv":
            version, last_modified = self._list_version(filterset.public_only)
            _etag, not_modified = conditional_response(request, version=version, last_modified=last_modified)
            return not_modified or self._csv(request, selectors.with_card_data(filterset.qs))
        version, last_modified = self._list_version(filterset.public_only)
        etag, not_modified = conditional_response(request, version=version, last_modified=last_modified)
        if not_modified is not None:
            return not_modified  # before the page is built: the client has it
        if key is not None:
            # Public records only: the same answer for every client of this URL, cached
            # per catalogue version like the search page (catalogue/cache.py).
            page = cached(key, lambda: self._page(request, filterset))
        else:
            page = self._page(request, filterset)
        return self._with_page(page, etag=etag, last_modified=last_modified)

    @staticmethod
    def _public(request: Request) -> bool:
        """Whether the list holds public records only (drafts are asked for by their readers)."""
        return not (request.query_params.get("include") == "drafts" and request.user.is_authenticated)

    def _shared_list_key(self, request: Request) -> str | None:
        """The cache key of a public JSON list, the same for every client of its URL."""
        if not (search_caching() and self._public(request)) or request.query_params.get("format") == "csv":
            return None
        return search_cache_key(
            kind="api-facility-list",
            pairs=[("url", request.build_absolute_uri())],
            language=get_language() or "en",
        )

    def _list_response(
        self, request: Request, page: tuple[dict[str, Any], str], *, public: bool
    ) -> HttpResponse:
        version, last_modified = self._list_version(public)
        etag, not_modified = conditional_response(request, version=version, last_modified=last_modified)
        return not_modified or self._with_page(page, etag=etag, last_modified=last_modified)

    @staticmethod
    def _with_page(page: tuple[dict[str, Any], str], *, etag: str, last_modified: Any) -> HttpResponse:
        body, link = page
        response = Response(body)
        if link:
            response["Link"] = link
        return add_validators(response, etag=etag, last_modified=last_modified)

    @staticmethod
    def _list_version(public: bool) -> tuple[str, datetime | None]:
        """What versions the list: the catalogue version for public lists when it is kept
        (catalogue/cache.py, bumped on every committed change), else the table's stamp."""
        if public and search_caching():
            version, changed = catalogue_stamp()
            return f"catalogue:{version}", datetime.fromtimestamp(changed, tz=UTC)
        # Verifying moves last_verified_at (served) but not updated_at: both version the list.
        # (An aggregate over every facility: at 100,000 that is most of a cached request.)
        stamp = Facility.objects.aggregate(
            last=Max("updated_at"), verified=Max("last_verified_at"), n=Count("pk")
        )
        return f"{stamp['last']}|{stamp['verified']}|{stamp['n']}", _latest(stamp["last"], stamp["verified"])

    def _page(self, request: Request, filterset: FacilityFilterSet) -> tuple[dict[str, Any], str]:
        """One page of the list (and the facets asked for): the body and its Link header."""
        if filterset.public_only and PortalPagination.wants_page_mode(request):
            # Public hits in order from the search engine's memory (selectors.PublicSearch).
            search = selectors.public_search(filterset.search_params())
            assert self.paginator is not None
            ids = self.paginator.paginate_hits(  # type: ignore[attr-defined]
                selectors.HitList(search), request, rows=lambda ids: ids
            )
            data: Any = self._list_items(ids)
        else:
            page = self.paginate_queryset(selectors.with_card_data(filterset.qs))
            data = FacilityListSerializer(page, many=True, context=self.get_serializer_context()).data
        response = self.get_paginated_response(data)
        facets = self._facets(request, filterset)
        if facets is not None:
            response.data["facets"] = facets
        # Plain types: the cache pickles it, and a cached body renders like a fresh one.
        return json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)), response.get("Link", "")

    def _list_items(self, ids: builtins.list[int]) -> builtins.list[Any]:
        """The public list's items of these facilities, in order. Each is serialized once
        per catalogue version, language and host (its `url` names the host) in this
        process: an item shown by an earlier page is neither read nor serialized again."""
        request = self.request
        version = catalogue_version() if engine_memory() else None
        scope = f"{get_language() or 'en'}|{request.scheme}://{request.get_host()}"
        known = {} if version is None else list_items.get_many(version=version, scope=scope, ids=ids)
        rows = _card_rows([pk for pk in ids if pk not in known])
        serialized = FacilityListSerializer(rows, many=True, context=self.get_serializer_context()).data
        fresh = {row.pk: item for row, item in zip(rows, serialized, strict=True)}
        if version is not None and fresh:
            list_items.put_many(version=version, scope=scope, values=fresh)
        known.update(fresh)
        return [known[pk] for pk in ids if pk in known]

    def _facets(self, request: Request, filterset: FacilityFilterSet) -> dict[str, Any] | None:
        raw = request.query_params.get("facets")
        if not raw:
            return None
        wanted = FACET_PARAMS if raw == "all" else [p.strip() for p in raw.split(",") if p.strip()]
        unknown = sorted(set(wanted) - set(FACET_PARAMS))
        if unknown:
            raise exceptions.ValidationError(
                {"facets": [_("Unknown facets: %(f)s.") % {"f": ", ".join(unknown)}]}
            )
        results = selectors.facet_counts(
            user=request.user,
            params=filterset.search_params(),
            index=filterset.index,
            public_only=filterset.public_only,
        )
        return {
            r.facet.param: [{"value": v.value, "label": v.label, "count": v.count} for v in r.values]
            for r in results
            if r.facet.param in wanted
        }

    def _csv(self, request: Request, qs: QuerySet[Facility]) -> HttpResponse:
        rows = FacilityListSerializer(
            list(qs[:EXPORT_LIMIT]), many=True, context=self.get_serializer_context()
        ).data
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            flat: dict[str, Any] = dict(row)
            flat["host"] = (row.get("host") or {}).get("name", "")
            writer.writerow([_escape_cell(flat.get(column)) for column in CSV_COLUMNS])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="facilities.csv"'
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        facility = self.get_object()
        verified = facility.last_verified_at.isoformat() if facility.last_verified_at else ""
        last_modified = _latest(facility.updated_at, facility.last_verified_at)
        etag, not_modified = conditional_response(
            request,
            version=f"{facility.pk}|{facility.updated_at.isoformat()}|{verified}",
            last_modified=last_modified,
        )
        if not_modified is not None:
            return not_modified
        response = Response(self.get_serializer(facility).data)
        return add_validators(response, etag=etag, last_modified=last_modified)

    def perform_create(self, serializer: Any) -> None:
        facility = Facility(**serializer.validated_data)
        if not self.request.user.has_perm("catalogue.add_facility", facility):
            raise exceptions.PermissionDenied()
        services.facility_save(facility=facility)
        serializer.instance = facility

    def perform_update(self, serializer: Any) -> None:
        facility: Facility = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(facility, key, value)
        if not self.request.user.has_perm("catalogue.change_facility", facility):
            raise exceptions.PermissionDenied()
        services.facility_save(facility=facility)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        facility = self.get_object()
        if not request.user.has_perm("catalogue.archive_facility", facility):
            raise exceptions.PermissionDenied(_("Only the region's coordinator archives facilities."))
        if facility.state != Facility.State.ARCHIVED:
            services.facility_archive(facility=facility)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, request: Request, perm: str, service: Any) -> Response:
        facility = self.get_object()
        if not request.user.has_perm(perm, facility):
            raise exceptions.PermissionDenied()
        service(facility=facility)
        facility.refresh_from_db()
        return Response(FacilityDetailSerializer(facility, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Submit a draft for review",
        request=None,
        responses={200: FacilityDetailSerializer},
        tags=["facilities"],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, slug: str | None = None) -> Response:
        return self._transition(request, "catalogue.submit_facility", services.facility_submit)

    @extend_schema(
        summary="Publish (coordinators)",
        request=None,
        responses={200: FacilityDetailSerializer},
        tags=["facilities"],
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str | None = None) -> Response:
        return self._transition(request, "catalogue.publish_facility", services.facility_publish)

    @extend_schema(
        summary="Confirm the record is still true today",
        request=None,
        responses={200: FacilityDetailSerializer},
        tags=["facilities"],
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, slug: str | None = None) -> Response:
        return self._transition(request, "catalogue.verify_facility", services.facility_verify)


class _ChildViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    permission_classes = [RulesPermission]
    pagination_class = PortalPagination
    read_serializer: Any
    write_serializer: Any
    model: Any

    def get_serializer_class(self) -> Any:
        return (
            self.write_serializer
            if self.action in ("create", "update", "partial_update")
            else self.read_serializer
        )

    def get_queryset(self) -> QuerySet[Any]:
        visible = selectors.visible_facilities(self.request.user)
        qs = self.model.objects.filter(facility__in=visible).select_related("facility", "facility__region")
        facility = query_param(self.request, "facility")
        if facility:
            qs = qs.filter(facility__slug=facility)
        return qs.order_by("pk")

    def _check_facility(self, facility: Facility) -> None:
        if not scope_editable(Facility.objects.filter(pk=facility.pk), self.request.user).exists():
            raise exceptions.ValidationError({"facility": [_("You may not change this facility.")]})


@extend_schema_view(
    list=extend_schema(
        summary="Equipment of visible facilities",
        tags=["facilities"],
        parameters=[OpenApiParameter("facility", str, description="Facility slug.")],
    ),
    retrieve=extend_schema(summary="One piece of equipment", tags=["facilities"]),
    create=extend_schema(summary="Add equipment to a facility you edit", tags=["facilities"]),
    update=extend_schema(summary="Replace equipment fields", tags=["facilities"]),
    partial_update=extend_schema(summary="Change equipment fields", tags=["facilities"]),
    destroy=extend_schema(summary="Remove equipment", tags=["facilities"]),
)
class EquipmentViewSet(_ChildViewSet):
    perm_model = Equipment
    model = Equipment
    read_serializer = EquipmentSerializer
    write_serializer = EquipmentWriteSerializer

    def perform_create(self, serializer: Any) -> None:
        self._check_facility(serializer.validated_data["facility"])
        equipment = Equipment(**serializer.validated_data)
        services.equipment_save(equipment=equipment)
        serializer.instance = equipment

    def perform_update(self, serializer: Any) -> None:
        self._check_facility(serializer.validated_data.get("facility", serializer.instance.facility))
        for key, value in serializer.validated_data.items():
            setattr(serializer.instance, key, value)
        services.equipment_save(equipment=serializer.instance)

    def perform_destroy(self, instance: Equipment) -> None:
        services.equipment_delete(equipment=instance)


@extend_schema_view(
    list=extend_schema(
        summary="Services of visible facilities",
        tags=["facilities"],
        parameters=[OpenApiParameter("facility", str, description="Facility slug.")],
    ),
    retrieve=extend_schema(summary="One service", tags=["facilities"]),
    create=extend_schema(summary="Add a service to a facility you edit", tags=["facilities"]),
    update=extend_schema(summary="Replace service fields", tags=["facilities"]),
    partial_update=extend_schema(summary="Change service fields", tags=["facilities"]),
    destroy=extend_schema(summary="Remove a service", tags=["facilities"]),
)
class ServiceViewSet(_ChildViewSet):
    perm_model = Service
    model = Service
    read_serializer = ServiceSerializer
    write_serializer = ServiceWriteSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related("equipment")

    def _save(self, service: Service, data: dict[str, Any]) -> None:
        equipment = data.pop("equipment", None)
        self._check_facility(data.get("facility") or service.facility)
        for key, value in data.items():
            setattr(service, key, value)
        services.service_save(service=service, equipment=equipment)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        self._check_facility(data["facility"])
        service = Service()
        self._save(service, data)
        serializer.instance = service

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer.instance, dict(serializer.validated_data))

    def perform_destroy(self, instance: Service) -> None:
        services.service_delete(service=instance)
