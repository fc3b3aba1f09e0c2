"""The regional partners' inbox: `/manage/enquiries/` and one thread's page (issue #7).

Thin interfaces (STYLE "Views and templates") over `catalogue.enquiries.selectors` for
reading and `catalogue.enquiries.services` for every change. Who sees what:

- the list needs `catalogue.view_enquirythread` (the editors, coordinators and project
  coordinators of some region); anyone else signed in gets a 403, like "my region";
- a thread outside the user's regions is a 404, never a 403: the page must not tell
  another region's editor (or a viewer) that the enquiry exists. Every POST asks
  `catalogue.change_enquirythread` on the thread as well.

Messages are an SME's plain text: the templates escape them and keep line breaks, and
never turn addresses into links (a link in a stranger's message is the phishing vector
the issue names).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from catalogue.enquiries import selectors, services
from catalogue.models import EnquiryThread
from core.dates import working_days_between
from core.models import Region
from core.scoping import access_for, editable_regions

PAGE_SIZE = 25
MAX_PAGE = 1000
DEFAULT_BOX = "open"
# A select with more options than this is no help; the text search finds the rest.
BOX_LABELS = {
    "new": gettext_lazy("New"),
    "mine": gettext_lazy("Assigned to me"),
    "overdue": gettext_lazy("Overdue"),
    "open": gettext_lazy("Open"),
    "closed": gettext_lazy("Closed"),
    "all": gettext_lazy("All"),
}
State = EnquiryThread.State


# --- shared helpers -------------------------------------------------------------------


def human_duration(value: timedelta | None) -> str:
    """A response time as people say it: minutes, hours up to two days, then days."""
    if value is None:
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = value.total_seconds() / 3600
    if hours < 48:
        n = round(hours)
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    days = round(hours / 24, 1)
    if days == int(days):
        return ngettext("%(n)d day", "%(n)d days", int(days)) % {"n": int(days)}
    return _("%(n)s days") % {"n": f"{days:.1f}"}


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _int_or_none(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value > 0 else None


# --- the list -------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("catalogue.view_enquirythread"):
        raise PermissionDenied
    now = timezone.now()
    box = request.GET.get("box", DEFAULT_BOX)
    if box not in selectors.BOXES:
        box = DEFAULT_BOX
    query = request.GET.get("q", "").strip()[:100]
    regions = _region_choices(user)
    region = next((r for r in regions if r.code == request.GET.get("region")), None)
    facilities = selectors.inbox_facilities(user=user)
    facility_id = _int_or_none(request.GET.get("facility"))
    if facility_id not in {pk for pk, _name in facilities}:
        facility_id = None

    threads = selectors.inbox_threads(
        user=user,
        box=box,
        region_id=region.pk if region else None,
        facility_id=facility_id,
        query=query,
        now=now,
    )
    paginator = Paginator(threads, PAGE_SIZE)
    try:
        page = paginator.page(_page_number(request.GET.get("page")))
    except (EmptyPage, PageNotAnInteger):
        page = paginator.page(paginator.num_pages)
    overdue_before = selectors.overdue_before(now)
    rows = [
        {
            "thread": thread,
            "waiting_days": working_days_between(thread.created_at, now)
            if thread.first_response_at is None
            and thread.state == State.NEW
            and thread.created_at <= overdue_before
            else None,
        }
        for thread in page.object_list
    ]
    counts = selectors.inbox_counts(user=user, now=now)
    filters = [
        (key, value)
        for key, value in (
            ("region", region.code if region else ""),
            ("facility", str(facility_id or "")),
            ("q", query),
        )
        if value
    ]
    tabs = [
        {
            "box": name,
            "label": BOX_LABELS[name],
            "count": counts[name],
            "url": "?" + urlencode([("box", name), *filters]),
            "current": name == box,
        }
        for name in selectors.BOXES
    ]
    return render(
        request,
        "catalogue/enquiries/inbox.html",
        {
            "box": box,
            "box_label": BOX_LABELS[box],
            "tabs": tabs,
            "rows": rows,
            "page": page,
            "count": paginator.count,
            "page_query": urlencode([("box", box), *filters]),
            "query": query,
            "regions": regions,
            "region_column": bool(regions),
            "region": region,
            "facilities": facilities,
            "facility_id": facility_id,
            "filtered": bool(filters),
            "clear_url": "?" + urlencode([("box", box)]),
            "overdue_days": selectors.OVERDUE_WORKING_DAYS,
        },
    )


def _region_choices(user: Any) -> list[Region]:
    """The regions the user answers for; no query for the usual editor of one region."""
    access = access_for(user)
    if not access.all_regions_change and len(access.edit_regions) <= 1:
        return []  # nothing to choose
    return list(editable_regions(user).order_by("name"))


# --- one thread -----------------------------------------------------------------------


class _ActionForm(forms.Form):
    """Each form on the thread page names its action, so one view can tell them apart."""

    action = ""

    def __init__(self, *args: Any, thread: EnquiryThread, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.thread = thread


class ReplyForm(_ActionForm):
    action = "reply"

    body = forms.CharField(
        label=gettext_lazy("Your reply"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=services.MAX_MESSAGE_LENGTH,
        help_text=gettext_lazy("Plain text. The requester gets it by email and on their enquiry's page."),
    )
    state = forms.ChoiceField(label=gettext_lazy("And set the state to"), required=False)

    def __init__(self, *args: Any, thread: EnquiryThread, **kwargs: Any) -> None:
        super().__init__(*args, thread=thread, **kwargs)
        keep = (
            _("In discussion (the default for a new enquiry)")
            if thread.state in (State.NEW, State.ACKNOWLEDGED)
            else _("Keep “%(state)s”") % {"state": thread.get_state_display()}
        )
        _offer_states(self.fields["state"], thread, blank=keep)


class StateForm(_ActionForm):
    action = "state"

    state = forms.ChoiceField(label=gettext_lazy("New state"))
    note = forms.CharField(
        label=gettext_lazy("Note to the requester (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.MAX_MESSAGE_LENGTH,
    )

    def __init__(self, *args: Any, thread: EnquiryThread, **kwargs: Any) -> None:
        super().__init__(*args, thread=thread, **kwargs)
        _offer_states(self.fields["state"], thread)


class OutcomeForm(_ActionForm):
    action = "outcome"

    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[("", gettext_lazy("Not recorded yet")), *EnquiryThread.Outcome.choices],
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Internal note (the requester does not see it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.MAX_MESSAGE_LENGTH,
    )


class AssignForm(_ActionForm):
    action = "assign"

    assign = forms.ChoiceField(choices=[("me", "me"), ("nobody", "nobody")], widget=forms.HiddenInput)


FORMS: dict[str, type[_ActionForm]] = {
    form.action: form for form in (ReplyForm, StateForm, OutcomeForm, AssignForm)
}


def _offer_states(field: forms.Field, thread: EnquiryThread, *, blank: str | None = None) -> None:
    """The select shows the states allowed from here; any known state passes the form.

    Whether a move is allowed is the service's question (`services.TRANSITIONS`): a form
    posted from a page that another partner has changed since gets the service's
    message ("... cannot become ..."), not a bare "invalid choice".
    """
    assert isinstance(field, forms.ChoiceField)
    first: list[tuple[str, str]] = [("", blank)] if blank is not None else []
    allowed = [(value, str(State(value).label)) for value in services.TRANSITIONS.get(thread.state, ())]
    field.choices = first + [(value, str(label)) for value, label in State.choices]
    field.widget.choices = first + allowed  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.inbox_thread(user=request.user, thread_id=thread_id)
    if thread is None or not request.user.has_perm("catalogue.view_enquirythread", thread):
        raise Http404(_("No such enquiry in your regions."))
    bound: _ActionForm | None = None
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("catalogue.change_enquirythread", thread):
            raise PermissionDenied
        form_class = FORMS.get(request.POST.get("action", ""))
        if form_class is None:
            return HttpResponse(_("Unknown action."), status=400, content_type="text/plain")
        bound = form_class(request.POST, thread=thread)
        # An anonymised enquiry is refused by the services (shown as the form's error).
        if bound.is_valid():
            try:
                done = _act(request, bound, thread)
            except ValidationError as exc:
                _add_service_errors(bound, exc)
            else:
                messages.success(request, done)
                return redirect("enquiries:thread", thread_id=thread.pk)
        status = 400
    return render(
        request, "catalogue/enquiries/thread.html", _thread_context(request, thread, bound), status=status
    )


def _act(request: HttpRequest, form: _ActionForm, thread: EnquiryThread) -> str:
    """Call the service the form stands for; return the success message."""
    data = form.cleaned_data
    user = request.user
    assert user.is_authenticated
    if isinstance(form, ReplyForm):
        services.thread_reply(thread=thread, user=user, body=data["body"], state=data["state"] or None)
        return _("Your reply was sent to the requester.")
    if isinstance(form, StateForm):
        moved = services.thread_transition(thread=thread, user=user, state=data["state"], note=data["note"])
        return _("The enquiry is now “%(state)s”; the requester was told.") % {
            "state": moved.get_state_display()
        }
    if isinstance(form, OutcomeForm):
        services.thread_set_outcome(thread=thread, outcome=data["outcome"], note=data["note"])
        return _("The outcome was recorded.")
    if data["assign"] == "me":
        services.thread_assign(thread=thread, assignee=user)
        return _("The enquiry is assigned to you.")
    services.thread_assign(thread=thread, assignee=None)
    return _("The enquiry is no longer assigned to anyone.")


def _add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal, shown on the form that asked: on its field when it has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _thread_context(request: HttpRequest, thread: EnquiryThread, bound: _ActionForm | None) -> dict[str, Any]:
    def form(form_class: type[_ActionForm], **initial: Any) -> _ActionForm:
        if isinstance(bound, form_class):
            return bound
        return form_class(thread=thread, initial=initial)

    enquiry = thread.enquiry
    live = not enquiry.is_anonymised
    answerable = live and thread.state != State.WITHDRAWN
    return {
        "thread": thread,
        "enquiry": enquiry,
        "thread_messages": list(thread.messages.all()),
        "siblings": selectors.sibling_threads(thread=thread),
        "first_response": human_duration(thread.first_response_time),
        "live": live,
        "reply_form": form(ReplyForm) if answerable else None,
        "state_form": form(StateForm) if live and services.TRANSITIONS.get(thread.state) else None,
        "outcome_form": form(OutcomeForm, outcome=thread.outcome, note=thread.outcome_note) if live else None,
        "assign_form": form(AssignForm) if live else None,
        "assigned_to_me": thread.assigned_to_id == request.user.pk,
        "failed": bound.action if bound is not None else "",
    }
