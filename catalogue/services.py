"""Every write to the catalogue (STYLE "Shape").

Whatever the entry point (admin, pages, API, import), a facility is saved by
`facility_save`, which validates vocabulary codes, derives the service types, the
completeness score and the text copied from related rows into the search vector.
Equipment and services are saved through their own services, which refresh their
facility. So the search vector is never stale (ARCHITECTURE §6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Prefetch
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.cache import catalogue_changed
from catalogue.models import Equipment, Facility, Service
from core.models import Organisation, Term
from core.selectors import TermIndex, term_index
from core.services import organisation_renamed, region_renamed, term_relabelled

# Facility field -> (vocabulary, many values?)
VOCABULARY_FIELDS: dict[str, tuple[str, bool]] = {
    "facility_type": (Term.Vocabulary.FACILITY_TYPE, False),
    "technologies": (Term.Vocabulary.KET, True),
    "scientific_domains": (Term.Vocabulary.SCIENTIFIC_DOMAIN, True),
    "application_sectors": (Term.Vocabulary.NACE_SECTION, True),
    "access_types": (Term.Vocabulary.ACCESS_TYPE, True),
    "access_modes": (Term.Vocabulary.ACCESS_MODE, True),
    "target_users": (Term.Vocabulary.TARGET_USER, True),
    "order_type": (Term.Vocabulary.ORDER_TYPE, False),
    "pricing": (Term.Vocabulary.PRICING, False),
    "support_level": (Term.Vocabulary.SUPPORT_LEVEL, False),
}
TRANSLATED_FIELDS = ("name", "tagline", "description")


@dataclass(frozen=True)
class Completeness:
    score: int
    missing: list[str]


# --- validation -----------------------------------------------------------------------


def vocabulary_errors(values: dict[str, Any], *, index: TermIndex | None = None) -> dict[str, list[str]]:
    """Unknown vocabulary codes per field, each message naming the code and a suggestion."""
    index = index or term_index()
    errors: dict[str, list[str]] = {}
    for field, (vocabulary, _many) in VOCABULARY_FIELDS.items():
        if field not in values:
            continue
        for code in index.unknown(vocabulary, values[field] or []):
            suggestion = index.closest(vocabulary, code)
            message = _("'%(code)s' is not a known %(vocabulary)s.") % {
                "code": code,
                "vocabulary": Term.Vocabulary(vocabulary).label.lower(),
            }
            if suggestion:
                message += " " + _("Did you mean '%(suggestion)s'?") % {"suggestion": suggestion}
            errors.setdefault(field, []).append(message)
    return errors


def _validate(facility: Facility, *, index: TermIndex) -> None:
    values = {field: getattr(facility, field) for field in VOCABULARY_FIELDS}
    errors: dict[str, Any] = dict(vocabulary_errors(values, index=index))
    try:
        facility.full_clean(exclude=["search_vector", "search_names"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


# --- derived values -------------------------------------------------------------------


def facility_completeness(facility: Facility, *, service_count: int) -> Completeness:
    """What an SME needs to decide: description, contact, access terms, TRL, a service."""
    checks = [
        (bool(facility.description_en or facility.description), _("a description")),  # type: ignore[attr-defined]
        (bool(facility.contact_email), _("a public contact email")),
        (bool(facility.access_modes and facility.pricing), _("access terms (access mode and pricing)")),
        (facility.trl_min is not None and facility.trl_max is not None, _("a TRL range")),
        (service_count > 0, _("at least one service")),
    ]
    missing = [label for ok, label in checks if not ok]
    return Completeness(score=round(100 * (len(checks) - len(missing)) / len(checks)), missing=missing)


def _search_texts(
    facility: Facility, *, index: TermIndex, services: list[Service], equipment: list[Equipment]
) -> tuple[str, str]:
    host: Organisation = facility.host
    b_parts = [
        index.search_text(Term.Vocabulary.KET, facility.technologies),
        index.search_text(Term.Vocabulary.FACILITY_TYPE, facility.facility_type),
        index.search_text(Term.Vocabulary.SERVICE_TYPE, sorted({s.service_type for s in services})),
        " ".join(facility.keywords),
        " ".join(s.name for s in services),
        " ".join(
            " ".join(filter(None, [e.name, e.manufacturer, e.model_name, e.techniques])) for e in equipment
        ),
        index.search_text(
            Term.Vocabulary.EQUIPMENT_CATEGORY, sorted({e.category for e in equipment if e.category})
        ),
        host.name,
        host.acronym,
        facility.city,
        facility.region.name,
    ]
    c_parts = [
        index.search_text(Term.Vocabulary.SCIENTIFIC_DOMAIN, facility.scientific_domains),
        index.search_text(Term.Vocabulary.NACE_SECTION, facility.application_sectors),
        " ".join(s.description for s in services),
        " ".join(s.deliverables for s in services),
        " ".join(e.description for e in equipment),
        facility.certifications,
    ]
    return (" ".join(p for p in b_parts if p), " ".join(p for p in c_parts if p))


def _derive(facility: Facility, *, index: TermIndex) -> None:
    """Fill the columns derived from related rows. The facility must have a primary key."""
    facility_derive(
        facility,
        index=index,
        services=list(facility.services.all()),
        equipment=list(facility.equipment.all()),
    )


def facility_derive(
    facility: Facility,
    *,
    index: TermIndex,
    services: Iterable[Service] = (),
    equipment: Iterable[Equipment] = (),
) -> Facility:
    """Fill the derived columns in memory from the given related rows; the caller saves them.

    For bulk writers (the import): a new facility has no services or equipment yet, an
    existing one passes its prefetched rows. No query when `host` and `region` are loaded.
    """
    services, equipment = list(services), list(equipment)
    facility.service_types = sorted({s.service_type for s in services})
    facility.completeness = facility_completeness(facility, service_count=len(services)).score
    facility.search_text_b, facility.search_text_c = _search_texts(
        facility, index=index, services=services, equipment=equipment
    )
    return facility


DERIVED_FIELDS = ["service_types", "completeness", "search_text_b", "search_text_c", "updated_at"]


# --- facilities -----------------------------------------------------------------------


def facility_save(*, facility: Facility, index: TermIndex | None = None) -> Facility:
    """Create or update a facility with all its derived columns, in one transaction."""
    index = index or term_index()
    if not facility.name and facility.name_en:  # type: ignore[attr-defined]
        facility.name = facility.name_en  # type: ignore[attr-defined]
    _validate(facility, index=index)
    with transaction.atomic():
        facility.save()
        _derive(facility, index=index)
        Facility.objects.filter(pk=facility.pk).update(
            **{field: getattr(facility, field) for field in DERIVED_FIELDS if field != "updated_at"}
        )
    return facility


def facility_refresh(
    *, facility_ids: Iterable[int], index: TermIndex | None = None, touch: bool = False
) -> int:
    """Recompute the derived columns of these facilities (related rows changed).

    `touch` also moves `updated_at`, for changes a reader of the record sees (its
    equipment and services); a rebuild of the search text is not such a change.
    """
    index = index or term_index()
    ids = list(facility_ids)
    facilities = (
        Facility.objects.filter(pk__in=ids)
        .select_related("host", "region")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("pk")),
            Prefetch("equipment", queryset=Equipment.objects.order_by("pk")),
        )
    )
    changed = []
    now = timezone.now()
    for facility in facilities:
        _derive(facility, index=index)
        facility.updated_at = now
        changed.append(facility)
    fields = DERIVED_FIELDS if touch else [f for f in DERIVED_FIELDS if f != "updated_at"]
    Facility.objects.bulk_update(changed, fields, batch_size=500)
    catalogue_changed()
    return len(changed)


def facility_rebuild_search(*, batch_size: int = 1000) -> int:
    """Recompute every facility's derived columns (after a vocabulary or stemmer change)."""
    index = term_index()
    ids = list(Facility.objects.order_by("pk").values_list("pk", flat=True))
    total = 0
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            total += facility_refresh(facility_ids=ids[start : start + batch_size], index=index)
    return total


