"""API shapes of the catalogue: one serializer per purpose (list, detail, write)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.models import Equipment, Facility, Service
from catalogue.selectors import visible_facilities
from catalogue.services import VOCABULARY_FIELDS, vocabulary_errors
from core.models import Organisation, Region
from core.scoping import editable_regions
from core.serializers import BlankableURLField, StrictFieldsMixin

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
TRANSLATIONS_SCHEMA = {
    "type": "object",
    "properties": {code: {"type": "string"} for code in LANGUAGE_CODES},
    "example": {"en": "Photonics cleanroom", "nl": "Fotonica-cleanroom"},
}


class _TranslationsField(serializers.Field):  # type: ignore[type-arg]
    """`{"en": "...", "de": "..."}` for a translated model field."""

    def __init__(self, base: str, *, max_length: int | None = None, **kwargs: Any) -> None:
        self.base = base
        self.max_length = max_length
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, obj: Facility) -> dict[str, str]:
        return {code: getattr(obj, f"{self.base}_{code}", "") or "" for code in LANGUAGE_CODES}

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("An object of language codes and texts is required."))
        unknown = sorted(set(data) - set(LANGUAGE_CODES))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
            )
        out: dict[str, str] = {}
        for code, text in data.items():
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise serializers.ValidationError(_("Texts must be strings."))
            if "\x00" in text:
                # PostgreSQL refuses NUL in text (DRF's CharField has the same check).
                raise serializers.ValidationError(
                    _("The %(code)s text contains a null character.") % {"code": code}
                )
            if self.max_length and len(text) > self.max_length:
                raise serializers.ValidationError(
                    _("The %(code)s text is longer than %(n)d characters.")
                    % {"code": code, "n": self.max_length}
                )
            out[f"{self.base}_{code}"] = text
        return out


TranslationsField = extend_schema_field(TRANSLATIONS_SCHEMA)(_TranslationsField)


class HostSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "acronym", "type"]
        read_only_fields = fields


class EquipmentSerializer(serializers.ModelSerializer[Equipment]):
    class Meta:
        model = Equipment
        fields = [
            "id",
            "name",
            "description",
            "manufacturer",
            "model_name",
            "category",
            "techniques",
            "status",
            "bookable",
            "training_required",
        ]
        read_only_fields = ["id"]


class ServiceSerializer(serializers.ModelSerializer[Service]):
    equipment = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "service_type",
            "description",
            "equipment",
            "trl_min",
            "trl_max",
            "turnaround",
            "pricing",
            "deliverables",
        ]
        read_only_fields = ["id"]


def _visible(serializer: serializers.Serializer[Any]) -> QuerySet[Facility]:
    """The facilities the request's user may see: slugs of others are "does not exist"."""
    request = serializer.context.get("request")
    return visible_facilities(getattr(request, "user", None) or AnonymousUser())


class EquipmentWriteSerializer(StrictFieldsMixin, EquipmentSerializer):
    facility = serializers.SlugRelatedField(slug_field="slug", queryset=Facility.objects.none())

    class Meta(EquipmentSerializer.Meta):
        fields = [*EquipmentSerializer.Meta.fields, "facility"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = _visible(self)


class ServiceWriteSerializer(StrictFieldsMixin, ServiceSerializer):
    facility = serializers.SlugRelatedField(slug_field="slug", queryset=Facility.objects.none())
    equipment = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Equipment.objects.none(), required=False
    )

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, "facility"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = _visible(self)
        self.fields["facility"].queryset = visible
        self.fields["equipment"].child_relation.queryset = Equipment.objects.filter(facility__in=visible)


