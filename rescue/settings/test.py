"""The test suite: real PostgreSQL and Redis on localhost (``make test``)."""

import tempfile
from pathlib import Path

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="test-only-secret-key-not-for-any-deployment-987654321"
)
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/rescue"),
}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "rescue-test",
    },
    # Its own database, emptied before each test (tests/conftest.py): the counts of one test
    # must not refuse the next one's e-mails.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("RATELIMIT_REDIS_URL", default="redis://127.0.0.1:6379/14"),
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
