"""Whole pages shared by every anonymous visitor of a URL (issue #6).

A page that shows public records only is the same for every anonymous visitor but for
two things: the CSRF token of its forms (the language switcher) and the flash messages
of the visitor's session. So such a page is rendered once with a slot where the token
goes (`CSRF_SLOT`), stored, and served to the next anonymous visitor with that
visitor's own token put in the slot. A visitor with messages waiting, or signed in,
gets a page rendered for them.

The slot holds a `<`, which escaping turns into `&lt;` wherever visitor or record text
is written into a page (and `json_script` into `\\u003C`, `urlencode` into `%3C`): a
query cannot plant the slot, so a visitor's token lands only where the page's own
`{% csrf_token %}` stood.
"""

from __future__ import annotations

from functools import cache

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

CSRF_SLOT: SafeString = mark_safe("<!--csrf-token-slot-->")


def shareable(request: HttpRequest) -> bool:
    """Whether this visitor may be served the page every anonymous visitor gets."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # Reading the messages does not consume them: a page rendered for this visitor shows them.
    return not get_messages(request)


def with_visitor_token(request: HttpRequest, html: str) -> str:
    """The shared page with this visitor's CSRF token (and cookie) in place of the slot."""
    if CSRF_SLOT not in html:
        return html
    return html.replace(CSRF_SLOT, get_token(request))


@cache
def release() -> str:
    """What changes with a deploy of new static files: part of a shared page's key, so
    that no page names a stylesheet or script of the release before."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    return str(getattr(staticfiles_storage, "manifest_hash", "") or "")
