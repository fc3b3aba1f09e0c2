"""Turning rows into a plan (the dry run) and carrying a plan out (the confirm).

A plan says, per row, whether it creates, updates or leaves a facility unchanged, or
what is wrong with it: row number, column and a plain message. A confirmed plan is
carried out in one transaction: all rows or none. Records are matched by external id,
else by slug, within the import's region, so re-importing a file changes nothing.
"""

from __future__ import annotations

import copy
import datetime
import functools
import io
import logging
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, connections, models, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalogue.cache import catalogue_changed
from catalogue.imports.parsing import FileProblem, Table
from catalogue.models import Equipment, Facility, Service
from catalogue.services import DERIVED_FIELDS, VOCABULARY_FIELDS, facility_derive
from core.models import Organisation, Region, Term
from core.selectors import TermIndex

logger = logging.getLogger(__name__)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = ("name", "tagline", "description")
_SPLIT = re.compile(r"\s*[;|,]\s*")
FORMULA_START = ("=", "@")
SIGNED = ("+", "-")


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
    """file column -> portal field, and problems (unknown fields, missing required columns).

    File columns are matched without regard to case; the mapping wins over the preset, and
    a column mapped to "" is ignored, even when it is named like a portal field.
    """
    base = PRESETS.get(preset, {}) if preset else {}
    merged: dict[str, str] = {}  # lower-cased file column -> target ("" ignores it)
    for column, target in base.items():
        merged[column.strip().lower()] = target
    for column, target in mapping.items():
        merged[column.strip().lower()] = target
    columns: dict[str, str] = {}
    ignored: set[str] = set()
    for column in table.columns:
        key = column.strip().lower()
        if key in merged:
            target = merged[key]
            if target:
                columns[column] = ALIASES.get(target, target)
            else:
                ignored.add(column)
    # Other columns named exactly like portal fields map themselves.
    for column in table.columns:
        key = ALIASES.get(column.strip().lower(), column.strip().lower())
        if column not in columns and column not in ignored and key in FIELDS:
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


@dataclass
class _Context:
    """What every row is checked against, read once per plan."""

    region: Region
    existing: _Existing
    other_slugs: set[str]
    hosts: dict[str, Organisation]
    may_add: bool
    may_change: bool
    seen: dict[str, int] = field(default_factory=dict)
    new_slugs: dict[str, int] = field(default_factory=dict)
    matched: dict[int, int] = field(default_factory=dict)


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
    all_regions = list(Region.objects.all())
    regions = {r.code: r for r in all_regions} | {r.name.lower(): r for r in all_regions}
    # Permissions on facilities depend on their region alone (core.rules: can_edit_region_of),
    # and every facility a plan adds or changes is of the import's region: one probe each
    # answers for every row. `_check_row` asserts the region of each matched facility.
    probe = Facility(region=region)
    context = _Context(
        region=region,
        existing=_Existing(region),
        other_slugs=set(Facility.objects.exclude(region=region).values_list("slug", flat=True)),
        hosts=_hosts(),
        may_add=bool(user.has_perm("catalogue.add_facility", probe)),
        may_change=bool(user.has_perm("catalogue.change_facility", probe)),
    )
    # No spreadsheet evaluates JSON, and the JSON export keeps values as they are.
    spreadsheet = table.format != "json"
    targets = [(column, target, FIELDS[target]) for column, target in columns.items()]
    parsed: list[tuple[RowPlan, dict[str, Any]]] = []
    for number, raw in table.rows:
        plan = RowPlan(row=number)
        values: dict[str, Any] = {}
        for column, target, spec in targets:
            cell = raw.get(column, "")
            if spreadsheet:
                if _is_formula(cell):
                    plan.errors.append((column, _("Formulas are not imported: type the value itself.")))
                    continue
                if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
                    cell = cell[1:]  # neutralised by our export (catalogue.exports.neutralise)
            try:
                value = _parse(target, spec, cell, index=index, regions=regions)
            except ValidationError as exc:
                plan.errors.append((column, " ".join(exc.messages)))
                continue
            if spec.kind == "choice" and value == "":
                continue  # empty: keep the current value (a new facility gets the default)
            values[target] = value
        parsed.append((plan, values))
    # Only the facilities the file names are read in full (a region holds tens of thousands).
    context.existing.load(key for _plan, values in parsed for key in _row_keys(values))
    rows: list[RowPlan] = []
    for plan, values in parsed:
        _check_row(plan, values, reverse, context=context)
        plan.values = values
        rows.append(plan)
    return Plan(rows=rows)


