"""Create the platform groups with their permissions, and name ERNST admins and auditors.

    manage.py platform_roles                          # groups in step with the code
    manage.py platform_roles --admin ana@ernst.example --auditor bruno@audit.example

Run after every deployment (the compose ``migrate`` job does): a release that gives a group a new
permission takes effect then. The people named must have an account already.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.roles import AUDITORS, ERNST_ADMINS
from accounts.services import platform_groups_ensure, platform_role_grant


class Command(BaseCommand):
    help = "Create the platform groups and name ERNST admins and auditors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin", action="append", default=[], metavar="EMAIL")
        parser.add_argument("--auditor", action="append", default=[], metavar="EMAIL")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = [(email, ERNST_ADMINS) for email in options["admin"]] + [
            (email, AUDITORS) for email in options["auditor"]
        ]
        users: dict[str, User] = {}
        unknown = []
        for email, _ in wanted:
            user = User.objects.filter(email__iexact=email.strip()).first()
            if user is None:
                unknown.append(email)
            else:
                users[email] = user
        if unknown:
            raise CommandError(f"No account for: {', '.join(unknown)}. Nothing was changed.")
        for name, group in platform_groups_ensure().items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
        for email, group_name in wanted:
            added = platform_role_grant(user=users[email], group_name=group_name)
            state = "added" if added else "already"
            self.stdout.write(f"{users[email].email}: {group_name} ({state})")
