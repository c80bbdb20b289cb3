"""Pages benchmark: the auditor's review page, My reviews, the dossier dashboard and the public
register and verification pages, each against a reference page in the same run.

The reference is the cheapest page the project can serve: login required, the base template, one
query. Whatever a page does beyond that is what the ratio shows; the goal is at most 3x.

Builds a throw-away PostgreSQL database (default ``bench_pages`` on localhost; ``--database-url``
for another) with one dossier in review of ``--standards`` standards (default 30) and
``--files`` files per standard (default 10), two auditors who each rated every standard, and
``--certificates`` certificates (default 1,000) of half as many institutions in ten countries,
three settings and every scheme: most active, some suspended, the rest withdrawn, expired (some
past their expiry before the hourly task has recorded it), superseded, or a supporters'
competences certificate (which the register does not list). Then asks each page through Django's
test client (middleware, policy, selectors, template), ``--runs`` times, the pages taking turns
so that they share the machine's state: the review pages as the lead auditor, the public pages
(the register, a search, a filtered register, a certificate by number, its verification by code,
a superseded one's) as an anonymous visitor, with a client of its own that never signs in. The
reference stays the signed-in one: the ratio of a public page is to the same reference as the
review pages'.

The public pages count every read against ``CERTIFICATE_PUBLIC_RATE`` (60 a minute by default);
the benchmark raises the rate so that every request is answered (a 429 stops it) while the
count itself is still made, in the ``ratelimit`` cache of the local settings (memory; Redis in
production). Their ``Cache-Control: public, max-age=300`` is for the browser and shared caches:
nothing on the server keeps a page (no cache middleware, no cached view), and the test client
caches nothing, so each request is drawn anew; the benchmark checks that each one queries the
database.

Reported per page: the median and the 95th percentile, its size and query count, and the ratio
to the reference's median.

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --standards 60 --files 20 --certificates 5000 --runs 51
    .venv/bin/python bench/pages.py --queries search     # one page's queries (its first word)
    .venv/bin/python bench/pages.py --profile register   # cProfile of one page
    .venv/bin/python bench/pages.py --sql "CREATE INDEX ..."  # an index to try, before timing
"""

from __future__ import annotations

import argparse
import importlib
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
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


# The register's institutions: the country's word for a hospital names them, so that a search for
# SEARCH finds the Dutch ones (a tenth of the register).
NAMES = {
    "ES": "Hospital",
    "PT": "Centro Hospitalar",
    "NL": "Ziekenhuis",
    "DE": "Klinikum",
    "AT": "Landeskrankenhaus",
    "BE": "Zorgcentrum",
    "FR": "Centre hospitalier",
    "IT": "Ospedale",
    "PL": "Szpital",
    "SE": "Sjukhus",
}
SEARCH = "ziekenhuis"
FILTER = {"country": "DE", "scheme": "intervention"}
SETTINGS = ("hospital", "primary_care", "nursing_home")
# (scheme, weight); the supporters' competences certify a person and are not on the register.
SCHEMES = (("intervention", 50), ("training", 35), ("mastery", 10), ("competences", 5))
STATUSES = (
    ("active", 68),
    ("overdue", 2),  # active, past its expiry: the hourly task has not recorded it yet
    ("suspended", 10),
    ("withdrawn", 5),
    ("expired", 10),
    ("superseded", 5),
)


