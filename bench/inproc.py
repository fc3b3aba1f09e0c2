"""Benchmark steps that run inside Django (a subprocess per step, on the bench database).

    python -m bench.inproc populate --size 10000
    python -m bench.inproc queries            # queries per request, EXPLAIN ANALYZE limit
    python -m bench.inproc forget             # a new catalogue version (a cold start)
    python -m bench.inproc import-file --rows 10000 --out f.csv
    python -m bench.inproc import --file f.csv --rows 10000 --mode portal|default-iex --phase dry|confirm

Each prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innoinfra.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.querymix import search_queries  # noqa: E402
from catalogue import selectors  # noqa: E402
from catalogue.models import Equipment, Facility, Service  # noqa: E402
from core.selectors import term_index  # noqa: E402

SEED = 2026


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def populate(size: int) -> dict[str, Any]:
    from catalogue.demo.generator import generate
    from catalogue.demo.loader import load_bulk
    from catalogue.services import search_words_rebuild

    current = Facility.objects.count()
    if current == size:
        # Reused: an earlier run's import clean-up deleted as many rows as it imported.
        # Fresh statistics, as autovacuum would have them on a live database (stale ones
        # made the planner expect three times the rows and take 55 ms for 25 ms of work).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalogue_facility")
        return {"size": size, "created": 0, "seconds": 0.0}
    start = time.perf_counter()
    with transaction.atomic():
        Service.objects.all().delete()
        Equipment.objects.all().delete()
        Facility.objects.all().delete()
    index = term_index()
    created = load_bulk(generate(size, seed=SEED, index=index), index=index, batch_size=1000)
    search_words_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalogue_facility")
    from catalogue.cache import catalogue_changed

    catalogue_changed()  # the bulk loader sends no signals: cached searches must not outlive it
    return {"size": size, "created": created, "seconds": round(time.perf_counter() - start, 1)}


def forget() -> dict[str, Any]:
    """A new catalogue version: what was computed for the old one is never read again."""
    from catalogue.cache import _bump, catalogue_version

    before = catalogue_version()
    _bump()
    return {"version": catalogue_version(), "was": before}


def _client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


def queries(sample: int = 40) -> dict[str, Any]:
    """Queries per request (in-process) and the database's own time for the search SQL."""
    client = _client()
    counts: dict[str, list[int]] = {
        "search": [],
        "search_page_size_check": [],
        "suggest": [],
        "api_list": [],
        "api_detail": [],
    }
    mix = search_queries(sample, seed=99)
    slugs = list(
        Facility.objects.filter(state="published").order_by("pk").values_list("slug", flat=True)[:sample]
    )
    for qs in mix:
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/facilities/?{qs}")
        counts["search"].append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/api/v1/facilities/?{qs}&page=1")
        counts["api_list"].append(len(ctx.captured_queries))
    for slug in slugs[:10]:
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/api/v1/facilities/{slug}/")
        counts["api_detail"].append(len(ctx.captured_queries))
    with CaptureQueriesContext(connection) as ctx:
        client.get("/facilities/suggest/?q=las")
    counts["suggest"].append(len(ctx.captured_queries))
    # The database's own execution time for what one search page asks.
    index = term_index()
    db_ms: list[float] = []
    for qs in mix:
        from django.http import QueryDict

        data = QueryDict(qs)
        from catalogue.filters import FacilityFilterSet

        params = FacilityFilterSet(data, index=index).search_params()
        # A search whose words are not in the engine's memory yet: every match of the
        # words in order (facets, totals and filters then need no SQL), and the page's rows.
        total = _explain_raw(*selectors.hits_sql(params))
        ids = selectors.public_search(params).page(0, 20)
        if ids:
            total += _explain(selectors.with_card_data(Facility.objects.filter(pk__in=ids)))
        db_ms.append(total)
    return {
        "queries_per_request": {k: sorted(set(v)) for k, v in counts.items() if v},
        "db_ms_p50": round(statistics.median(db_ms), 2),
        "db_ms_p95": round(_percentile(db_ms, 95), 2),
    }


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _explain(qs: Any) -> float:
    sql, params = qs.query.sql_with_params()
    return _explain_raw(sql, params)


def _explain_raw(sql: str, params: Any) -> float:
    with connection.cursor() as cursor:
        # Captured SQL has its parameters inlined: run it without formatting (params None).
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params or None)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Execution Time"]) + float(plan[0].get("Planning Time", 0.0))


def import_file(rows: int) -> bytes:
    """A CSV in the portal's import format of `rows` generated facilities (another seed)."""
    from catalogue.demo.generator import generate
    from catalogue.exports import to_csv
    from catalogue.imports.engine import PORTAL_COLUMNS

    index = term_index()

    def row_of(spec: Any) -> dict[str, Any]:
        row: dict[str, Any] = dict.fromkeys(PORTAL_COLUMNS, "")
        for column in PORTAL_COLUMNS:
            if column == "region":
                row[column] = "flanders"
            elif column == "host":
                row[column] = spec.host.name
            elif hasattr(spec, column):
                row[column] = getattr(spec, column)
        row["slug"] = f"bench-import-{spec.slug}"
        row["external_id"] = f"bench-{spec.slug}"
        row["source"] = "bench"
        return row

    return to_csv(row_of(spec) for spec in generate(rows, seed=777, index=index))


