"""gunicorn's settings, shared by the container (Dockerfile, docker-compose.yml) and the
benchmarks (bench/run.py), so that what is measured is what is deployed.

Two processes (one per core of the small server the targets are set for), each with
two threads: while one thread waits on PostgreSQL or Redis the other serves, so a cached
page is not queued behind a long search in the same process. More threads cost more
than they give, as Python runs one thread at a time per process and the threads then
contend for it. With the benchmark's search mix (four clients, issue #6) and the same
code, two threads against four gave 313 against 301 requests a second at 10,000
facilities (two bench runs) and 280 against 270 (the mix against one server); at
100,000, 125 against 120 requests a second at the same p95 (135 and 134 ms). `GUNICORN_WORKERS` and `GUNICORN_THREADS` override them for a bigger
machine.
"""

import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

# The project, importable whatever directory gunicorn is started from (it reads this
# file before it changes directory).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.logging import redact_private_links

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Keep-alive connections from the reverse proxy (and the benchmark's clients).
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")


class RedactingLogger(Logger):
    """The access log without the token of a private enquiry link (a capability URL), as
    Django's own log lines are filtered (core.logging)."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_private_links(atoms[key])
        return atoms


logger_class = RedactingLogger