def _row_keys(values: dict[str, Any]) -> list[str]:
    """The keys `_check_row` looks a row's facility up by: its external id, its slug."""
    slug = values.get("slug") or slugify(values.get("name_en", ""))[:200]
    external = values.get("external_id") or ""
    keys = [f"slug:{slug}"] if slug else []
    if external:
        keys.append(f"ext:{values.get('source') or ''}:{external}")
    return keys


# A leading + or - followed only by these is a number or a phone number, not a formula.
_NUMBER_LIKE = re.compile(r"[0-9\s().,/\-]*")


def _is_formula(cell: str) -> bool:
    """A cell a spreadsheet would evaluate; negative numbers and phone numbers are not."""
    if cell.startswith(FORMULA_START):
        return True
    if cell.startswith(SIGNED) and len(cell) > 1:
        return not _NUMBER_LIKE.fullmatch(cell[1:])
    return False


class _Existing:
    """The region's facilities by key ("slug:<slug>", "ext:<source>:<id>").

    The keys of every facility of the region are read at once, the rows themselves only
    for the keys a file names (`load`): reading every row in full, 3.6 KB search vectors
    included, had made the plan of a file into a region of 100,000 facilities slow and
    large (2.5 GB in the benchmark).
    """

    def __init__(self, region: Region) -> None:
        self._pks: dict[str, int] = {}
        for pk, slug, source, external in Facility.objects.filter(region=region).values_list(
            "pk", "slug", "source", "external_id"
        ):
            self._pks[f"slug:{slug}"] = pk
            if external:
                self._pks[f"ext:{source}:{external}"] = pk
        self._rows: dict[int, Facility] = {}

    def load(self, keys: Iterable[str]) -> None:
        wanted = {pk for key in keys if (pk := self._pks.get(key)) is not None}
        if wanted:
            self._rows.update(
                Facility.objects.filter(pk__in=wanted)
                .select_related("host")
                .defer("search_vector", "search_names", "search_text_b", "search_text_c")
                .in_bulk()
            )

    def get(self, key: str) -> Facility | None:
        pk = self._pks.get(key)
        return self._rows.get(pk) if pk is not None else None


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


# Model fields checked like Facility.clean_fields would at save time (lengths, choices,
# slugs, digits, TRL bounds, array items), so the dry run reports them with row and column.
_MODEL_FIELDS: dict[str, models.Field[Any, Any]] = {
    name: model_field
    for name in FIELDS
    if name not in ("region", "host")
    and isinstance(model_field := Facility._meta.get_field(name), models.Field)
}


def _check_row(
    plan: RowPlan,
    values: dict[str, Any],
    reverse: dict[str, str],
    *,
    context: _Context,
) -> None:
    column = reverse.get
    region = context.region
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
    key_column = column("external_id" if external else "slug") or column("name_en") or "name"
    duplicate = key in context.seen
    if duplicate:
        plan.errors.append((key_column, _("Same facility as row %(n)d.") % {"n": context.seen[key]}))
    else:
        context.seen[key] = plan.row
    facility = context.existing.get(key) or (context.existing.get(f"slug:{slug}") if slug else None)
    slug_column = column("slug") or column("name_en") or "slug"
    if facility is not None:
        # The permission probes of build_plan stand for this facility: same region.
        assert facility.region_id == region.pk
        earlier = context.matched.setdefault(facility.pk, plan.row)
        if earlier != plan.row and not duplicate:
            plan.errors.append((key_column, _("Same facility as row %(n)d.") % {"n": earlier}))
    elif name and not slug:
        plan.errors.append((slug_column, _("The name gives no web address: add a slug column.")))
    elif slug in context.other_slugs:
        plan.errors.append((slug_column, _("Another region already has a facility '%(s)s'.") % {"s": slug}))
    elif slug and not duplicate:
        earlier = context.new_slugs.setdefault(slug, plan.row)
        if earlier != plan.row:
            plan.errors.append((slug_column, _("Same facility as row %(n)d.") % {"n": earlier}))
    host_value = values.pop("host", "")
    host = context.hosts.get(host_value) or context.hosts.get(host_value.lower()) if host_value else None
    if facility is None and not host_value:
        plan.errors.append((column("host") or "host", _("The host organisation is empty.")))
    if host is not None:
        values["host"] = host
    elif host_value:
        plan.new_host = host_value
    _check_values(plan, values, reverse, facility)
    if plan.errors:
        plan.action = "error"
        return
    if facility is None:
        if not context.may_add:
            plan.errors.append(("", _("You may not add facilities to %(r)s.") % {"r": region.name}))
            plan.action = "error"
            return
        plan.action = "new"
        values["slug"] = slug
        return
    plan.facility_id = facility.pk
    if not context.may_change:
        plan.errors.append(("", _("You may not change '%(n)s'.") % {"n": facility.name}))
        plan.action = "error"
        return
    values["slug"] = facility.slug
    plan.changed = [
        target
        for target, value in values.items()
        if target != "slug" and _differs(getattr(facility, target, None), value)
    ]
    if plan.new_host:
        plan.changed.append("host")
    plan.action = "updated" if plan.changed else "unchanged"


