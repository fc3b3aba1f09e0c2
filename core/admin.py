from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, ManyToManyField, Model, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.models import Membership, Organisation, Region, Term
from core.scoping import (
    coordinated_regions,
    editable_regions,
    scope_coordinated,
    scope_editable,
    scope_viewable,
)
from core.services import (
    membership_grant,
    membership_revoke,
    membership_set_role,
    organisation_save,
    region_save,
    term_save,
)


def _perm(model: type[Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class PermissionRulesAdminMixin:
    """Every admin permission question goes to `user.has_perm(perm, obj)` (core.rules)."""

    model: type[Model]

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm(_perm(self.model, "view"), obj) or self.has_change_permission(
            request, obj
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.has_perm(_perm(self.model, "add"))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm(_perm(self.model, "change"), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm(_perm(self.model, "delete"), obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


class RegionScopedAdminMixin(PermissionRulesAdminMixin):
    """Changelist, search, autocomplete and foreign-key choices narrowed to the user's regions.

    `region_field` is the lookup from this model to its region. Foreign keys to a region
    offer only the regions the user may edit; foreign keys and many-to-many fields to
    other region-scoped models offer only those models' rows in the user's regions.
    """

    region_field = "region"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return scope_viewable(qs, request.user, region_field=self.region_field)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        scoped = _scoped_choices(db_field.related_model, request)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        scoped = _scoped_choices(db_field.related_model, request)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def _scoped_choices(model: Any, request: HttpRequest) -> QuerySet[Any] | None:
    if model is Region:
        return editable_regions(request.user)
    if model is Organisation:
        # Hosts and operators may be any organisation the user can read, so that a
        # facility can name a partner from another region; writes are still scoped.
        return scope_viewable(Organisation.objects.all(), request.user)
    if any(f.name == "region" and f.is_relation for f in model._meta.get_fields()):
        return scope_editable(model._default_manager.all(), request.user)
    return None


@admin.register(Region)
class RegionAdmin(PermissionRulesAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "code", "country", "nuts_code", "partner_name", "is_lead_partner")
    search_fields = ("name", "code", "partner_name")
    readonly_fields = ("code",)

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> Any:
        if request.user.has_perm("core.add_region"):
            return ()
        # A region's coordinator words its page; its identity stays with the project.
        return ("code", "name", "country", "nuts_code", "nuts_level", "is_lead_partner")

    def save_model(self, request: HttpRequest, obj: Region, form: forms.ModelForm[Any], change: bool) -> None:
        region_save(region=obj, changed_fields=list(form.changed_data))


@admin.register(Organisation)
class OrganisationAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "acronym", "type", "helix", "region", "country")
    list_filter = ("region", "type", "helix")
    search_fields = ("name", "acronym")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: forms.ModelForm[Any], change: bool
    ) -> None:
        organisation_save(organisation=obj, changed_fields=list(form.changed_data))


class MembershipAddForm(forms.ModelForm[Membership]):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("A person without an account gets an invitation to set a password."),
    )

    class Meta:
        model = Membership
        fields = ("email", "region", "role")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, role = data.get("email"), data.get("role")
        if email and role:
            if Membership.objects.filter(
                user__email__iexact=email, region=data.get("region"), role=role
            ).exists():
                raise forms.ValidationError(_("This person already has this role here."))
            probe = Membership(region=data.get("region"), role=role)
            # The database's region/role rule, as a message instead of an error page.
            if role in (Membership.Role.EDITOR, Membership.Role.COORDINATOR) and probe.region is None:
                self.add_error("region", _("Editors and coordinators belong to one region."))
            if role == Membership.Role.PROJECT_COORDINATOR and probe.region is not None:
                self.add_error("region", _("A project coordinator acts for all regions: leave it empty."))
        return data


class MembershipChangeForm(forms.ModelForm[Membership]):
    """Only the role changes; who and where stay (revoke and grant anew for those)."""

    class Meta:
        model = Membership
        fields = ("role",)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role"):
            probe = Membership(
                pk=self.instance.pk,
                user_id=self.instance.user_id,
                region_id=self.instance.region_id,
                role=data["role"],
            )
            try:
                probe.validate_constraints()
            except ValidationError as exc:
                raise forms.ValidationError(
                    _("This person already has this role here, or the role does not fit the region.")
                ) from exc
        return data


@admin.register(Membership)
class MembershipAdmin(PermissionRulesAdminMixin, SimpleHistoryAdmin):
    list_display = ("user", "user_email", "region", "role", "created_at")
    list_filter = ("region", "role")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "region")

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return scope_coordinated(super().get_queryset(request), request.user)

    def get_form(
        self, request: HttpRequest, obj: Membership | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = MembershipAddForm if obj is None else MembershipChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> Any:
        return ("user", "region") if obj else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region":
            kwargs["queryset"] = coordinated_regions(request.user)
            # Only a project coordinator grants all-region roles.
            kwargs["required"] = not request.user.has_perm("core.add_region")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not request.user.has_perm("core.add_region"):
            kwargs["choices"] = [
                (value, label)
                for value, label in Membership.Role.choices
                if value != Membership.Role.PROJECT_COORDINATOR
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Membership, form: forms.ModelForm[Any], change: bool
    ) -> None:
        if change:
            membership_set_role(membership=obj, role=obj.role)
            return
        membership = membership_grant(
            email=form.cleaned_data["email"],
            role=obj.role,
            region=obj.region,
            granted_by=request.user,  # type: ignore[arg-type]
            request=request,
        )
        form.instance = membership
        # The admin logs and shows `obj` next: make it the saved membership.
        obj.pk, obj.user, obj.region = membership.pk, membership.user, membership.region
        obj._state.adding = False
        messages.info(request, _("%(user)s now has this role.") % {"user": membership.user})

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        membership_revoke(membership=obj)


@admin.register(Term)
class TermAdmin(PermissionRulesAdminMixin, TranslationAdmin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("label", "code", "vocabulary", "order", "deprecated")
    list_filter = ("vocabulary", "deprecated")
    search_fields = ("code", "label")
    list_editable = ("order", "deprecated")

    def get_readonly_fields(self, request: HttpRequest, obj: Term | None = None) -> Any:
        # Codes are the stable keys that records, imports and the API store.
        return ("vocabulary", "code") if obj else ()

    def save_model(self, request: HttpRequest, obj: Term, form: forms.ModelForm[Any], change: bool) -> None:
        term_save(term=obj, changed_fields=list(form.changed_data))
