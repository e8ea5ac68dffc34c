# One image for every service; each container runs one (`command: ["serve", "<service>"]`),
# so each service still builds, runs and scales alone.

# The web app, built from its lock file (served at / by the HTTP server: web_app.py).
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    EMENTOR_HTTP_ADDRESS=0.0.0.0:8000 \
    EMENTOR_LOG_FORMAT=json

RUN pip install --no-cache-dir "uv>=0.5,<1"
WORKDIR /app

# Dependencies first (cached while only the code changes), from the one lock file.
COPY pyproject.toml uv.lock README.md ./
COPY contracts/pyproject.toml contracts/README.md contracts/
RUN uv sync --frozen --no-dev --no-install-project --no-install-workspace

COPY contracts contracts
COPY ementor ementor
COPY services services
COPY content content
COPY docs/openapi.json docs/openapi.json
COPY --from=web /web/dist web/dist
RUN uv sync --frozen --no-dev && useradd --system --uid 10001 ementor
USER 10001

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=3)"
ENTRYPOINT ["ementor"]
CMD ["serve", "profiles"]
