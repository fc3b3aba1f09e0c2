"""The admin site: open to every member of a region, not only to `is_staff` users.

Who may see what inside it is decided by `core.scoping` and `core.rules`, like
everywhere else; `is_staff` would be a second, drifting source of truth.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.scoping import access_for


class InnoInfraAdminSite(admin.AdminSite):
    site_header = _("InnoInfra administration")
    site_title = _("InnoInfra")
    index_title = _("Regional records")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or access_for(user).is_member))

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        # One sign-in page for the whole portal (with its throttling), not a second one.
        if request.user.is_authenticated:
            return render(request, "core/no_role.html", status=403)
        return redirect_to_login(request.get_full_path())
