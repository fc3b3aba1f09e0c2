"""Request parsing limits for the API (kept apart from core.api: DRF loads it early)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class LimitedJSONParser(JSONParser):
    """JSON bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE; DRF itself reads any size."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("The request body is larger than %(n)d bytes.") % {"n": limit}]}
            )
        return super().parse(stream, media_type, parser_context)
