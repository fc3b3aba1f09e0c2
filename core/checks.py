"""System checks for configuration invariants (STYLE "Settings")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_axes_backend_first(app_configs: Any, **kwargs: Any) -> list[Error]:
    backends = list(settings.AUTHENTICATION_BACKENDS)
    if not backends or not backends[0].startswith("axes."):
        return [
            Error(
                "django-axes' backend must be first in AUTHENTICATION_BACKENDS.",
                hint="Otherwise a locked-out client still reaches the password check.",
                id="innoinfra.E001",
            )
        ]
    return []


@register()
def check_languages_have_modeltranslation_columns(app_configs: Any, **kwargs: Any) -> list[Warning]:
    codes = [code for code, _ in settings.LANGUAGES]
    if settings.LANGUAGE_CODE not in codes:
        return [
            Warning(
                f"LANGUAGE_CODE {settings.LANGUAGE_CODE!r} is not one of LANGUAGES.",
                id="innoinfra.W001",
            )
        ]
    return []
