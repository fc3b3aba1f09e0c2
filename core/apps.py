from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = _("Portal kernel")

    def ready(self) -> None:
        from simple_history import register as register_history

        from core import checks  # noqa: F401  (registers system checks)
        from core.models import Term

        # After modeltranslation's columns exist (see catalogue.apps).
        register_history(Term, app="core")


class InnoInfraAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.InnoInfraAdminSite"
