# The portal's one image: gunicorn (the default command), the Celery worker and Celery beat, and the migrate
# step all run from it (see docker-compose.yml). Secrets are never baked in: they come from the environment.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# CJK fonts and Pango (+ HarfBuzz subsetting) for WeasyPrint's PDFs, gettext for compilemessages,
# Node.js and npm for the front-end packages (htmx), served as static files: no CDN.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext nodejs npm \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin portal \
 && mkdir -p /var/lib/portal/media \
 && chown -R portal:portal /var/lib/portal

WORKDIR /app

# Dependencies first (a layer that changes only with pyproject.toml), then the project itself.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY package.json ./
RUN npm install --no-audit --no-fund --no-package-lock --loglevel=error

COPY . .
# Editable, so that BASE_DIR stays /app (templates, static, node_modules and locale live beside the code).
RUN pip install --no-deps -e .

# Build-time steps run on the embedded defaults with a throwaway key and var dir: nothing of them is kept
# but the compiled translations (.mo) and the collected, compressed, hashed static files.
RUN SECRET_KEY=build-only PORTAL_VAR_DIR=/tmp/build-var \
        python manage.py compilemessages --ignore node_modules --ignore staticfiles --verbosity 0 \
 && SECRET_KEY=build-only PORTAL_VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput --verbosity 0 \
 && rm -rf /tmp/build-var

ENV DJANGO_SETTINGS_MODULE=portal.settings_production \
    PORTAL_VAR_DIR=/var/lib/portal \
    MEDIA_ROOT=/var/lib/portal/media \
    XDG_CACHE_HOME=/tmp/cache

USER portal
EXPOSE 8000

# The web process. Worker count: WEB_CONCURRENCY (read by gunicorn itself). The health check (GET /healthz/,
# exempt from the HTTPS redirect) is in docker-compose.yml, which knows the ALLOWED_HOSTS to send.
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", "--graceful-timeout", "30"]