def _create_hosts(data: bytes, region: Any) -> None:
    """Both importers get the same existing host organisations (matched by name)."""
    import csv

    from django.utils.text import slugify

    from core.models import Organisation

    names = {row["host"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
    existing = set(Organisation.objects.filter(name__in=names).values_list("name", flat=True))
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=name,
                slug=f"bench-{slugify(name)}"[:255],
                type="rto",
                helix="academia",
                region=region,
                country="BE",
            )
            for name in sorted(names - existing)
        ],
        ignore_conflicts=True,
    )


IMPORT_PART_BYTES = 19 * 1024 * 1024  # under the portal's 20 MB upload limit


def _split_csv(data: bytes) -> list[bytes]:
    """The CSV in parts under the upload limit, each with the header."""
    import csv

    def line_of(row: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(row)
        return buffer.getvalue()

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = line_of(rows[0])
    parts: list[bytes] = []
    lines: list[str] = []
    size = len(header)
    for row in rows[1:]:
        line = line_of(row)
        if lines and size + len(line.encode("utf-8")) > IMPORT_PART_BYTES:
            parts.append((header + "".join(lines)).encode("utf-8"))
            lines, size = [], len(header)
        lines.append(line)
        size += len(line.encode("utf-8"))
    if lines:
        parts.append((header + "".join(lines)).encode("utf-8"))
    return parts


def write_import_file(rows: int, out: str) -> dict[str, Any]:
    """The import file of `rows` facilities, in parts under the 20 MB upload limit (as its
    refusal message tells a user to split a file), written to `out.1.csv`, `out.2.csv` ...;
    and the host organisations both importers match by name."""
    from core.models import Region

    data = import_file(rows)
    _create_hosts(data, Region.objects.get(code="flanders"))
    files = []
    for k, part in enumerate(_split_csv(data), start=1):
        path = f"{out}.{k}.csv"
        with open(path, "wb") as handle:
            handle.write(part)
        files.append(path)
    return {"rows": rows, "bytes": len(data), "files": files}


def run_import(rows: int, mode: str, phase: str, paths: list[str]) -> dict[str, Any]:
    """Import the files one after the other, as one import job each, in this process."""
    from django.contrib.auth import get_user_model

    from core.memory import release_free_memory
    from core.models import Region

    region = Region.objects.get(code="flanders")
    user = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create_superuser("bench", "bench@example.org", None)
    Facility.objects.filter(source="bench").delete()
    release_free_memory()
    rss_before = _peak_rss_mb()
    counts: dict[str, int] = {}
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        if mode == "portal":
            from catalogue.imports.engine import build_plan, execute_plan
            from catalogue.imports.parsing import read_table

            index = term_index()
            table = read_table(data, "csv")
            plan = build_plan(table, region=region, user=user, preset="portal", mapping={}, index=index)
            assert plan.ok, plan.error_list()[:5]
            if phase == "confirm":
                execute_plan(plan, region=region, reason="bench", index=index)
            part_counts = plan.counts
            del table, plan
        else:
            import tablib

            from bench.iex_resource import FacilityResource

            dataset = tablib.Dataset().load(io.StringIO(data.decode("utf-8-sig")), format="csv")
            result = FacilityResource().import_data(dataset, dry_run=(phase == "dry"), raise_errors=False)
            part_counts = {"new": result.totals.get("new", 0), "errors": len(result.row_errors())}
        for key, value in part_counts.items():
            counts[key] = counts.get(key, 0) + value
        del data
        release_free_memory()  # as the import job does after each file (catalogue/tasks.py)
    seconds = time.perf_counter() - start
    peak = max(_peak_rss_mb(), rss_before)  # before the clean-up, which loads every row it deletes
    Facility.objects.filter(source="bench").delete()
    return {
        "mode": mode,
        "phase": phase,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1),
        "files": len(paths),
        "peak_rss_mb": round(peak, 1),
        "counts": counts,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("populate")
    p.add_argument("--size", type=int, required=True)
    sub.add_parser("queries")
    sub.add_parser("forget")
    f = sub.add_parser("import-file")
    f.add_argument("--rows", type=int, required=True)
    f.add_argument("--out", required=True)
    i = sub.add_parser("import")
    i.add_argument("--file", nargs="+", required=True, help="the parts, in order")
    i.add_argument("--rows", type=int, required=True)
    i.add_argument("--mode", choices=["portal", "default-iex"], required=True)
    i.add_argument("--phase", choices=["dry", "confirm"], required=True)
    args = parser.parse_args(argv)
    if args.step == "populate":
        result = populate(args.size)
    elif args.step == "queries":
        result = queries()
    elif args.step == "forget":
        result = forget()
    elif args.step == "import-file":
        result = write_import_file(args.rows, args.out)
    else:
        result = run_import(args.rows, args.mode, args.phase, args.file)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
