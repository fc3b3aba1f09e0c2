"""API authentication, kept apart from core.api: DRF imports it while loading its views."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """knox tokens, remembering when each was last used (shown on the profile page)."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        user, auth_token = super().authenticate_credentials(token)
        now = timezone.now()
        last = getattr(auth_token, "last_used_at", None)
        if last is None or (now - last).total_seconds() > 300:
            type(auth_token).objects.filter(pk=auth_token.pk).update(last_used_at=now)
        return user, auth_token
