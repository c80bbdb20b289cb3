"""Pages benchmark: every key page of every role on the platform-sized database of
``bench/seed_scale.py``, each against a reference page in the same run.

The reference is the cheapest page the project can serve: login required, the base template, one
query. Whatever a page does beyond that is what the ratio shows; the goal is at most 3x.

Run ``bench/seed_scale.py`` first (it builds ``bench_scale``); this script only reads it (it adds
the benchmark's second-factor devices and sessions). The pages, asked through Django's test
client (middleware, policy, selectors, template) ``--runs`` times, taking turns so that they
share the machine's state:

- the ERNST admin: the audit list (5,000 audits and 500 applications), a filtered one, the
  institution list, the auditor pool, the certificates, a review team and a decision page;
- the coordinator of the first institution, whose open dossier is the large one (1,943 files):
  the audit list, the institution page, the dossier's dashboard, the standard page of its 81
  files, its history, the standards API, the peer supporters' applications and one's status;
- the contributor of that institution: the audit list and the dossier's dashboard;
- a lead auditor: My reviews, the review overview and the review page of a standard;
- a certified peer supporter: their certificates and their certificate's page; one in review:
  their application's dossier;
- an anonymous visitor (a client of its own, never signed in): the register, a search, a
  filtered register, a certificate by number and its verification by code.

The public pages count every read against ``CERTIFICATE_PUBLIC_RATE``; the benchmark raises the
rate so that every request is answered while the count itself is still made. Nothing on the
server caches a page, and the test client caches nothing: the benchmark checks that each page
queries the database.

Reported per page: the median and the 95th percentile, its size and query count, and the ratio
to the reference's median; then how many pages are within 3x.

    .venv/bin/python bench/seed_scale.py && .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --runs 51
    .venv/bin/python bench/pages.py --only admin        # the pages whose name starts so
    .venv/bin/python bench/pages.py --queries "standard page"   # one page's queries
    .venv/bin/python bench/pages.py --profile "audit list"      # cProfile of one page
    .venv/bin/python bench/pages.py --explain "audit list"      # EXPLAIN ANALYZE its queries
    .venv/bin/python bench/pages.py --sql "CREATE INDEX ..."    # an index to try, before timing
    .venv/bin/python bench/pages.py --http       # over HTTP, gunicorn with 2 workers
    .venv/bin/python bench/pages.py --split      # each page's time: SQL, templates, the rest

``--http`` measures as a visitor's browser would reach the server: gunicorn with production's
configuration (``bench/load.py``'s), the project's application and the reference page
(``bench/pages_wsgi.py``), each page asked with its role's session cookie over one kept-alive
connection, one request at a time. What a request costs the server before and after the view
(parsing, the WSGI environment, writing the answer) is then in every page's time, the
reference's too.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from lists import ROOT, setup_django


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

    client, url = next(page for name, page in pages.items() if which in name)
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


def split(pages: Pages, runs: int) -> None:
    """Each page's median time cut in three: in the database driver (``sql``, the queries'
    execution and fetching), rendering templates less the queries they run (``templates``), and
    the rest (middleware, view, policy, the ORM building queries and models, forms)."""
    from django.db import connection  # noqa: PLC0415
    from django.template.backends.django import Template  # noqa: PLC0415

    spent = {"sql": 0.0, "templates": 0.0}
    render = Template.render
    depth = [0]

    def timed_render(self: Any, context: Any = None, request: Any = None) -> Any:
        depth[0] += 1
        start, sql = time.perf_counter(), spent["sql"]
        try:
            return render(self, context, request)
        finally:
            depth[0] -= 1
            if not depth[0]:  # the outermost template: its own time, less its queries'
                spent["templates"] += time.perf_counter() - start - (spent["sql"] - sql)

    def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["sql"] += time.perf_counter() - start

    rows: dict[str, list[tuple[float, float, float]]] = {name: [] for name in pages}
    Template.render = timed_render  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(timed_sql):
            for asker, url in pages.values():
                asker.get(url)
            for _ in range(runs):
                for name, (asker, url) in pages.items():
                    spent["sql"] = spent["templates"] = 0.0
                    start = time.perf_counter()
                    asker.get(url)
                    rows[name].append(
                        (time.perf_counter() - start, spent["sql"], spent["templates"])
                    )
    finally:
        Template.render = render  # type: ignore[method-assign]
    print(f"{'page':52} {'total':>7} {'sql':>6} {'templates':>9} {'rest':>6}  (ms, medians)")
    for name, times in rows.items():
        total, sql, templates = (statistics.median(t[i] for t in times) * 1000 for i in range(3))
        print(f"{name:52} {total:7.1f} {sql:6.1f} {templates:9.1f} {total - sql - templates:6.1f}")


def captured(pages: Pages, which: str) -> list[dict[str, str]]:
    """The queries of one page (the first whose name holds ``which``), asked once warm."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client, url = next(page for name, page in pages.items() if which in name)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return list(queries.captured_queries)


