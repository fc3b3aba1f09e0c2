"""Writing demo specs to the database: `load` (idempotent) and `load_bulk` (fast).

`load` matches hosts and facilities by slug and writes through the services
(`organisation_save`, `facility_save`, `facility_refresh`), touching nothing that
already matches, so a second run reports every facility unchanged. Verification and
publication dates are only set on creation: once a record exists they belong to its
curators (and the generator dates them relative to "today").

`load_bulk` is for benchmarks: per batch, one transaction of bulk inserts, then
`facility_refresh` fills the derived search columns. It only inserts facilities whose
slug is new.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from catalogue.demo.generator import FacilitySpec, HostSpec
from catalogue.models import Equipment, Facility, Service
from catalogue.services import facility_refresh, facility_save, vocabulary_errors
from core.models import Organisation, Region, Term
from core.selectors import TermIndex
from core.services import organisation_save

T = TypeVar("T")
LANGUAGES = [code for code, _name in settings.LANGUAGES]
EQUIPMENT_FIELDS = (
    "name",
    "description",
    "manufacturer",
    "model_name",
    "category",
    "techniques",
    "status",
    "bookable",
    "training_required",
)
SERVICE_FIELDS = (
    "name",
    "service_type",
    "description",
    "trl_min",
    "trl_max",
    "turnaround",
    "pricing",
    "deliverables",
)
HOST_FIELDS = ("name", "acronym", "type", "helix", "country", "website")
ServiceThrough = Service.equipment.through

Children = tuple[tuple[tuple[Any, ...], ...], tuple[tuple[Any, ...], ...]]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- spec -> field values ---------------------------------------------------------------------


def facility_values(spec: FacilitySpec, *, region_id: int, host_id: int) -> dict[str, Any]:
    """The facility's columns as the spec wants them (dates aside), translations included."""
    values: dict[str, Any] = {
        "slug": spec.slug,
        "region_id": region_id,
        "host_id": host_id,
        "acronym": spec.acronym,
        "original_language": "en",
        "website": spec.website,
        "facility_type": spec.facility_type,
        "structure": spec.structure,
        "lifecycle": spec.lifecycle,
        "address": spec.address,
        "city": spec.city,
        "postcode": spec.postcode,
        "latitude": spec.latitude,
        "longitude": spec.longitude,
        "technologies": list(spec.technologies),
        "scientific_domains": list(spec.scientific_domains),
        "application_sectors": list(spec.application_sectors),
        "access_types": list(spec.access_types),
        "access_modes": list(spec.access_modes),
        "target_users": list(spec.target_users),
        "keywords": list(spec.keywords),
        "trl_min": spec.trl_min,
        "trl_max": spec.trl_max,
        "order_type": spec.order_type,
        "pricing": spec.pricing,
        "price_indication": spec.price_indication,
        "lead_time": spec.lead_time,
        "support_level": spec.support_level,
        "training_offered": spec.training_offered,
        "certifications": spec.certifications,
        "contact_name": spec.contact_name,
        "contact_email": spec.contact_email,
        "state": spec.state,
        "source": spec.source,
        "external_id": spec.external_id,
    }
    texts = {
        "name": (spec.name_en, spec.name_local),
        "tagline": (spec.tagline_en, spec.tagline_local),
        "description": (spec.description_en, spec.description_local),
    }
    for field, (english, local) in texts.items():
        for code in LANGUAGES:
            if code == "en":
                values[f"{field}_{code}"] = english
            else:
                values[f"{field}_{code}"] = local if (code == spec.language and local) else None
    return values


def _desired_children(spec: FacilitySpec) -> Children:
    equipment = tuple(tuple(getattr(e, f) for f in EQUIPMENT_FIELDS) for e in spec.equipment)
    services = tuple(
        (*(getattr(s, f) for f in SERVICE_FIELDS), tuple(sorted(s.equipment))) for s in spec.services
    )
    return equipment, services


