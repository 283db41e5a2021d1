"""Real-stack fixtures: a Redis database of its own for the broker, and Celery workers that can be killed whole.

The report fixtures (a seeded cycle and its organisations) and the worker's environment come from
``tests/reports/conftest.py``; what is added here is what a reliability test needs on top: a broker
database the test may flush and inspect, and workers started in their own process group so that a
test can SIGKILL a worker with its pool, as a crashed container or an OOM kill would.
"""

import json
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from mnr_portal.celery import app
from reports import services as report_services
from tests.conftest import ROOT, celery_worker_command, free_port, redis_url, require_postgres, require_redis
from tests.reports.conftest import WorkerProcess, ngo, police, report_cycle, seeded_cycle, worker_env  # noqa: F401

# The broker's Redis database during these tests: they flush it, so it is not the one the app uses.
BROKER_DB = 5
QUEUE = "celery"  # the default queue's list in Redis
UNACKED, UNACKED_INDEX = "unacked", "unacked_index"  # kombu's record of delivered, unacknowledged messages


def _dedicated_url(url):
    parts = urlsplit(url)
    current = parts.path.strip("/") or "0"
    db = BROKER_DB if current != str(BROKER_DB) else BROKER_DB + 1
    return urlunsplit(parts._replace(path=f"/{db}"))


def _reset_connection_pools():
    """Drop the app's cached broker connections so that the next publish uses the current ``broker_url``."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


REPEAT = 30  # each capability printed 30 times in its chapter: a render of several seconds


@pytest.fixture
def long_reports(monkeypatch):
    """Freeze report data that takes several seconds to render (the data is frozen in this process)."""
    real = report_services.cycle_report_data

    def large(cycle, **kwargs):
        data = real(cycle, **kwargs)
        for domain in data["domains"]:
            domain["capabilities"] = domain["capabilities"] * REPEAT
        return data

    monkeypatch.setattr(report_services, "cycle_report_data", large)


class Broker:
    def __init__(self, url):
        import redis

        self.url = url
        self.redis = redis.Redis.from_url(url)

    def queued(self):
        """Messages waiting in the default queue (kombu keeps one list per priority step)."""
        keys = [k for k in self.redis.keys(f"{QUEUE}*") if self.redis.type(k) == b"list"]
        return sum(self.redis.llen(k) for k in keys)

    def unacked(self):
        return max(self.redis.hlen(UNACKED), self.redis.zcard(UNACKED_INDEX))

    def sweep(self, visibility_timeout):
        """What a worker does when it starts and about every 100 s after: every message delivered longer than
        ``visibility_timeout`` seconds ago and not acknowledged goes back to the queue (kombu's own sweep)."""
        from kombu import Connection

        with Connection(self.url, transport_options={"visibility_timeout": visibility_timeout}) as connection:
            connection.default_channel.qos.restore_visible(num=100)

    def flush(self):
        self.redis.flushdb()


@pytest.fixture
def broker(settings, monkeypatch):
    """The test's own Redis database, empty, used by this process and by the workers it starts."""
    require_postgres()
    require_redis()
    url = _dedicated_url(redis_url())
    broker = Broker(url)
    broker.flush()
    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = url  # read by worker_env()
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery prefers the environment to its configuration
    app.conf.broker_url = url
    _reset_connection_pools()
    yield broker
    app.conf.broker_url = previous
    _reset_connection_pools()
    broker.flush()
    broker.redis.close()


class RedisServer:
    """A redis-server of the test's own on a free port: the test may restart, pause or fill it.

    Never the shared Redis on 6379: only this process is ever stopped.
    """

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.proc = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self, *extra):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.directory), *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def answers(self):
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.resume()
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def restart(self, down_for=0.0):
        self.stop()
        time.sleep(down_for)
        self.start()

    def pause(self):
        """SIGSTOP: connections are accepted by the kernel but nothing answers, as with a hung server."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)


@pytest.fixture
def redis_server(tmp_path):
    require_postgres()
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_broker(redis_server, settings, monkeypatch):
    """The app and its workers use ``redis_server`` as their broker."""
    broker = Broker(redis_server.url)
    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = redis_server.url
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    app.conf.broker_url = redis_server.url
    _reset_connection_pools()
    yield broker
    app.conf.broker_url = previous
    _reset_connection_pools()
    broker.redis.close()


class Worker(WorkerProcess):
    """A worker that leads its own process group, so the whole of it can be killed at once."""

    def kill_all(self):
        """SIGKILL the worker and its pool together: no shutdown handler runs, no message is given back."""
        pool = self.children()
        os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pool):
            assert time.monotonic() < deadline, f"pool processes {pool} survived SIGKILL"
            time.sleep(0.05)
        return pool

    def stop(self):
        if self.proc.poll() is not None:
            return
        os.killpg(self.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.proc.wait()


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def worker_factory(tmp_path):
    """Start ``celery worker --pool=prefork`` on the current broker; extra env vars go to it."""
    workers = []

    def start(concurrency=1, production=False, extra=(), **env):
        """``production=True``: the production command line (gossip, mingle and broker heartbeats on)."""
        log_path = tmp_path / f"worker-{len(workers) + 1}.log"
        name = f"reliability-{os.getpid()}-{len(workers) + 1}@%h"
        if production:
            command = [sys.executable, "-m", "celery", "-A", "mnr_portal", "worker", "--loglevel=INFO", "-n", name]
        else:
            command = celery_worker_command(name, heartbeat=False)
        command = [a for a in command if not a.startswith("--concurrency")]
        command += [f"--concurrency={concurrency}", *extra]
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=worker_env(settings.MEDIA_ROOT) | env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the pool, never pytest
            )
        worker = Worker(proc, log_path)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def start_worker(broker, worker_factory):
    """Workers on the shared Redis (a database of the test's own)."""
    return worker_factory


@pytest.fixture
def start_own_worker(own_broker, worker_factory):
    """Workers on the Redis server this test started (``own_broker``), which the test may stop and restart."""
    return worker_factory


def worker_settings(**env):
    """The broker transport options a worker started with ``env`` would read (asked of a fresh interpreter)."""
    code = "import json; from mnr_portal.celery import app; print(json.dumps(app.conf.broker_transport_options))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=worker_env(settings.MEDIA_ROOT) | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def fault_row():
    """Record one row of the fault table (bench/faults.py sets FAULT_TABLE and prints the rows)."""

    def record(fault, users_saw, recovery, *, saves_acked="n/a", saves_lost="n/a"):
        path = os.environ.get("FAULT_TABLE")
        if not path:
            return
        row = {
            "fault": fault,
            "users_saw": users_saw,
            "recovery": recovery,
            "saves_acked": saves_acked,
            "saves_lost": saves_lost,
        }
        with open(path, "a") as table:
            table.write(json.dumps(row) + "\n")

    return record
