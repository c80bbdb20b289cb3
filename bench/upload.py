"""Upload benchmark: server memory growth and throughput for one large evidence file.

Starts the application under gunicorn (one sync worker, as in production) on a throw-away SQLite
database and media folder, signs in as a coordinator, and posts one large CSV file (generated on
the fly, never held in memory by the client) to the evidence upload page and to the API, several
times each. While
each upload runs, the worker's resident memory (VmRSS) is sampled every 20 ms.

    .venv/bin/python bench/upload.py                 # 500 MB, 3 runs, page and API
    .venv/bin/python bench/upload.py --size-mb 100 --runs 5 --via api

Reported per run and as medians: the worker's RSS before the upload (after a warm-up upload that
imports everything), its peak during the upload, the growth (peak - before), the time and the
throughput. The figure that matters is the growth: it must stay under 50 MB whatever the size.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
MB = 1024 * 1024
CHUNK = 1 * MB
PASSWORD = secrets.token_urlsafe(12)

SETUP = """
from accounts.models import User
from audits.services.applications import audit_create
from institutions.models import Institution, Membership
user = User.objects.create_user(email="bench@example.org", password={password!r})
institution = Institution.objects.create(name="Bench Hospital", country="ES", setting="hospital")
Membership.objects.create(user=user, institution=institution, role="coordinator")
audit = audit_create(institution=institution, user=user, component="intervention",
                     setting="hospital", target_level="design")
code = audit.assessments.order_by("standard__order").first().standard.code
print("BENCH", audit.pk, code)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


class Session:
    """A browser-like client: cookies, CSRF token, form posts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text

    def csrf(self) -> str:
        return self.cookies["csrftoken"]

    def login(self, email: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        form = f"username={email}&password={password}&csrfmiddlewaretoken={self.csrf()}"
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.origin},
        )
        if status != 302:
            raise RuntimeError(f"login failed ({status})")

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def csv_lines(size: int) -> Iterator[bytes]:
    """``size`` bytes of plausible aggregated indicators, in 1 MB chunks."""
    line = b"2025-Q3,ward 7,activations,12,first contact within 24 h,11\n"
    block = line * (CHUNK // len(line))
    sent = 0
    while sent < size:
        piece = block[: min(len(block), size - sent)]
        sent += len(piece)
        yield piece


ROUTES = {
    # route: (path, form fields besides the file)
    "page": (
        "/audits/{audit}/evidence/",
        {"return_to": "{code}", "confirmed_no_personal_data": "on"},
    ),
    "api": ("/api/v1/audits/{audit}/evidence/", {"confirmed_no_personal_data": "true"}),
}


def multipart(route: str, code: str, csrf: str, size: int) -> tuple[Iterator[bytes], int, str]:
    boundary = uuid.uuid4().hex
    fields = {"csrfmiddlewaretoken": csrf, "standards": code} | {
        name: value.format(code=code) for name, value in ROUTES[route][1].items()
    }
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="indicators.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from csv_lines(size)
        yield tail

    return body(), len(head) + size + len(tail), f"multipart/form-data; boundary={boundary}"


def upload(
    session: Session, route: str, *, audit_id: int, code: str, size: int, worker: int
) -> dict[str, float]:
    body, length, content_type = multipart(route, code, session.csrf(), size)
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_mb(worker))
            time.sleep(0.02)

    before = rss_mb(worker)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    status, text = session.request(
        "POST",
        ROUTES[route][0].format(audit=audit_id),
        body,
        {
            "Content-Type": content_type,
            "Content-Length": str(length),
            "Accept": "application/json",
            "Referer": session.origin,
            "X-CSRFToken": session.csrf(),
        },
    )
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if status != 201:
        raise RuntimeError(f"upload refused ({status}): {text[:500]}")
    stored = json.loads(text)["uploaded"][0]
    if stored["size"] != size:
        raise RuntimeError(f"stored {stored['size']} bytes, sent {size}")
    peak = max([*samples, rss_mb(worker)])
    return {
        "before_mb": before,
        "peak_mb": peak,
        "growth_mb": peak - before,
        "seconds": elapsed,
        "mb_per_s": size / MB / elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--via", choices=[*ROUTES, "both"], default="both", help="the page, the API, or both"
    )
    args = parser.parse_args()
    routes = list(ROUTES) if args.via == "both" else [args.via]
    size = args.size_mb * MB

    workdir = Path(tempfile.mkdtemp(prefix="rescue-bench-upload-"))
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "rescue.settings.local",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "TMPDIR": str(workdir),
        "EVIDENCE_MAX_FILE_MB": str(args.size_mb + 10),
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage = [str(PYTHON), str(ROOT / "manage.py")]
    server = None
    try:
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*manage, "load_catalogue", str(ROOT / "fixtures" / "catalogue")],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        out = subprocess.run(
            [*manage, "shell", "-c", SETUP.format(password=PASSWORD)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        match = re.search(r"BENCH (\d+) (\S+)", out)
        if not match:
            raise RuntimeError(out)
        audit_id, code = int(match.group(1)), match.group(2)

        port = free_port()
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "rescue.wsgi",
                "--workers=1",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{port}",
                "--timeout=600",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        worker = worker_pid(server.pid)
        session = Session(port)
        for _ in range(100):
            try:
                session.login("bench@example.org", PASSWORD)
                break
            except (ConnectionRefusedError, http.client.RemoteDisconnected):
                time.sleep(0.1)
        worst = 0.0
        for route in routes:
            upload(
                session, route, audit_id=audit_id, code=code, size=MB, worker=worker
            )  # warm-up: imports, queries
            results = []
            for run in range(1, args.runs + 1):
                result = upload(
                    session, route, audit_id=audit_id, code=code, size=size, worker=worker
                )
                results.append(result)
                print(
                    f"{route} run {run}: {args.size_mb} MB in {result['seconds']:.1f} s "
                    f"({result['mb_per_s']:.0f} MB/s); worker RSS {result['before_mb']:.0f} MB "
                    f"before, {result['peak_mb']:.0f} MB peak, growth {result['growth_mb']:.1f} MB"
                )
            growth = statistics.median(r["growth_mb"] for r in results)
            rate = statistics.median(r["mb_per_s"] for r in results)
            seconds = statistics.median(r["seconds"] for r in results)
            print(
                f"{route}: median over {args.runs} runs of {args.size_mb} MB: growth "
                f"{growth:.1f} MB ({100 * growth / args.size_mb:.1f}% of the file), "
                f"{seconds:.1f} s, {rate:.0f} MB/s"
            )
            worst = max(worst, *(r["growth_mb"] for r in results))
        return 0 if worst < 50 else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