def register_build(certificates: int) -> dict[str, Any]:
    """``certificates`` certificates of half as many institutions, created in bulk; the
    certificates the verification pages show (an active one, a superseded one)."""
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from certification.models import SCHEME_CODES, Certificate, Scheme  # noqa: PLC0415
    from institutions.models import Institution  # noqa: PLC0415

    rng = random.Random(2026)
    today = timezone.localdate()
    countries = list(NAMES)
    created = Institution.objects.bulk_create(
        Institution(
            name=f"{NAMES[countries[n % len(countries)]]} {n:05d}",
            country=countries[n % len(countries)],
            setting=SETTINGS[n % len(SETTINGS)],
        )
        for n in range(max(certificates // 2, 1))
    )
    sequences: dict[str, int] = {}
    rows, kinds = [], []
    for n in range(certificates):
        institution = created[n % len(created)]
        (scheme,) = rng.choices([s for s, _ in SCHEMES], [w for _, w in SCHEMES])
        (kind,) = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])
        if kind in ("expired", "overdue"):
            expires_on = today - timedelta(days=rng.randint(1 if kind == "overdue" else 2, 400))
        else:
            expires_on = today + timedelta(days=rng.randint(30, 5 * 365 - 30))
        issued_on = expires_on - timedelta(days=5 * 365)
        prefix = f"{SCHEME_CODES[Scheme(scheme)]}-{issued_on.year}"
        sequences[prefix] = sequences.get(prefix, 0) + 1
        status = "active" if kind == "overdue" else kind
        since = issued_on if status in ("active", "expired") else today - timedelta(days=20)
        rows.append(
            Certificate(
                institution_id=institution.pk,
                number=f"RESCUE-{prefix}-{sequences[prefix]:06d}",
                scheme=scheme,
                level=rng.choice(["design", "execution", "comprehensive"])
                if scheme == "intervention"
                else "",
                setting=institution.setting,
                issued_on=issued_on,
                expires_on=expires_on,
                status=status,
                status_since=datetime(since.year, since.month, since.day, 9, tzinfo=UTC),
                suspended_until=today + timedelta(days=30)
                if status == "suspended" and n % 2
                else None,
            )
        )
        kinds.append(kind)
    rows = Certificate.unscoped.bulk_create(rows, batch_size=1000)
    in_force = [
        row
        for row, kind in zip(rows, kinds, strict=True)
        if kind == "active" and row.scheme != "competences"
    ]
    superseded = [row for row in rows if row.status == "superseded"]
    for row in superseded:  # replaced by a certificate in force, as a renewal does
        row.superseded_by_id = rng.choice(in_force).pk
    Certificate.unscoped.bulk_update(superseded, ["superseded_by"], batch_size=1000)
    with connection.cursor() as cursor:  # the planner's statistics of a live database
        cursor.execute("ANALYZE")
    return {
        "institutions": len(created),
        "kinds": {kind: kinds.count(kind) for kind, _ in STATUSES},
        "active": in_force[len(in_force) // 2],
        "superseded": superseded[0] if superseded else in_force[0],
    }


def anonymous_client() -> Any:
    from django.test import Client  # noqa: PLC0415

    return Client(HTTP_HOST="127.0.0.1")


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


Pages = dict[str, tuple[Any, str]]  # name: (the client that asks, the URL)


def profile(pages: Pages, which: str, runs: int) -> None:
    """cProfile of one page over ``runs`` requests, the 30 costliest functions by own time."""
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    client, url = next(page for name, page in pages.items() if name.startswith(which))
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


def query_list(pages: Pages, which: str) -> None:
    """Each query of one page with its time, as the database connection measured it."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client, url = next(page for name, page in pages.items() if name.startswith(which))
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for query in queries.captured_queries:
        print(f"{float(query['time']) * 1000:6.2f} ms  {query['sql'][:300]}")
    total = sum(float(query["time"]) for query in queries.captured_queries)
    print(f"{len(queries)} queries, {total * 1000:.1f} ms")


def timings(pages: Pages, runs: int) -> dict[str, list[float]]:
    """Each page's times over ``runs`` rounds, the pages in turn; anything but a 200 stops."""
    times: dict[str, list[float]] = {name: [] for name in pages}
    for asker, url in pages.values():  # warm up
        if asker.get(url).status_code != 200:
            raise SystemExit(f"{url} did not answer 200")
    for _ in range(runs):
        for name, (asker, url) in pages.items():
            start = time.perf_counter()
            response = asker.get(url)
            times[name].append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_pages")
    parser.add_argument("--standards", type=int, default=30)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument(
        "--sql",
        action="append",
        default=[],
        metavar="STATEMENT",
        help="run STATEMENT on the built database before timing (e.g. an index to try); repeatable",
    )
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="instead of timing, profile PAGE (its first word: review, my, dossier, register, "
        "search, filtered, certificate, verification, superseded) over --runs",
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

    from certification.selectors import register_list  # noqa: PLC0415

    reset_database(args.database_url)
    settings.MEDIA_ROOT = str(ROOT / "var" / "bench-media")
    # Every public read is still counted, never refused: the benchmark asks more than 60 a minute.
    settings.CERTIFICATE_PUBLIC_RATE = "1000000/m"
    urlconf()
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    audit, lead = build(args.standards, args.files)
    register = register_build(args.certificates)
    with connection.cursor() as cursor:
        for statement in args.sql:
            cursor.execute(statement)
        if args.sql:
            cursor.execute("ANALYZE")
    first_code = audit.assessments.order_by("standard__order").first().standard.code
    client, anonymous = verified_client(lead), anonymous_client()
    register_url = reverse("public:register")
    filters = "&".join(f"{key}={value}" for key, value in FILTER.items())
    pages: Pages = {
        "reference (login, base template, 1 query)": (client, "/bench/reference/"),
        "review page": (client, reverse("reviews:standard", args=[audit.pk, first_code])),
        "my reviews": (client, reverse("reviews:mine")),
        "dossier dashboard": (client, reverse("audits:detail", args=[audit.pk])),
        "register (anonymous)": (anonymous, register_url),
        f"search of the register (q={SEARCH})": (anonymous, f"{register_url}?q={SEARCH}"),
        f"filtered register ({filters})": (anonymous, f"{register_url}?{filters}"),
        "certificate by number": (
            anonymous,
            reverse("public:certificate", args=[register["active"].number]),
        ),
        "verification by code": (
            anonymous,
            reverse("public:verify", args=[register["active"].code]),
        ),
        "superseded, by code": (
            anonymous,
            reverse("public:verify", args=[register["superseded"].code]),
        ),
    }
    if args.queries:
        query_list(pages, args.queries)
        return
    if args.profile:
        profile(pages, args.profile, args.runs)
        return
    times = timings(pages, args.runs)
    base = statistics.median(times[next(iter(pages))])
    kinds = ", ".join(f"{count} {kind}" for kind, count in register["kinds"].items())
    print(
        f"dossier: {args.standards} standards, {args.files} files each "
        f"({args.standards * args.files} files), 2 auditors who rated every standard; "
        f"register: {args.certificates} certificates of {register['institutions']} institutions "
        f"({kinds}; {register_list().count()} in force, listed); "
        f"median and 95th percentile of {args.runs} runs, pages in turn"
    )
    for name, (asker, url) in pages.items():
        with CaptureQueriesContext(connection) as queries:
            size = len(asker.get(url).content)
        if not queries:
            raise SystemExit(f"{url} ran no query: a cached answer, not the server's work")
        median = statistics.median(times[name])
        p95 = statistics.quantiles(times[name], n=20, method="inclusive")[-1]
        print(
            f"{name:52} {median * 1000:7.1f} ms (p95 {p95 * 1000:6.1f}) {size / 1024:7.1f} KiB "
            f"{len(queries):3} queries | ratio {median / base:4.2f}"
        )


if __name__ == "__main__":
    main()
