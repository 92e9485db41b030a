# PASIP numérique: one image for the web process (gunicorn), the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# System libraries WeasyPrint loads at import time (Pango, HarfBuzz, fontconfig through Pango).
# libharfbuzz-subset0 lets WeasyPrint subset embedded fonts with HarfBuzz, about ten times
# faster than its fontTools fallback. shared-mime-info lets it guess the type of local files.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged account the processes run as (its home holds fontconfig's cache).
RUN groupadd --system --gid 10001 pasip \
    && useradd --system --uid 10001 --gid pasip --create-home --home-dir /home/pasip pasip

# The project runs from /app: settings resolve templates/ and static/ (top-level folders,
# not inside any package) from the source tree, so the install is editable.
WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that editing the code keeps this layer cached.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-cache-dir --no-deps -e . \
    && mkdir -p /app/var \
    && chown pasip:pasip /app/var

ENV DJANGO_SETTINGS_MODULE=pasip.settings.prod

USER pasip

# Static files are baked into the image (served by WhiteNoise). The settings require a secret
# key even for collectstatic: this throwaway value lives only in this RUN step, never in the
# image's environment; the real one comes from the runtime environment.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-secret \
    python manage.py collectstatic --noinput

EXPOSE 8000

# Bind address, workers, access log and the Server header: gunicorn.conf.py.
CMD ["gunicorn", "pasip.wsgi:application"]
