from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.mail import outbox_flush


class Command(BaseCommand):
    help = "Send every due mail of the outbox now, in this process (for operators)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = outbox_flush(limit=options["limit"])
        self.stdout.write(f"Sent {sent} mails; {failed} still waiting or failed.")
