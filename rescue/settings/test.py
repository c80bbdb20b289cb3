"""The test suite: real PostgreSQL and Redis on localhost (``make test``)."""

import os
import tempfile
from pathlib import Path

from .base import *
from .base import env, postgresql_options

DEBUG = False
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="test-only-secret-key-not-for-any-deployment-987654321"
)
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES = {
    "default": postgresql_options(
        env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/rescue")
    ),
}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
# Set by pytest-xdist in each of its workers ("gw0", "gw1", ...).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "rescue-test",
    },
    # A database of its own, emptied before each test (tests/conftest.py): the counts of one
    # test must not refuse the next one's e-mails. One per pytest-xdist worker (14, 13, ...), so
    # that emptying it leaves the other worker's counts alone.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env(
            "RATELIMIT_REDIS_URL",
            default=f"redis://127.0.0.1:6379/{14 - int(XDIST_WORKER.removeprefix('gw') or 0)}",
        ),
        "KEY_PREFIX": "rescue-test-ratelimit",
    },
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Workers started by the tests are given the same folder through DJANGO_MEDIA_ROOT.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=tempfile.mkdtemp(prefix="rescue-test-media-")))
DEMO_SEED_ALLOWED = True

# The fuzz tests hit the public register thousands of times: they test answers, not the limit
# (the rate tests set their own).
CERTIFICATE_PUBLIC_RATE = "100000/m"
