"""The SME's private link to an enquiry: `/enquiries/<public_id>/<token>/`.

The token is an HMAC of the enquiry's random `public_id` and its `link_nonce` under the
site's secret key, so the database holds nothing that opens an enquiry and every mail
can carry the link again. Rotating `link_nonce` (anonymisation does) revokes it;
tokens made under a key in `SECRET_KEY_FALLBACKS` keep working through a key rotation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from catalogue.models import Enquiry

_SALT = "innoinfra.catalogue.enquiry-link"


def _token(enquiry: Enquiry, secret: str) -> str:
    value = f"{enquiry.public_id}:{enquiry.link_nonce}"
    return salted_hmac(_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def enquiry_token(enquiry: Enquiry) -> str:
    return _token(enquiry, settings.SECRET_KEY)


def enquiry_token_valid(enquiry: Enquiry, token: str) -> bool:
    if enquiry.anonymised_at is not None or not token:
        return False
    return any(
        constant_time_compare(_token(enquiry, secret), token)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        if isinstance(secret, str)
    )


def enquiry_path(enquiry: Enquiry) -> str:
    return reverse(
        "enquiries:private", kwargs={"public_id": enquiry.public_id, "token": enquiry_token(enquiry)}
    )


def enquiry_url(enquiry: Enquiry) -> str:
    return settings.SITE_URL.rstrip("/") + enquiry_path(enquiry)


def parse_public_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None
