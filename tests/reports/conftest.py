import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.models import User
from audits.models import Audit
from demo.builders import complete_dossier
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
    audit = complete_dossier(
        institution=institution,
        coordinator=coordinator,
        level=level,
        files_per_standard=files_per_standard,
        submit=submit,
    )
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


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis (broker and result store) refuses connections, as when it is down."""
    down = "redis://127.0.0.1:1/0"
    monkeypatch.setitem(celery_app.conf, "broker_url", down)
    monkeypatch.setitem(celery_app.conf, "result_backend", down)
    # Connection pools and the result store are made again, to that URL.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    monkeypatch.setattr(celery_app, "_backend_cache", None)
    monkeypatch.setattr(celery_app, "_local", threading.local())
