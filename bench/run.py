"""`make bench`: the portal over real HTTP at 10,000 facilities (and 100,000 with FULL=1).

For each size: a database of its own (`<name>_bench_<size>` on the server of
DATABASE_URL), filled by the deterministic generator; gunicorn with 2 workers and
production settings on loopback; a bounded number of requests from 4 client threads
with keep-alive connections. It reports p50/p95/p99 and requests per second of the
search page, the baseline search, suggestions, API list and detail; queries per request
and the database's own time (EXPLAIN ANALYZE) of the search SQL; and import speed and
peak memory against django-import-export's default mode. Results go to bench/results/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from bench.querymix import search_queries, suggestion_queries, warm_up_queries

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
CLIENT_THREADS = 4

TARGETS = {
    10_000: {"search_p95": 60, "suggest_p95": 20, "api_list_p95": 40, "search_rps": 300, "speedup": 5},
    100_000: {"search_p95": 150, "suggest_p95": 30, "api_list_p95": 80, "search_rps": 100, "speedup": 10},
}


def _database_url(size: int) -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        raise SystemExit("DATABASE_URL is not set (make bench starts the embedded PostgreSQL for you).")
    parts = urlparse(base)
    name = parts.path.lstrip("/") or "innoinfra"
    return urlunparse(parts._replace(path=f"/{name}_bench_{size}"))


def _ensure_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    admin = urlunparse(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(_libpq(admin))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _libpq(url: str) -> str:
    """psycopg2 does not read a socket directory from the host part of a URL."""
    import dj_database_url

    cfg = dj_database_url.parse(url)
    parts = [f"dbname={cfg['NAME']}", f"user={cfg['USER'] or 'postgres'}"]
    if cfg.get("HOST"):
        parts.append(f"host={cfg['HOST']}")
    if cfg.get("PORT"):
        parts.append(f"port={cfg['PORT']}")
    if cfg.get("PASSWORD"):
        parts.append(f"password={cfg['PASSWORD']}")
    return " ".join(parts)


def _env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DB_CONN_MAX_AGE": "600",
            "ROOT_URLCONF": "bench.urls",
            "API_THROTTLE_ANON": "1000000/minute",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def _inproc(url: str, *args: str, timeout: int = 3600, shared_cache: bool = False) -> dict[str, Any]:
    redis = _redis_url() if shared_cache else None
    out = subprocess.run(
        [PYTHON, "-m", "bench.inproc", *args],
        cwd=ROOT,
        env=_env(url, **({"REDIS_URL": redis} if redis else {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench.inproc {' '.join(args)} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _manage(url: str, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=_env(url), check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Without REDIS_URL, a Redis on the default local port is used if it answers: the portal
# is deployed with one (docker-compose.yml), and without it each gunicorn process keeps
# its own cache, computing every page, hit list and facet index once per process (at
# 100,000 facilities a p95 of 229 instead of 164 ms, in one run each from a fresh clone).
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _redis_url() -> str | None:
    """The Redis of REDIS_URL (else a local one) when it answers: the search cache is
    shared there, as deployed."""
    url = os.environ.get("REDIS_URL") or LOCAL_REDIS
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return url if sock.recv(16).startswith(b"+PONG") else None
    except OSError:
        return None


class Server:
    def __init__(self, url: str, *, search_cache: bool = True) -> None:
        self.url = url
        self.port = _free_port()
        extra = {"SEARCH_CACHE_SECONDS": "600" if search_cache else "0"}
        redis = _redis_url()
        if redis:
            extra["REDIS_URL"] = redis  # the shared cache, as deployed (no task is queued here)
        self.proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "innoinfra.wsgi:application",
                "--config",
                "innoinfra/gunicorn.conf.py",  # the deployed settings (2 workers)
                "--access-logfile",
                "/dev/null",
                "--bind",
                f"127.0.0.1:{self.port}",
                # The baseline takes minutes a request at 100,000 facilities.
                "--timeout",
                "1800",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=_env(url, **extra),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def warm_up(self, paths: list[str]) -> None:
        """Warm the processes (connections, the term index, templates) with searches not in
        the mix, then forget what was computed: the measured requests start on a new
        catalogue version, so no page, hit list or facet index from the warm-up, an earlier
        phase or run is used. (Without Redis each process keeps its own cache, which the
        new version does not reach: there only the warm-up's facet index is kept.)"""
        _load(self.port, paths)
        _inproc(self.url, "forget", shared_cache=True)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _load(port: int, paths: list[str]) -> dict[str, Any]:
    """Send `paths` from CLIENT_THREADS keep-alive connections; latency per request."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    queue = list(paths)

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            start = time.perf_counter()
            conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Language": "en"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status >= 400:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)

    return {
        "requests": len(ordered),
        "errors": errors,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "rps": round(len(ordered) / wall, 1),
    }


def _slugs(port: int, n: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/api/v1/facilities/?page_size=100", headers={"Host": "127.0.0.1"})
    data = json.loads(conn.getresponse().read())
    slugs = [item["slug"] for item in data["results"]]
    rng = random.Random(5)
    return [rng.choice(slugs) for _ in range(n)]


def _newest_result(size: int) -> dict[str, Any] | None:
    newest = None
    for path in sorted(RESULTS.glob("*.json")):
        run = json.loads(path.read_text())
        for result in run["results"]:
            if result["size"] == size:
                newest = {**result, "measured": run["meta"]["date"]}
    return newest


def bench_size(size: int, requests: int, *, reuse_baseline: bool = False) -> dict[str, Any]:
    url = _database_url(size)
    _ensure_database(url)
    _manage(url, "migrate", "--noinput")
    print(f"[{size}] populating …", flush=True)
    populated = _inproc(url, "populate", "--size", str(size))
    print(f"[{size}] {populated}", flush=True)
    _manage(url, "collectstatic", "--noinput")
    result: dict[str, Any] = {
        "size": size,
        "populate": populated,
        "cache": "redis" if _redis_url() else "local memory",
    }
    mix = search_queries(requests)
    # Every request computed: the search page with its cache switched off.
    server = Server(url, search_cache=False)
    try:
        server.warm_up([f"/facilities/?{q}" for q in warm_up_queries()])
        result["search_uncached"] = _load(server.port, [f"/facilities/?{q}" for q in mix])
        print(f"[{size}] search, cache off {result['search_uncached']}", flush=True)
        result["suggest_uncached"] = _load(
            server.port, [f"/facilities/suggest/?{q}" for q in suggestion_queries(requests)]
        )
        print(f"[{size}] suggest, cache off {result['suggest_uncached']}", flush=True)
    finally:
        server.stop()
    server = Server(url)
    try:
        server.warm_up([f"/facilities/?{q}" for q in warm_up_queries()])
        result["search"] = _load(server.port, [f"/facilities/?{q}" for q in mix])
        print(f"[{size}] search {result['search']}", flush=True)
        # The baseline takes seconds per request: 40 of them measure it well enough.
        # At 100,000 facilities a baseline request takes minutes: 8 of them, one per client thread pair.
        baseline_n = max(40, requests // 10) if size <= 10_000 else 8
        previous = _newest_result(size) if reuse_baseline else None
        if previous and "baseline" in previous:
            # The baseline code does not change with the portal's: its last measurement stands.
            # Named by the run that measured it, not by a run that reused it in turn.
            measured = previous["baseline"].get("reused_from") or previous.get("measured", "")
            result["baseline"] = {**previous["baseline"], "reused_from": measured}
        else:
            result["baseline"] = _load(server.port, [f"/bench/baseline/?{q}" for q in mix[:baseline_n]])
        print(f"[{size}] baseline {result['baseline']}", flush=True)
        result["suggest"] = _load(
            server.port, [f"/facilities/suggest/?{q}" for q in suggestion_queries(requests)]
        )
        print(f"[{size}] suggest {result['suggest']}", flush=True)
        result["api_list"] = _load(server.port, [f"/api/v1/facilities/?{q}&page=1" for q in mix])
        print(f"[{size}] api_list {result['api_list']}", flush=True)
        result["api_detail"] = _load(
            server.port, [f"/api/v1/facilities/{s}/" for s in _slugs(server.port, requests)]
        )
        print(f"[{size}] api_detail {result['api_detail']}", flush=True)
    finally:
        server.stop()
    result["queries"] = _inproc(url, "queries")
    print(f"[{size}] queries {result['queries']}", flush=True)
    return result


def bench_import(size: int, rows: int, baseline_rows: int) -> dict[str, Any]:
    url = _database_url(size)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="innoinfra-bench-") as tmp:
        # The files are generated by a process of their own, so that the importers' peak
        # memory (RSS) is the import's alone, not the generator's.
        files = {
            n: _inproc(url, "import-file", "--rows", str(n), "--out", str(Path(tmp) / f"import-{n}"))["files"]
            for n in {rows, baseline_rows}
        }
        for phase in ("dry", "confirm"):
            out[f"portal_{phase}"] = _inproc(
                url,
                "import",
                "--file",
                *files[rows],
                "--rows",
                str(rows),
                "--mode",
                "portal",
                "--phase",
                phase,
            )
            print(f"[import {rows}] portal {phase} {out[f'portal_{phase}']}", flush=True)
        out["default_iex_confirm"] = _inproc(
            url,
            "import",
            "--file",
            *files[baseline_rows],
            "--rows",
            str(baseline_rows),
            "--mode",
            "default-iex",
            "--phase",
            "confirm",
        )
    print(f"[import {baseline_rows}] default django-import-export {out['default_iex_confirm']}", flush=True)
    return out


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| measure | " + " | ".join(f"{r['size']:,} facilities" for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(label: str, fn: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in results) + " |")

    row(
        "search page p50 / p95 / p99 (ms), results cache on as deployed",
        lambda r: f"{r['search']['p50_ms']} / {r['search']['p95_ms']} / {r['search']['p99_ms']}",
    )
    row("search requests per second (2 workers)", lambda r: f"{r['search']['rps']}")
    row("search results cache", lambda r: r.get("cache", "none"))
    row(
        "search page with its results cache off (every page computed): p50 / p95 (ms), requests per second",
        lambda r: (
            f"{r['search_uncached']['p50_ms']} / {r['search_uncached']['p95_ms']}, {r['search_uncached']['rps']}"
            if "search_uncached" in r
            else "not measured"
        ),
    )
    row("baseline search p50 / p95 (ms)", lambda r: f"{r['baseline']['p50_ms']} / {r['baseline']['p95_ms']}")
    row(
        "search p95 vs baseline",
        lambda r: f"{r['baseline']['p95_ms'] / max(r['search']['p95_ms'], 0.1):.1f}x faster",
    )
    row("suggestions p50 / p95 (ms)", lambda r: f"{r['suggest']['p50_ms']} / {r['suggest']['p95_ms']}")
    row(
        "suggestions with the cache off p50 / p95 (ms)",
        lambda r: (
            f"{r['suggest_uncached']['p50_ms']} / {r['suggest_uncached']['p95_ms']}"
            if "suggest_uncached" in r
            else "not measured"
        ),
    )
    row(
        "API list p50 / p95 (ms, 20 items)",
        lambda r: f"{r['api_list']['p50_ms']} / {r['api_list']['p95_ms']}",
    )
    row("API detail p50 / p95 (ms)", lambda r: f"{r['api_detail']['p50_ms']} / {r['api_detail']['p95_ms']}")
    row(
        "queries per search page / API list",
        lambda r: (
            f"{r['queries']['queries_per_request']['search']} / {r['queries']['queries_per_request']['api_list']}"
        ),
    )
    row(
        "database time of a search with new words: all hits in order + the page's rows,"
        " p50 / p95 (EXPLAIN ANALYZE, ms)",
        lambda r: f"{r['queries']['db_ms_p50']} / {r['queries']['db_ms_p95']}",
    )
    row(
        "search page p50 (results cache off) minus that database time p50",
        lambda r: (
            f"{r['search_uncached']['p50_ms'] - r['queries']['db_ms_p50']:.1f} ms"
            if "search_uncached" in r
            else "not measured"
        ),
    )
    for r in results:
        imp = r.get("import")
        if not imp:
            continue
        lines.append("")
        lines.append(
            f"Import ({imp['portal_confirm']['rows']:,} rows, CSV, into a catalogue of {r['size']:,}"
            + (f"; measured {imp['measured']}" if imp.get("measured") else "")
            + "):"
        )
        lines.append("")
        lines.append("| importer | phase | rows/s | peak RSS (MB) |")
        lines.append("|---|---|---|---|")
        for key in ("portal_dry", "portal_confirm", "default_iex_confirm"):
            v = imp[key]
            name = (
                "portal (bulk plan, one transaction)"
                if v.get("files", 1) == 1
                else f"portal (bulk plan, {v['files']} files under the 20 MB upload limit)"
            )
            if v["mode"] != "portal":
                name = f"django-import-export default mode ({v['rows']:,} rows)"
            lines.append(f"| {name} | {v['phase']} | {v['rows_per_second']:,} | {v['peak_rss_mb']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--full", action="store_true", help="add the 100,000-facility size")
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario")
    parser.add_argument("--sizes", type=int, nargs="+", help="only these sizes (e.g. 100000)")
    parser.add_argument("--skip-import", action="store_true", help="measure the HTTP side only")
    parser.add_argument(
        "--reuse-baseline",
        action="store_true",
        help="take the baseline from the newest saved run of each size",
    )
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--baseline-import-rows", type=int, default=2_000)
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] if args.full else [10_000])
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")

    def save() -> None:
        # After every step: a failure late in a long run keeps what was measured.
        meta = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.python_implementation()} {platform.python_version()}",
            "seconds": round(time.perf_counter() - started),
            "targets": TARGETS,
        }
        (RESULTS / f"{stamp}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))

    for size in sizes:
        result = bench_size(size, args.requests, reuse_baseline=args.reuse_baseline)
        results.append(result)
        save()
        rows = args.import_rows if size == 10_000 else 100_000
        if args.skip_import:
            continue
        try:
            result["import"] = bench_import(size, rows, args.baseline_import_rows)
        except SystemExit as exc:
            result["import_error"] = str(exc)[-2000:]
            print(f"[{size}] import failed: {exc}", flush=True)
        save()
    print(_table(results))
    (RESULTS / "latest.md").write_text(_latest_table())
    return 0


def _latest_table() -> str:
    """The newest result of each size, from every run kept in bench/results/."""
    newest: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    imports: dict[int, dict[str, Any]] = {}
    for path in sorted(RESULTS.glob("*.json")):
        run = json.loads(path.read_text())
        for result in run["results"]:
            newest[result["size"]] = (run["meta"], result)
            if result.get("import"):
                imports[result["size"]] = {**result["import"], "measured": run["meta"]["date"]}
    for size, (_meta, result) in newest.items():
        if not result.get("import") and size in imports:  # an HTTP-only run: the last import stands
            result["import"] = imports[size]
    sizes = sorted(newest)
    lines = [
        f"- {size:,} facilities: measured {newest[size][0]['date']} on {newest[size][0]['machine']}; "
        f"run took {newest[size][0]['seconds']} s."
        for size in sizes
    ]
    return "\n".join(lines) + "\n\n" + _table([newest[size][1] for size in sizes]) + "\n"


if __name__ == "__main__":
    sys.exit(main())
