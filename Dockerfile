# syntax=docker/dockerfile:1
# deckgen server image: wheels are built in `builder`; `runtime` has no compilers, runs as uid 10001,
# and writes only to /tmp and the /data volume (read-only root file system friendly).
#
#   docker build -t deckgen .
#   docker run --rm -p 8000:8000 -p 9090:9090 --read-only --tmpfs /tmp -v deckgen-data:/data deckgen
#
# Pin the base by digest too in CI (`python:3.11.10-slim-bookworm@sha256:...`) once it is resolved.

FROM python:3.11.10-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Compilers only here, for any dependency that ships no wheel for this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first: this layer is rebuilt only when a pyproject.toml changes, not the code.
COPY pyproject.toml ./pyproject.toml
COPY clients/python/pyproject.toml ./clients/python/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/pip \
    python -c "import tomllib; \
server = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
client = tomllib.load(open('clients/python/pyproject.toml', 'rb'))['project']['dependencies']; \
print('\n'.join(d for d in server + client if not d.startswith('deckgen-client')))" > /tmp/requirements.txt \
    && pip wheel --wheel-dir /wheels -r /tmp/requirements.txt

# Then the code: the client (stubs + typed client) and the server, as wheels without dependencies.
COPY clients/python ./clients/python
COPY README.md ./README.md
COPY service ./service
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --no-deps --wheel-dir /wheels ./clients/python .


FROM python:3.11.10-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="deckgen" \
      org.opencontainers.image.description="gRPC service that turns a topic or documents into a streamed slide deck" \
      org.opencontainers.image.licenses="Apache-2.0"

# LibreOffice and poppler for PDF and previews; the fonts the renderer measures text with
# (Calibri/Cambria/Arial metric-compatible, CJK, Arabic); bubblewrap to confine LibreOffice where the
# runtime allows user namespaces (EXPORT_SANDBOX). Same list as .ci/system-deps.sh.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libreoffice-impress poppler-utils fontconfig bubblewrap \
        fonts-crosextra-carlito fonts-crosextra-caladea fonts-liberation2 fonts-noto-cjk fonts-noto-core \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*

RUN groupadd --system --gid 10001 deckgen \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
        --shell /usr/sbin/nologin deckgen \
    && mkdir -p /data/artifacts /app/config \
    && chown -R 10001:10001 /data

# Only the wheels are installed (bind-mounted: they do not stay in a layer), with no index.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels deckgen deckgen-client

WORKDIR /app
COPY config/ /app/config/

# Settings (see README "Configuration"); the environment wins over config/.env.<ENVIRONMENT>.
# HOME and TMPDIR under /tmp: LibreOffice profiles and fontconfig caches go there, never to /.
ENV ENVIRONMENT=production \
    CONFIG_DIR=/app/config \
    API_HOST=0.0.0.0 \
    API_PORT=8000 \
    METRICS_PORT=9090 \
    HEALTH_PORT=8081 \
    WORKERS=1 \
    STORAGE_DIR=/data/artifacts \
    HOME=/tmp \
    TMPDIR=/tmp \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

VOLUME ["/data"]
USER 10001:10001
EXPOSE 8000 8081 9090

# A real gRPC health check of the "liveness" service (grpc_health_probe is not in Debian), on the
# plaintext health-only port when there is one (the API port may speak TLS).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, grpc; from grpc_health.v1 import health_pb2, health_pb2_grpc; port = int(os.environ.get('HEALTH_PORT') or 0) or int(os.environ.get('API_PORT', '8000')); channel = grpc.insecure_channel(f'127.0.0.1:{port}'); reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service='liveness'), timeout=3); sys.exit(0 if reply.status == health_pb2.HealthCheckResponse.SERVING else 1)"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["deckgen", "serve"]
