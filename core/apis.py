"""Read-only API of the shared kernel: regions, organisations, vocabularies."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, viewsets

from core import schema  # noqa: F401  (registers the token scheme)
from core.api import PortalPagination, query_param
from core.models import Organisation, Region, Term
from core.serializers import OrganisationSerializer, RegionSerializer, TermSerializer


@extend_schema_view(
    list=extend_schema(summary="List the partnership's regions", tags=["reference data"]),
    retrieve=extend_schema(summary="One region", tags=["reference data"]),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    serializer_class = RegionSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Region]:
        return Region.objects.order_by("name")


@extend_schema_view(
    list=extend_schema(
        summary="List organisations (hosts and operators of facilities)",
        tags=["reference data"],
        parameters=[OpenApiParameter("region", str, description="Region code.")],
    ),
    retrieve=extend_schema(summary="One organisation", tags=["reference data"]),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    serializer_class = OrganisationSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    pagination_class = PortalPagination

    def get_queryset(self) -> QuerySet[Organisation]:
        qs = Organisation.objects.select_related("region").order_by("name", "pk")
        region = query_param(self.request, "region")
        if region:
            qs = qs.filter(region__code=region)
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="List vocabulary terms (stable codes with labels in every language)",
        tags=["reference data"],
        parameters=[OpenApiParameter("vocabulary", str, enum=list(Term.Vocabulary.values))],
    ),
)
class TermViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Term]):
    serializer_class = TermSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    def get_queryset(self) -> QuerySet[Term]:
        # Built per request: labels follow the request's language (PITFALLS, modeltranslation).
        qs = Term.objects.select_related("parent").order_by("vocabulary", "order", "code")
        vocabulary = query_param(self.request, "vocabulary")
        if vocabulary:
            if vocabulary not in Term.Vocabulary.values:
                raise exceptions.ValidationError({"vocabulary": [_("Unknown vocabulary.")]})
            qs = qs.filter(vocabulary=vocabulary)
        return qs
