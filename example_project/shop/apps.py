import os
import sys

from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "example_project.shop"
    label = "shop"
    verbose_name = "Example shop"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        if _is_serving_runserver(sys.argv):
            from example_project import demo_beat

            demo_beat.start()


def _is_serving_runserver(argv: list[str]) -> bool:
    # The autoreloader runs the project twice: a watcher process and the serving child, which
    # it marks with RUN_MAIN. Other commands (migrate, seed_demo, shell) never start the beat.
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return "--noreload" in argv or os.environ.get("RUN_MAIN") == "true"