def _check_values(
    plan: RowPlan, values: dict[str, Any], reverse: dict[str, str], facility: Facility | None
) -> None:
    """What the model's validation would refuse at save time, with the row's columns."""
    for target, value in values.items():
        model_field = _MODEL_FIELDS.get(target)
        if model_field is None or value is None or value == "" or value == []:
            continue
        try:
            model_field.clean(value, None)
        except ValidationError as exc:
            plan.errors.append((reverse.get(target) or target, " ".join(exc.messages)))
    failed = {c for c, _m in plan.errors}
    trl_columns = {reverse.get("trl_min"), reverse.get("trl_max")} - {None}
    low = values["trl_min"] if "trl_min" in values else getattr(facility, "trl_min", None)
    high = values["trl_max"] if "trl_max" in values else getattr(facility, "trl_max", None)
    if low is not None and high is not None and low > high and not (trl_columns & failed):
        plan.errors.append(
            (
                reverse.get("trl_min") or reverse.get("trl_max") or "trl_min",
                _("The lowest TRL must not be above the highest."),
            )
        )
    if (
        facility is not None
        and facility.state == Facility.State.PUBLISHED
        and not values.get("contact_email", facility.contact_email)
    ):
        plan.errors.append(
            (
                reverse.get("contact_email") or "contact_email",
                _("A published facility needs a public contact email."),
            )
        )


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, Organisation) or isinstance(new, Organisation):
        return getattr(current, "pk", None) != getattr(new, "pk", None)
    if current is None or current == "":
        return new not in (None, "", [], False)
    if isinstance(current, Decimal) and new is not None:
        return current != Decimal(new)
    return current != new


# Rows written per statement; the progress is reported after each batch.
BATCH_SIZE = 1000


def execute_plan(
    plan: Plan,
    *,
    region: Region,
    reason: str,
    index: TermIndex,
    progress: Callable[[int], None] | None = None,
    user: Any = None,
) -> dict[str, int]:
    """Carry out a checked plan in one transaction; any error undoes every row.

    Building the plan checked every row as `facility_save` would (vocabularies, model
    field validation, TRL bounds and order, uniqueness, permissions), so the rows are
    written in bulk, `BATCH_SIZE` at a time: new facilities created and changed ones
    updated with their history rows (`reason` as the change reason), the derived columns
    computed in memory by `catalogue.services.facility_derive`. What the database still
    refuses (a concurrent change) raises and rolls back every row.
    """
    if not plan.ok:
        raise FileProblem(_("The file has errors; fix them and upload it again."))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        with connection.cursor() as cursor:
            # The search vectors' GIN index takes new entries into its pending list and
            # merges the list into the index when it passes this size. Measured on 2,000
            # rows at 10,000 facilities: 1.77 s with the default 4 MB, 1.44 s + 0.14 s for
            # the final merge with 16 MB, 1.37 s with no index at all (0.1 ms a row less).
            cursor.execute(f"SET LOCAL gin_pending_list_limit = '{GIN_PENDING_LIST}'")
        new_hosts: dict[str, Organisation] = {}
        for name in dict.fromkeys(r.new_host for r in plan.rows if r.new_host and r.action in WRITTEN):
            _create_host(name, region, new_hosts)
        batches = [
            (start + BATCH_SIZE, [r for r in plan.rows[start : start + BATCH_SIZE] if r.action in WRITTEN])
            for start in range(0, len(plan.rows), BATCH_SIZE)
        ]
        now = timezone.now()
        # This thread's connection itself (the `connection` proxy would name the builder's own).
        db = connections[connection.alias]
        build = functools.partial(_build_new, region=region, index=index, hosts=new_hosts, now=now, db=db)
        # The new facilities of the next batch are built (derived columns, values ready for
        # the statement) in a second thread while PostgreSQL writes this batch: psycopg2
        # lets go of the interpreter while it waits, and building is a third of a batch.
        # The builder reads no table: only the plan, the vocabulary and the hosts in memory.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-builder") as builder:
            pending = builder.submit(build, batches[0][1], _new_ids(batches[0][1])) if batches else None
            for k, (end, rows) in enumerate(batches):
                assert pending is not None
                new = pending.result()
                if k + 1 < len(batches):
                    pending = builder.submit(build, batches[k + 1][1], _new_ids(batches[k + 1][1]))
                _write_batch(
                    rows,
                    new=new,
                    region=region,
                    reason=reason,
                    index=index,
                    hosts=new_hosts,
                    user=user,
                    now=now,
                )
                if progress is not None:
                    progress(min(end, len(plan.rows)))
        merge_pending_search_entries()
        catalogue_changed()  # bulk writes send no model signals (catalogue/cache.py)
    return plan.counts


