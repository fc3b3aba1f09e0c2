"""django-import-export in its default mode, as a team would first wire it (bench only)."""

from __future__ import annotations

from import_export import fields, resources, widgets

from catalogue.models import Facility
from core.models import Organisation, Region


class FacilityResource(resources.ModelResource):
    region = fields.Field(
        attribute="region", column_name="region", widget=widgets.ForeignKeyWidget(Region, "code")
    )
    host = fields.Field(
        attribute="host", column_name="host", widget=widgets.ForeignKeyWidget(Organisation, "name")
    )
    technologies = fields.Field(
        attribute="technologies", column_name="technologies", widget=widgets.SimpleArrayWidget(";")
    )
    access_modes = fields.Field(
        attribute="access_modes", column_name="access_modes", widget=widgets.SimpleArrayWidget(";")
    )
    target_users = fields.Field(
        attribute="target_users", column_name="target_users", widget=widgets.SimpleArrayWidget(";")
    )
    keywords = fields.Field(
        attribute="keywords", column_name="keywords", widget=widgets.SimpleArrayWidget(";")
    )

    class Meta:
        model = Facility
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "external_id",
            "source",
            "name",
            "name_en",
            "acronym",
            "tagline_en",
            "description_en",
            "region",
            "host",
            "facility_type",
            "technologies",
            "access_modes",
            "target_users",
            "keywords",
            "trl_min",
            "trl_max",
            "city",
            "contact_email",
        )

    def before_import_row(self, row, **kwargs):  # type: ignore[no-untyped-def]
        row["name"] = row.get("name_en", "")
