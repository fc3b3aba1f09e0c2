"""The typed environment readers refuse bad values with a message an operator can act on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from innoinfra.env import env_bool, env_int, env_list, env_str, env_url

# --- env_str --------------------------------------------------------------------------


def test_env_str_reads_the_value_as_given():
    assert env_str("LOG_LEVEL", "INFO", environ={"LOG_LEVEL": "DEBUG"}) == "DEBUG"


def test_env_str_falls_back_to_the_default_when_unset():
    assert env_str("LOG_LEVEL", "INFO", environ={}) == "INFO"


# --- env_bool -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_accepts_the_usual_spellings(raw, expected):
    assert env_bool("DEBUG", not expected, environ={"DEBUG": raw}) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_falls_back_to_the_default_when_unset(default):
    assert env_bool("DEBUG", default, environ={}) is default


def test_env_bool_refuses_maybe_naming_variable_and_value():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool("DEBUG", environ={"DEBUG": "maybe"})
    assert "DEBUG" in str(excinfo.value)
    assert "'maybe'" in str(excinfo.value)


# --- env_int --------------------------------------------------------------------------


def test_env_int_reads_a_whole_number_with_blanks_around_it():
    assert env_int("DB_CONN_MAX_AGE", 60, environ={"DB_CONN_MAX_AGE": " 30 "}) == 30


@pytest.mark.parametrize("environ", [{}, {"DB_CONN_MAX_AGE": ""}, {"DB_CONN_MAX_AGE": "   "}])
def test_env_int_falls_back_to_the_default_when_unset_or_blank(environ):
    assert env_int("DB_CONN_MAX_AGE", 60, environ=environ) == 60


def test_env_int_refuses_12x_naming_variable_and_value():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int("DB_CONN_MAX_AGE", 60, environ={"DB_CONN_MAX_AGE": "12x"})
    assert "DB_CONN_MAX_AGE" in str(excinfo.value)
    assert "'12x'" in str(excinfo.value)
    assert "whole number" in str(excinfo.value)


def test_env_int_refuses_a_value_below_the_minimum():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int("AXES_FAILURE_LIMIT", 5, minimum=1, environ={"AXES_FAILURE_LIMIT": "0"})
    assert "AXES_FAILURE_LIMIT" in str(excinfo.value)
    assert "'0'" in str(excinfo.value)
    assert "minimum of 1" in str(excinfo.value)


def test_env_int_refuses_a_value_above_the_maximum():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int("PROXY_COUNT", 0, maximum=5, environ={"PROXY_COUNT": "9"})
    assert "PROXY_COUNT" in str(excinfo.value)
    assert "maximum of 5" in str(excinfo.value)


def test_env_int_accepts_the_minimum_itself():
    assert env_int("AXES_FAILURE_LIMIT", 5, minimum=1, environ={"AXES_FAILURE_LIMIT": "1"}) == 1


# --- env_list -------------------------------------------------------------------------


def test_env_list_splits_on_commas_and_strips_blanks():
    environ = {"ALLOWED_HOSTS": "portal.example.eu, www.portal.example.eu "}
    assert env_list("ALLOWED_HOSTS", environ=environ) == ["portal.example.eu", "www.portal.example.eu"]


@pytest.mark.parametrize("environ", [{}, {"ALLOWED_HOSTS": ""}, {"ALLOWED_HOSTS": "  "}])
def test_env_list_falls_back_to_the_default_when_unset_or_blank(environ):
    assert env_list("ALLOWED_HOSTS", ["localhost"], environ=environ) == ["localhost"]


def test_env_list_default_is_a_copy_not_the_callers_list():
    default = ["localhost"]
    result = env_list("ALLOWED_HOSTS", default, environ={})
    result.append("example.org")
    assert default == ["localhost"]


@pytest.mark.parametrize("raw", ["a.example,,b.example", "a.example,", ",a.example", "a.example, ,b"])
def test_env_list_refuses_an_empty_item_naming_variable_and_value(raw):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_list("ALLOWED_HOSTS", environ={"ALLOWED_HOSTS": raw})
    assert "ALLOWED_HOSTS" in str(excinfo.value)
    assert repr(raw) in str(excinfo.value)
    assert "empty item" in str(excinfo.value)


# --- env_url --------------------------------------------------------------------------

PG = ("postgres", "postgresql", "pgsql")


def test_env_url_accepts_an_allowed_scheme():
    url = "postgres://app:secret@db.internal:5432/innoinfra"
    assert env_url("DATABASE_URL", schemes=PG, environ={"DATABASE_URL": url}) == url


def test_env_url_strips_blanks_around_the_value():
    environ = {"REDIS_URL": " redis://127.0.0.1:6379/0 \n"}
    assert env_url("REDIS_URL", schemes=("redis",), environ=environ) == "redis://127.0.0.1:6379/0"


def test_env_url_is_empty_when_unset_without_default():
    assert env_url("REDIS_URL", schemes=("redis",), environ={}) == ""


def test_env_url_falls_back_to_the_default_when_unset():
    url = env_url("SITE_URL", "http://localhost:8000", schemes=("http", "https"), environ={})
    assert url == "http://localhost:8000"


def test_env_url_refuses_a_wrong_scheme_naming_variable_value_and_schemes():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_url("DATABASE_URL", schemes=PG, environ={"DATABASE_URL": "mysql://db.internal/innoinfra"})
    message = str(excinfo.value)
    assert "DATABASE_URL" in message
    assert "mysql://db.internal/innoinfra" in message
    assert "postgres://" in message


def test_env_url_refuses_a_value_without_scheme():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_url("REDIS_URL", schemes=("redis",), environ={"REDIS_URL": "127.0.0.1:6379"})
    assert "REDIS_URL" in str(excinfo.value)


def test_env_url_redacts_the_password_in_its_error():
    environ = {"DATABASE_URL": "mysql://app:s3cr3t-pw@db.internal/innoinfra"}
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_url("DATABASE_URL", schemes=PG, environ=environ)
    message = str(excinfo.value)
    assert "s3cr3t-pw" not in message
    assert "mysql://app:***@db.internal/innoinfra" in message


def test_env_url_refuses_a_url_without_host():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_url("DATABASE_URL", schemes=PG, environ={"DATABASE_URL": "postgres://"})
    assert "DATABASE_URL" in str(excinfo.value)
    assert "names no host" in str(excinfo.value)


def test_env_url_refuses_an_unparsable_url_naming_the_variable_without_the_password():
    # An unbalanced IPv6 bracket makes urlparse itself raise ValueError.
    environ = {"DATABASE_URL": "postgres://app:s3cr3t-pw@[::1/innoinfra"}
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_url("DATABASE_URL", schemes=PG, environ=environ)
    assert "DATABASE_URL" in str(excinfo.value)
    assert "s3cr3t-pw" not in str(excinfo.value)