SEARCH_INDEXES = ("facility_search_vector", "searchdocument_vector")


def merge_pending_search_entries() -> bool:
    """Merge the search indexes' pending lists now (searches read them entry by entry),
    rather than leave it to autovacuum. PostgreSQL lets only an index's owner (or a
    superuser) do it: for another role, say so and leave it (False)."""
    merged_all = True
    with connection.cursor() as cursor:
        for name in SEARCH_INDEXES:
            cursor.execute(
                # to_regclass: a missing or renamed index is no reason to undo the import.
                "SELECT CASE WHEN pg_has_role(c.relowner, 'USAGE') THEN gin_clean_pending_list(c.oid) END"
                " FROM pg_class c WHERE c.oid = to_regclass(%s)",
                [name],
            )
            row = cursor.fetchone()
            if row is None or row[0] is None:
                merged_all = False
                logger.warning(
                    "The database role does not own the index %s (or it is missing): an import's "
                    "entries stay in its pending list until autovacuum merges them (searches are "
                    "slower until then).",
                    name,
                )
    return merged_all


# Up to this much of an import's index entries wait in the pending list. A search scans it
# whole: with 1,217 pending pages (3,000 rows), a search for "laser" at 10,000 facilities
# took 12.6 instead of 10.1 ms while the import ran.
GIN_PENDING_LIST = "16MB"


WRITTEN = ("new", "updated")


@dataclass
class _NewRows:
    """A batch's new facilities, built, with their ids and their rows for COPY, in order."""

    facilities: list[Facility]
    ids: list[int]
    copy_text: str


def _new_ids(rows: list[RowPlan]) -> list[int]:
    """Ids for the batch's new facilities, from the table's own sequence (never from a file)."""
    n = sum(1 for row in rows if not row.facility_id)
    if not n:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Facility._meta.db_table, n],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _build_new(
    rows: list[RowPlan],
    ids: list[int],
    *,
    region: Region,
    index: TermIndex,
    hosts: dict[str, Organisation],
    now: Any,
    db: Any,
) -> _NewRows:
    """The batch's new facilities, in memory only (it runs beside the writing thread)."""
    with translation.override(settings.LANGUAGE_CODE):
        template = Facility(region=region)
        facilities = []
        for row in rows:
            if row.facility_id:
                continue
            facility = _blank(template)
            facility.source = row.values.get("source", "")
            _apply_row(facility, row, hosts=hosts, now=now)
            facility_derive(facility, index=index, services=[], equipment=[])
            facilities.append(facility)
        lines = [
            "\t".join([str(pk), *map(copy_field, values)])
            for pk, values in zip(ids, _insert_values(facilities, db=db), strict=True)
        ]
        return _NewRows(facilities=facilities, ids=ids, copy_text="".join(f"{line}\n" for line in lines))


def _apply_row(facility: Facility, row: RowPlan, *, hosts: dict[str, Organisation], now: Any) -> None:
    """The row's checked values onto the facility, new or current."""
    for target, value in row.values.items():
        setattr(facility, target, value)
    if row.new_host:
        facility.host = hosts[row.new_host]
    facility.name = facility.name_en or facility.name  # type: ignore[attr-defined]
    facility.updated_at = now


