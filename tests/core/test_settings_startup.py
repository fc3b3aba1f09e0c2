"""A production start refuses a missing or malformed setting, and passes `check --deploy`.

Each test starts a fresh interpreter without pytest in `sys.modules`, so the settings
module takes its production path (settings.py treats an imported pytest as testing).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

SETUP = "import django; django.setup()"


def _production_env(**overrides: str | None) -> dict[str, str]:
    """A clean environment: only PATH, the test run's database, and what the test sets."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "innoinfra.settings",
        "DATABASE_URL": settings.DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "ALLOWED_HOSTS": "portal.example.eu",
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_environment_starts():
    result = _run(["-c", SETUP], _production_env())
    assert result.returncode == 0, result.stderr


def test_start_without_secret_key_fails_naming_it():
    result = _run(["-c", SETUP], _production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_start_with_an_empty_secret_key_fails_naming_it():
    result = _run(["-c", SETUP], _production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_start_without_allowed_hosts_fails_naming_it():
    result = _run(["-c", SETUP], _production_env(ALLOWED_HOSTS=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_start_with_debug_banana_fails_naming_variable_and_value():
    result = _run(["-c", SETUP], _production_env(DEBUG="banana"))
    assert result.returncode != 0
    assert "DEBUG='banana'" in result.stderr
    assert "is not a boolean" in result.stderr


def test_start_with_a_mysql_database_url_fails_without_showing_the_password():
    url = "mysql://app:s3cr3t-pw@db.internal/innoinfra"
    result = _run(["-c", SETUP], _production_env(DATABASE_URL=url))
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "s3cr3t-pw" not in result.stderr


def test_production_start_turns_on_https_only_settings():
    probe = (
        f"{SETUP}; from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = _run(["-c", probe], _production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True"]


@pytest.mark.parametrize("flag", ["INNOINFRA_TESTING", "DEBUG"])
def test_testing_or_debug_starts_without_secret_key_or_allowed_hosts(flag):
    env = _production_env(**{"SECRET_KEY": None, "ALLOWED_HOSTS": None, "DEBUG": None, flag: "1"})
    result = _run(["-c", SETUP], env)
    assert result.returncode == 0, result.stderr


def test_check_deploy_with_production_variables_reports_no_issues():
    result = _run(["manage.py", "check", "--deploy"], _production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


def test_bare_makemigrations_check_runs_without_production_secrets():
    # Review hooks run it on a bare checkout; it only reads the models.
    env = _production_env(SECRET_KEY=None, ALLOWED_HOSTS=None, DEBUG=None)
    result = _run(["manage.py", "makemigrations", "--check", "--dry-run"], env)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_other_bare_manage_commands_still_refuse_without_secret_key():
    env = _production_env(SECRET_KEY=None, ALLOWED_HOSTS=None, DEBUG=None)
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
