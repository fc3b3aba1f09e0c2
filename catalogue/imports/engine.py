"""Turning rows into a plan (the dry run) and carrying a plan out (the confirm).

A plan says, per row, whether it creates, updates or leaves a facility unchanged, or
what is wrong with it: row number, column and a plain message. A confirmed plan is
carried out in one transaction: all rows or none. Records are matched by external id,
else by slug, within the import's region, so re-importing a file changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalogue.imports.parsing import FileProblem, Table
from catalogue.models import Facility
from catalogue.services import VOCABULARY_FIELDS, facility_save
from core.models import Organisation, Region, Term
from core.selectors import TermIndex

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = ("name", "tagline", "description")
_SPLIT = re.compile(r"\s*[;|,]\s*")
FORMULA_START = ("=", "+", "@")


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # text, int, decimal, bool, email, url, code, codes, list, host, region, choice
    max_length: int | None = None
    vocabulary: str | None = None
    choices: tuple[str, ...] = ()


def _text(n: int) -> FieldSpec:
    return FieldSpec("text", max_length=n)


FIELDS: dict[str, FieldSpec] = {
    "slug": FieldSpec("slug", max_length=220),
    "external_id": _text(100),
    "source": _text(60),
    "acronym": _text(40),
    "website": FieldSpec("url", max_length=200),
    "structure": FieldSpec("choice", choices=tuple(Facility.Structure.values)),
    "lifecycle": FieldSpec("choice", choices=tuple(Facility.Lifecycle.values)),
    "original_language": FieldSpec("choice", choices=tuple(LANGUAGE_CODES)),
    "region": FieldSpec("region"),
    "host": FieldSpec("host"),
    "address": _text(255),
    "city": _text(100),
    "postcode": _text(20),
    "latitude": FieldSpec("decimal"),
    "longitude": FieldSpec("decimal"),
    "keywords": FieldSpec("list"),
    "trl_min": FieldSpec("int"),
    "trl_max": FieldSpec("int"),
    "price_indication": _text(200),
    "lead_time": _text(100),
    "training_offered": FieldSpec("bool"),
    "certifications": _text(255),
    "contact_name": _text(200),
    "contact_email": FieldSpec("email", max_length=254),
    "contact_phone": _text(40),
}
for _field, (_vocabulary, _many) in VOCABULARY_FIELDS.items():
    FIELDS[_field] = FieldSpec("codes" if _many else "code", vocabulary=_vocabulary)
for _base, _n in (("name", 200), ("tagline", 200), ("description", 20_000)):
    for _code in LANGUAGE_CODES:
        FIELDS[f"{_base}_{_code}"] = _text(_n)
# Columns that mean "the English text" in files that do not name languages.
ALIASES = {"name": "name_en", "tagline": "tagline_en", "description": "description_en"}

# The portal's own export (`catalogue.exports`) maps to itself; an export re-imports unchanged.
PORTAL_COLUMNS = [
    "slug",
    "external_id",
    "source",
    *[f"name_{c}" for c in LANGUAGE_CODES],
    "acronym",
    *[f"tagline_{c}" for c in LANGUAGE_CODES],
    *[f"description_{c}" for c in LANGUAGE_CODES],
    "original_language",
    "region",
    "host",
    "facility_type",
    "structure",
    "lifecycle",
    "website",
    "address",
    "postcode",
    "city",
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
]
PRESETS: dict[str, dict[str, str]] = {
    "portal": {column: column for column in PORTAL_COLUMNS},
    # UK Uniquip equipment-sharing standard: facility rows (Type = facility).
    "uniquip": {
        "ID": "external_id",
        "Name": "name_en",
        "Description": "description_en",
        "Technique": "keywords",
        "Contact Name": "contact_name",
        "Contact Email": "contact_email",
        "Contact Telephone": "contact_phone",
        "Web Address": "website",
        "Site Location": "city",
        "Department": "host",
        "Service Level": "support_level",
    },
}
REQUIRED = ("name_en",)


@dataclass
class RowPlan:
    row: int
    action: str = ""  # new, updated, unchanged, error
    slug: str = ""
    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    facility_id: int | None = None
    new_host: str = ""


@dataclass
class Plan:
    rows: list[RowPlan]
    problems: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
        for row in self.rows:
            out["errors" if row.action == "error" else row.action] += 1
        return out

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.action != "error" for r in self.rows)

    def error_list(self) -> list[dict[str, Any]]:
        return [
            {"row": r.row, "column": column, "message": message}
            for r in self.rows
            for column, message in r.errors
        ] + [{"row": None, "column": "", "message": p} for p in self.problems]


def resolve_mapping(
    table: Table, *, preset: str, mapping: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """file column -> portal field, and problems (unknown fields, missing required columns)."""
    columns: dict[str, str] = {}
    base = PRESETS.get(preset, {}) if preset else {}
    lower = {c.lower(): c for c in table.columns}
    for column, target in {**base, **mapping}.items():
        actual = lower.get(column.lower())
        if actual and target:
            columns[actual] = ALIASES.get(target, target)
    # Columns named exactly like portal fields map themselves.
    for column in table.columns:
        key = ALIASES.get(column.strip().lower(), column.strip().lower())
        if column not in columns and key in FIELDS:
            columns[column] = key
    problems = []
    unknown = sorted({t for t in columns.values() if t not in FIELDS})
    if unknown:
        problems.append(_("The mapping names unknown fields: %(f)s.") % {"f": ", ".join(unknown)})
    targets = set(columns.values())
    for required in REQUIRED:
        if required not in targets:
            problems.append(
                _("No column gives the facility's name (map a column to %(f)s).") % {"f": required}
            )
    if not ({"host"} & targets):
        problems.append(_("No column gives the host organisation (map a column to host)."))
    return columns, problems


def build_plan(
    table: Table,
    *,
    region: Region,
    user: Any,
    preset: str,
    mapping: dict[str, str],
    index: TermIndex,
) -> Plan:
    columns, problems = resolve_mapping(table, preset=preset, mapping=mapping)
    if problems:
        return Plan(rows=[], problems=problems)
    reverse = {target: column for column, target in columns.items()}
    existing = _existing(region)
    hosts = _hosts()
    regions = {r.code: r for r in Region.objects.all()} | {r.name.lower(): r for r in Region.objects.all()}
    seen: dict[str, int] = {}
    rows: list[RowPlan] = []
    for number, raw in table.rows:
        plan = RowPlan(row=number)
        values: dict[str, Any] = {}
        for column, target in columns.items():
            cell = raw.get(column, "")
            if _is_formula(cell):
                plan.errors.append((column, _("Formulas are not imported: type the value itself.")))
                continue
            if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
                cell = cell[1:]  # neutralised by our export (catalogue.exports.neutralise)
            try:
                values[target] = _parse(target, FIELDS[target], cell, index=index, regions=regions)
            except ValidationError as exc:
                plan.errors.append((column, " ".join(exc.messages)))
        _check_row(plan, values, reverse, region=region, user=user, existing=existing, hosts=hosts, seen=seen)
        plan.values = values
        rows.append(plan)
    return Plan(rows=rows)


def _is_formula(cell: str) -> bool:
    """A cell a spreadsheet would evaluate; negative numbers and "- item" text are not."""
    if cell.startswith(FORMULA_START):
        return True
    return cell.startswith("-") and not cell.startswith("- ") and len(cell) > 1 and not _is_number(cell)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _existing(region: Region) -> dict[str, Facility]:
    out: dict[str, Facility] = {}
    for facility in Facility.objects.filter(region=region).select_related("host"):
        out[f"slug:{facility.slug}"] = facility
        if facility.external_id:
            out[f"ext:{facility.source}:{facility.external_id}"] = facility
    return out


def _hosts() -> dict[str, Organisation]:
    out: dict[str, Organisation] = {}
    for org in Organisation.objects.all():
        out[org.slug] = org
        out[org.name.lower()] = org
        if org.acronym:
            out.setdefault(org.acronym.lower(), org)
    return out


def _parse(target: str, spec: FieldSpec, cell: str, *, index: TermIndex, regions: dict[str, Region]) -> Any:
    cell = cell.strip()
    if spec.kind in ("text", "slug"):
        if spec.max_length and len(cell) > spec.max_length:
            raise ValidationError(_("Longer than %(n)d characters.") % {"n": spec.max_length})
        if spec.kind == "slug" and cell and slugify(cell) != cell:
            raise ValidationError(
                _("'%(v)s' is not a valid slug (lower-case letters, digits, hyphens).") % {"v": cell}
            )
        return cell
    if spec.kind == "int":
        if not cell:
            return None
        try:
            return int(Decimal(cell))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("'%(v)s' is not a whole number.") % {"v": cell}) from None
    if spec.kind == "decimal":
        if not cell:
            return None
        try:
            return Decimal(cell.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("'%(v)s' is not a number.") % {"v": cell}) from None
    if spec.kind == "bool":
        lowered = cell.lower()
        if lowered in ("", "0", "no", "false", "n", "nee", "nein", "ne", "ei", "nē", "nej", "falso"):
            return False
        if lowered in ("1", "yes", "true", "y", "ja", "ano", "jah", "sì", "si", "jā", "vero"):
            return True
        raise ValidationError(_("'%(v)s' is not yes or no.") % {"v": cell})
    if spec.kind == "email":
        if cell:
            EmailValidator(message=_("'%(v)s' is not an email address.") % {"v": cell})(cell)
        return cell
    if spec.kind == "url":
        if cell:
            URLValidator(message=_("'%(v)s' is not a web address (start it with https://).") % {"v": cell})(
                cell
            )
        return cell
    if spec.kind == "choice":
        if cell and cell not in spec.choices:
            raise ValidationError(
                _("'%(v)s' is not one of: %(c)s.") % {"v": cell, "c": ", ".join(spec.choices)}
            )
        return cell
    if spec.kind == "list":
        return [part for part in _SPLIT.split(cell) if part] if cell else []
    if spec.kind in ("code", "codes"):
        assert spec.vocabulary is not None
        parts = [p for p in _SPLIT.split(cell) if p] if cell else []
        if spec.kind == "code" and len(parts) > 1:
            raise ValidationError(_("Only one value is allowed here."))
        codes = []
        for part in parts:
            term = index.resolve(spec.vocabulary, part)
            if term is None:
                suggestion = index.closest(spec.vocabulary, part)
                message = _("'%(v)s' is not a known %(vocabulary)s.") % {
                    "v": part,
                    "vocabulary": Term.Vocabulary(spec.vocabulary).label.lower(),
                }
                if suggestion:
                    message = message[:-1] + ": " + _("did you mean '%(s)s'?") % {"s": suggestion}
                raise ValidationError(message)
            codes.append(term.code)
        return codes if spec.kind == "codes" else (codes[0] if codes else "")
    if spec.kind == "region":
        if not cell:
            return None
        region = regions.get(cell.lower()) or regions.get(cell)
        if region is None:
            raise ValidationError(_("'%(v)s' is not a region of the portal.") % {"v": cell})
        return region
    if spec.kind == "host":
        return cell
    raise ValidationError(f"unsupported field {target}")  # pragma: no cover


def _check_row(
    plan: RowPlan,
    values: dict[str, Any],
    reverse: dict[str, str],
    *,
    region: Region,
    user: Any,
    existing: dict[str, Facility],
    hosts: dict[str, Organisation],
    seen: dict[str, int],
) -> None:
    column = reverse.get
    row_region = values.pop("region", None)
    if row_region is not None and row_region != region:
        plan.errors.append(
            (
                column("region") or "region",
                _("This row is for %(row)s; this import is for %(import)s.")
                % {"row": row_region.name, "import": region.name},
            )
        )
    name = values.get("name_en", "")
    name_column = column("name_en") or "name"
    if not name and not any(c == name_column for c, _m in plan.errors):
        plan.errors.append((name_column, _("The name is empty.")))
    plan.name = name
    slug = values.get("slug") or slugify(name)[:200]
    plan.slug = slug
    source = values.get("source") or ""
    external = values.get("external_id") or ""
    key = f"ext:{source}:{external}" if external else f"slug:{slug}"
    if key in seen:
        plan.errors.append(
            (
                column("external_id" if external else "slug") or "name",
                _("Same facility as row %(n)d.") % {"n": seen[key]},
            )
        )
    else:
        seen[key] = plan.row
    facility = existing.get(key) or (existing.get(f"slug:{slug}") if slug else None)
    if facility is None and slug and Facility.objects.filter(slug=slug).exclude(region=region).exists():
        plan.errors.append(
            (
                column("slug") or column("name_en") or "slug",
                _("Another region already has a facility '%(s)s'.") % {"s": slug},
            )
        )
    host_value = values.pop("host", "")
    host = hosts.get(host_value) or hosts.get(host_value.lower()) if host_value else None
    if facility is None and not host_value:
        plan.errors.append((column("host") or "host", _("The host organisation is empty.")))
    if host is not None:
        values["host"] = host
    elif host_value:
        plan.new_host = host_value
    if plan.errors:
        plan.action = "error"
        return
    if facility is None:
        probe = Facility(region=region)
        if not user.has_perm("catalogue.add_facility", probe):
            plan.errors.append(("", _("You may not add facilities to %(r)s.") % {"r": region.name}))
            plan.action = "error"
            return
        plan.action = "new"
        values["slug"] = slug
        return
    plan.facility_id = facility.pk
    if not user.has_perm("catalogue.change_facility", facility):
        plan.errors.append(("", _("You may not change '%(n)s'.") % {"n": facility.name}))
        plan.action = "error"
        return
    values["slug"] = facility.slug
    plan.changed = [
        target
        for target, value in values.items()
        if target != "slug"
        and _differs(getattr(facility, target if target != "host" else "host", None), value)
    ]
    if plan.new_host:
        plan.changed.append("host")
    plan.action = "updated" if plan.changed else "unchanged"


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, Organisation) or isinstance(new, Organisation):
        return getattr(current, "pk", None) != getattr(new, "pk", None)
    if current is None or current == "":
        return new not in (None, "", [], False)
    if isinstance(current, Decimal) and new is not None:
        return current != Decimal(new)
    return current != new


def execute_plan(
    plan: Plan,
    *,
    region: Region,
    reason: str,
    index: TermIndex,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Carry out a checked plan in one transaction; any error undoes every row."""
    if not plan.ok:
        raise FileProblem(_("The file has errors; fix them and upload it again."))
    with transaction.atomic():
        new_hosts: dict[str, Organisation] = {}
        for n, row in enumerate(plan.rows, start=1):
            if row.action in ("new", "updated"):
                facility = (
                    Facility.objects.select_for_update().get(pk=row.facility_id)
                    if row.facility_id
                    else Facility(region=region, source=row.values.get("source", ""))
                )
                values = dict(row.values)
                if row.new_host:
                    values["host"] = new_hosts.get(row.new_host) or _create_host(
                        row.new_host, region, new_hosts
                    )
                for target, value in values.items():
                    setattr(facility, target, value)
                facility.name = facility.name_en or facility.name  # type: ignore[attr-defined]
                # django-simple-history records this as the reason of the change.
                facility._change_reason = reason  # type: ignore[attr-defined]
                try:
                    facility_save(facility=facility, index=index)
                except ValidationError as exc:
                    raise FileProblem(
                        _("Row %(row)d could not be saved: %(error)s")
                        % {"row": row.row, "error": " ".join(exc.messages)}
                    ) from None
            if progress is not None and (n % 50 == 0 or n == len(plan.rows)):
                progress(n)
    return plan.counts


def _create_host(name: str, region: Region, cache: dict[str, Organisation]) -> Organisation:
    from core.services import organisation_save

    base = slugify(name)[:240] or "organisation"
    slug, k = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        k += 1
        slug = f"{base}-{k}"
    org = Organisation(
        name=name[:255],
        slug=slug,
        type=Organisation.Type.OTHER,
        helix=Organisation.Helix.ACADEMIA,
        region=region,
        country=region.country,
    )
    organisation_save(organisation=org)
    cache[name] = org
    return org