def _write_batch(
    rows: list[RowPlan],
    *,
    new: _NewRows,
    region: Region,
    reason: str,
    index: TermIndex,
    hosts: dict[str, Organisation],
    user: Any,
    now: Any,
) -> None:
    if new.facilities:
        _insert(new)
        _record_history([f.pk for f in new.facilities], kind="+", reason=reason, user=user, when=now)
    changed = [r for r in rows if r.facility_id]
    if not changed:
        return
    current = (
        Facility.objects.select_for_update(of=("self",))
        .select_related("host", "region")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("pk")),
            Prefetch("equipment", queryset=Equipment.objects.order_by("pk")),
        )
        .in_bulk([r.facility_id for r in changed])
    )
    updated: list[Facility] = []
    fields: set[str] = {"name", *DERIVED_FIELDS}
    for row in changed:
        facility = current.get(row.facility_id)
        if facility is None:
            raise FileProblem(
                _("Row %(row)d: the facility was deleted meanwhile; upload the file again.")
                % {"row": row.row}
            )
        services, equipment = list(facility.services.all()), list(facility.equipment.all())
        fields.update(row.changed)
        _apply_row(facility, row, hosts=hosts, now=now)
        facility_derive(facility, index=index, services=services, equipment=equipment)
        updated.append(facility)
    Facility.objects.bulk_update(updated, sorted(fields), batch_size=BATCH_SIZE)
    _record_history([f.pk for f in updated], kind="~", reason=reason, user=user, when=now)


def _blank(template: Facility) -> Facility:
    """A new unsaved facility like `template`: a copy (Django's pickling state, with its
    own `_state`) with its own lists. Building each new Facility from scratch (70 field
    defaults, 24 of them per language through modeltranslation) took a fifth of an import."""
    facility = copy.copy(template)
    for name, value in facility.__dict__.items():
        if isinstance(value, list | dict):
            facility.__dict__[name] = value.copy()
    return facility


_INSERTED = [f for f in Facility._meta.concrete_fields if not f.generated and not f.primary_key]


def _insert_values(facilities: list[Facility], *, db: Any) -> list[tuple[Any, ...]]:
    """The values of new facilities as `bulk_create` prepares them (`pre_save`,
    `get_db_prep_save`); `db` is the writing thread's connection (its operations only)."""
    return [tuple(f.get_db_prep_save(f.pre_save(obj, True), db) for f in _INSERTED) for obj in facilities]


def _insert(new: _NewRows) -> None:
    """`bulk_create` for new facilities, as one COPY. With psycopg2's `execute_values`,
    building the statement (`mogrify`) took 1.4 s of a 10.7 s import of 10,000 rows, in
    the writing thread; the COPY text is built in the builder thread."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [Facility._meta.pk, *_INSERTED])
    sql = f"COPY {quote(Facility._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, io.StringIO(new.copy_text))
    for facility, pk in zip(new.facilities, new.ids, strict=True):
        facility.pk = pk
        facility._state.adding = False
        facility._state.db = connection.alias


# COPY's text format: these four characters are written as escapes, NULL as \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: Any) -> str:
    """A prepared value (`get_db_prep_save`) as a field of COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return str.translate(value, _COPY_ESCAPES)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        # An array literal with its items quoted (a"b as "a\\"b"), then escaped for COPY.
        items = ",".join(
            "NULL" if item is None else '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'
            for item in value
        )
        return str.translate("{" + items + "}", _COPY_ESCAPES)
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _record_history(ids: list[int], *, kind: str, reason: str, user: Any, when: Any) -> None:
    """The history rows of facilities just written, copied from their rows by the database.

    What `bulk_create_with_history` writes (every tracked column, the date, the user, the
    reason and the kind: "+" created, "~" changed), without building a historical model
    object per row in Python: that took a third of an import's time (issue #6).
    """
    history = Facility.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    shared = ", ".join(
        quote(f.column) for f in history._meta.concrete_fields if not f.name.startswith("history_")
    )
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({shared}, history_date, "  # noqa: S608
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {shared}, %s, %s, %s, %s FROM {quote(Facility._meta.db_table)} WHERE id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [when, reason, kind, getattr(user, "pk", None), ids])


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
