from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.models import Term
from core.reference_data import load_vocabularies


class Command(BaseCommand):
    help = "Create or update the controlled vocabularies from fixtures/vocabularies.json (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = load_vocabularies(Term)
        self.stdout.write(self.style.SUCCESS(f"Vocabularies: {created} terms created, {updated} updated."))
