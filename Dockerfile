# The production image: the API and the four workers run from it, with different commands
# (see docker-compose.yml). Only the runtime dependencies are installed, at the versions
# pinned in requirements.txt; the embedded dev services (devstack/) and the tests stay out.
#
#   docker build -t insitu-marketplace .
#   docker run --env-file .env -p 8000:8000 insitu-marketplace                 # the API
#   docker run --env-file .env insitu-marketplace python -m workers.capacity   # a worker
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml or the pins change.
# The runtime dependencies are pyproject's [project].dependencies (ranges), resolved under
# requirements.txt as constraints, so the image gets exactly the pinned versions; the dev-only
# pins in requirements.txt (pytest, localstripe, ...) constrain nothing that is installed here.
COPY pyproject.toml requirements.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/runtime-requirements.txt \
 && pip install --no-cache-dir -c requirements.txt -r /tmp/runtime-requirements.txt \
 && rm /tmp/runtime-requirements.txt

# The application's packages, run from /app (PYTHONPATH), owned by root: read-only for `app`.
COPY api ./api
COPY workers ./workers
COPY events ./events
COPY schemas ./schemas
COPY core ./core
COPY adapters ./adapters
# The French catalogue, compiled here as `make install` compiles it (the .mo files are not in git).
COPY locales ./locales
RUN python -m adapters.l10n compile && python -m compileall -q api workers events schemas core adapters

USER app

# 8000: the API (and its /metrics, /healthz, /readyz). 9100: a worker's METRICS_PORT, where it
# serves /metrics, /healthz and /readyz (METRICS_HOST=0.0.0.0 in a container).
EXPOSE 8000 9100

# The API's health: 200 when the broker and the database both answer, else 503 (urlopen
# raises, the exit status is non-zero). No curl in slim images, so Python's urllib.
# Worker containers run the same image but do not serve 8000: docker-compose.yml replaces this
# check there with one on the worker's own /readyz (port 9100).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# The API under waitress, as devstack.stack.api_argv starts it, but on every interface.
CMD ["python", "-m", "waitress", "--host=0.0.0.0", "--port=8000", "--threads=48", "--call", "api:create_app"]
