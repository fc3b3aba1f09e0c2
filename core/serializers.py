from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Organisation, Region, Term


class StrictFieldsMixin:
    """Refuse keys the serializer does not know, instead of silently dropping them."""

    initial_data: Any
    fields: Any

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.initial_data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(self.initial_data) - writable)
            if unknown:
                raise serializers.ValidationError({key: [_("Unknown field.")] for key in unknown})
        return super().validate(attrs)  # type: ignore[misc]


@extend_schema_field(
    {"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}], "example": "https://example.org/"}
)
class BlankableURLField(serializers.CharField):
    """A URL as served: blank ("") when there is none, which `format: uri` would refuse."""


class RegionSerializer(serializers.ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "country",
            "nuts_code",
            "nuts_level",
            "partner_name",
            "is_lead_partner",
            "latitude",
            "longitude",
            "languages",
        ]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    website = BlankableURLField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "acronym", "type", "helix", "region", "country", "website", "ror_id"]
        read_only_fields = fields


class TermSerializer(serializers.ModelSerializer[Term]):
    labels = serializers.SerializerMethodField(help_text="The label in every portal language.")
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Term
        fields = [
            "vocabulary",
            "code",
            "label",
            "labels",
            "description",
            "parent",
            "order",
            "deprecated",
            "crosswalk",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "example": {"en": "Photonics", "de": "Photonik"},
        }
    )
    def get_labels(self, obj: Term) -> dict[str, str]:
        return {code: getattr(obj, f"label_{code}", "") or "" for code, _name in settings.LANGUAGES}
