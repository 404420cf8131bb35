# LLM Interview Lab: multi-stage image, same pinned install as `make run`, served as a non-root user.

# 1. Front-end packages from the npm registry (htmx), pinned by package-lock.json.
FROM node:20-bookworm-slim AS static
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. Python dependencies into a virtual environment. torch==2.13.0 resolves to the CPU build from
#    PyTorch's CPU index (PyPI's default wheel for Linux is the multi-GB CUDA build).
FROM python:3.11-slim-bookworm AS python-deps
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        --extra-index-url https://download.pytorch.org/whl/cpu -r /tmp/requirements.txt

# 3. The runtime image.
FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 lab
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
USER lab
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["python", "-m", "app"]
