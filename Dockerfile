# Production image for the web, worker and beat services (see docker-compose.yml and README "Production").
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home mnr && mkdir -p /data/media && chown mnr /data/media
ENV DJANGO_SETTINGS_MODULE=mnr_portal.settings PYTHONUNBUFFERED=1
# Collect with DEBUG off, as the app runs: only then does WhiteNoise's manifest storage write the hashed,
# compressed (gzip, brotli) files and staticfiles.json that every page's {% static %} looks up; without
# them every page answers 500. collectstatic reads no database and signs nothing, so the key and URL
# below exist for this command only and are not kept in the image's environment.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only DATABASE_URL=postgres://unused/unused \
    python manage.py collectstatic --noinput \
 && test -s var/staticfiles/staticfiles.json
USER mnr
EXPOSE 8000
# Threaded workers: a request waiting on a row lock does not stop /healthz or other users (2 x 8 threads).
# mnr_portal/gunicorn_conf.py: gthread, 2 workers x 8 threads, timeout 60, access log on stdout.
CMD ["gunicorn", "-c", "mnr_portal/gunicorn_conf.py", "mnr_portal.wsgi:application"]
