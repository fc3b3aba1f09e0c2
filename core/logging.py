"""Logging filters."""

from __future__ import annotations

import logging
import re

# /enquiries/<public id>/<token>/: a capability URL, so the token never reaches a log. The
# id in every form the link accepts (a UUID with or without dashes or braces).
_PRIVATE_LINK = re.compile(r"(/enquiries/[0-9a-fA-F{}-]{32,38}/)[^/\s\"']+")


def redact_private_links(text: str) -> str:
    """`text` with the token of every private enquiry link replaced by `[redacted]`."""
    return _PRIVATE_LINK.sub(r"\1[redacted]", text) if "/enquiries/" in text else text


class RedactPrivateLinks(logging.Filter):
    """Replace the token of a private enquiry link in any log message by `[redacted]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed message: logging reports it itself
            return True
        if "/enquiries/" in message:
            record.msg = redact_private_links(message)
            record.args = ()
        return True