def query_list(pages: Pages, which: str) -> None:
    """Each query of one page with its time, as the database connection measured it."""
    queries = captured(pages, which)
    for query in queries:
        print(f"{float(query['time']) * 1000:6.2f} ms  {query['sql'][:300]}")
    total = sum(float(query["time"]) for query in queries)
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


def http_timings(
    pages: Pages, runs: int, database_url: str, workers: int, port: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """As ``timings``, over HTTP: gunicorn with production's configuration and ``workers``
    workers (``bench/load.py``'s), each page asked with its role's session cookie on one
    kept-alive connection (so by one worker), the pages in turn; each page's times and size."""
    import http.client  # noqa: PLC0415
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    import load  # noqa: PLC0415 - bench/load.py
    from django.conf import settings  # noqa: PLC0415

    def cookie(client: Any) -> str:
        morsel = client.cookies.get(settings.SESSION_COOKIE_NAME)
        return f"{settings.SESSION_COOKIE_NAME}={morsel.value}" if morsel else ""

    asks = {name: (cookie(client), url) for name, (client, url) in pages.items()}
    work = Path(tempfile.mkdtemp(prefix="rescue-pages-"))
    server = load.serve(
        database_url, port, workers, work / "gunicorn.log", "pages_wsgi:application"
    )
    times: dict[str, list[float]] = {name: [] for name in pages}
    sizes: dict[str, int] = {}
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port)

        def ask(name: str) -> float:
            session, url = asks[name]
            start = time.perf_counter()
            connection.request("GET", url, headers={"Cookie": session} if session else {})
            answer = connection.getresponse()
            body = answer.read()
            elapsed = time.perf_counter() - start
            if answer.status != 200:
                raise SystemExit(f"{url} answered {answer.status} over HTTP")
            sizes[name] = len(body)
            return elapsed

        # One kept-alive connection is served by one worker throughout: it is warmed first.
        for _ in range(load.WARM_ROUNDS):
            for name in pages:
                ask(name)
        for _ in range(runs):
            for name in pages:
                times[name].append(ask(name))
        connection.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return times, sizes


TARGET = 3.0
SEARCH = "ziekenhuis"  # the Dutch tenth of the institutions (seed_scale names them so)


