# Kuaixun, unattended: `kuaixun schedule` crawls and publishes on config.yaml's cron lines.
# scripts/container-check.sh replays this file's install steps and runs its commands without an engine.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    TZ=Asia/Shanghai

RUN pip install --no-cache-dir uv==0.13.8

WORKDIR /app
# tini as PID 1 (forwards SIGTERM to kuaixun, reaps the crawl children), Pango and a CJK font for the
# PDF issue: the runtime part of the script `make` uses (it runs apt-get only for what is missing).
# The base image's Debian release fixes their versions.
COPY scripts/system-deps.sh ./scripts/
RUN bash scripts/system-deps.sh --runtime \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project --compile-bytecode
COPY crawlers ./crawlers
COPY pipeline ./pipeline
COPY store ./store
COPY notify ./notify
COPY kuaixun ./kuaixun
COPY simulator ./simulator
COPY config.yaml scrapy.cfg ./
RUN uv sync --frozen --no-dev --no-editable --compile-bytecode \
    && useradd --create-home --uid 1000 kuaixun \
    && mkdir -p /app/data /app/out \
    && chown -R kuaixun /app/data /app/out

USER 1000
# The store, spool, logs and archived issues live here; the operator mounts config.yaml over /app/config.yaml.
VOLUME ["/app/data", "/app/out"]
# The first check after 15 minutes: `--crawl-now` has recorded a crawl by then.
HEALTHCHECK --interval=5m --timeout=60s --start-period=15m --retries=3 \
    CMD ["kuaixun", "--config", "/app/config.yaml", "health"]
ENTRYPOINT ["tini", "--", "kuaixun", "--config", "/app/config.yaml"]
CMD ["schedule", "--crawl-now"]
