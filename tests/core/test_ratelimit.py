"""Fixed-window rate limits for the public forms (`core.ratelimit`) and the client address they key on."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.ratelimit import client_ip, parse_rate, rate_limit_hit
from tests.conftest import cache_keys

T0 = 1_799_971_200.0  # the start of a day (and so of an hour) in Unix time


@pytest.fixture(autouse=True)
def _empty_cache(local_cache):
    return


# --- parse_rate -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("5/h", (5, 3600)),
        ("20/10m", (20, 600)),
        ("1/s", (1, 1)),
        ("100/d", (100, 86400)),
        ("0/m", (0, 60)),
        ("3/2h", (3, 7200)),
    ],
)
def test_parse_rate_reads_count_and_period(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize(
    "rate", ["", "5", "5/", "/h", "five/h", "5/x", "5/hh", "-1/h", "5/-2m", "5/1.5m", "5 /h"]
)
def test_parse_rate_refuses_malformed_rates(rate):
    with pytest.raises(ValueError, match="Not a rate"):
        parse_rate(rate)


# --- rate_limit_hit ---------------------------------------------------------------------


def test_the_limit_is_reached_at_the_n_plus_first_attempt():
    hits = [rate_limit_hit("enquiry-ip", "203.0.113.9", "3/h", now=T0 + i) for i in range(5)]
    assert hits == [False, False, False, True, True]


def test_identities_are_counted_separately():
    for _ in range(2):
        rate_limit_hit("enquiry-email", "a@example.com", "2/h", now=T0)
    assert rate_limit_hit("enquiry-email", "a@example.com", "2/h", now=T0) is True
    assert rate_limit_hit("enquiry-email", "b@example.com", "2/h", now=T0) is False


def test_scopes_are_counted_separately():
    for _ in range(2):
        rate_limit_hit("enquiry-ip", "203.0.113.9", "2/h", now=T0)
    assert rate_limit_hit("enquiry-ip", "203.0.113.9", "2/h", now=T0) is True
    assert rate_limit_hit("login-ip", "203.0.113.9", "2/h", now=T0) is False


def test_a_new_window_starts_counting_afresh():
    for _ in range(2):
        rate_limit_hit("enquiry-ip", "198.51.100.1", "2/h", now=T0 + 10)
    assert rate_limit_hit("enquiry-ip", "198.51.100.1", "2/h", now=T0 + 3599) is True
    assert rate_limit_hit("enquiry-ip", "198.51.100.1", "2/h", now=T0 + 3600) is False
    assert rate_limit_hit("enquiry-ip", "198.51.100.1", "2/h", now=T0 + 3601) is False
    assert rate_limit_hit("enquiry-ip", "198.51.100.1", "2/h", now=T0 + 3602) is True


def test_a_zero_rate_refuses_the_first_attempt():
    assert rate_limit_hit("enquiry-ip", "198.51.100.2", "0/h", now=T0) is True


def test_no_address_or_email_is_stored_in_the_cache_keys():
    rate_limit_hit("enquiry-email", "secret.person@example.com", "5/h", now=T0)
    keys = cache_keys()
    assert keys
    assert not any("secret.person" in key for key in keys)


# --- client_ip --------------------------------------------------------------------------


def _request(remote: str = "10.0.0.5", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/enquiries/new/", **extra)


def test_without_a_proxy_x_forwarded_for_is_ignored(settings):
    settings.PROXY_COUNT = 0
    assert client_ip(_request("198.51.100.7", forwarded="203.0.113.1")) == "198.51.100.7"


def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client(settings):
    settings.PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the address it saw.
    assert client_ip(_request("10.0.0.1", forwarded="1.2.3.4, 203.0.113.50")) == "203.0.113.50"


def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings):
    settings.PROXY_COUNT = 2
    request = _request("10.0.0.2", forwarded="1.2.3.4, 203.0.113.50,10.0.0.1")
    assert client_ip(request) == "203.0.113.50"


def test_behind_a_proxy_a_short_header_falls_back_to_the_peer_address(settings):
    settings.PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.2", forwarded="203.0.113.50")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"


def test_private_enquiry_links_are_redacted_in_logs():
    import logging

    from core.logging import RedactPrivateLinks

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Forbidden (CSRF): %s",
        ("/enquiries/0b7d7a3e-6a8e-4c3e-9d2e-1f0c8e9b7a61/ab12cd34ef/withdraw/",),
        None,
    )
    assert RedactPrivateLinks().filter(record)
    assert record.getMessage() == (
        "Forbidden (CSRF): /enquiries/0b7d7a3e-6a8e-4c3e-9d2e-1f0c8e9b7a61/[redacted]/withdraw/"
    )


@pytest.mark.parametrize(
    "public_id",
    ["0b7d7a3e6a8e4c3e9d2e1f0c8e9b7a61", "{0b7d7a3e-6a8e-4c3e-9d2e-1f0c8e9b7a61}"],
)
def test_every_form_of_the_link_s_id_is_redacted_too(public_id):
    """The link opens with the id in each form a UUID may be written (links.parse_public_id)."""
    import logging

    from catalogue.enquiries.links import parse_public_id
    from core.logging import RedactPrivateLinks

    assert parse_public_id(public_id) is not None
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "GET /enquiries/%s/secret-token/", (public_id,), None
    )
    RedactPrivateLinks().filter(record)
    assert "secret-token" not in record.getMessage()


def test_gunicorn_s_access_log_redacts_the_token_too():
    """The deployed access log (innoinfra/gunicorn.conf.py) is not Django's logging."""
    import datetime
    import runpy
    from types import SimpleNamespace

    from gunicorn.config import Config

    config = runpy.run_path("innoinfra/gunicorn.conf.py")
    logger = config["logger_class"](Config())
    path = "/enquiries/0b7d7a3e-6a8e-4c3e-9d2e-1f0c8e9b7a61/secret-token/"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1"}
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=1))
    assert "secret-token" not in atoms["r"]
    assert "secret-token" not in atoms["U"]
    assert atoms["U"].endswith("/[redacted]/")
