# Production image for the web and worker services (see docker-compose.yml).
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home mnr && mkdir -p /data/media && chown mnr /data/media
ENV DJANGO_SETTINGS_MODULE=mnr_portal.settings PYTHONUNBUFFERED=1
RUN DEBUG=1 python manage.py collectstatic --noinput
USER mnr
EXPOSE 8000
CMD ["gunicorn", "mnr_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
