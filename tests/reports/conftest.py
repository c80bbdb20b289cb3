import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from audits.models import Audit, PriorCertificationConfirmation, StandardAssessment
from audits.services.applications import audit_create
from audits.services.assessments import assessment_self_rate
from audits.services.submission import audit_submit
from evidence.services import evidence_upload
from institutions.models import Institution, Membership
from rescue.celery import app as celery_app
from tests.factories import InstitutionFactory, MembershipFactory
from tests.reports.worker import Worker


def sealed_dossier(
    *,
    files_per_standard: int = 1,
    submit: bool = True,
    level: str = "execution",
    name: str = "Hospital Report",
) -> tuple[Audit, User]:
    """An Intervention dossier of the shipped catalogue: every standard rated, with files."""
    institution: Institution = InstitutionFactory(name=name, setting="hospital")
    coordinator = MembershipFactory(institution=institution, role=Membership.Role.COORDINATOR).user
    if level == "comprehensive":
        PriorCertificationConfirmation.objects.create(
            institution=institution, confirmed_by_email="admin@example.org", reason="RESCUE-I-1"
        )
    audit = audit_create(
        institution=institution,
        user=coordinator,
        component="intervention",
        setting="hospital",
        target_level=level,
    )
    assessments = (
        StandardAssessment.objects.for_institution(institution)
        .filter(audit=audit)
        .select_related("standard", "audit__catalogue_version")
    )
    for assessment in assessments:
        code = assessment.standard.code
        for number in range(files_per_standard):
            evidence_upload(
                audit=audit,
                user=coordinator,
                uploaded=SimpleUploadedFile(
                    f"{code.lower()}-procedure-{number + 1}.txt",
                    f"{code}: procedure {number + 1}, approved by the board.".encode(),
                    "text/plain",
                ),
                assessments=[assessment],
                confirmed_no_personal_data=True,
            )
        assessment_self_rate(
            assessment=assessment,
            user=coordinator,
            self_rating=StandardAssessment.Rating.MET,
            narrative=f"How {code} is met.",
        )
    if submit:
        audit = audit_submit(audit=audit, user=coordinator)
    return audit, coordinator


@pytest.fixture
def celery_queue() -> Iterator[str]:
    """A queue of the test's own: tasks sent by this process go there, and only there."""
    queue = f"rescue-test-{uuid.uuid4().hex[:10]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_default_queue = previous
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


@pytest.fixture
def worker_factory(celery_queue: str, tmp_path: Path) -> Iterator[object]:
    started: list[Worker] = []

    def start(app: str = "rescue", **env: str) -> Worker:
        worker = Worker(queue=celery_queue, log=tmp_path / "worker.log", app=app, **env)
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.kill()
