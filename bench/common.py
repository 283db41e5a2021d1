"""Shared helpers for the benchmarks: a gunicorn server, a logged-in HTTP client, statistics."""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


def database_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench")
    return url


def env():
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-bench-only-secret-key-bench-only-0123456789",
    }


class Server:
    """gunicorn serving the app (bench settings) on a loopback port."""

    def __init__(self, port=8099, workers=2, threads=4):
        self.port = port
        self.cmd = [
            PYTHON,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ]

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=env())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.proc.kill()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


class Client:
    """A keep-alive HTTP client with a cookie jar, logged in through the real login form."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers.setdefault("Referer", f"http://127.0.0.1:{self.conn.port}/")
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # gunicorn closes keep-alive connections idle for 2 s; such a request never reached the app.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.conn.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, data

    def verify_second_factor(self, hex_key):
        """Complete the two-step verification page with the code an authenticator app would show."""
        from django_otp.oath import TOTP

        status, body = self.request("GET", "/accounts/2fa/verify/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        code = f"{TOTP(bytes.fromhex(hex_key)).token():06d}"
        status, _ = self.request("POST", "/accounts/2fa/verify/", {"code": code, "csrfmiddlewaretoken": token})
        if status != 302:
            raise RuntimeError(f"two-step verification failed ({status})")

    def csrf(self):
        return self.cookies.get("csrftoken", "")

    def login(self, username, password):
        status, body = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise RuntimeError(f"login of {username} failed ({status})")


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(latencies):
    return {
        "n": len(latencies),
        "median_ms": round(median(latencies) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
    }


def spread(latencies):
    """Median with the quartiles and extremes, in ms: how much one figure varies within a run."""
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "median_ms": round(median(ordered) * 1000, 3),
        "p25_ms": round(percentile(ordered, 25) * 1000, 3),
        "p75_ms": round(percentile(ordered, 75) * 1000, 3),
        "min_ms": round(ordered[0] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }
