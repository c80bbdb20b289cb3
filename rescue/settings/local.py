"""Embedded mode for ``make run``: SQLite, files on local disk, Celery tasks in-process."""

from .base import *
from .base import BASE_DIR, env

# Off unless asked (DJANGO_DEBUG=1): the demo answers with the project's own error pages, and the
# API with the JSON errors its schema states, as in production.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="local-only-insecure-key-never-used-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="cache+memory://")

DEMO_SEED_ALLOWED = env.bool("DEMO_SEED_ALLOWED", default=True)
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# SQLite has no row locks (select_for_update does nothing): two write transactions at once fail
# with "database is locked" when the second one tries to write. Taking the write lock when the
# transaction begins makes them wait for each other instead.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
