"""Editors keep their region's facilities here (region-scoped, ARCHITECTURE §5)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from catalogue import exports, services
from catalogue.models import Equipment, Facility, Service
from catalogue.services import VOCABULARY_FIELDS
from core.admin import RegionScopedAdminMixin
from core.models import Term
from core.selectors import term_index


def _choices(vocabulary: str, *, blank: bool) -> list[tuple[str, str]]:
    terms = [(t.code, str(t.label)) for t in term_index().terms(vocabulary) if not t.deprecated]
    return ([("", "—")] if blank else []) + terms


class FacilityAdminForm(forms.ModelForm[Facility]):
    """Vocabulary fields as pickers of the vocabulary's current terms."""

    class Meta:
        model = Facility
        exclude = ["service_types", "completeness"]  # noqa: DJ006  (derived by the services)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, (vocabulary, many) in VOCABULARY_FIELDS.items():
            if field not in self.fields:
                continue
            old = self.fields[field]
            if many:
                self.fields[field] = forms.MultipleChoiceField(
                    label=old.label,
                    required=False,
                    choices=_choices(vocabulary, blank=False),
                    widget=forms.CheckboxSelectMultiple,
                    help_text=old.help_text,
                )
            else:
                self.fields[field] = forms.ChoiceField(
                    label=old.label, required=False, choices=_choices(vocabulary, blank=True)
                )


