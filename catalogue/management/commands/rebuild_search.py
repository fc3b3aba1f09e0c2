from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from catalogue.services import facility_rebuild_search, search_words_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every facility's search text and derived columns, and the 'did you mean' "
        "dictionary (after a vocabulary change or a PostgreSQL major upgrade)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        facilities = facility_rebuild_search()
        words = search_words_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {facilities} facilities and {words} dictionary words.")
        )
