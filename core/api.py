"""The API's shared machinery: authentication, permissions, errors, paging, caching headers.

Every app's `apis.py` builds on these, so that all endpoints answer the same way.
"""

from __future__ import annotations

import hashlib
from base64 import b64decode, b64encode
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, pagination, permissions, renderers, routers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.scoping import access_for

# --- permissions ----------------------------------------------------------------------


class RulesPermission(permissions.BasePermission):
    """Reads of public records for everyone; everything else asks `user.has_perm` (core.rules).

    The view names its model (`perm_model`); unsafe methods map to add/change/delete.
    Objects the user may not see never reach here: querysets are scoped first (404).
    """

    actions = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def _perm(self, view: Any, action: str) -> str:
        model: type[Model] = view.perm_model
        return f"{model._meta.app_label}.{action}_{model._meta.model_name}"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        return bool(request.user.has_perm(self._perm(view, self.actions[request.method or "POST"])))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user.has_perm(self._perm(view, self.actions[request.method or "POST"]), obj))


# --- errors ---------------------------------------------------------------------------


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One error shape for every 4xx: {"code", "message", "errors": {field: [...]}}."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            # Model-level errors come as "__all__"; serializers say "non_field_errors".
            exc = exceptions.ValidationError(
                {
                    (non_field if key == NON_FIELD_ERRORS else key): value
                    for key, value in exc.message_dict.items()
                }
            )
        else:
            exc = exceptions.ValidationError({non_field: exc.messages})
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ValidationError({non_field: [_("The request body is too large.")]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field_errors = exc.detail if isinstance(exc.detail, dict) else {non_field: exc.detail}
        response.data = {
            "code": "invalid",
            "message": _("The request has invalid values; see errors."),
            "errors": _flatten(field_errors),
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {
            "code": getattr(detail, "code", None) or exc.default_code,
            "message": str(detail) if not isinstance(detail, (dict, list)) else str(exc.default_detail),
            "errors": {},
        }
    return response


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as dotted field names: {"services.0.name": ["..."]}."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(detail, list) and detail and all(isinstance(i, (dict, list)) for i in detail):
        for n, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{n}" if prefix else str(n)))
    elif isinstance(detail, list):
        out[prefix or non_field] = [str(i) for i in detail]
    else:
        out[prefix or non_field] = [str(detail)]
    return {k: v for k, v in out.items() if v}


def api_aware_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: the one error shape under /api/, the portal's HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": exceptions.NotFound.default_code,
                "message": str(exceptions.NotFound.default_detail),
                "errors": {},
            },
            status=status.HTTP_404_NOT_FOUND,
        )
    return page_not_found(request, exception or Http404())


def query_param(request: Request, name: str) -> str | None:
    """A single query parameter, refused (400, named) when it holds a NUL character."""
    value = request.query_params.get(name)
    if value is not None and "\x00" in value:
        raise exceptions.ValidationError({name: [_("Null characters are not allowed.")]})
    return value


# --- pagination -----------------------------------------------------------------------


class PortalPagination(pagination.BasePagination):
    """Two modes on one endpoint.

    - cursor (default): `?cursor=` walks the rows in id order; safe while data changes.
    - page: `?page=N` (with `page_size`) gives `count` and follows the requested ordering,
      relevance included.
    The `Link` header carries `next`/`prev` in both.
    """

    page_size = 20
    max_page_size = 100
    max_page = 10_000

    def __init__(self) -> None:
        self.mode = "cursor"
        self.count: int | None = None
        self.next_url: str | None = None
        self.previous_url: str | None = None

    @staticmethod
    def wants_page_mode(request: Request) -> bool:
        return "page" in request.query_params

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError({"page_size": [_("A whole number is required.")]}) from None
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("Must be between 1 and %(max)d.") % {"max": self.max_page_size}]}
            )
        return size

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        size = self._page_size(request)
        self.request = request
        if self.wants_page_mode(request):
            # Sort narrow rows (ids) and read only this page's wide rows: ranking every
            # hit's full row cost about half the time of a broad search (issue #6).
            def read_rows(ids: list[int]) -> list[Any]:
                by_pk = queryset.order_by().filter(pk__in=ids).in_bulk() if ids else {}
                return [by_pk[pk] for pk in ids if pk in by_pk]

            return self._page_mode(
                request,
                size,
                count=queryset.count,
                ids=lambda start, stop: list(queryset.values_list("pk", flat=True)[start:stop]),
                rows=read_rows,
            )
        after = self._decode_cursor(request.query_params.get("cursor"))
        qs = queryset.order_by("pk")
        if after is not None:
            qs = qs.filter(pk__gt=after)
        rows = list(qs[: size + 1])
        if len(rows) > size:
            rows = rows[:size]
            self.next_url = self._url(request, cursor=self._encode_cursor(rows[-1].pk))
        return rows

    def paginate_hits(
        self, hits: Sequence[int], request: Request, *, rows: Callable[[list[int]], list[Any]]
    ) -> list[Any]:
        """Page mode over ids already in order (a search engine's hits); `rows` reads them."""
        self.request = request
        return self._page_mode(
            request,
            self._page_size(request),
            count=lambda: len(hits),
            ids=lambda start, stop: list(hits[start:stop]),
            rows=rows,
        )

    def _page_mode(
        self,
        request: Request,
        size: int,
        *,
        count: Callable[[], int],
        ids: Callable[[int, int], list[int]],
        rows: Callable[[list[int]], list[Any]],
    ) -> list[Any]:
        self.mode = "page"
        raw = request.query_params.get("page", "1")
        try:
            number = int(raw)
        except ValueError:
            raise exceptions.ValidationError({"page": [_("A whole number is required.")]}) from None
        if not 1 <= number <= self.max_page:
            raise exceptions.ValidationError(
                {"page": [_("Must be between 1 and %(max)d.") % {"max": self.max_page}]}
            )
        self.count = count()
        start = (number - 1) * size
        page = rows(ids(start, start + size))
        if start + size < self.count:
            self.next_url = self._url(request, page=str(number + 1))
        if number > 1:
            self.previous_url = self._url(request, page=str(number - 1))
        return page

    def _url(self, request: Request, **changes: str) -> str:
        params = [(k, v) for k, values in request.query_params.lists() if k not in changes for v in values]
        params += list(changes.items())
        return request.build_absolute_uri(request.path) + "?" + urlencode(params)

    @staticmethod
    def _encode_cursor(pk: int) -> str:
        return b64encode(f"id:{pk}".encode()).decode().rstrip("=")

    @staticmethod
    def _decode_cursor(raw: str | None) -> int | None:
        if not raw:
            return None
        try:
            text = b64decode(raw + "=" * (-len(raw) % 4), validate=True).decode()
            kind, value = text.split(":", 1)
            if kind != "id":
                raise ValueError(kind)
            return int(value)
        except (ValueError, UnicodeDecodeError):
            raise exceptions.ValidationError({"cursor": [_("This cursor is not valid.")]}) from None

    def get_paginated_response(self, data: Any) -> Response:
        body: OrderedDict[str, Any] = OrderedDict()
        if self.mode == "page":
            body["count"] = self.count
        body["next"] = self.next_url
        body["previous"] = self.previous_url
        body["results"] = data
        response = Response(body)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.next_url), ("prev", self.previous_url))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "description": "Total hits (page mode only).", "example": 240},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque position from a previous `next` link (cursor mode, id order).",
                "schema": {"type": "string"},
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number; switches to page mode with a total `count`.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Items per page (1-{self.max_page_size}, default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


# --- conditional requests -------------------------------------------------------------


def scope_key(request: Request) -> str:
    """What the user may see: part of every validator, so no scope reads another's cache."""
    access = access_for(request.user)
    return (
        f"{int(access.all_regions_view)}{sorted(access.view_regions)}"
        f"{int(access.all_regions_change)}{sorted(access.edit_regions)}"
    )


def conditional_response(
    request: Request, *, version: str, last_modified: Any | None
) -> tuple[str, Response | None]:
    """ETag for this request and data version; a ready 304 when the client has it."""
    raw = "|".join([version, request.get_full_path(), scope_key(request), get_language() or ""])
    etag = quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32])
    if_none_match = request.headers.get("If-None-Match", "")
    if etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*":
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
        add_validators(response, etag=etag, last_modified=last_modified)
        return etag, response
    return etag, None


def add_validators(response: Response, *, etag: str, last_modified: Any | None) -> Response:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Vary"] = "Accept, Accept-Language, Authorization, Cookie"
    return response


# --- renderers ------------------------------------------------------------------------


class CSVRenderer(renderers.BaseRenderer):
    """Declares `format=csv`; list views build the file themselves (with formula escaping).

    Whatever else reaches it (an error body) is written as a two-column CSV.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        lines = ["code,message"]
        if isinstance(data, dict):
            code = str(data.get("code", "")).replace('"', "'")
            message = str(data.get("message", "")).replace('"', "'")
            lines.append(f'"{code}","{message}"')
        return ("\n".join(lines) + "\n").encode()


class APIRootView(routers.APIRootView):
    """The API's index is public, like the reads it lists."""

    permission_classes = [permissions.AllowAny]
