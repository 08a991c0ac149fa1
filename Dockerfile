# Ta steget — production image. Multi-stage: wheels are built in the first
# stage, the runtime stage has no compilers and runs as a non-root user.
FROM python:3.13-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install -r requirements.txt

FROM python:3.13-slim AS runtime
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=tasteget.settings.production \
    TASTEGET_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000
# Fixed ids: Kubernetes checks runAsNonRoot against a number (deploy/kubernetes/).
RUN groupadd --system --gid 999 tasteget && useradd --system --uid 999 --gid tasteget --home /app tasteget
WORKDIR /app
COPY --from=build /venv /venv
COPY --chown=tasteget:tasteget . .
# Static files are collected at build time; whitenoise serves them compressed
# and with far-future cache headers. The dummy values only satisfy the
# production settings' start-up checks during the build.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build@localhost/build CRM_BACKEND=webhook MEDIA_STORAGE=filesystem EMAIL_HOST=build-only REDIS_URL=redis://build-only ERASURE_LEDGER_DIR=/app/var/erasure-ledger \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media /app/var/erasure-ledger && chown -R tasteget:tasteget /app/var /app/staticfiles
USER 999:999
EXPOSE 8000
# /readyz is answered before host validation and the HTTPS redirect
# (tasteget/middleware_reliability.py), so 127.0.0.1 gets a 200 although it
# is not in ALLOWED_HOSTS; 503 when the database does not answer (Redis down:
# still 200, "degraded"). One query at most, cached a second per process.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1
# The gunicorn workers share their metrics' counters in PROMETHEUS_MULTIPROC_DIR,
# emptied at each start (docs/operations.md).
CMD ["sh", "-c", "export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-/tmp/tasteget-metrics}; rm -rf \"$PROMETHEUS_MULTIPROC_DIR\"; mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\"; exec gunicorn tasteget.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --timeout 30 --access-logfile -"]
