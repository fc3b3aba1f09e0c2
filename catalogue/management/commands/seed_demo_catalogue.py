from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.demo.enquiries import (
    enquiry_specs,
    load_enquiries,
    published_demo_facilities,
    showcase_enquiry,
)
from catalogue.demo.generator import generate
from catalogue.demo.loader import load, load_bulk
from catalogue.enquiries.links import enquiry_url
from catalogue.services import search_words_rebuild
from core.selectors import term_index


class Command(BaseCommand):
    help = (
        "Load the generated demo catalogue (fictional facilities spread over the eight regions). "
        "Idempotent: a second run changes nothing. --bulk inserts new facilities quickly, for benchmarks. "
        "Then 3-6 demo enquiries per region over the last six months, answered by the demo editors "
        "(run seed_demo_accounts first), and a private link to follow one as the SME."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=240, help="Number of facilities (default 240).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="Bulk-insert new facilities (fast; existing slugs are skipped).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Facilities per transaction with --bulk."
        )
        parser.add_argument("--no-enquiries", action="store_true", help="Do not create the demo enquiries.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.DEMO_MODE):
            # Sample facilities must never mix into a real catalogue.
            raise CommandError("Refused: sample data is loaded only with DEBUG or DEMO_MODE on.")
        count: int = options["count"]
        if count < 0:
            raise CommandError("--count must not be negative.")
        index = term_index()
        if not index.codes("ket"):
            raise CommandError(
                "The vocabularies are empty: run `manage.py migrate` (or load_reference_data) first."
            )
        started = time.perf_counter()
        specs = generate(count, seed=options["seed"], index=index)
        if options["bulk"]:
            created = load_bulk(specs, index=index, batch_size=options["batch_size"])
            summary = f"{created} created, {count - created} already present"
        else:
            result = load(specs, index=index)
            summary = f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        loaded = time.perf_counter()
        words = search_words_rebuild()
        done = time.perf_counter()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalogue (seed {options['seed']}, {count} facilities): {summary} "
                f"in {loaded - started:.1f}s; {words} dictionary words rebuilt in {done - loaded:.1f}s."
            )
        )
        if not options["no_enquiries"]:
            self._seed_enquiries(seed=options["seed"])

    def _seed_enquiries(self, *, seed: int) -> None:
        specs = enquiry_specs(published_demo_facilities(), seed=seed)
        result = load_enquiries(specs)
        note = (
            " (no demo editor or facility for them: run seed_demo_accounts first)" if result.skipped else ""
        )
        self.stdout.write(
            f"Demo enquiries: {result.created} created, {result.present} already present, "
            f"{result.skipped} skipped{note}; their mails were not sent."
        )
        showcase = showcase_enquiry(specs)
        if showcase is None:
            return
        self.stdout.write(f"Follow a demo enquiry as the SME: {enquiry_url(showcase)}")
