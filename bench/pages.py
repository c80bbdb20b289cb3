"""Review pages benchmark: the auditor's review page, My reviews and the dossier dashboard, each
against a reference page in the same run.

The reference is the cheapest page the project can serve: login required, the base template, one
query. Whatever a page does beyond that is what the ratio shows; the goal is at most 3x.

Builds a throw-away PostgreSQL database (default ``bench_pages`` on localhost; ``--database-url``
for another) with one dossier in review of ``--standards`` standards (default 30) and
``--files`` files per standard (default 10), two auditors who each rated every standard, and
asks each page as the lead auditor through Django's test client (middleware, policy, selectors,
template), ``--runs`` times, the pages taking turns so that they share the machine's state.
Reported per page: the median, its size and query count, and the ratio to the reference's median.

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --standards 60 --files 20 --runs 51
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from typing import Any

from lists import ROOT, reset_database, setup_django


def reference(request: Any) -> Any:
    """Login required, the base template, one query."""
    from django.contrib.auth.decorators import login_required  # noqa: PLC0415
    from django.http import HttpResponse  # noqa: PLC0415
    from django.template import engines  # noqa: PLC0415

    @login_required
    def view(request: Any) -> HttpResponse:
        from reviews.models import AuditorAssignment  # noqa: PLC0415

        count = AuditorAssignment.unscoped.filter(auditor=request.user).count()
        template = engines["django"].from_string(
            "{% extends 'base.html' %}{% block content %}<p>{{ count }}</p>{% endblock %}"
        )
        return HttpResponse(template.render({"count": count}, request))

    return view(request)


def urlconf() -> None:
    """The project's URLs plus the reference page, as this module's ``urlpatterns``."""
    from django.urls import include, path  # noqa: PLC0415

    globals()["urlpatterns"] = [
        path("bench/reference/", reference),
        path("", include("rescue.urls")),
    ]


def build(standards: int, files: int) -> tuple[Any, Any]:
    from django.core.management import call_command  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415
    from accounts.roles import AUDITORS, ERNST_ADMINS  # noqa: PLC0415
    from accounts.services import platform_groups_ensure  # noqa: PLC0415
    from institutions.models import Institution  # noqa: PLC0415

    # The test suite's builder, imported by name: the type checker covers the application.
    review_dossier_build = importlib.import_module("tests.factories.reviews").review_dossier_build

    call_command("migrate", verbosity=0)
    groups = platform_groups_ensure()
    admin = User.objects.create_user(email="admin@bench.example", password=None)
    admin.groups.add(groups[ERNST_ADMINS])
    lead = User.objects.create_user(email="lead@bench.example", password=None)
    second = User.objects.create_user(email="second@bench.example", password=None)
    for user in (lead, second):
        user.groups.add(groups[AUDITORS])
    institution = Institution.objects.create(name="Bench Hospital", country="ES")
    audit = review_dossier_build(
        institution=institution,
        lead=lead,
        second=second,
        admin=admin,
        standards=standards,
        files_per_standard=files,
        rated_by_each=standards,
    )
    return audit, lead


def verified_client(user: Any) -> Any:
    from django.test import Client  # noqa: PLC0415
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def profile(client: Any, pages: dict[str, str], which: str, runs: int) -> None:
    """cProfile of one page over ``runs`` requests, the 30 costliest functions by own time."""
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    url = next(url for name, url in pages.items() if name.startswith(which))
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"^(?!.*site-packages)", 40)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(30)


def query_list(client: Any, pages: dict[str, str], which: str) -> None:
    """Each query of one page with its time, as the database connection measured it."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    url = next(url for name, url in pages.items() if name.startswith(which))
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for query in queries.captured_queries:
        print(f"{float(query['time']) * 1000:6.2f} ms  {query['sql'][:300]}")
    total = sum(float(query["time"]) for query in queries.captured_queries)
    print(f"{len(queries)} queries, {total * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_pages")
    parser.add_argument("--standards", type=int, default=30)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="instead of timing, profile PAGE (its first word: review, my, dossier) over --runs",
    )
    parser.add_argument(
        "--queries", metavar="PAGE", help="instead of timing, list PAGE's queries with their time"
    )
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415
    from django.urls import clear_url_caches, reverse  # noqa: PLC0415

    reset_database(args.database_url)
    settings.MEDIA_ROOT = str(ROOT / "var" / "bench-media")
    urlconf()
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    audit, lead = build(args.standards, args.files)
    first_code = audit.assessments.order_by("standard__order").first().standard.code
    pages = {
        "reference (login, base template, 1 query)": "/bench/reference/",
        "review page": reverse("reviews:standard", args=[audit.pk, first_code]),
        "my reviews": reverse("reviews:mine"),
        "dossier dashboard": reverse("audits:detail", args=[audit.pk]),
    }
    client = verified_client(lead)
    if args.queries:
        query_list(client, pages, args.queries)
        return
    if args.profile:
        profile(client, pages, args.profile, args.runs)
        return
    times: dict[str, list[float]] = {name: [] for name in pages}
    for url in pages.values():  # warm up
        if client.get(url).status_code != 200:
            raise SystemExit(f"{url} did not answer 200")
    for _ in range(args.runs):
        for name, url in pages.items():
            start = time.perf_counter()
            client.get(url)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times[next(iter(pages))])
    print(
        f"dossier: {args.standards} standards, {args.files} files each "
        f"({args.standards * args.files} files), 2 auditors who rated every standard; "
        f"median of {args.runs} runs, pages in turn"
    )
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            size = len(client.get(url).content)
        median = statistics.median(times[name])
        print(
            f"{name:44} {median * 1000:7.1f} ms {size / 1024:7.1f} KiB "
            f"{len(queries):3} queries | ratio {median / base:4.2f}"
        )


if __name__ == "__main__":
    main()
