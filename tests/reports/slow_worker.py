"""The Celery app with a pause between rendering and storing a report, for the worker-kill test.

Only the test starts a worker on this module; the pause lets it kill the worker mid-render.
"""

import os
import time

from celery.signals import worker_process_init

from rescue.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _pause_after_rendering(**kwargs: object) -> None:
    import reports.services as report_services  # noqa: PLC0415 - Django is ready only now

    render_pdf = report_services.render_pdf

    def slow_render_pdf(*args: object, **options: object) -> object:
        rendered = render_pdf(*args, **options)
        time.sleep(float(os.environ.get("RESCUE_TEST_RENDER_PAUSE", "30")))
        return rendered

    report_services.render_pdf = slow_render_pdf
