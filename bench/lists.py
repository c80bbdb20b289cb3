"""List pages benchmark: the ERNST admin's audit list, institution list and auditor pool on a
platform-sized database, against the same pages on a small one.

Builds a throw-away PostgreSQL database (default ``bench_lists`` on localhost; ``--database-url``
for another) with ``--institutions`` institutions (default 1,000) and ``--audits`` audits
(default 5,000: per institution one open Intervention and one open Training audit, the rest
closed), each with the 30 or 11 assessments of its catalogue, and ``--auditors`` auditors. Then
asks each page as an ERNST admin through Django's test client (the whole stack: middleware,
policy, filters, template) ``--runs`` times. Reported per page: the median time, the page's
size and its query count, then the same on a small platform (1/50 of the data) and the ratio of
the medians. A paginated list costs the same whatever the platform's size: the target ratio is
under 2.

    .venv/bin/python bench/lists.py
    .venv/bin/python bench/lists.py --institutions 200 --audits 1000 --runs 21
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "audit list": "/audits/",
    "audit list, filtered (closed, Spain)": "/audits/?status=closed&country=ES",
    "institution list": "/institutions/",
    "auditor pool": "/auditors/",
}


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "rescue.settings.local",
            "DATABASE_URL": database_url,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    import django  # noqa: PLC0415

    django.setup()


def reset_database(database_url: str) -> None:
    """Drop and create the benchmark's own database (never the project's)."""
    import psycopg  # noqa: PLC0415

    name = database_url.rsplit("/", 1)[1]
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to reset {name!r}: the database name must start with bench")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build(institutions: int, audits: int, auditors: int) -> None:
    from django.core.management import call_command  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415
    from accounts.roles import AUDITORS  # noqa: PLC0415
    from accounts.services import platform_groups_ensure  # noqa: PLC0415
    from auditors.models import AuditorProfile  # noqa: PLC0415
    from audits.models import Audit, StandardAssessment  # noqa: PLC0415
    from institutions.models import Institution  # noqa: PLC0415
    from standards.models import CatalogueVersion, Standard  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", str(ROOT / "fixtures" / "catalogue"), verbosity=0)
    countries = ["ES", "PT", "NL", "DE", "AT", "BE", "FR", "IT", "PL", "SE"]
    settings_ = ["hospital", "primary_care", "nursing_home"]
    Institution.objects.bulk_create(
        Institution(
            name=f"Institution {n:05d}",
            country=countries[n % len(countries)],
            setting=settings_[n % len(settings_)],
        )
        for n in range(institutions)
    )
    versions = {v.component: v for v in CatalogueVersion.objects.filter(status="active")}
    standards = {
        component: list(Standard.objects.filter(catalogue_version=version))
        for component, version in versions.items()
    }
    rows = []
    ids = list(Institution.objects.values_list("pk", flat=True))
    for n in range(audits):
        institution_id = ids[n % len(ids)]
        rnd = n // len(ids)  # 0: the open Intervention audit, 1: the open Training one
        component = "training" if rnd == 1 else "intervention"
        rows.append(
            Audit(
                institution_id=institution_id,
                catalogue_version=versions[component],
                component=component,
                setting="hospital",
                target_level="" if component == "training" else "design",
                status="draft" if rnd < 2 else "closed",
            )
        )
    created = Audit.unscoped.bulk_create(rows, batch_size=2000)
    StandardAssessment.unscoped.bulk_create(
        (
            StandardAssessment(
                institution_id=audit.institution_id, audit_id=audit.pk, standard=standard
            )
            for audit in created
            for standard in standards[audit.component]
        ),
        batch_size=5000,
    )
    group = platform_groups_ensure()[AUDITORS]
    for n in range(auditors):
        user = User.objects.create_user(email=f"auditor{n:04d}@bench.example", password=None)
        user.groups.add(group)
        AuditorProfile.objects.create(
            user=user, countries=",".join(countries[n % 3 : n % 3 + 2]), languages=["en"]
        )


def admin_client():
    from django.test import Client  # noqa: PLC0415
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415
    from accounts.roles import ERNST_ADMINS  # noqa: PLC0415
    from accounts.services import platform_groups_ensure  # noqa: PLC0415

    admin = User.objects.create_user(email="admin@bench.example", password=None)
    admin.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    device = TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")  # make run's allowed host
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client, url: str, runs: int) -> tuple[float, int, int]:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client.get(url)  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(url).content)
    return statistics.median(times), size, len(queries)


def platform(args: argparse.Namespace, scale: int) -> dict[str, tuple[float, int, int]]:
    from django.db import connections  # noqa: PLC0415

    connections.close_all()
    reset_database(args.database_url)
    build(args.institutions // scale, args.audits // scale, max(args.auditors // scale, 1))
    client = admin_client()
    return {name: measure(client, url, args.runs) for name, url in PAGES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_lists")
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--audits", type=int, default=5000)
    parser.add_argument("--auditors", type=int, default=200)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    setup_django(args.database_url)
    large = platform(args, 1)
    small = platform(args, 50)
    print(
        f"platform: {args.institutions} institutions, {args.audits} audits, "
        f"{args.auditors} auditors; small: 1/50 of it; median of {args.runs} runs"
    )
    for name in PAGES:
        (t_large, size_large, q_large), (t_small, _, q_small) = large[name], small[name]
        print(
            f"{name:42} {t_large * 1000:7.1f} ms {size_large / 1024:7.1f} KiB "
            f"{q_large:3} queries | small {t_small * 1000:6.1f} ms {q_small:3} queries | "
            f"ratio {t_large / t_small:4.2f}"
        )


if __name__ == "__main__":
    main()
