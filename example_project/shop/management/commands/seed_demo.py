"""``manage.py seed_demo``: create the demo users and their shop data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from example_project.shop.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo users alice, bob and admin with invented shop data, the consent "
        "purposes and a privacy policy. Existing rows are kept, so running it again is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every shop row and the demo customers first, then seed again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo(reset=options["reset"])
        if not result.total:
            self.stdout.write("Demo data is already in place; nothing was created.")
            return
        for label, count in sorted(result.created.items()):
            self.stdout.write(f"{label}: {count} created")
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
