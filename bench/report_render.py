"""Dossier report benchmark: time to render the full Intervention dossier report.

Builds, on a throw-away SQLite database and media folder, a Comprehensive-level Intervention
dossier of the shipped catalogue (30 standards) with 150 evidence files (5 per standard), seals
it, then renders the dossier report several times in this process, as a worker does: reading the
data, laying out the pages and writing the PDF. WeasyPrint uses one core; the process is pinned
to one core when the machine allows it.

    .venv/bin/python bench/report_render.py            # 5 runs
    .venv/bin/python bench/report_render.py --runs 9 --files-per-standard 10

Reported: each run's time, then the median, with the page count and the file size. Target: under
3 s on one core.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Django is set up at run time, after the arguments are read
    from audits.models import Audit

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 3.0


def setup_django(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "rescue.settings.local",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "false",  # rendering is timed here, not in a task
        }
    )
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", str(ROOT / "fixtures" / "catalogue"), verbosity=0)


def build_dossier(files_per_standard: int) -> Audit:
    from accounts.models import User  # noqa: PLC0415
    from demo.builders import complete_dossier  # noqa: PLC0415
    from institutions.models import Institution, Membership  # noqa: PLC0415

    user = User.objects.create_user(email="bench@example.org", password=None)
    institution = Institution.objects.create(
        name="Hospital Universitario de Referencia", country="ES", setting="hospital"
    )
    Membership.objects.create(user=user, institution=institution, role="coordinator")
    return complete_dossier(
        institution=institution,
        coordinator=user,
        level="comprehensive",
        files_per_standard=files_per_standard,
        narrative_sentences=3,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files-per-standard", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the top functions of a run")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    workdir = Path(tempfile.mkdtemp(prefix="rescue-bench-report-"))
    try:
        setup_django(workdir)
        from reports.dossier import dossier_context  # noqa: PLC0415
        from reports.models import Report  # noqa: PLC0415
        from reports.rendering import render_pdf  # noqa: PLC0415

        audit = build_dossier(args.files_per_standard)
        report = Report(audit=audit, institution=audit.institution, kind="dossier", version=1)
        standards = audit.assessments.count()
        files = audit.evidence_files.count()
        render_pdf("pdf/dossier.html", dossier_context(audit) | {"report": report})  # warm-up

        if args.profile:
            import cProfile  # noqa: PLC0415
            import pstats  # noqa: PLC0415

            profile = cProfile.Profile()
            profile.runcall(
                render_pdf, "pdf/dossier.html", dossier_context(audit) | {"report": report}
            )
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        timings = []
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            rendered = render_pdf("pdf/dossier.html", dossier_context(audit) | {"report": report})
            timings.append(time.perf_counter() - started)
            print(f"run {run}: {timings[-1]:.2f} s")
        median = statistics.median(timings)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
        print(f"dossier report, {standards} standards, {files} evidence files, cores used: {cores}")
        print(
            f"median over {args.runs} runs: {median:.2f} s "
            f"(min {min(timings):.2f}, max {max(timings):.2f}); "
            f"{rendered.page_count} pages, {len(rendered.content) / 1024:.0f} KB; "
            f"target {TARGET_SECONDS:.0f} s: {median / TARGET_SECONDS:.2f} of it"
        )
        return 0 if median < TARGET_SECONDS else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