def _existing_children(facility_ids: list[int]) -> dict[int, Children]:
    """Each facility's equipment and services, in creation order, as `_desired_children` shapes them."""
    equipment: dict[int, list[tuple[Any, ...]]] = {}
    position: dict[int, int] = {}
    for row in (
        Equipment.objects.filter(facility_id__in=facility_ids)
        .order_by("facility_id", "pk")
        .values("pk", "facility_id", *EQUIPMENT_FIELDS)
    ):
        rows = equipment.setdefault(row["facility_id"], [])
        position[row["pk"]] = len(rows)
        rows.append(tuple(row[f] for f in EQUIPMENT_FIELDS))
    used: dict[int, list[int]] = {}
    for service_id, equipment_id in ServiceThrough.objects.filter(
        service__facility_id__in=facility_ids
    ).values_list("service_id", "equipment_id"):
        used.setdefault(service_id, []).append(position.get(equipment_id, -1))
    services: dict[int, list[tuple[Any, ...]]] = {}
    for row in (
        Service.objects.filter(facility_id__in=facility_ids)
        .order_by("facility_id", "pk")
        .values("pk", "facility_id", *SERVICE_FIELDS)
    ):
        services.setdefault(row["facility_id"], []).append(
            (*(row[f] for f in SERVICE_FIELDS), tuple(sorted(used.get(row["pk"], []))))
        )
    return {
        pk: (tuple(equipment.get(pk, [])), tuple(services.get(pk, [])))
        for pk in set(equipment) | set(services)
    }


def _build_children(
    facility_id: int, spec: FacilitySpec
) -> tuple[list[Equipment], list[tuple[Service, tuple[int, ...]]]]:
    equipment = [
        Equipment(facility_id=facility_id, **{f: getattr(e, f) for f in EQUIPMENT_FIELDS})
        for e in spec.equipment
    ]
    services = [
        (Service(facility_id=facility_id, **{f: getattr(s, f) for f in SERVICE_FIELDS}), s.equipment)
        for s in spec.services
    ]
    return equipment, services


def _through_rows(equipment: list[Equipment], services: list[tuple[Service, tuple[int, ...]]]) -> list[Any]:
    return [
        ServiceThrough(service_id=service.pk, equipment_id=equipment[position].pk)
        for service, positions in services
        for position in positions
    ]


def check_codes(spec: FacilitySpec, *, index: TermIndex) -> None:
    """Refuse a spec with a code its vocabulary does not know (bulk inserts skip the services)."""
    values = {
        field: getattr(spec, field) for field in ("facility_type", "order_type", "pricing", "support_level")
    }
    values.update(
        {
            field: list(getattr(spec, field))
            for field in (
                "technologies",
                "scientific_domains",
                "application_sectors",
                "access_types",
                "access_modes",
                "target_users",
            )
        }
    )
    errors: dict[str, Any] = dict(vocabulary_errors(values, index=index))
    unknown_categories = index.unknown(
        Term.Vocabulary.EQUIPMENT_CATEGORY, [e.category for e in spec.equipment]
    )
    unknown_types = index.unknown(Term.Vocabulary.SERVICE_TYPE, [s.service_type for s in spec.services])
    if unknown_categories:
        errors["equipment"] = [f"Unknown equipment categories: {unknown_categories}"]
    if unknown_types:
        errors["services"] = [f"Unknown service types: {unknown_types}"]
    if errors:
        raise ValidationError(errors)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _region_ids() -> dict[str, int]:
    return dict(Region.objects.values_list("code", "pk"))


def _same(current: Any, wanted: Any) -> bool:
    return ("" if current is None else current) == ("" if wanted is None else wanted)


# --- idempotent load through the services -------------------------------------------------------


def _save_hosts(hosts: list[HostSpec], *, region_ids: dict[str, int], host_ids: dict[str, int]) -> None:
    """Create or update the hosts by slug (through `organisation_save`); fill `host_ids`."""
    wanted = {h.slug: h for h in hosts if h.slug not in host_ids}
    if not wanted:
        return
    existing = {o.slug: o for o in Organisation.objects.filter(slug__in=list(wanted))}
    for slug, host in wanted.items():
        desired: dict[str, Any] = {f: getattr(host, f) for f in HOST_FIELDS}
        desired["region_id"] = region_ids[host.region]
        organisation = existing.get(slug)
        if organisation is None:
            organisation = organisation_save(organisation=Organisation(slug=slug, **desired))
        else:
            changed = [f for f, v in desired.items() if getattr(organisation, f) != v]
            if changed:
                for field in changed:
                    setattr(organisation, field, desired[field])
                organisation_save(
                    organisation=organisation, changed_fields=[f.removesuffix("_id") for f in changed]
                )
        host_ids[slug] = organisation.pk


def _write_children(facility_id: int, spec: FacilitySpec) -> None:
    equipment, services = _build_children(facility_id, spec)
    for item in equipment:
        item.clean_fields(exclude=["facility"])
    for service, _positions in services:
        service.clean_fields(exclude=["facility"])
    bulk_create_with_history(equipment, Equipment)
    bulk_create_with_history([service for service, _positions in services], Service)
    ServiceThrough.objects.bulk_create(_through_rows(equipment, services))


