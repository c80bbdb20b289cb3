from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from standards.choices import Component
from standards.models import CatalogueVersion
from standards.services import catalogue_export


class Command(BaseCommand):
    help = "Write a catalogue version back in the catalogue file format (YAML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", help="version label, e.g. 2026.1")
        parser.add_argument(
            "--component",
            choices=Component.values,
            help="needed when several components share the version label",
        )
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = CatalogueVersion.objects.filter(version=options["version"])
        if options["component"]:
            versions = versions.filter(component=options["component"])
        found = list(versions)
        if not found:
            raise CommandError(f"No catalogue version {options['version']!r} is loaded.")
        if len(found) > 1:
            components = ", ".join(v.component for v in found)
            raise CommandError(
                f"Version {options['version']!r} exists for {components}; "
                "choose one with --component."
            )
        text = catalogue_export(version=found[0])
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stderr.write(f"{found[0]} written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
