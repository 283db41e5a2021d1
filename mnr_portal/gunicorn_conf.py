"""gunicorn settings of the production shape: ``gunicorn -c mnr_portal/gunicorn_conf.py mnr_portal.wsgi``.

Threads, not sync workers: a request waiting on a row lock holds one of 16 threads, not one of three
processes, so /healthz and other users keep answering (tests/reliability/test_database_faults.py). The
database gives up on a lock after DB_LOCK_TIMEOUT_MS (5 s) and on a statement after
DB_STATEMENT_TIMEOUT_MS (20 s), both well below ``timeout``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), bounding slow memory growth from PDF work.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
