"""`/healthz`: 200 while the database answers, 503 when it does not; never cached."""

from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.db import connection


def _closed_port() -> int:
    """A local TCP port nobody listens on (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "max-age=0" in cache_control
    assert "no-store" in cache_control


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    response = client.post("/healthz")
    assert response.status_code == 405


def test_healthz_answers_503_when_the_database_is_unreachable(client, django_db_setup, django_db_blocker):
    # Outside the test transaction: the connection is really closed and reopened
    # against a port where no PostgreSQL listens.
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        try:
            connection.close()
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.update(saved)
        with connection.cursor() as cursor:  # the restored settings reconnect
            cursor.execute("SELECT 1")
            still_answers = cursor.fetchone() == (1,)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"].startswith("down:")
    assert still_answers


@pytest.mark.django_db
def test_healthz_reports_the_broker_ok_when_redis_answers(client):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker to check (tasks run in-process)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_keeps_200_while_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["broker"].startswith("down:")


@pytest.mark.django_db
def test_healthz_says_the_broker_is_not_configured_without_redis(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"].startswith("not configured")
