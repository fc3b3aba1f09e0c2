"""The deployment files (docker-compose.yml, Dockerfile, .env.example) agree with the code.

Docker is not needed: the files are read, and what they name (modules, Celery app,
management commands, environment variables) is looked up in the project.
"""

from __future__ import annotations

import importlib
import json
import re
import runpy
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
REQUIRED_SERVICES = {"postgres", "redis", "web", "worker", "beat"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def _argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), comments dropped, continuations joined."""
    lines = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        op, _, args = line.strip().partition(" ")
        if op:
            instructions.append((op.upper(), args.strip()))
    return instructions


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """`depends_on` as {service: condition}; the short list form means "started"."""
    depends = service.get("depends_on", {})
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in depends.items()}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def _app_commands(services: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    return {name: _argv(spec["command"]) for name, spec in services.items() if spec.get("build")}


def _settings_variables() -> set[str]:
    source = (ROOT / "innoinfra" / "settings.py").read_text()
    helpers = re.findall(r"env_(?:str|bool|int|list|url)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source)
    direct = re.findall(r"os\.environ(?:\.get\(|\[)\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source)
    return set(helpers) | set(direct)


def _env_example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    # Active `NAME=value` lines and commented `# NAME=default` lines both declare a name.
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def _compose_variables() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))


# --- docker-compose.yml -------------------------------------------------------------------


def test_compose_defines_the_portal_services(services):
    assert set(services) >= REQUIRED_SERVICES
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_every_long_running_service_has_a_healthcheck_or_waits_for_healthy_ones(services):
    for name in REQUIRED_SERVICES - {"beat"}:
        assert services[name].get("healthcheck", {}).get("test"), name
    # beat offers nothing to probe; it must at least start after a healthy broker.
    assert _depends_on(services["beat"])["redis"] == "service_healthy"


def test_app_services_wait_for_healthy_database_and_broker(services):
    for name in ("web", "worker"):
        depends = _depends_on(services[name])
        assert depends["postgres"] == "service_healthy", name
        assert depends["redis"] == "service_healthy", name
    assert all(
        condition in {"service_healthy", "service_completed_successfully"}
        for spec in services.values()
        for condition in _depends_on(spec).values()
    )


def test_migrations_run_once_before_web_and_worker_start(services):
    migrate = _argv(services["migrate"]["command"])
    assert migrate[-3:] == ["manage.py", "migrate", "--noinput"]
    assert _depends_on(services["web"])["migrate"] == "service_completed_successfully"
    assert _depends_on(services["worker"])["migrate"] == "service_completed_successfully"


def test_web_runs_gunicorn_on_the_wsgi_application(services):
    argv = _argv(services["web"]["command"])
    module_name, attribute = argv[argv.index("gunicorn") + 1].split(":")
    assert (ROOT / Path(*module_name.split("."))).with_suffix(".py").is_file()
    assert callable(getattr(importlib.import_module(module_name), attribute))
    assert "0.0.0.0:8000" in argv


def test_web_healthcheck_probes_healthz_with_python_not_curl(services):
    probe = " ".join(_argv(services["web"]["healthcheck"]["test"]))
    assert "/healthz" in probe
    assert "urllib" in probe
    assert "curl" not in probe


def test_celery_services_name_the_project_celery_app(services):
    commands = {name: argv for name, argv in _app_commands(services).items() if argv[0] == "celery"}
    assert "worker" in commands["worker"]
    assert "beat" in commands["beat"]
    for argv in commands.values():
        app_name = argv[argv.index("-A") + 1]
        # The same lookup the celery command line does for `-A innoinfra`.
        assert isinstance(find_app(app_name), Celery)
    assert (ROOT / "innoinfra" / "celery.py").is_file()


def test_every_manage_py_command_exists(services):
    available = get_commands()
    manage_commands = [
        argv[argv.index("manage.py") + 1] for argv in _app_commands(services).values() if "manage.py" in argv
    ]
    assert manage_commands
    assert all(command in available for command in manage_commands)


def test_beat_is_never_replicated(services):
    beat = services["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1
    assert "--schedule" in " ".join(_argv(beat["command"]))


def test_named_volumes_are_declared_and_keep_data_and_uploads(compose, services):
    used = {
        volume.split(":", 1)[0]
        for spec in services.values()
        for volume in spec.get("volumes", [])
        if isinstance(volume, str) and not volume.startswith((".", "/"))
    }
    assert used <= set(compose.get("volumes", {}))
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert any(v.endswith(":/app/var/media") for v in services["web"]["volumes"])


def test_secrets_come_from_the_environment_not_literals(services):
    secrets = {
        (name, key): value
        for name, spec in services.items()
        for key, value in _environment(spec).items()
        if SECRET_NAME.search(key)
    }
    assert ("web", "SECRET_KEY") in secrets
    assert all(re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]*\}", value) for value in secrets.values()), secrets
    assert "${POSTGRES_PASSWORD:?" in _environment(services["web"])["DATABASE_URL"]


def test_app_services_run_with_debug_off(services):
    for name in _app_commands(services):
        assert _environment(services[name])["DEBUG"] == "0", name


# --- Dockerfile ---------------------------------------------------------------------------


def test_dockerfile_runs_as_an_unprivileged_user_on_python_slim(dockerfile):
    assert any(args.startswith("python:3.11-slim ") for op, args in _instructions(dockerfile) if op == "FROM")
    users = [args.strip() for op, args in _instructions(dockerfile) if op == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}


def test_dockerfile_cmd_starts_the_wsgi_application_the_compose_web_uses(dockerfile, services):
    cmd = json.loads([args for op, args in _instructions(dockerfile) if op == "CMD"][-1])
    assert cmd[0] == "gunicorn"
    assert importlib.import_module(cmd[1].split(":")[0]).application
    assert cmd == _argv(services["web"]["command"])


def test_dockerfile_collects_static_files_without_a_real_database(dockerfile):
    collect = next(args for op, args in _instructions(dockerfile) if op == "RUN" and "collectstatic" in args)
    assert "DATABASE_URL=postgres://" in collect
    assert "SECRET_KEY=" in collect
    assert "ALLOWED_HOSTS=" in collect


def test_dockerfile_copies_every_vendor_file_the_makefile_installs(dockerfile):
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("$(VENDOR)/.installed:", 1)[1].split("\n\n", 1)[0]
    sources = {
        word
        for line in target.splitlines()
        if line.strip().startswith("cp ")
        for word in line.split()
        if word.startswith("node_modules/")
    }
    assert sources
    assert all(source in dockerfile for source in sources), sources - set(dockerfile.split())


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "node_modules", "var", ".git"} <= ignored


# --- .env.example --------------------------------------------------------------------------


def test_env_example_lists_every_variable_settings_read():
    missing = _settings_variables() - _env_example_variables()
    assert _settings_variables()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_lists_nothing_that_settings_or_compose_do_not_read():
    unknown = _env_example_variables() - _settings_variables() - _compose_variables()
    assert not unknown, f"nothing reads these .env.example entries: {sorted(unknown)}"


def test_env_example_leaves_secrets_empty():
    text = (ROOT / ".env.example").read_text()
    active = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE))
    assert active["SECRET_KEY"] == ""
    assert active["POSTGRES_PASSWORD"] == ""


def test_web_and_the_benchmarks_share_the_gunicorn_settings(services):
    """What `make bench` measures is what is deployed: 2 processes with a few threads each."""
    argv = _argv(services["web"]["command"])
    config_path = argv[argv.index("--config") + 1]
    assert config_path in (ROOT / "bench" / "run.py").read_text()
    config = runpy.run_path(str(ROOT / config_path))
    assert config["workers"] == 2
    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 2
