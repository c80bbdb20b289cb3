"""The Celery application.

Configuration comes from Django settings under the ``CELERY_`` namespace, so the same code runs
in-process in the embedded mode (``CELERY_TASK_ALWAYS_EAGER``) and on Redis-backed workers
everywhere else.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rescue.settings.local")

app = Celery("rescue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
