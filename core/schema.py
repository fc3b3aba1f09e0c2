"""OpenAPI descriptions drf-spectacular cannot infer (imported by core.apis).

- the knox token scheme;
- `PortalAutoSchema`: reads that `RulesPermission` opens to everyone are documented as
  such (drf-spectacular only knows AllowAny and IsAuthenticatedOrReadOnly);
- `add_error_responses`: the one error shape (core.api.exception_handler) as the
  `Error` component, documented on every operation.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "core.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: create and revoke keys on your profile page.",
        }


class PortalAutoSchema(AutoSchema):
    """AutoSchema that knows the portal's permission classes."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths: list[dict[str, Any]] = super().get_auth()
        if self.method in permissions.SAFE_METHODS and {} not in auths and self._reads_are_public():
            auths.append({})
        return auths

    def _reads_are_public(self) -> bool:
        # Imported here: DRF resolves the schema class while core.api may still be loading.
        from core.api import RulesPermission

        return any(
            isinstance(permission, (RulesPermission, permissions.AllowAny))
            for permission in self.view.get_permissions()
        )


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error shape of every 4xx answer.",
    "required": ["code", "message", "errors"],
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "message": {"type": "string", "example": "The request has invalid values; see errors."},
        "errors": {
            "type": "object",
            "description": "Messages by field (dotted for nested ones); `non_field_errors` for the rest.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
ERROR_RESPONSES = {
    "400": "Invalid values (named in `errors`).",
    "401": "Missing, expired or revoked token.",
    "403": "The token's owner may not do this.",
    "404": "No such record, or not one the caller may see.",
    "429": "Too many requests; retry later.",
}
# Reads answering 304 to a matching If-None-Match.
CONDITIONAL_READS = {("/api/v1/facilities/", "get"), ("/api/v1/facilities/{slug}/", "get")}
METHODS = {"get", "put", "post", "patch", "delete"}


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS: the `Error` component and the 4xx (and 304) answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                # Fresh dicts: shared ones would become YAML anchors in the file.
                content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                responses.setdefault(code, {"description": description, "content": content})
            if (path, method) in CONDITIONAL_READS:
                responses.setdefault("304", {"description": "Not modified: the `ETag` sent still holds."})
    return result
