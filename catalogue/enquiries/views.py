"""The SME's side of enquiries: the form, the confirmation, and the private page.

No account: the SME proves nothing but owning the private link mailed to them, so the
link is a capability. Its pages are never cached, indexed or sent as a referrer, and a
link that does not open an enquiry (unknown, wrong token, anonymised) gets the site's
ordinary 404 page, unlogged, with nothing that tells the cases apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalogue import selectors as catalogue_selectors
from catalogue.enquiries import selectors, services
from catalogue.enquiries.forms import COUNTRY_NAMES, EnquiryForm, RequesterReplyForm, consent_wording
from catalogue.enquiries.links import enquiry_path, enquiry_token
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread, Facility
from core.api import api_aware_not_found
from core.ratelimit import client_ip, rate_limit_hit

SENT_SESSION_KEY = "enquiry_sent_to"
# Slugs read from a query string or a post: a few more than can be asked, so a notice can
# say some were left out; the rest is ignored unread.
MAX_SLUGS_READ = 12
State = EnquiryThread.State

PrivateView = Callable[..., HttpResponse]


# --- Helpers ----------------------------------------------------------------------------


def _slugs(values: Iterable[str]) -> list[str]:
    raw = [part.strip() for value in values for part in value.split(",")]
    # Only slug-shaped values reach the database (NUL bytes and the like are dropped).
    return list(dict.fromkeys(s[:220] for s in raw if slug_re.match(s)))[:MAX_SLUGS_READ]


def _published_facilities(slugs: list[str]) -> list[Facility]:
    """The published facilities among `slugs`, in the order given.

    Read as an anonymous visitor would: a signed-in editor cannot enquire to a draft.
    """
    found = {
        f.slug: f
        for f in catalogue_selectors.visible_facilities(AnonymousUser())
        .filter(slug__in=slugs)
        .select_related("region")
    }
    return [found[s] for s in slugs if s in found]


def _add_service_errors(form: EnquiryForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _no_private_traces(response: HttpResponse) -> HttpResponse:
    """What every response under a private link carries, whatever its status.

    `strict-origin`, not `no-referrer`: both keep the path (and so the token) out of every
    Referer header, to other sites and to our own static files alike. But under
    `no-referrer` browsers send `Origin: null` with the page's own form posts (Fetch
    standard, "serializing a request origin"), and Django's CSRF check refuses them: the
    reply, withdraw and delete forms, and the language switcher, would all fail with 403.
    """
    response["Referrer-Policy"] = "strict-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    """The site's 404 page, without Django's "Not Found: <path>" log line.

    The path holds a token; a wrong one is harmless, but an access log of capability URLs
    is not something to keep. (The web server's own access log is configured elsewhere.)
    """
    response = api_aware_not_found(request, Http404())
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log.log_response
    return response


def private_link(view: PrivateView) -> Callable[..., HttpResponse]:
    """Open the enquiry of a private link, or answer 404; mark every response private."""

    @wraps(view)
    def wrapper(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
        enquiry = selectors.enquiry_by_link(public_id=public_id, token=token)
        if enquiry is None:
            return _no_private_traces(_not_found(request))
        try:
            response = view(request, enquiry)
        except Http404:
            response = _not_found(request)
        return _no_private_traces(response)

    return wrapper


# --- The form ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def enquiry_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _enquiry_post(request)
    wanted = _slugs(request.GET.getlist("facility"))
    facilities = _published_facilities(wanted)
    if not facilities:
        raise Http404(_("No facility open for enquiries was chosen."))
    notices = []
    if len(facilities) < len(wanted):
        notices.append(_("Some of the facilities you chose are not open for enquiries and are left out."))
    limit = settings.ENQUIRY_MAX_FACILITIES
    if len(facilities) > limit:
        facilities = facilities[:limit]
        notices.append(
            _("You can ask up to %(n)d facilities at once; the first %(n)d are kept.") % {"n": limit}
        )
    form = EnquiryForm(facilities=facilities)
    return _form_page(request, form, facilities, notices=notices)


def _enquiry_post(request: HttpRequest) -> HttpResponse:
    facilities = _published_facilities(_slugs(request.POST.getlist("facilities")))
    form = EnquiryForm(request.POST, facilities=facilities)
    # Every attempt counts against the address, bots and mistakes alike.
    if rate_limit_hit("enquiry-ip", client_ip(request), settings.ENQUIRY_RATE_PER_IP):
        form.add_error(None, _too_many())
        return _form_page(request, form, facilities, status=429)
    if form.honeypot_filled:
        # Same answer as a success, so the bot learns nothing; nothing stored or mailed.
        request.session[SENT_SESSION_KEY] = str(request.POST.get("email", ""))[:254]
        return redirect("enquiries:sent")
    if not form.is_valid():
        return _form_page(request, form, facilities)
    email = form.cleaned_data["email"]
    if rate_limit_hit("enquiry-email", email.lower(), settings.ENQUIRY_RATE_PER_EMAIL):
        form.add_error(None, _too_many())
        return _form_page(request, form, facilities, status=429)
    try:
        services.enquiry_submit(
            requester=form.requester(),
            request=form.enquiry_request(),
            facilities=form.chosen_facilities(),
            consent_text=consent_wording(),
            language=get_language() or settings.LANGUAGE_CODE,
        )
    except ValidationError as error:
        _add_service_errors(form, error)
        return _form_page(request, form, facilities)
    request.session[SENT_SESSION_KEY] = email
    return redirect("enquiries:sent")


def _too_many() -> str:
    return _(
        "We received too many enquiries from you in a short time, so this one was not sent. "
        "Please try again in an hour; what you wrote is still below."
    )


def _form_page(
    request: HttpRequest,
    form: EnquiryForm,
    facilities: list[Facility],
    *,
    notices: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "catalogue/enquiries/form.html",
        {"form": form, "facilities": facilities, "notices": notices or []},
        status=status,
    )


def enquiry_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get(SENT_SESSION_KEY, "")
    # The address is personal: never kept by a cache along the way.
    return _no_private_traces(render(request, "catalogue/enquiries/sent.html", {"email": email}))


# --- The private page -------------------------------------------------------------------


def _can_reply(enquiry: Enquiry, thread: EnquiryThread) -> bool:
    return services.requester_may_reply(enquiry=enquiry, thread=thread)


def _paths(enquiry: Enquiry) -> dict[str, str]:
    kwargs = {"public_id": enquiry.public_id, "token": enquiry_token(enquiry)}
    return {
        "private_path": enquiry_path(enquiry),
        "withdraw_path": reverse("enquiries:withdraw", kwargs=kwargs),
        "delete_path": reverse("enquiries:delete", kwargs=kwargs),
    }


def _sender(thread: EnquiryThread, message: EnquiryMessage) -> str:
    """Who a message is from, for the SME: never a staff member's name or address."""
    if message.author == EnquiryMessage.Author.REQUESTER:
        return _("You")
    if message.author == EnquiryMessage.Author.STAFF:
        return thread.facility.name
    return "InnoInfra"


def _private_page(
    request: HttpRequest,
    enquiry: Enquiry,
    *,
    posted: RequesterReplyForm | None = None,
    confirm_withdraw: bool = False,
    status: int = 200,
) -> HttpResponse:
    threads = selectors.enquiry_threads_for_requester(enquiry=enquiry)
    conversations: list[dict[str, Any]] = []
    for thread in threads:
        form = None
        if _can_reply(enquiry, thread):
            is_posted = posted is not None and posted.data.get("thread") == str(thread.pk)
            form = posted if is_posted else RequesterReplyForm(thread_id=thread.pk)
        conversations.append(
            {
                "thread": thread,
                "messages": [(_sender(thread, m), m) for m in thread.messages.all()],
                "form": form,
            }
        )
    return render(
        request,
        "catalogue/enquiries/private.html",
        {
            "enquiry": enquiry,
            "conversations": conversations,
            "country_name": COUNTRY_NAMES.get(enquiry.country, enquiry.country),
            "can_withdraw": enquiry.withdrawn_at is None and any(t.is_open for t in threads),
            "confirm_withdraw": confirm_withdraw,
            **_paths(enquiry),
        },
        status=status,
    )


@private_link
@require_http_methods(["GET", "POST"])
def enquiry_private(request: HttpRequest, enquiry: Enquiry) -> HttpResponse:
    if request.method != "POST":
        return _private_page(request, enquiry)
    raw_thread = request.POST.get("thread", "")
    form = RequesterReplyForm(
        request.POST,
        thread_id=int(raw_thread)
        if raw_thread.isascii() and raw_thread.isdigit() and len(raw_thread) < 12
        else None,
    )
    if not form.is_valid():
        return _private_page(request, enquiry, posted=form, status=400)
    threads = {t.pk: t for t in selectors.enquiry_threads_for_requester(enquiry=enquiry)}
    thread = threads.get(form.cleaned_data["thread"])
    if thread is None:
        raise Http404
    if not _can_reply(enquiry, thread):
        messages.error(request, _("This conversation is finished; it cannot be answered any more."))
        return HttpResponseRedirect(enquiry_path(enquiry))
    try:
        services.enquiry_requester_reply(enquiry=enquiry, thread=thread, body=form.cleaned_data["body"])
    except ValidationError as error:
        form.add_error("body" if hasattr(error, "error_dict") and "body" in error.error_dict else None, error)
        return _private_page(request, enquiry, posted=form, status=400)
    messages.success(
        request, _("Your message was sent to %(facility)s.") % {"facility": thread.facility.name}
    )
    return HttpResponseRedirect(enquiry_path(enquiry) + f"#thread-{thread.pk}")


@private_link
@require_POST
def enquiry_withdraw(request: HttpRequest, enquiry: Enquiry) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        return _private_page(request, enquiry, confirm_withdraw=True)
    try:
        count = services.enquiry_withdraw(enquiry=enquiry)
    except ValidationError:
        raise Http404 from None  # anonymised meanwhile: the link no longer opens anything
    if count:
        messages.success(request, _("You withdrew your enquiry. The facilities were told."))
    else:
        messages.info(request, _("Nothing was left to withdraw: every conversation had ended."))
    return HttpResponseRedirect(enquiry_path(enquiry))


@private_link
@require_http_methods(["GET", "POST"])
def enquiry_delete(request: HttpRequest, enquiry: Enquiry) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "catalogue/enquiries/delete.html",
            {"enquiry": enquiry, **_paths(enquiry)},
        )
    try:
        services.enquiry_request_deletion(enquiry=enquiry)
    except ValidationError:
        raise Http404 from None  # anonymised meanwhile: the link no longer opens anything
    # No redirect: the link stops working now, and the next page must not need it.
    return render(request, "catalogue/enquiries/deleted.html")
