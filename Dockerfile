# One image for web (gunicorn), worker and beat (celery); see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=rescue.settings.production

# WeasyPrint (Pango, HarfBuzz) renders the PDF reports; libmagic detects upload types.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 1000 rescue

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --chown=rescue:rescue . .
# collectstatic needs settings to import, not real services: placeholder values for this step only.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/unused.sqlite3 REDIS_URL=redis://localhost:6379/0 \
    DJANGO_AWS_STORAGE_BUCKET_NAME=unused DJANGO_AWS_ACCESS_KEY_ID=unused \
    DJANGO_AWS_SECRET_ACCESS_KEY=unused \
    python manage.py collectstatic --noinput

USER rescue
EXPOSE 8000
CMD ["gunicorn", "rescue.wsgi:application", "--config", "rescue/gunicorn_conf.py"]
