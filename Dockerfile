# careermap under gunicorn. Build and run it with docker-compose.yml (which adds
# PostgreSQL), or alone:
#   docker build -t careermap .
#   docker run -e DJANGO_SECRET_KEY=... -e DATABASE_URL=postgres://... -p 8000:8000 careermap
FROM python:3.13-slim

# DJANGO_STATIC_MANIFEST: whitenoise serves the hashed, compressed files that
# collectstatic writes below, at build time and at run time alike.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_STATIC_MANIFEST=1

WORKDIR /app

# Dependencies first, read from pyproject.toml, so that a code change does not
# reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The whole project: manage.py, templates/ and static/ live at the top level and the
# settings find them next to the careermap package (BASE_DIR), so the app runs from
# /app. static/ may be empty, and git does not keep empty folders: create it.
COPY . .
RUN pip install --no-deps . \
    && rm -rf build *.egg-info \
    && mkdir -p static \
    && python -m compileall -q careermap skills assessments

# Settings refuse to start without a key when debug is off; collectstatic needs none
# that matters, so this throwaway one exists only for this step.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-0123456789 \
    python manage.py collectstatic --no-input

# Apply migrations (unless MIGRATE_ON_START=0: with several containers, one migrates),
# then run the command (gunicorn by default).
RUN printf '%s\n' \
        '#!/bin/sh' \
        'set -e' \
        'if [ "${MIGRATE_ON_START:-1}" != 0 ]; then python manage.py migrate --no-input; fi' \
        'exec "$@"' \
        > /usr/local/bin/careermap-entrypoint \
    && chmod 755 /usr/local/bin/careermap-entrypoint

# The code and collected files stay owned by root: the app only reads them. The user
# gets a home because gunicorn puts its control socket in ~/.gunicorn/ (and logs an
# error at every start when it cannot).
RUN useradd --system --uid 10001 --user-group --create-home \
        --home-dir /home/careermap --shell /usr/sbin/nologin careermap
ENV HOME=/home/careermap
USER 10001:10001

# gunicorn reads its worker count from WEB_CONCURRENCY.
ENV WEB_CONCURRENCY=2
EXPOSE 8000
# 200 when the app and its database answer, 503 otherwise (urlopen raises).
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as r; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'X-Forwarded-Proto': 'https'}), timeout=5)"]
ENTRYPOINT ["careermap-entrypoint"]
CMD ["gunicorn", "careermap.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