def _load_one(
    spec: FacilitySpec,
    values: dict[str, Any],
    row: dict[str, Any] | None,
    children: dict[int, Children],
    *,
    index: TermIndex,
) -> str:
    check_codes(spec, index=index)
    if row is None:
        facility = Facility(**values, published_at=spec.published_at, last_verified_at=spec.last_verified_at)
        facility_save(facility=facility, index=index)
        _write_children(facility.pk, spec)
        facility_refresh(facility_ids=[facility.pk], index=index)
        return "created"
    pk = row["pk"]
    fields_differ = any(not _same(row[field], value) for field, value in values.items())
    children_differ = children.get(pk, ((), ())) != _desired_children(spec)
    if not (fields_differ or children_differ):
        return "unchanged"
    if fields_differ:
        facility = Facility.objects.get(pk=pk)
        for field, value in values.items():
            setattr(facility, field, value)
        if facility.published_at is None and spec.published_at is not None:
            facility.published_at = spec.published_at
        if facility.last_verified_at is None:
            facility.last_verified_at = spec.last_verified_at
        facility_save(facility=facility, index=index)
    if children_differ:
        Service.objects.filter(facility_id=pk).delete()
        Equipment.objects.filter(facility_id=pk).delete()
        _write_children(pk, spec)
        facility_refresh(facility_ids=[pk], index=index)
    return "updated"


def load(specs: Iterable[FacilitySpec], *, index: TermIndex, chunk_size: int = 100) -> LoadResult:
    """Create or update the specs' hosts and facilities; leave matching ones untouched."""
    result = LoadResult()
    region_ids = _region_ids()
    host_ids: dict[str, int] = {}
    for chunk in _chunks(specs, chunk_size):
        with transaction.atomic():
            _save_hosts([s.host for s in chunk], region_ids=region_ids, host_ids=host_ids)
            wanted = {
                s.slug: facility_values(s, region_id=region_ids[s.region], host_id=host_ids[s.host.slug])
                for s in chunk
            }
            fields = list(next(iter(wanted.values())))
            existing = {
                row["slug"]: row
                for row in Facility.objects.filter(slug__in=list(wanted)).values("pk", *fields)
            }
            children = _existing_children([row["pk"] for row in existing.values()])
            for spec in chunk:
                outcome = _load_one(spec, wanted[spec.slug], existing.get(spec.slug), children, index=index)
                setattr(result, outcome, getattr(result, outcome) + 1)
    return result


# --- bulk insert for benchmarks -----------------------------------------------------------------


def load_bulk(specs: Iterable[FacilitySpec], *, index: TermIndex, batch_size: int = 1000) -> int:
    """Insert the facilities whose slug is new, batch by batch; returns how many were created."""
    region_ids = _region_ids()
    host_ids: dict[str, int] = {}
    created = 0
    for chunk in _chunks(specs, batch_size):
        for spec in chunk:
            check_codes(spec, index=index)
        with transaction.atomic():
            new_hosts = {s.host.slug: s.host for s in chunk if s.host.slug not in host_ids}
            if new_hosts:
                Organisation.objects.bulk_create(
                    [
                        Organisation(
                            slug=h.slug,
                            region_id=region_ids[h.region],
                            **{f: getattr(h, f) for f in HOST_FIELDS},
                        )
                        for h in new_hosts.values()
                    ],
                    ignore_conflicts=True,
                )
                host_ids.update(
                    Organisation.objects.filter(slug__in=list(new_hosts)).values_list("slug", "pk")
                )
            taken = set(
                Facility.objects.filter(slug__in=[s.slug for s in chunk]).values_list("slug", flat=True)
            )
            todo = [s for s in chunk if s.slug not in taken]
            facilities = [
                Facility(
                    **facility_values(s, region_id=region_ids[s.region], host_id=host_ids[s.host.slug]),
                    # bulk_create skips modeltranslation's syncing of the untranslated columns.
                    name=s.name_en,
                    tagline=s.tagline_en,
                    description=s.description_en,
                    published_at=s.published_at,
                    last_verified_at=s.last_verified_at,
                )
                for s in todo
            ]
            Facility.objects.bulk_create(facilities)
            built = [_build_children(f.pk, s) for f, s in zip(facilities, todo, strict=True)]
            Equipment.objects.bulk_create([e for equipment, _services in built for e in equipment])
            Service.objects.bulk_create([s for _equipment, services in built for s, _positions in services])
            ServiceThrough.objects.bulk_create(
                [row for equipment, services in built for row in _through_rows(equipment, services)]
            )
            facility_refresh(facility_ids=[f.pk for f in facilities], index=index)
        created += len(facilities)
    return created