def search_words_rebuild() -> int:
    """Refill the "did you mean" dictionary from the published records' words."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalogue_searchword")
        cursor.execute(
            """
            INSERT INTO catalogue_searchword (word, frequency)
            SELECT word, ndoc FROM ts_stat($$
                SELECT to_tsvector('innoinfra_simple',
                    coalesce(name, '') || ' ' || coalesce(acronym, '') || ' ' || search_text_b
                    || ' ' || coalesce(description_en, '') || ' ' || search_text_c)
                FROM catalogue_facility WHERE state = 'published'
            $$)
            WHERE length(word) BETWEEN 3 AND 100 AND word !~ '^[0-9]+$'
            """
        )
        return cursor.rowcount


def _transition(facility: Facility, state: str, *, allowed_from: set[str]) -> Facility:
    if facility.state not in allowed_from:
        raise ValidationError(
            _("A %(current)s facility cannot become %(target)s.")
            % {"current": facility.get_state_display().lower(), "target": Facility.State(state).label.lower()}
        )
    facility.state = state
    return facility


def facility_submit(*, facility: Facility) -> Facility:
    _transition(facility, Facility.State.SUBMITTED, allowed_from={Facility.State.DRAFT})
    return facility_save(facility=facility)


def facility_publish(*, facility: Facility) -> Facility:
    _transition(
        facility,
        Facility.State.PUBLISHED,
        allowed_from={Facility.State.DRAFT, Facility.State.SUBMITTED, Facility.State.ARCHIVED},
    )
    now = timezone.now()
    facility.published_at = facility.published_at or now
    facility.last_verified_at = facility.last_verified_at or now
    return facility_save(facility=facility)


def facility_archive(*, facility: Facility) -> Facility:
    _transition(
        facility,
        Facility.State.ARCHIVED,
        allowed_from={Facility.State.DRAFT, Facility.State.SUBMITTED, Facility.State.PUBLISHED},
    )
    return facility_save(facility=facility)


def facility_verify(*, facility: Facility) -> Facility:
    """An editor confirms the record is still true today."""
    facility.last_verified_at = timezone.now()
    Facility.objects.filter(pk=facility.pk).update(last_verified_at=facility.last_verified_at)
    catalogue_changed()
    return facility


# --- equipment and services -----------------------------------------------------------


def equipment_save(*, equipment: Equipment) -> Equipment:
    index = term_index()
    if equipment.category and index.unknown(Term.Vocabulary.EQUIPMENT_CATEGORY, equipment.category):
        raise ValidationError(
            {"category": _("'%(code)s' is not a known equipment category.") % {"code": equipment.category}}
        )
    equipment.full_clean()
    with transaction.atomic():
        touched = _facilities_of(Equipment, equipment.pk, equipment.facility_id)
        equipment.save()
        facility_refresh(facility_ids=touched, index=index, touch=True)
    return equipment


def equipment_delete(*, equipment: Equipment) -> None:
    facility_id = equipment.facility_id
    with transaction.atomic():
        equipment.delete()
        facility_refresh(facility_ids=[facility_id], touch=True)


def service_save(*, service: Service, equipment: Iterable[Equipment] | None = None) -> Service:
    index = term_index()
    if index.unknown(Term.Vocabulary.SERVICE_TYPE, service.service_type):
        raise ValidationError(
            {"service_type": _("'%(code)s' is not a known service type.") % {"code": service.service_type}}
        )
    service.full_clean()
    with transaction.atomic():
        touched = _facilities_of(Service, service.pk, service.facility_id)
        service.save()
        if equipment is not None:
            foreign = [e for e in equipment if e.facility_id != service.facility_id]
            if foreign:
                raise ValidationError(
                    {"equipment": _("A service can only use its own facility's equipment.")}
                )
            service.equipment.set(list(equipment))
        facility_refresh(facility_ids=touched, index=index, touch=True)
    return service


def _facilities_of(model: Any, pk: int | None, facility_id: int) -> list[int]:
    """The facility a child row belongs to now, and the one it is moved away from."""
    ids = {facility_id}
    if pk is not None:
        previous = model.objects.filter(pk=pk).values_list("facility_id", flat=True).first()
        if previous is not None:
            ids.add(previous)
    return sorted(ids)


def service_delete(*, service: Service) -> None:
    facility_id = service.facility_id
    with transaction.atomic():
        service.delete()
        facility_refresh(facility_ids=[facility_id], touch=True)


# --- copies of other apps' text -------------------------------------------------------


@receiver(organisation_renamed, dispatch_uid="catalogue.refresh_host_name")
def _on_organisation_renamed(sender: Any, organisation_id: int, **kwargs: Any) -> None:
    facility_refresh(
        facility_ids=Facility.objects.filter(host_id=organisation_id).values_list("pk", flat=True)
    )


@receiver(region_renamed, dispatch_uid="catalogue.refresh_region_name")
def _on_region_renamed(sender: Any, region_id: int, **kwargs: Any) -> None:
    facility_refresh(facility_ids=Facility.objects.filter(region_id=region_id).values_list("pk", flat=True))


@receiver(term_relabelled, dispatch_uid="catalogue.refresh_term_labels")
def _on_term_relabelled(sender: Any, vocabulary: str, code: str, **kwargs: Any) -> None:
    field = next((f for f, (v, _many) in VOCABULARY_FIELDS.items() if v == vocabulary), None)
    qs = Facility.objects.all()
    if vocabulary == Term.Vocabulary.SERVICE_TYPE:
        qs = qs.filter(service_types__contains=[code])
    elif vocabulary == Term.Vocabulary.EQUIPMENT_CATEGORY:
        qs = qs.filter(equipment__category=code).distinct()
    elif field is None:
        return
    elif VOCABULARY_FIELDS[field][1]:
        qs = qs.filter(**{f"{field}__contains": [code]})
    else:
        qs = qs.filter(**{field: code})
    facility_refresh(facility_ids=qs.values_list("pk", flat=True))


def translated_values(facility: Facility) -> dict[str, dict[str, str]]:
    """{field: {language: text}} for the translated fields, for exports and the API."""
    return {
        field: {code: getattr(facility, f"{field}_{code}", "") or "" for code, _name in settings.LANGUAGES}
        for field in TRANSLATED_FIELDS
    }
