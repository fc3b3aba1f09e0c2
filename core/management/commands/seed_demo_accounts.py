from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.models import Membership, Region

PASSWORD = "innoinfra-demo"  # noqa: S105 - the documented demo password (ARCHITECTURE §8)
EMAIL_DOMAIN = "demo.innoinfra.example"


def demo_accounts() -> list[tuple[str, str, Region | None]]:
    """(username, role, region) of every demo account (ARCHITECTURE §8)."""
    accounts: list[tuple[str, str, Region | None]] = [
        ("coordinator", Membership.Role.PROJECT_COORDINATOR, None),
        ("viewer", Membership.Role.VIEWER, None),
    ]
    for region in Region.objects.order_by("pk"):
        accounts.append((f"editor-{region.code}", Membership.Role.EDITOR, region))
        accounts.append((f"coordinator-{region.code}", Membership.Role.COORDINATOR, region))
    return accounts


class Command(BaseCommand):
    help = (
        "Create the demo accounts (password 'innoinfra-demo'): a project coordinator, a viewer, and an "
        "editor and a coordinator per region. Idempotent; sends no invitations; refused unless DEBUG or "
        "DEMO_MODE is on."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or getattr(settings, "DEMO_MODE", False)):
            raise CommandError(
                "Refusing to create accounts with a published password: set DEBUG=1 or DEMO_MODE=1 "
                "(never on a production portal)."
            )
        user_model = get_user_model()
        rows = []
        with transaction.atomic():
            for username, role, region in demo_accounts():
                email = f"{username}@{EMAIL_DOMAIN}"
                user = user_model.objects.filter(username=username).first()
                if user is None:
                    user = user_model.objects.create_user(username=username, email=email, password=PASSWORD)
                    status = "created"
                else:
                    changed = []
                    if user.email != email:
                        user.email = email
                        changed.append("email")
                    if not user.is_active:
                        user.is_active = True
                        changed.append("is_active")
                    if not user.check_password(PASSWORD):
                        user.set_password(PASSWORD)
                        changed.append("password")
                    if changed:
                        user.save(update_fields=changed)
                    status = "updated" if changed else "unchanged"
                _membership, created = Membership.objects.get_or_create(user=user, region=region, role=role)
                if created and status == "unchanged":
                    status = "updated"
                rows.append((username, role, region.code if region else "all regions", status))
        width = max(len(r[0]) for r in rows)
        self.stdout.write(f"{'username':<{width}}  {'role':<19}  {'region':<14}  status")
        for username, role, where, status in rows:
            self.stdout.write(f"{username:<{width}}  {role:<19}  {where:<14}  {status}")
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} demo accounts; password for all: {PASSWORD}"))
