"""Settings for benchmarks: the app's own settings plus a bare view to compare against."""

import os

# Benchmarks run like production (DEBUG off) with a throwaway key of their own.
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-bench-only-0123456789")
os.environ["DEBUG"] = "0"

from mnr_portal.settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]  # testserver: the in-process figures
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
AXES_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
# The app's storages (the private one holds evidence and report files), with static files served unhashed:
# benchmarks run without collectstatic.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
