"""Gunicorn settings for the web service; every value can be overridden from the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Uploads stream to storage; keep request bodies off the worker's memory as much as gunicorn can.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn's heartbeat files, not data
# The application is imported once, before the workers are forked: a worker (the first ones, and
# each that replaces one after max_requests) starts warm instead of importing Django and every
# app on its first request (900 ms on the benchmark machine, bench/load.py).
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in ("1", "true", "yes")
# A worker is replaced after about this many requests (a guard against slow memory growth), at
# a point spread over half as many again: the workers share the load evenly, so with a narrow
# spread they reach it together and are all replaced, cold, at the same moment. At 50 requests a
# second on 2 workers, 1,000 with a spread of 100 did that every 40 s or so and the p95 of a
# minute went from 150 ms to 1,200 ms (bench/load.py).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", str(max_requests // 2)))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