def cast() -> dict[str, Any]:
    """The people and objects of the seeded platform the pages are about."""
    from django.db.models import Count  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415
    from audits.models import Audit, StandardAssessment  # noqa: PLC0415
    from certification.models import Certificate  # noqa: PLC0415
    from reviews.models import AuditorAssignment  # noqa: PLC0415

    users = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@bench.example")
    }
    if "admin" not in users:
        raise SystemExit("no seeded platform here: run bench/seed_scale.py first")
    large = (
        Audit.unscoped.filter(applicant__isnull=True)
        .annotate(files=Count("evidence_files"))
        .order_by("-files")
        .first()
    )
    assert large is not None  # noqa: S101 - the seeded platform has audits
    standard = (
        StandardAssessment.unscoped.filter(audit=large)
        .annotate(files=Count("evidence_links"))
        .order_by("-files")
        .select_related("standard")
        .first()
    )
    assert standard is not None  # noqa: S101 - and its audit has standards
    in_review = (
        Audit.unscoped.filter(status="in_review", applicant__isnull=True).order_by("pk").first()
    )
    lead = AuditorAssignment.unscoped.get(audit=in_review, role="lead")
    final = Audit.unscoped.filter(status="final_report", applicant__isnull=True).first()
    held = Certificate.unscoped.filter(holder__isnull=False, status="active").first()
    assert held is not None  # noqa: S101 - the seeded platform has supporters' certificates
    listed = Certificate.unscoped.filter(holder__isnull=True, status="active").order_by("pk")
    public = listed[listed.count() // 2]
    applying = Audit.unscoped.filter(applicant__isnull=False, status="in_review").first()
    assert applying is not None  # noqa: S101 - and applications in review
    following = Audit.unscoped.filter(
        applicant__isnull=False, institution_id=large.institution_id
    ).first()
    return {
        "users": users,
        "large": large,
        "standard": standard,
        "in_review": in_review,
        "lead": lead.auditor,
        "final": final,
        "held": held,
        "public": public,
        "applying": applying,
        "following": following,
        "files": large.files,
        "standard_files": standard.files,
    }


def key_pages(world: dict[str, Any]) -> Pages:
    from django.urls import reverse  # noqa: PLC0415

    users = world["users"]
    admin = verified_client(users["admin"])
    coordinator = verified_client(users["coord00000"])
    contributor = verified_client(users["contrib00000"])
    lead = verified_client(world["lead"])
    holder = verified_client(world["held"].holder)
    applicant = verified_client(world["applying"].applicant)
    anonymous = anonymous_client()
    large, code = world["large"], world["standard"].standard.code
    in_review, public = world["in_review"], world["public"]
    register = reverse("public:register")
    pages: Pages = {
        "reference (login, base template, 1 query)": (admin, "/bench/reference/"),
        "admin: audit list": (admin, reverse("audits:list")),
        "admin: audit list, closed in Spain": (admin, "/audits/?status=closed&country=ES"),
        "admin: institution list": (admin, reverse("institutions:list")),
        "admin: auditor pool": (admin, reverse("auditors:pool")),
        "admin: certificates": (admin, reverse("certification:certificates")),
        "admin: review team": (admin, reverse("reviews:team", args=[in_review.pk])),
        "coordinator: audit list": (coordinator, reverse("audits:list")),
        "coordinator: institution page": (
            coordinator,
            reverse("institutions:detail", args=[large.institution_id]),
        ),
        "coordinator: dossier dashboard": (coordinator, reverse("audits:detail", args=[large.pk])),
        "coordinator: standard page": (
            coordinator,
            reverse("audits:standard", args=[large.pk, code]),
        ),
        "coordinator: history": (coordinator, reverse("audits:history", args=[large.pk])),
        "coordinator: standards API": (coordinator, f"/api/v1/audits/{large.pk}/standards/"),
        "coordinator: peer supporters' applications": (
            coordinator,
            reverse("competences:list", args=[large.institution_id]),
        ),
        "contributor: audit list": (contributor, reverse("audits:list")),
        "contributor: dossier dashboard": (contributor, reverse("audits:detail", args=[large.pk])),
        "auditor: my reviews": (lead, reverse("reviews:mine")),
        "auditor: review overview": (lead, reverse("reviews:overview", args=[in_review.pk])),
        "auditor: review page": (
            lead,
            reverse(
                "reviews:standard",
                args=[in_review.pk, in_review.assessments.order_by("pk").first().standard.code],
            ),
        ),
        "supporter: certificates": (holder, reverse("certification:certificates")),
        "supporter: certificate page": (
            holder,
            reverse("certification:certificate", args=[world["held"].pk]),
        ),
        "supporter: application dossier": (
            applicant,
            reverse("audits:detail", args=[world["applying"].pk]),
        ),
        "public: register": (anonymous, register),
        f"public: search (q={SEARCH})": (anonymous, f"{register}?q={SEARCH}"),
        "public: filtered register": (anonymous, f"{register}?country=DE&scheme=intervention"),
        "public: certificate by number": (
            anonymous,
            reverse("public:certificate", args=[public.number]),
        ),
        "public: verification by code": (anonymous, reverse("public:verify", args=[public.code])),
    }
    if world["final"] is not None:
        pages["admin: decision page"] = (
            admin,
            reverse("certification:decision", args=[world["final"].pk]),
        )
    if world["following"] is not None:
        pages["coordinator: an application's status"] = (
            coordinator,
            reverse("competences:status", args=[world["following"].pk]),
        )
    return pages


def explain(pages: Pages, which: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each of one page's queries taking over 2 ms."""
    from django.db import connection  # noqa: PLC0415

    for query in captured(pages, which):
        if float(query["time"]) < 0.002:
            continue
        print(f"--- {float(query['time']) * 1000:.1f} ms: {query['sql'][:400]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            for (line,) in cursor.fetchall():
                print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_scale")
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--only", metavar="WORDS", help="only the pages whose name has WORDS")
    parser.add_argument(
        "--sql",
        action="append",
        default=[],
        metavar="STATEMENT",
        help="run STATEMENT on the database before timing (e.g. an index to try); repeatable",
    )
    parser.add_argument("--profile", metavar="PAGE", help="profile the page named so (a part)")
    parser.add_argument("--queries", metavar="PAGE", help="list the page's queries and times")
    parser.add_argument("--explain", metavar="PAGE", help="EXPLAIN ANALYZE the page's queries")
    parser.add_argument(
        "--split", action="store_true", help="each page's time: SQL, templates and the rest"
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="time the pages over HTTP against gunicorn (production's configuration)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, with --http")
    parser.add_argument("--port", type=int, default=8766, help="gunicorn's port, with --http")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.urls import clear_url_caches  # noqa: PLC0415

    from audits.models import Audit  # noqa: PLC0415
    from evidence.models import EvidenceFile  # noqa: PLC0415

    settings.MEDIA_ROOT = str(ROOT / "var" / "bench-media")
    # Every public read is still counted, never refused: the benchmark asks more than 60 a minute.
    settings.CERTIFICATE_PUBLIC_RATE = "1000000/m"
    urlconf()
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    with connection.cursor() as cursor:
        for statement in args.sql:
            cursor.execute(statement)
        if args.sql:
            cursor.execute("ANALYZE")
    world = cast()
    pages = key_pages(world)
    if args.only:
        reference = next(iter(pages.items()))
        pages = dict([reference, *((k, v) for k, v in pages.items() if args.only in k)])
    for which, action in (
        (args.queries, query_list),
        (args.profile, None),
        (args.explain, explain),
    ):
        if which:
            if action is None:
                profile(pages, which, args.runs)
            else:
                action(pages, which)
            return
    if args.split:
        split(pages, args.runs)
        return
    sizes: dict[str, int] = {}
    if args.http:
        times, sizes = http_timings(pages, args.runs, args.database_url, args.workers, args.port)
    else:
        times = timings(pages, args.runs)
    print(
        f"platform: {Audit.unscoped.count():,} audits and applications, "
        f"{EvidenceFile.unscoped.count():,} evidence files; the large dossier "
        f"{world['files']:,} files, its standard page {world['standard_files']} files; "
        f"median and 95th percentile of {args.runs} runs, pages in turn"
        + (f", over HTTP (gunicorn, {args.workers} workers)" if args.http else "")
    )
    report(pages, times, sizes)


def report(pages: Pages, times: dict[str, list[float]], sizes: dict[str, int]) -> None:
    """Each page's median, p95, size, query count and ratio; how many are within the target.
    ``sizes``: the pages' sizes as measured (over HTTP), else each page's size here."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    base = statistics.median(times[next(iter(pages))])
    within = 0
    for name, (asker, url) in pages.items():
        with CaptureQueriesContext(connection) as queries:
            content = asker.get(url).content  # with --http, the same page asked here
        size = sizes.get(name, len(content))
        if not queries:
            raise SystemExit(f"{url} ran no query: a cached answer, not the server's work")
        median = statistics.median(times[name])
        p95 = statistics.quantiles(times[name], n=20, method="inclusive")[-1]
        within += median / base <= TARGET
        print(
            f"{name:52} {median * 1000:7.1f} ms (p95 {p95 * 1000:6.1f}) {size / 1024:7.1f} KiB "
            f"{len(queries):3} queries | ratio {median / base:5.2f}"
        )
    print(f"{within} of {len(pages)} pages within {TARGET:g}x the reference")


if __name__ == "__main__":
    main()
