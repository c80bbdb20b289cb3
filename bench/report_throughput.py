"""Report throughput: 20 dossier reports rendered by one Celery worker process, then by two, on
the local Redis; the ratio of the two rates.

Builds a throw-away PostgreSQL database (default ``bench_throughput``) and media folder with
``--reports`` sealed Intervention dossiers of the shipped catalogue (Execution level,
``--files-per-standard`` files each), then for 1 and for 2 workers: starts that many
``celery -A rescue worker --concurrency=1`` processes (separate replicas, as production scales
its worker container) on a queue of the run's own, waits until they are ready, asks for every
dossier's report as its coordinator does (``report_request``: the task is sent on commit), and
times until the last report is ready. Between the rounds the reports are deleted, so the second
round renders the same 20 again.

Reported: each round's time and rate (reports a second), then the ratio. Goal: close to 2 on 2
cores (rendering is CPU-bound, one core per worker process).

    .venv/bin/python bench/report_throughput.py
    .venv/bin/python bench/report_throughput.py --reports 40 --files-per-standard 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from lists import ROOT, reset_database

BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379/7"


def setup(database_url: str, media: Path, queue: str) -> dict[str, str]:
    """This process's Django and the environment its workers share."""
    env = {
        "DJANGO_SETTINGS_MODULE": "rescue.settings.local",
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media),
        "REDIS_URL": REDIS,
        "CELERY_BROKER_URL": REDIS,
        "CELERY_RESULT_BACKEND": REDIS,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", str(ROOT / "fixtures" / "catalogue"), verbosity=0)
    return env


def dossiers(count: int, files_per_standard: int) -> list[tuple[Any, Any]]:
    from accounts.models import User  # noqa: PLC0415
    from demo.builders import complete_dossier  # noqa: PLC0415
    from institutions.models import Institution, Membership  # noqa: PLC0415

    made = []
    for n in range(count):
        user = User.objects.create_user(email=f"coord{n:02d}@bench.example", password=None)
        institution = Institution.objects.create(
            name=f"Hospital {n:02d}", country="ES", setting="hospital"
        )
        Membership.objects.create(user=user, institution=institution, role="coordinator")
        audit = complete_dossier(
            institution=institution,
            coordinator=user,
            level="execution",
            files_per_standard=files_per_standard,
        )
        made.append((audit, user))
    return made


def workers(
    count: int, env: dict[str, str], queue: str, log: Path
) -> list[subprocess.Popen[bytes]]:
    """``count`` worker processes, each of concurrency 1, once each says it is ready."""
    started = []
    for n in range(count):
        out = (log.parent / f"{log.stem}-{n}.log").open("wb")
        started.append(
            subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "rescue",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    f"--queues={queue}",
                    f"--hostname=bench-{n}-{uuid.uuid4().hex[:6]}@%h",
                    "--without-heartbeat",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=os.environ | env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + 90
    logs = [log.parent / f"{log.stem}-{n}.log" for n in range(count)]
    while time.monotonic() < deadline:
        if all(b"ready." in path.read_bytes() for path in logs):
            return started
        time.sleep(0.2)
    stop(started)
    raise SystemExit("the workers did not start:\n" + "\n".join(p.read_text() for p in logs))


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        process.wait(timeout=30)


def round_of(made: list[tuple[Any, Any]], count: int, env: dict[str, str], work: Path) -> float:
    """Seconds for ``count`` workers to render every dossier's report."""
    from reports.models import Report  # noqa: PLC0415
    from reports.services import report_request  # noqa: PLC0415

    Report.unscoped.all().delete()
    started_workers = workers(count, env, env["CELERY_TASK_DEFAULT_QUEUE"], work / f"w{count}.log")
    try:
        started = time.perf_counter()
        for audit, user in made:
            report_request(audit=audit, user=user)
        while True:
            states = list(Report.unscoped.values_list("status", flat=True))
            if len(states) == len(made) and all(s in ("ready", "failed") for s in states):
                break
            if time.perf_counter() - started > 600:
                raise SystemExit(f"not done after 600 s: {states}")
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        stop(started_workers)
    failed = Report.unscoped.filter(status="failed").count()
    if failed:
        raise SystemExit(f"{failed} reports failed; the workers' logs are in {work}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_throughput"
    )
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--files-per-standard", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rescue-throughput-"))
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    reset_database(args.database_url)
    env = setup(args.database_url, work / "media", queue)
    built = time.perf_counter()
    made = dossiers(args.reports, args.files_per_standard)
    standards = made[0][0].assessments.count()
    print(
        f"{args.reports} sealed dossiers of {standards} standards and "
        f"{standards * args.files_per_standard} files each, built in "
        f"{time.perf_counter() - built:.0f} s"
    )
    one = round_of(made, 1, env, work)
    print(f"1 worker:  {one:6.1f} s, {args.reports / one:5.2f} reports a second")
    two = round_of(made, 2, env, work)
    print(f"2 workers: {two:6.1f} s, {args.reports / two:5.2f} reports a second")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"ratio {one / two:.2f} (goal: close to 2; this machine has {cores} cores)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
