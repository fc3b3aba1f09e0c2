"""Typed readers of environment variables.

Each helper names the variable and the offending value when it refuses one, so that a
typo in a deployment fails at start with a message an operator can act on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, default)


def env_bool(name: str, default: bool = False, *, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if name not in environ:
        return default
    value = environ[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={environ[name]!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    environ = os.environ if environ is None else environ
    if name not in environ or environ[name].strip() == "":
        return default
    raw = environ[name]
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} is above the maximum of {maximum}.")
    return value


def env_list(
    name: str, default: list[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list; blanks around items are dropped, empty items refused."""
    environ = os.environ if environ is None else environ
    if name not in environ or environ[name].strip() == "":
        return list(default or [])
    items = [item.strip() for item in environ[name].split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={environ[name]!r} has an empty item in its list.")
    return items


def env_url(
    name: str,
    default: str = "",
    *,
    schemes: tuple[str, ...],
    environ: Mapping[str, str] | None = None,
) -> str:
    """A URL whose scheme is one of `schemes`; empty when unset and no default."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name, default).strip()
    if not raw:
        return ""
    try:
        parsed = urlparse(raw)
        parsed.port  # noqa: B018  (parses the port; raises on a malformed one)
    except ValueError as exc:
        # The value may hold a password: name the variable and the reason only.
        raise ImproperlyConfigured(f"{name} is not a valid URL ({exc}).") from None
    if parsed.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={_redact(raw)!r} must start with one of: {', '.join(s + '://' for s in schemes)}."
        )
    if not (parsed.netloc or parsed.path or parsed.query):
        raise ImproperlyConfigured(f"{name}={_redact(raw)!r} names no host.")
    return raw


def _redact(url: str) -> str:
    """Hide a password in a URL before it goes into an error message."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
