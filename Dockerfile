# Kuaixun, unattended: `kuaixun schedule` crawls and publishes on config.yaml's cron lines.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    TZ=Asia/Shanghai

RUN pip install --no-cache-dir uv==0.13.8

WORKDIR /app
# Pango and a CJK font for the PDF issue (the same script `make` uses, runtime part only).
COPY scripts/system-deps.sh ./scripts/
RUN bash scripts/system-deps.sh --runtime && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project --compile-bytecode
COPY crawlers ./crawlers
COPY pipeline ./pipeline
COPY store ./store
COPY notify ./notify
COPY kuaixun ./kuaixun
COPY simulator ./simulator
COPY config.yaml scrapy.cfg ./
RUN uv sync --frozen --no-dev --compile-bytecode \
    && useradd --create-home --uid 1000 kuaixun \
    && mkdir -p /app/data /app/out \
    && chown -R kuaixun /app/data /app/out

USER 1000
# The store, spool, logs and archived issues live here; the operator mounts config.yaml over /app/config.yaml.
VOLUME ["/app/data", "/app/out"]
ENTRYPOINT ["kuaixun", "--config", "/app/config.yaml"]
CMD ["schedule"]
