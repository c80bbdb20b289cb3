"""Celery beat's daily tasks of the certificates; each is harmless to run twice."""

import logging

from celery import shared_task

from certification.services import certificates_expire, conditions_enforce

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def certificates_expire_task() -> int:
    """Expire the certificates past their validity."""
    expired = certificates_expire()
    if expired:
        logger.info("certificates expired: %s", ", ".join(expired))
    return len(expired)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def conditions_enforce_task() -> int:
    """Suspend the certificates whose conditions were not closed in time."""
    suspended = conditions_enforce()
    if suspended:
        logger.warning("certificates suspended for open conditions: %s", ", ".join(suspended))
    return len(suspended)
