from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo institutions and accounts (embedded mode only). Running it again "
        "creates nothing new and changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_SEED_ALLOWED:
            raise CommandError(
                "Demo accounts have a published password; seeding is refused here "
                "(DEMO_SEED_ALLOWED is off, as in production)."
            )
        result = demo_seed()
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        width = max(len(account.email) for account in result.accounts)
        for account in result.accounts:
            note = "" if account.created else "  (already present)"
            self.stdout.write(
                f"  {account.email:<{width}}  {account.role:<17} {account.name}{note}"
            )
        for line in result.audits_created:
            self.stdout.write(f"  {line}")
        if not result.created_anything:
            self.stdout.write("Demo data already present; nothing changed.")
