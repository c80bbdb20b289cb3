"""The platform around the apps: settings per environment, health check, services."""

import os
import re
import runpy
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from rescue.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)


def test_production_settings_pass_the_deployment_check() -> None:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "rescue.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "rescue.example.org",
        "DATABASE_URL": "postgres://rescue:secret@db.invalid:5432/rescue",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "DJANGO_AWS_STORAGE_BUCKET_NAME": "rescue-evidence",
        "DJANGO_AWS_ACCESS_KEY_ID": "access",
        "DJANGO_AWS_SECRET_ACCESS_KEY": "secret",
        "DJANGO_AWS_S3_ENDPOINT_URL": "https://s3.invalid",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "rescue.settings.production"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_health_check_answers_without_a_known_host(client: Client) -> None:
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_the_suite_runs_on_postgresql_and_redis() -> None:
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    key = f"probe-{uuid.uuid4()}"
    cache.set(key, {"value": 42}, timeout=10)
    assert cache.get(key) == {"value": 42}
    cache.delete(key)


def test_the_applications_postgresql_connections_run_without_jit(db: None) -> None:
    """Compiling cost more than the pages' queries take (bench/pages.py): off by default."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_celery_is_configured_for_safe_delivery() -> None:
    conf = celery_app.conf
    assert conf.broker_url.startswith("redis://")
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_always_eager is False


def test_embedded_settings_run_without_services() -> None:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "rescue.settings.local",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "from rescue.celery import app;"
        "print(s.DATABASES['default']['ENGINE'], app.conf.task_always_eager,"
        " s.STORAGES['default']['BACKEND'], s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.files.storage.FileSystemStorage",
        "False",  # the project's own error pages (and JSON errors under /api/) unless asked
    ]


def test_embedded_sqlite_takes_the_write_lock_when_a_transaction_begins() -> None:
    """Two report requests at once wait for each other instead of one failing with "database
    is locked": SQLite has no row locks for select_for_update to take."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "rescue.settings.local"}
    code = (
        "import django; django.setup(); from django.db import connection;"
        "print(connection.settings_dict['OPTIONS'].get('transaction_mode'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["IMMEDIATE"]


def test_every_environment_variable_is_documented() -> None:
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    read = set()
    for path in (ROOT / "rescue" / "settings").glob("*.py"):
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z0-9_]+)\"", path.read_text()))
    assert read, "no environment variable found: the pattern is out of date"
    assert read <= documented, f"not in .env.example: {sorted(read - documented)}"


def _gunicorn_settings(**environ: str) -> dict[str, object]:
    names = [key for key in os.environ if key.startswith("GUNICORN_")]
    saved = {key: os.environ.pop(key) for key in names}
    os.environ.update(environ)
    try:
        return runpy.run_path(str(ROOT / "rescue" / "gunicorn_conf.py"))
    finally:
        for key in environ:
            os.environ.pop(key, None)
        os.environ.update(saved)


def test_gunicorn_preloads_and_replaces_its_workers_far_apart() -> None:
    """Workers share the load evenly: replaced after max_requests with a narrow spread, they
    were replaced together, cold (at 50 requests a second, the minute's p95 went from 150 to
    1,200 ms in bench/load.py). The spread is half of max_requests, and the application is
    imported before the workers are forked."""
    defaults = _gunicorn_settings()
    assert defaults["preload_app"] is True
    assert defaults["max_requests"] == 20000
    assert defaults["max_requests_jitter"] == 10000
    chosen = _gunicorn_settings(GUNICORN_MAX_REQUESTS="5000", GUNICORN_PRELOAD="false")
    assert chosen["max_requests_jitter"] == 2500
    assert chosen["preload_app"] is False
