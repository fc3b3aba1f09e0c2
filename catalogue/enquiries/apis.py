"""/api/v1/enquiries/: the inbox through the API, for the region's editors (issue #7).

One resource is one facility's side of an enquiry (an `EnquiryThread`). Nothing here is
public: enquiries hold an SME's personal data, so every request needs a token (401
without), and only users who answer some region's enquiries get further (403 for
viewers and people without a role). Lists and objects come from the inbox's selectors
(404 for another region's thread), writes go through the inbox's services, so the API
follows the same rules and sends the same mails as the pages.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.enquiries import selectors, services
from catalogue.enquiries.serializers import (
    EnquiryDetailSerializer,
    EnquiryListSerializer,
    EnquiryMessageSerializer,
    EnquiryReplySerializer,
    EnquiryUpdateSerializer,
)
from catalogue.models import EnquiryThread
from core.api import PortalPagination, query_param
from core.models import Region

State = EnquiryThread.State


class EnquiryPermission(permissions.BasePermission):
    """Reads too are closed: `view_enquirythread` (model level: answers some region) to
    enter, then `view_`/`change_enquirythread` on the thread itself (core.rules)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.has_perm("catalogue.view_enquirythread"))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        verb = "view" if request.method in permissions.SAFE_METHODS else "change"
        return bool(request.user.has_perm(f"catalogue.{verb}_enquirythread", obj))


MAX_ID = 2**63 - 1  # threads have 64-bit ids
_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The thread's id (`id` in the list).")


def _staff(request: Request) -> User:
    # EnquiryPermission let only signed-in users through.
    return cast(User, request.user)


_LIST_PARAMETERS = [
    OpenApiParameter(
        "box",
        str,
        enum=list(selectors.BOXES),
        description=(
            "The inbox's boxes: `new`, `mine` (assigned to you, open), `overdue` (no answer "
            "after 5 working days), `open`, `closed`, `all` (default)."
        ),
    ),
    OpenApiParameter("facility", str, description="Facility slug."),
    OpenApiParameter("region", str, description="Region code."),
    OpenApiParameter("state", str, enum=list(State.values), description="One state."),
    OpenApiParameter(
        "updated_since",
        str,
        description="ISO 8601 date or date-time (UTC when no offset is given): threads changed since.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="Enquiries to the facilities of the regions you answer for",
        description=(
            "One item per facility asked (an enquiry to three facilities is three items "
            "sharing `enquiry`). Cursor mode by default; `page=N` for page mode, newest first."
        ),
        parameters=_LIST_PARAMETERS,
        tags=["enquiries"],
    ),
    retrieve=extend_schema(
        summary="One enquiry with the conversation and the other facilities asked",
        parameters=[_ID],
        tags=["enquiries"],
    ),
    partial_update=extend_schema(
        summary="Change the state (with a note to the SME), the outcome or the assignee",
        description=(
            "A change of state is mailed to the SME, with `note` when given. Allowed moves "
            "follow the inbox's state machine; others answer 400 on `state`. Anonymised "
            "enquiries no longer change (400)."
        ),
        parameters=[_ID],
        request=EnquiryUpdateSerializer,
        responses={200: EnquiryDetailSerializer},
        tags=["enquiries"],
    ),
)
class EnquiryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[EnquiryThread]):
    permission_classes = [EnquiryPermission]
    pagination_class = PortalPagination
    lookup_value_regex = r"[0-9]+"
    # No create (enquiries come from the public form), no replace, no delete (405).
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return EnquiryListSerializer
        if self.action == "partial_update":
            return EnquiryUpdateSerializer
        if self.action == "replies":
            return EnquiryReplySerializer
        return EnquiryDetailSerializer

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Personal data: no shared or browser cache keeps a copy.
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    # --- reading ------------------------------------------------------------------------

    def get_queryset(self) -> QuerySet[EnquiryThread]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return EnquiryThread.objects.none()
        box = query_param(self.request, "box") or "all"
        if box not in selectors.BOXES:
            raise exceptions.ValidationError(
                {"box": [_("Choose one of: %(boxes)s.") % {"boxes": ", ".join(selectors.BOXES)}]}
            )
        region_id = None
        code = query_param(self.request, "region")
        if code:
            region_id = Region.objects.filter(code=code).values_list("pk", flat=True).first()
            if region_id is None:
                raise exceptions.ValidationError({"region": [_("Unknown region.")]})
        qs = selectors.inbox_threads(user=self.request.user, box=box, region_id=region_id)
        facility = query_param(self.request, "facility")
        if facility:
            qs = qs.filter(facility__slug=facility)
        state = query_param(self.request, "state")
        if state:
            if state not in State.values:
                raise exceptions.ValidationError({"state": [_("Unknown state.")]})
            qs = qs.filter(state=state)
        since = self._updated_since()
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        return qs

    def _updated_since(self) -> datetime | None:
        raw = query_param(self.request, "updated_since")
        if not raw:
            return None
        try:
            moment = parse_datetime(raw)
            day = None if moment else parse_date(raw)
        except ValueError:  # well-formed but impossible, e.g. 2025-02-30
            moment = day = None
        if moment is None and day is not None:
            moment = datetime.combine(day, time.min)
        if moment is None:
            raise exceptions.ValidationError(
                {"updated_since": [_("Give an ISO 8601 date or date-time, e.g. 2025-03-14T09:00:00Z.")]}
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)
        return moment

    def get_object(self) -> EnquiryThread:
        """The inbox's own lookup: 404 for what is not the user's to answer."""
        thread_id = int(self.kwargs["pk"])
        thread = (
            None
            if thread_id > MAX_ID
            else selectors.inbox_thread(user=self.request.user, thread_id=thread_id)
        )
        if thread is None:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, thread)
        return thread

    def _detail(self, thread: EnquiryThread) -> dict[str, Any]:
        context = {
            **self.get_serializer_context(),
            "other_facilities": selectors.sibling_threads(thread=thread),
        }
        return dict(EnquiryDetailSerializer(thread, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._detail(self.get_object()))

    # --- writing ------------------------------------------------------------------------

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        thread = self.get_object()
        serializer = EnquiryUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        # All or nothing (a refused assignee leaves no state change behind): the service's own.
        services.thread_update(thread=thread, user=_staff(request), data=dict(serializer.validated_data))
        refreshed = selectors.inbox_thread(user=request.user, thread_id=thread.pk)
        assert refreshed is not None  # the user could change it a moment ago
        return Response(self._detail(refreshed))

    @extend_schema(
        summary="Answer the SME (mailed at once); optionally move the state",
        description="The first answer sets `first_response_at`. Anonymised or withdrawn enquiries: 400.",
        parameters=[_ID],
        request=EnquiryReplySerializer,
        responses={201: EnquiryMessageSerializer},
        tags=["enquiries"],
    )
    @action(detail=True, methods=["post"])
    def replies(self, request: Request, pk: str | None = None) -> Response:
        thread = self.get_object()
        serializer = EnquiryReplySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        message = services.thread_reply(
            thread=thread,
            user=_staff(request),
            body=serializer.validated_data["body"],
            state=serializer.validated_data.get("state"),
        )
        return Response(
            EnquiryMessageSerializer(message, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
