# LLM Interview Lab: multi-stage image, same pinned install as `make run`, served as a non-root user.

# 1. Front-end packages from the npm registry (htmx), pinned by package-lock.json; the test-only ones
#    (devDependencies: axe-core) stay out.
FROM node:20.19.5-bookworm-slim AS static
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 2. Python dependencies into a virtual environment. torch==2.13.0 resolves to the CPU build from
#    PyTorch's CPU index (PyPI's default wheel for Linux is the multi-GB CUDA build), as `make run` does
#    where no local torch wheel is at hand; TORCH_INDEX names another build (e.g. a CUDA one).
FROM python:3.11.14-slim-bookworm AS python-deps
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        --extra-index-url "$TORCH_INDEX" -r /tmp/requirements.txt

# 3. The runtime image, run by the unprivileged user lab (uid and gid 10001, named numerically below so a
#    runtime can check it is not root without reading /etc/passwd).
FROM python:3.11.14-slim-bookworm
RUN groupadd --gid 10001 lab && useradd --create-home --uid 10001 --gid lab lab
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /srv/lab
COPY --from=python-deps /opt/venv /opt/venv
COPY alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY content ./content
COPY models ./models
COPY --from=static /src/node_modules/htmx.org/dist/htmx.min.js ./static/vendor/htmx.min.js
RUN mkdir -p var && chown lab:lab var
USER 10001:10001
EXPOSE 8000
# Healthy once /healthz answers 200 (any error or other status exits non-zero); start-up takes seconds.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
CMD ["python", "-m", "app"]
