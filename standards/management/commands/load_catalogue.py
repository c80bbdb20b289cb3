from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from standards.services import CatalogueRefusedError, catalogue_load


class Command(BaseCommand):
    help = (
        "Validate and load standards catalogue files (YAML). A directory loads every *.yaml in "
        "it. All files are validated first and load in one transaction: a refused file writes "
        "nothing. Loading an unchanged file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="catalogue files or directories")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path | str] = []
        for path in options["paths"]:
            if path.is_dir():
                found = sorted(path.glob("*.yaml"))
                if not found:
                    raise CommandError(f"{path}: no *.yaml catalogue files in this directory")
                paths += found
            else:
                paths.append(path)
        try:
            results = catalogue_load(paths=paths)
        except CatalogueRefusedError as exc:
            raise CommandError(str(exc)) from None
        for result in results:
            self.stdout.write(result.describe())
