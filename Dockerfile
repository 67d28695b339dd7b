# syntax=docker/dockerfile:1
# Two stages: "build" installs the package and compiles the city bundle; "runtime" carries only the
# virtual environment, the data and the bundle, and runs as an unprivileged user.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HERITAGE_DATA_DIR=/app/data HERITAGE_BUNDLE_DIR=/app/bundles NUMBA_CACHE_DIR=/app/numba-cache
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY routing ./routing
COPY recommender ./recommender
COPY cli ./cli
RUN pip install .
COPY data ./data
# The bundle is compiled once, here, so the container starts in seconds and never builds while serving;
# one walk and one bus query fill numba's cache of compiled router kernels for the same reason.
RUN heritage build --quiet \
 && heritage route --from hoan-kiem-lake --to temple-of-literature \
 && heritage route --from hoan-kiem-lake --to temple-of-literature --mode bus

FROM python:3.11-slim AS runtime
# Production by default: the server refuses to start without a strong HERITAGE_SECRET_KEY (at least 32 characters,
# not repetitive; e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), passed at run time, never baked in.
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 HERITAGE_ENVIRONMENT=production \
    HERITAGE_DATA_DIR=/app/data HERITAGE_BUNDLE_DIR=/app/bundles \
    HERITAGE_HOST=0.0.0.0 HERITAGE_PORT=8000 NUMBA_CACHE_DIR=/app/numba-cache \
    HERITAGE_SQLITE_PATH=/app/var/heritage.sqlite3
# State: SQLite in /app/var (mount a volume there) unless DATABASE_URL names PostgreSQL; REDIS_URL for the cache.
# Behind a reverse proxy, list it in HERITAGE_TRUSTED_PROXIES (e.g. '["10.0.0.0/8"]') so X-Forwarded-For is believed.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin heritage \
 && mkdir -p /app/var && chown heritage:heritage /app/var
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=heritage:heritage /app/data ./data
COPY --from=build --chown=heritage:heritage /app/bundles ./bundles
COPY --from=build --chown=heritage:heritage /app/numba-cache ./numba-cache
USER heritage
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["heritage", "serve"]
