"""Load test: the journeys of every role against gunicorn and PostgreSQL on loopback, with locust.

On the platform-sized database of ``bench/seed_scale.py`` (run it first), this script:

1. signs in the benchmark's cast (ERNST admin, the large dossier's coordinator and contributor,
   a lead auditor, a certified peer supporter) and writes their sessions and journeys for
   ``bench/locustfile.py``; the anonymous visitors walk the public register;
2. starts gunicorn with production's configuration (``rescue/gunicorn_conf.py``: the
   application preloaded, two threads a worker) and ``--workers`` workers (default 2), with the
   production-like settings of this machine: debug off, persistent connections
   (``DATABASE_CONN_MAX_AGE=60``), PostgreSQL's JIT off for the web's connections;
3. warms the workers, as a server that has been up a while is: every page of every journey
   asked ``WARM_ROUNDS`` times over as many connections as there are workers and threads. These
   answers are not counted (a cold worker compiles each template and opens its connection on
   its first requests);
4. runs locust headless: ``--users`` users (default 50), each asking one page a second at a
   random point of the second (open-loop: see ``bench/locustfile.py``), so 50 requests a second
   offered, for ``--duration`` seconds (default 60) and at most 1.1 times as many requests as
   that; the mix by weight: coordinators 3, contributors 2, auditors 2, admins 1, anonymous
   register visitors 2;
5. prints per page and for the whole run the request count, the rate achieved, p50, p95, p99
   and the error rate (anything but a 200 is an error), from locust's CSV.

Goal: p95 under 100 ms and no error.

    .venv/bin/python bench/seed_scale.py && .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --users 50 --duration 60 --workers 2
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from lists import ROOT, setup_django

BIN = Path(sys.executable).parent
# (role, weight, the page-name prefix in bench/pages.py's key pages)
ROLES = (
    ("coordinator", 3, "coordinator: "),
    ("contributor", 2, "contributor: "),
    ("auditor", 2, "auditor: "),
    ("admin", 1, "admin: "),
    ("anonymous", 2, "public: "),
)
TARGET_P95_MS = 100.0


def journeys() -> dict[str, Any]:
    """Each role's session cookie and pages, from bench/pages.py's cast and key pages."""
    import pages as key  # noqa: PLC0415 - Django is set up first
    from django.conf import settings  # noqa: PLC0415

    world = key.cast()
    every = key.key_pages(world)
    roles: dict[str, Any] = {}
    for role, weight, prefix in ROLES:
        chosen = [(name, page) for name, page in every.items() if name.startswith(prefix)]
        client = chosen[0][1][0]
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        roles[role] = {
            "weight": weight,
            "cookie": cookie.value if cookie else "",
            "pages": [[name.removeprefix(prefix), url] for name, (_client, url) in chosen],
        }
    return roles


def serve(
    database_url: str,
    port: int,
    workers: int,
    log: Path,
    application: str = "rescue.wsgi:application",
) -> subprocess.Popen[bytes]:
    """gunicorn with production's configuration serving ``application`` (a module of the
    project, or of ``bench/``), once it answers its health check."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "rescue.settings.local",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CERTIFICATE_PUBLIC_RATE": "1000000/m",  # the register is read more than 60 times a minute
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            application,
            "--pythonpath",
            str(ROOT / "bench"),
            "--config",
            str(ROOT / "rescue" / "gunicorn_conf.py"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(log.with_name("access.log")),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on port {port}:\n{log.read_text()}")


WARM_ROUNDS = 3


def warm(roles: dict[str, Any], port: int, connections: int) -> int:
    """Ask every page of every journey ``WARM_ROUNDS`` times, ``connections`` at a time, each as
    its role; the number of answers (anything but a 200 stops the run)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    asks = [
        (spec["cookie"], url)
        for _round in range(WARM_ROUNDS)
        for spec in roles.values()
        for _name, url in spec["pages"]
    ]

    def ask(cookie_url: tuple[str, str]) -> None:
        cookie, url = cookie_url
        request = urllib.request.Request(f"http://127.0.0.1:{port}{url}")
        if cookie:
            request.add_header("Cookie", f"sessionid={cookie}")
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback
            if answer.status != 200:
                raise SystemExit(f"{url} answered {answer.status} while warming up")

    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(ask, asks))
    return len(asks)


def report(stats: Path, duration: float) -> bool:
    """Print the per-page figures; whether the run met the goal."""
    rows = list(csv.DictReader(stats.open()))
    print(f"{'page':58} {'requests':>8} {'req/s':>6} {'p50':>5} {'p95':>5} {'p99':>5} errors")
    ok = True
    for row in rows:
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        name = row["Name"] if row["Name"] != "Aggregated" else "all pages"
        rate = count / duration
        print(
            f"{name:58} {count:8} {rate:6.1f} {row['50%']:>5} {row['95%']:>5} {row['99%']:>5} "
            f"{failures / max(count, 1):6.2%}"
        )
        if row["Name"] == "Aggregated":
            ok = float(row["95%"]) < TARGET_P95_MS and failures == 0
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_scale")
    parser.add_argument("--users", type=int, default=50, help="one request a second each")
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings  # noqa: PLC0415

    settings.ALLOWED_HOSTS = ["*"]
    work = Path(tempfile.mkdtemp(prefix="rescue-load-"))
    spec = work / "spec.json"
    roles = journeys()
    spec.write_text(
        json.dumps(
            {"roles": roles, "max_requests": int(args.users * args.duration * 1.1)}, indent=1
        )
    )
    server = serve(args.database_url, args.port, args.workers, work / "gunicorn.log")
    try:
        threads = int(os.environ.get("GUNICORN_THREADS", "2"))
        warmed = warm(roles, args.port, args.workers * threads)
        print(f"warm-up: {warmed} requests, not counted")
        started = time.monotonic()
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "5",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "--csv",
                str(work / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT / "bench",
            env=os.environ | {"LOAD_SPEC": str(spec)},
            check=False,
        )
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"\n{args.users} users at one page a second for {args.duration} s, gunicorn with "
        f"{args.workers} workers, PostgreSQL on loopback ({elapsed:.0f} s in all)"
    )
    ok = report(work / "load_stats.csv", args.duration)
    print(
        f"goal (p95 under {TARGET_P95_MS:g} ms, no error): {'met' if ok else 'NOT met'}; "
        f"the run's files: {work}"
    )
    errors = work / "load_failures.csv"
    if errors.exists() and len(errors.read_text().splitlines()) > 1:
        print(errors.read_text())
    if ok:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