class EquipmentInline(admin.TabularInline[Equipment, Facility]):
    model = Equipment
    extra = 0
    fields = ("name", "category", "manufacturer", "model_name", "status", "bookable", "training_required")
    show_change_link = True

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "category":
            return forms.ChoiceField(
                label=db_field.verbose_name,
                required=False,
                choices=_choices(Term.Vocabulary.EQUIPMENT_CATEGORY, blank=True),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or request.user.has_perm("catalogue.change_facility", obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or request.user.has_perm("catalogue.change_facility", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or request.user.has_perm("catalogue.change_facility", obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or request.user.has_perm("catalogue.view_facility", obj)


class ServiceInline(EquipmentInline):
    model = Service  # type: ignore[assignment]
    fields = ("name", "service_type", "trl_min", "trl_max", "turnaround", "pricing")  # type: ignore[assignment]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "service_type":
            return forms.ChoiceField(
                label=db_field.verbose_name, choices=_choices(Term.Vocabulary.SERVICE_TYPE, blank=True)
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Facility)
class FacilityAdmin(RegionScopedAdminMixin, TabbedTranslationAdmin, SimpleHistoryAdmin):  # type: ignore[misc]
    form = FacilityAdminForm
    inlines = [ServiceInline, EquipmentInline]
    list_display = ("name", "region", "host", "state", "completeness", "last_verified_at", "updated_at")
    list_filter = ("state", "region", "lifecycle")
    list_select_related = ("region", "host")
    search_fields = ("name", "acronym", "host__name", "external_id")
    autocomplete_fields = ("host",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("state", "published_at", "completeness", "service_types_display")
    actions = [
        "submit_selected",
        "publish_selected",
        "archive_selected",
        "verify_selected",
        "export_csv",
        "export_xlsx",
        "export_json",
    ]
    # Adds "Import a spreadsheet" beside "Add facility": the same upload, dry run and
    # confirm as /manage/imports/ (one engine for every entry point, see README).
    change_list_template = "admin/catalogue/facility/change_list.html"
    fieldsets = (
        (None, {"fields": ("name", "acronym", "slug", "tagline", "description", "original_language")}),
        (_("Kind"), {"fields": ("facility_type", "structure", "lifecycle", "website")}),
        (_("Where"), {"fields": ("region", "host", "address", "postcode", "city", "latitude", "longitude")}),
        (
            _("What it offers"),
            {
                "fields": (
                    "technologies",
                    "scientific_domains",
                    "application_sectors",
                    "keywords",
                    "trl_min",
                    "trl_max",
                    "service_types_display",
                )
            },
        ),
        (
            _("Access"),
            {
                "fields": (
                    "access_types",
                    "access_modes",
                    "target_users",
                    "order_type",
                    "pricing",
                    "price_indication",
                    "lead_time",
                    "support_level",
                    "training_offered",
                    "certifications",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (
            _("Curation"),
            {
                "fields": (
                    "state",
                    "published_at",
                    "last_verified_at",
                    "completeness",
                    "source",
                    "external_id",
                )
            },
        ),
    )

    @admin.display(description=_("service types (from the services)"))
    def service_types_display(self, obj: Facility) -> str:
        return ", ".join(obj.service_types) or "—"

    def save_model(self, request: HttpRequest, obj: Facility, form: Any, change: bool) -> None:
        services.facility_save(facility=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            if isinstance(deleted, Equipment):
                services.equipment_delete(equipment=deleted)
            else:
                services.service_delete(service=deleted)
        for instance in instances:
            if isinstance(instance, Equipment):
                services.equipment_save(equipment=instance)
            else:
                services.service_save(service=instance)
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Facility) -> None:
        # Records leave the catalogue by archiving; deleting is for mistakes only.
        obj.delete()

    def _transition(
        self, request: HttpRequest, queryset: QuerySet[Facility], perm: str, service: Any, done: str
    ) -> None:
        ok = refused = failed = 0
        for facility in queryset.select_related("region"):
            if not request.user.has_perm(perm, facility):
                refused += 1
                continue
            try:
                service(facility=facility)
                ok += 1
            except ValidationError as exc:
                failed += 1
                messages.error(request, f"{facility}: {' '.join(exc.messages)}")
        if ok:
            messages.success(request, _("%(n)d facilities %(done)s.") % {"n": ok, "done": done})
        if refused:
            messages.warning(
                request, _("%(n)d facilities skipped: you may not do this for them.") % {"n": refused}
            )

    def _export(self, queryset: QuerySet[Facility], fmt: str) -> HttpResponse:
        # The changelist's queryset is already scoped to the user's regions.
        response = HttpResponse(exports.export(queryset, fmt), content_type=exports.FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="facilities.{fmt}"'
        return response

    @admin.action(description=_("Export selected (CSV, import format)"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Facility]) -> HttpResponse:
        return self._export(queryset, "csv")

    @admin.action(description=_("Export selected (XLSX, import format)"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Facility]) -> HttpResponse:
        return self._export(queryset, "xlsx")

    @admin.action(description=_("Export selected (JSON, import format)"))
    def export_json(self, request: HttpRequest, queryset: QuerySet[Facility]) -> HttpResponse:
        return self._export(queryset, "json")

    @admin.action(description=_("Submit for review"))
    def submit_selected(self, request: HttpRequest, queryset: QuerySet[Facility]) -> None:
        self._transition(
            request, queryset, "catalogue.submit_facility", services.facility_submit, str(_("submitted"))
        )

    @admin.action(description=_("Publish"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Facility]) -> None:
        self._transition(
            request, queryset, "catalogue.publish_facility", services.facility_publish, str(_("published"))
        )

    @admin.action(description=_("Archive"))
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Facility]) -> None:
        self._transition(
            request, queryset, "catalogue.archive_facility", services.facility_archive, str(_("archived"))
        )

    @admin.action(description=_("Mark as verified today"))
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Facility]) -> None:
        self._transition(
            request, queryset, "catalogue.verify_facility", services.facility_verify, str(_("verified"))
        )


class ChildAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    region_field = "facility__region"
    list_select_related = ("facility", "facility__region")
    autocomplete_fields = ("facility",)


@admin.register(Equipment)
class EquipmentAdmin(ChildAdmin):
    list_display = ("name", "facility", "category", "status", "bookable")
    list_filter = ("status", "facility__region")
    search_fields = ("name", "manufacturer", "model_name", "facility__name")

    def save_model(self, request: HttpRequest, obj: Equipment, form: Any, change: bool) -> None:
        services.equipment_save(equipment=obj)

    def delete_model(self, request: HttpRequest, obj: Equipment) -> None:
        services.equipment_delete(equipment=obj)


@admin.register(Service)
class ServiceAdmin(ChildAdmin):
    list_display = ("name", "facility", "service_type", "trl_min", "trl_max")
    list_filter = ("service_type", "facility__region")
    search_fields = ("name", "facility__name")
    filter_horizontal = ("equipment",)

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        services.service_save(service=obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.facility_refresh(facility_ids=[form.instance.facility_id])

    def delete_model(self, request: HttpRequest, obj: Service) -> None:
        services.service_delete(service=obj)


# Import jobs and saved mappings have their admin beside the importer.
import catalogue.imports.admin  # noqa: E402,F401
