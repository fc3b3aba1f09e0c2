"""Forms of the import pages: upload and column mapping (ARCHITECTURE §7).

They parse input only; permissions are asked by the views and the work is done by
`catalogue.imports.services`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.imports.engine import FIELDS, PORTAL_COLUMNS
from catalogue.imports.parsing import MAX_BYTES
from catalogue.models import Facility, ImportMapping
from core.models import Region
from core.scoping import editable_regions, scope_editable

PRESET_CHOICES = [
    ("", _("Automatic: columns named like the portal's fields")),
    ("portal", _("The portal's own export (CSV, XLSX or JSON)")),
    ("uniquip", _("UK Uniquip equipment-sharing spreadsheet")),
]
IGNORE = ""


def field_label(key: str) -> str:
    """A portal field's name as editors know it, e.g. "name [de]"."""
    try:
        field = Facility._meta.get_field(key)
    except FieldDoesNotExist:
        return key
    return str(getattr(field, "verbose_name", key))


def field_choices() -> list[tuple[str, str]]:
    """Every field a file column can fill: the export's order first, then the rest."""
    ordered = [key for key in PORTAL_COLUMNS if key in FIELDS]
    ordered += sorted(key for key in FIELDS if key not in ordered)
    return [(IGNORE, str(_("— ignore this column —")))] + [
        (key, f"{field_label(key)} ({key})") for key in ordered
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.FileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx,.json"}),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        to_field_name="code",
        empty_label=None,
        help_text=_("The file's rows become or update facilities of this region."),
    )
    preset = forms.ChoiceField(
        label=_("Kind of file"),
        choices=PRESET_CHOICES,
        required=False,
        help_text=_("Tells the portal which column holds which field."),
    )
    mapping = forms.ModelChoiceField(
        label=_("Saved column mapping"),
        queryset=ImportMapping.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_(
            "A mapping saved from an earlier import of the same region; it wins over the kind of file."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "CSV (UTF-8 or Windows-1252; comma, semicolon or tab), XLSX or JSON; up to %(mb)d MB."
        ) % {"mb": MAX_BYTES // 2**20}
        regions = editable_regions(user)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["mapping"].queryset = scope_editable(  # type: ignore[attr-defined]
            ImportMapping.objects.select_related("region"), user
        ).order_by("region__name", "name")
        self.fields["mapping"].label_from_instance = lambda m: f"{m.name} ({m.region.name})"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mapping, region = data.get("mapping"), data.get("region")
        if mapping is not None and region is not None and mapping.region_id != region.pk:
            self.add_error("mapping", _("This mapping belongs to %(r)s.") % {"r": mapping.region.name})
        return data


class MappingForm(forms.Form):
    """One select per column of the file: which portal field it fills, or none."""

    save_as = forms.CharField(
        label=_("Save this mapping for the region as"),
        max_length=100,
        required=False,
        help_text=_("Optional. A saved mapping of the same name is replaced."),
    )

    def __init__(
        self, *args: Any, columns: list[str], initial_mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = field_choices()
        known = {key for key, _label in choices}
        for n, column in enumerate(columns):
            target = initial_mapping.get(column, IGNORE)
            self.fields[f"column_{n}"] = forms.ChoiceField(
                label=column,
                choices=choices,
                required=False,
                initial=target if target in known else IGNORE,
            )
        # The name field after the columns, where it reads in order.
        self.fields["save_as"] = self.fields.pop("save_as")

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{n}"] for n in range(len(self.columns))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[str, str] = {}
        for n, column in enumerate(self.columns):
            target = data.get(f"column_{n}") or IGNORE
            if target == IGNORE:
                continue
            if target in seen:
                self.add_error(
                    f"column_{n}",
                    _("'%(f)s' is already filled from the column '%(c)s'.")
                    % {"f": target, "c": seen[target]},
                )
            seen[target] = column
        return data

    def mapping(self) -> dict[str, str]:
        """file column -> portal field; an ignored column maps to ""."""
        return {
            column: self.cleaned_data.get(f"column_{n}") or IGNORE for n, column in enumerate(self.columns)
        }
