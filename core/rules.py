"""May this user do this to this object? django-rules predicates (ARCHITECTURE §5).

Reached only through `user.has_perm("app.action_model", obj)`: the admin, the views, the
API's permission class and the importers all ask the same question here. With
`obj=None` a predicate answers the model-level question ("may this user add
facilities at all?", "show this model in the admin?").
"""

from __future__ import annotations

from typing import Any

import rules

from core.models import Membership
from core.scoping import access_for, region_id_of


@rules.predicate
def is_member(user: Any) -> bool:
    return access_for(user).is_member


@rules.predicate
def is_project_coordinator(user: Any) -> bool:
    return access_for(user).is_project_coordinator


@rules.predicate
def can_view_region_of(user: Any, obj: object | None = None) -> bool:
    access = access_for(user)
    if obj is None:
        return access.is_member
    return access.can_view(region_id_of(obj))


@rules.predicate
def can_edit_region_of(user: Any, obj: object | None = None) -> bool:
    access = access_for(user)
    if obj is None:
        return access.all_regions_change or bool(access.edit_regions)
    return access.can_edit(region_id_of(obj))


@rules.predicate
def can_coordinate_region_of(user: Any, obj: object | None = None) -> bool:
    access = access_for(user)
    if obj is None:
        return access.all_regions_change or bool(access.coordinate_regions)
    return access.can_coordinate(region_id_of(obj))


@rules.predicate
def is_regional_membership(user: Any, obj: object | None = None) -> bool:
    """A coordinator manages editors, coordinators and viewers of one region, no more."""
    if obj is None:
        return True
    assert isinstance(obj, Membership)
    return obj.region_id is not None and obj.role != Membership.Role.PROJECT_COORDINATOR


def register_region_scoped(
    app_label: str,
    model_name: str,
    *,
    view: rules.Predicate = can_view_region_of,
    change: rules.Predicate = can_edit_region_of,
) -> None:
    """The usual permission set of a record that belongs to one region."""
    rules.add_perm(f"{app_label}.view_{model_name}", view)
    rules.add_perm(f"{app_label}.add_{model_name}", change)
    rules.add_perm(f"{app_label}.change_{model_name}", change)
    rules.add_perm(f"{app_label}.delete_{model_name}", change)


rules.add_perm("core.view_region", is_member)
rules.add_perm("core.add_region", is_project_coordinator)
# A coordinator keeps the region's page and inclusion criteria current.
rules.add_perm("core.change_region", can_coordinate_region_of)
rules.add_perm("core.delete_region", is_project_coordinator)

register_region_scoped("core", "organisation")

_manage_membership = can_coordinate_region_of & (is_project_coordinator | is_regional_membership)
rules.add_perm("core.view_membership", can_coordinate_region_of)
rules.add_perm("core.add_membership", _manage_membership)
rules.add_perm("core.change_membership", _manage_membership)
rules.add_perm("core.delete_membership", _manage_membership)

# Vocabularies are shared by all regions: one editor's rename would change every
# region's records, so only the project coordinator curates them.
rules.add_perm("core.view_term", is_member)
rules.add_perm("core.add_term", is_project_coordinator)
rules.add_perm("core.change_term", is_project_coordinator)
rules.add_perm("core.delete_term", is_project_coordinator)
