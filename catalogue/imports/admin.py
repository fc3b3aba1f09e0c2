"""Import jobs (read-only) and saved column mappings in the admin, scoped to the user's regions.

Imported from `catalogue/admin.py`, so that registering happens with the rest of the app.
Import rights are facility rights of the region (ARCHITECTURE §5: an editor "imports for
that region"): every permission question asks `catalogue.add_facility` of a facility of
the record's region, the same question the upload page asks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalogue.imports.engine import FIELDS
from catalogue.models import Facility, ImportJob, ImportMapping
from core.admin import RegionScopedAdminMixin
from core.scoping import scope_editable


class ImportRightsAdminMixin(RegionScopedAdminMixin):
    """Rows of the regions the user imports for; every permission is the import right."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope_editable(super().get_queryset(request), request.user)

    def _may_import(self, request: HttpRequest, obj: Model | None) -> bool:
        probe = None if obj is None else Facility(region_id=obj.region_id)  # type: ignore[attr-defined]
        return bool(request.user.has_perm("catalogue.add_facility", probe))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_import(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may_import(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_import(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_import(request, obj)


class ImportJobAdmin(ImportRightsAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """The record of every upload; written only by the import services, so read-only here."""

    list_display = (
        "original_name",
        "region",
        "status",
        "format",
        "total_rows",
        "created_by",
        "created_at",
        "job_page",
    )
    list_filter = ("status", "format", "region")
    list_select_related = ("region", "created_by")
    search_fields = ("original_name", "created_by__username", "created_by__email")
    date_hierarchy = "created_at"
    # Row errors and the preview can hold thousands of entries: the job page shows them.
    fields = (
        "job_page",
        "region",
        "created_by",
        "original_name",
        "file",
        "format",
        "preset",
        "mapping",
        "status",
        "message",
        "total_rows",
        "processed_rows",
        "counts",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("job page"))
    def job_page(self, obj: ImportJob) -> str:
        return format_html('<a href="{}">{}</a>', reverse("imports:job", args=[obj.pk]), _("Open"))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ImportMappingAdminForm(forms.ModelForm[ImportMapping]):
    class Meta:
        model = ImportMapping
        fields = ("region", "name", "columns")

    def clean_columns(self) -> dict[str, str]:
        columns = self.cleaned_data["columns"]
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            raise forms.ValidationError(_('Give an object of text: {"file column": "portal field"}.'))
        unknown = sorted({v for v in columns.values() if v and v not in FIELDS})
        if unknown:
            raise forms.ValidationError(_("Unknown portal fields: %(f)s.") % {"f": ", ".join(unknown)})
        return columns


class ImportMappingAdmin(ImportRightsAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    form = ImportMappingAdminForm
    list_display = ("name", "region", "column_count", "updated_at")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name",)

    @admin.display(description=_("columns"))
    def column_count(self, obj: ImportMapping) -> int:
        return len(obj.columns or {})


admin.site.register(ImportJob, ImportJobAdmin)
admin.site.register(ImportMapping, ImportMappingAdmin)