class FacilityListSerializer(serializers.ModelSerializer[Facility]):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    host = HostSerializer(read_only=True)
    url = serializers.SerializerMethodField(help_text="The facility's page in the portal.")

    class Meta:
        model = Facility
        fields = [
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
            "completeness",
            "last_verified_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj: Facility) -> str:
        path = reverse("catalogue:facility", args=[obj.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class FacilityDetailSerializer(FacilityListSerializer):
    names = TranslationsField("name", read_only=True)
    taglines = TranslationsField("tagline", read_only=True)
    descriptions = TranslationsField("description", read_only=True)
    equipment = EquipmentSerializer(many=True, read_only=True)
    services = ServiceSerializer(many=True, read_only=True)
    website = BlankableURLField(read_only=True)

    class Meta(FacilityListSerializer.Meta):
        fields = [
            *FacilityListSerializer.Meta.fields,
            "description",
            "names",
            "taglines",
            "descriptions",
            "original_language",
            "website",
            "structure",
            "lifecycle",
            "address",
            "postcode",
            "scientific_domains",
            "application_sectors",
            "access_types",
            "keywords",
            "order_type",
            "pricing",
            "price_indication",
            "lead_time",
            "support_level",
            "training_offered",
            "certifications",
            "contact_name",
            "contact_email",
            "contact_phone",
            "published_at",
            "source",
            "external_id",
            "created_at",
            "equipment",
            "services",
        ]
        read_only_fields = fields


class FacilityWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer[Facility]):
    """Create and update. Vocabulary fields take stable codes; unknown codes are named."""

    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    host = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    slug = serializers.SlugField(max_length=220, required=False)
    names = TranslationsField("name", max_length=200, required=False)
    taglines = TranslationsField("tagline", max_length=200, required=False)
    descriptions = TranslationsField("description", max_length=20_000, required=False)
    technologies = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=20
    )
    scientific_domains = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=20
    )
    application_sectors = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=21
    )
    access_types = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=10
    )
    access_modes = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=10
    )
    target_users = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=10
    )
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, max_length=50
    )

    class Meta:
        model = Facility
        fields = [
            "slug",
            "name",
            "acronym",
            "names",
            "taglines",
            "descriptions",
            "original_language",
            "website",
            "facility_type",
            "structure",
            "lifecycle",
            "region",
            "host",
            "address",
            "city",
            "postcode",
            "latitude",
            "longitude",
            "technologies",
            "scientific_domains",
            "application_sectors",
            "access_types",
            "access_modes",
            "target_users",
            "keywords",
            "trl_min",
            "trl_max",
            "order_type",
            "pricing",
            "price_indication",
            "lead_time",
            "support_level",
            "training_offered",
            "certifications",
            "contact_name",
            "contact_email",
            "contact_phone",
            "source",
            "external_id",
        ]
        extra_kwargs = {"name": {"required": False}}

    def validate_region(self, region: Region) -> Region:
        request = self.context.get("request")
        if request is not None and not editable_regions(request.user).filter(pk=region.pk).exists():
            raise serializers.ValidationError(_("You may not add or move facilities to this region."))
        return region

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        translations: dict[str, str] = {}
        for key in ("names", "taglines", "descriptions"):
            translations.update(attrs.pop(key, {}) or {})
        attrs.update(translations)
        errors = vocabulary_errors({k: v for k, v in attrs.items() if k in VOCABULARY_FIELDS})
        if errors:
            raise serializers.ValidationError(errors)
        if self.instance is None:
            name = attrs.get("name") or attrs.get("name_en")
            if not name:
                raise serializers.ValidationError({"name": [_("A name is required (name or names.en).")]})
            attrs.setdefault("name_en", name)
            attrs["name"] = name
            if not attrs.get("slug"):
                attrs["slug"] = _free_slug(name)
            elif Facility.objects.filter(slug=attrs["slug"]).exists():
                raise serializers.ValidationError({"slug": [_("This slug is taken.")]})
        elif "slug" in attrs and attrs["slug"] != self.instance.slug:
            raise serializers.ValidationError(
                {"slug": [_("The slug cannot change: links to the page use it.")]}
            )
        return attrs

    def to_representation(self, instance: Facility) -> dict[str, Any]:
        return FacilityDetailSerializer(instance, context=self.context).data


def _free_slug(name: str) -> str:
    base = slugify(name)[:200] or "facility"
    slug, n = base, 1
    while Facility.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
