"""Writes of the shared kernel. Every write goes through a function here (STYLE "Shape")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.mail import email_queue_template
from core.models import ApiToken, Membership, Organisation, Region, Term
from core.scoping import forget_access

MAX_TOKENS_PER_USER = 10

# Sent after an organisation's searchable names changed. Apps that copy those names
# onto their own rows (the catalogue's search vectors) listen, so that `core` does not
# import them (ARCHITECTURE §3: core imports no app).
organisation_renamed = Signal()
# Sent after a vocabulary term's labels or synonyms changed (same reason).
term_relabelled = Signal()
# Sent after a region's name changed (its name is in the catalogue's search text).
region_renamed = Signal()


def region_save(*, region: Region, changed_fields: list[str] | None = None) -> Region:
    renamed = region.pk is not None and "name" in (changed_fields or [])
    region.full_clean()
    with transaction.atomic():
        region.save()
        if renamed:
            pk = region.pk
            transaction.on_commit(lambda: region_renamed.send(sender=Region, region_id=pk))
    return region


def organisation_save(*, organisation: Organisation, changed_fields: list[str] | None = None) -> Organisation:
    """Create or update an organisation, and tell the apps that copy its name."""
    renamed = organisation.pk is not None and bool({"name", "acronym"} & set(changed_fields or []))
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        if renamed:
            pk = organisation.pk
            transaction.on_commit(lambda: organisation_renamed.send(sender=Organisation, organisation_id=pk))
    return organisation


def term_save(*, term: Term, changed_fields: list[str] | None = None) -> Term:
    """Create or update a vocabulary term; a new label or synonym reaches the search index."""
    relabelled = term.pk is not None and any(
        f.startswith(("label", "synonyms")) for f in (changed_fields or [])
    )
    term.full_clean()
    with transaction.atomic():
        term.save()
        if relabelled:
            vocabulary, code = term.vocabulary, term.code
            transaction.on_commit(lambda: term_relabelled.send(sender=Term, vocabulary=vocabulary, code=code))
    return term


def membership_grant(
    *,
    email: str,
    role: str,
    region: Region | None,
    granted_by: User | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Give the person with this email a role; a new account is invited to set a password."""
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email).strip()
    with transaction.atomic():
        user = user_model.objects.filter(email__iexact=email).order_by("pk").first()
        created = user is None
        if user is None:
            user = user_model.objects.create_user(username=_free_username(email), email=email, password=None)
        membership = Membership(user=user, region=region, role=role)
        membership.full_clean()
        membership.save()
    forget_access(user)
    if created:
        _send_invitation(user=user, request=request)
    return membership


def membership_set_role(*, membership: Membership, role: str) -> Membership:
    membership.role = role
    membership.full_clean()
    membership.save()
    forget_access(membership.user)
    return membership


def membership_revoke(*, membership: Membership) -> None:
    membership.delete()
    forget_access(membership.user)


def _free_username(email: str) -> str:
    user_model = get_user_model()
    base = email.split("@", 1)[0][:140] or "user"
    candidate, n = base, 1
    while user_model.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _send_invitation(*, user: User, request: HttpRequest | None) -> None:
    """A new member sets a password through the reset link, worded as an invitation."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    link = request.build_absolute_uri(path) if request else f"{settings.SITE_URL}{path}"
    context = {"user": user, "link": link, "memberships": list(user.memberships.all())}
    email_queue_template(to=[user.email], template="invitation", context=context)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token; the key is returned once and only its hash is stored."""
    name = name.strip()[:100]
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. the system that will use it.")]})
    if ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError({"name": [_("You have too many tokens; revoke one first.")]})
    return ApiToken.objects.create(user=user, name=name)


def api_token_revoke(*, user: User, token_key: str) -> bool:
    deleted, _rows = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)
