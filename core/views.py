from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.selectors import health_status, membership_list_for_user


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
    memberships = membership_list_for_user(user=request.user)
    return render(request, "core/profile.html", {"memberships": memberships})
