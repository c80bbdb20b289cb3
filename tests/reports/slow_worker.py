"""The Celery app with a pause between rendering and storing a report, for the worker tests.

Only the tests start a worker on this module; the pause lets them kill the worker mid-render, or
let it reach the hard time limit. With ``RESCUE_TEST_IGNORE_SOFT_LIMIT`` the pause outlasts the
soft time limit too, as a render stuck in C code would (it never sees the soft limit's exception).
"""

import os
import time

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from rescue.celery import app

__all__ = ["app"]


def _pause(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            time.sleep(left)
        except SoftTimeLimitExceeded:
            if not os.environ.get("RESCUE_TEST_IGNORE_SOFT_LIMIT"):
                raise


@worker_process_init.connect
def _pause_after_rendering(**kwargs: object) -> None:
    import reports.services as report_services  # noqa: PLC0415 - Django is ready only now

    render_pdf = report_services.render_pdf

    def slow_render_pdf(*args: object, **options: object) -> object:
        rendered = render_pdf(*args, **options)
        _pause(float(os.environ.get("RESCUE_TEST_RENDER_PAUSE", "30")))
        return rendered

    report_services.render_pdf = slow_render_pdf
