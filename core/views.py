from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.selectors import api_token_list, health_status, membership_list_for_user
from core.services import api_token_create, api_token_revoke


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not.

    A broker outage is reported but keeps 200: the outbox and eager fallbacks keep the
    portal serving while Redis is away, so the load balancer must not drop the web node.
    """
    status = health_status()
    healthy = status["database"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": status},
        status=200 if healthy else 503,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request)


def _profile(
    request: HttpRequest, *, new_token: str | None = None, token_form_error: str | None = None
) -> HttpResponse:
    return render(
        request,
        "core/profile.html",
        {
            "memberships": membership_list_for_user(user=request.user),
            "tokens": api_token_list(user=request.user),
            "new_token": new_token,
            "token_form_error": token_form_error,
        },
        status=400 if token_form_error else 200,
    )


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """The key is shown on this one response only; it is stored hashed."""
    try:
        _token, key = api_token_create(user=request.user, name=request.POST.get("name", ""))  # type: ignore[arg-type]
    except ValidationError as exc:
        return _profile(request, token_form_error=" ".join(exc.messages))
    response = _profile(request, new_token=key)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    if api_token_revoke(user=request.user, token_key=token_key):  # type: ignore[arg-type]
        messages.success(request, _("The token was revoked; systems using it are locked out now."))
    else:
        messages.error(request, _("No such token."))
    return redirect("profile")
