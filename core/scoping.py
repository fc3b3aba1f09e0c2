"""Which rows may this user see or change? The one place that answers (ARCHITECTURE §5).

Every list (pages, admin changelists, autocomplete and foreign-key choices, API, exports,
dashboards) narrows its queryset through these functions. Whether the user may act on
one object is asked through `user.has_perm(...)`, answered by the predicates in
`core.rules`, which read the same `Access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet

from core.models import Membership, Region

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser

_CACHE_ATTR = "_innoinfra_access"
# Bumped whenever memberships change, so that an Access cached on any user object
# (another copy of the same user, in this process) is recomputed.
_generation = 0


@dataclass(frozen=True)
class Access:
    """What a user's memberships add up to. Cached on the user object for one request."""

    all_regions_view: bool = False
    all_regions_change: bool = False
    view_regions: frozenset[int] = frozenset()
    edit_regions: frozenset[int] = frozenset()
    coordinate_regions: frozenset[int] = frozenset()

    @property
    def is_member(self) -> bool:
        return self.all_regions_view or bool(self.view_regions)

    @property
    def is_project_coordinator(self) -> bool:
        return self.all_regions_change

    def can_view(self, region_id: int | None) -> bool:
        return self.all_regions_view or region_id in self.view_regions

    def can_edit(self, region_id: int | None) -> bool:
        return self.all_regions_change or region_id in self.edit_regions

    def can_coordinate(self, region_id: int | None) -> bool:
        return self.all_regions_change or region_id in self.coordinate_regions


NO_ACCESS = Access()


def access_for(user: AnyUser | Any) -> Access:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == _generation:
        return cached[1]
    if user.is_superuser:
        access = Access(all_regions_view=True, all_regions_change=True)
    else:
        access = _access_from_memberships(
            list(
                Membership.objects.filter(user_id=user.pk).values_list(  # type: ignore[misc]
                    "region_id", "role"
                )
            )
        )
    setattr(user, _CACHE_ATTR, (_generation, access))
    return access


def forget_access(user: AnyUser | Any = None) -> None:
    """Memberships changed: every cached `Access` of this process is stale now."""
    global _generation
    _generation += 1
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _access_from_memberships(rows: list[tuple[int | None, str]]) -> Access:
    all_view = all_change = False
    view: set[int] = set()
    edit: set[int] = set()
    coordinate: set[int] = set()
    for region_id, role in rows:
        if role == Membership.Role.PROJECT_COORDINATOR:
            all_view = all_change = True
            continue
        if region_id is None:  # an all-regions viewer
            all_view = True
            continue
        view.add(region_id)
        if role in (Membership.Role.EDITOR, Membership.Role.COORDINATOR):
            edit.add(region_id)
        if role == Membership.Role.COORDINATOR:
            coordinate.add(region_id)
    return Access(
        all_regions_view=all_view,
        all_regions_change=all_change,
        view_regions=frozenset(view),
        edit_regions=frozenset(edit),
        coordinate_regions=frozenset(coordinate),
    )


def _by_regions(qs: QuerySet[M], region_field: str, every: bool, region_ids: frozenset[int]) -> QuerySet[M]:
    if every:
        return qs
    if not region_ids:
        return qs.none()
    return qs.filter(**{f"{region_field}__in": region_ids})


def scope_viewable(qs: QuerySet[M], user: AnyUser | Any, *, region_field: str = "region") -> QuerySet[M]:
    """Rows of the regions whose internal records the user may read."""
    access = access_for(user)
    return _by_regions(qs, region_field, access.all_regions_view, access.view_regions)


def scope_editable(qs: QuerySet[M], user: AnyUser | Any, *, region_field: str = "region") -> QuerySet[M]:
    """Rows of the regions the user may edit (editor, coordinator, project coordinator)."""
    access = access_for(user)
    return _by_regions(qs, region_field, access.all_regions_change, access.edit_regions)


def scope_coordinated(qs: QuerySet[M], user: AnyUser | Any, *, region_field: str = "region") -> QuerySet[M]:
    """Rows of the regions the user coordinates."""
    access = access_for(user)
    return _by_regions(qs, region_field, access.all_regions_change, access.coordinate_regions)


def public_or_viewable(
    qs: QuerySet[M], user: AnyUser | Any, *, public: Q, region_field: str = "region"
) -> QuerySet[M]:
    """Public rows for everyone, plus every row of the regions the user may read."""
    access = access_for(user)
    if access.all_regions_view:
        return qs
    if not access.view_regions:
        return qs.filter(public)
    return qs.filter(public | Q(**{f"{region_field}__in": access.view_regions}))


def editable_regions(user: AnyUser | Any) -> QuerySet[Region]:
    return scope_editable(Region.objects.all(), user, region_field="pk")


def coordinated_regions(user: AnyUser | Any) -> QuerySet[Region]:
    return scope_coordinated(Region.objects.all(), user, region_field="pk")


def viewable_regions(user: AnyUser | Any) -> QuerySet[Region]:
    return scope_viewable(Region.objects.all(), user, region_field="pk")


def region_id_of(obj: object) -> int | None:
    """The region a record belongs to: its own `region_id`, or its parent's."""
    if isinstance(obj, Region):
        return obj.pk
    region_id = getattr(obj, "region_id", None)
    return region_id if isinstance(region_id, int) else None
