"""Check that the PostgreSQL and Redis the test suite uses answer; start them if they are local.

The suite runs against real services on localhost (DATABASE_URL, REDIS_URL). On the development
and CI machines both are installed as system packages; if one is stopped, it is started with the
same command an operator would use. Anything else ends with a message that says what is missing.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import environ
import psycopg
import psycopg.sql
import redis

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rescue"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def postgres_ok(url: str) -> str | None:
    """Connect to the server; create the project's database if it is missing.

    The suite itself runs in a database of its own (test_<name>) that pytest-django creates; the
    project database is for `manage.py` commands run with the test settings.
    """
    cfg = environ.Env.db_url_config(url)
    try:
        with psycopg.connect(
            host=cfg.get("HOST") or "127.0.0.1",
            port=cfg.get("PORT") or 5432,
            user=cfg.get("USER") or "postgres",
            password=cfg.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
            autocommit=True,
        ) as conn:
            name = cfg["NAME"]
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(
                    psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
                )
    except psycopg.Error as exc:
        return str(exc).strip()
    return None


def redis_ok(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return str(exc).strip()
    return None


def start_postgres() -> None:
    if shutil.which("pg_ctlcluster"):
        for version in sorted(p.name for p in Path("/etc/postgresql").glob("*")):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )


def start_redis() -> None:
    if shutil.which("redis-server"):
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=False,
        )


def ensure(name: str, check, url: str, start) -> bool:
    problem = check(url)
    if problem is None:
        return True
    print(f"{name} does not answer at {url} ({problem}); trying to start it.", file=sys.stderr)
    start()
    for _ in range(20):
        time.sleep(0.5)
        if check(url) is None:
            print(f"{name} started.", file=sys.stderr)
            return True
    print(f"{name} is not available at {url}: {check(url)}", file=sys.stderr)
    return False


def chromium_path() -> str | None:
    """The browser the end-to-end tests drive (CHROMIUM_PATH, or Chromium on the PATH)."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def ensure_chromium() -> bool:
    """Chromium for the browser tests: installed from the system's packages when missing."""
    if chromium_path():
        return True
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        print("Chromium is missing: apt-get install chromium (Debian).", file=sys.stderr)
        return False
    print("Chromium is missing; installing the system package.", file=sys.stderr)
    command = [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL).returncode:
        subprocess.run([apt, "update", "-q"], env=env, check=False, stdout=subprocess.DEVNULL)
        subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
    if chromium_path():
        return True
    print("Chromium could not be installed; the browser tests need it.", file=sys.stderr)
    return False


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    ok = ensure("PostgreSQL", postgres_ok, database_url, start_postgres)
    ok = ensure("Redis", redis_ok, redis_url, start_redis) and ok
    ok = ensure_chromium() and ok
    if not ok:
        print(
            "The test suite needs PostgreSQL and Redis on localhost, and Chromium; see README.md.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
